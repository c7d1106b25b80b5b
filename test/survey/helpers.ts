// Shared helpers for the survey gadget's tests against the mocked back end.
import { fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import {
  startMockBackend,
  type MockBackend,
  type MockBackendOptions,
} from '../../src/mocks/index.js';
import '../../src/define/survey-transfer.js';
import type { Host } from '../../src/hosts/host.js';
import { pendingStorageKey } from '../../src/survey/pending-requests.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import type { ErrorCode } from '../../src/protocol/errors.js';

export async function startMock(options: MockBackendOptions = {}): Promise<MockBackend> {
  return startMockBackend({ finesse: true, ivrStepMs: 60, pcsLeaseMs: 600, ...options });
}

/** Removes the elements first (they close their sockets), then stops the mock. */
export async function stopMock(mock: MockBackend | undefined): Promise<void> {
  fixtureCleanup();
  // the next test's fake Finesse numbers its dialogs from the same start: forget this one's
  sessionStorage.removeItem(pendingStorageKey);
  await mock?.stop();
}

export interface MountOptions {
  mode?: 'transfer' | 'hangup';
  nodes?: readonly string[];
  host?: 'finesse' | 'standalone';
  hostAdapter?: Host;
  token?: string;
}

export function mount(mock: MockBackend, o: MountOptions = {}): Promise<AgSurveyTransfer> {
  const nodes = (o.nodes ?? Object.values(mock.urls.pcs)).join(' ');
  return fixture<AgSurveyTransfer>(
    html`<ag-survey-transfer
      mode=${o.mode ?? 'transfer'}
      pcs-nodes=${nodes}
      poll-ms="150"
      host=${o.host ?? 'finesse'}
      .token=${o.token ?? 'agent1-token'}
      .hostAdapter=${o.hostAdapter}
    ></ag-survey-transfer>`,
  );
}

export function part<T extends Element = HTMLElement>(
  el: AgSurveyTransfer,
  name: string,
): T | null {
  return el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
}

export function text(el: AgSurveyTransfer, name: string): string {
  return part(el, name)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

export function button(el: AgSurveyTransfer): HTMLButtonElement {
  return part<HTMLButtonElement>(el, 'action')!;
}

/** Waits until the survey is shown and the action button can be pressed. */
export async function ready(el: AgSurveyTransfer): Promise<void> {
  await waitUntil(
    () => text(el, 'survey-name') === 'Customer satisfaction' && !button(el).disabled,
    `survey ready (reason: ${text(el, 'reason')})`,
    { timeout: 8000 },
  );
}

/** Every ag-error code the element fires from now on. */
export function collectErrors(el: AgSurveyTransfer): ErrorCode[] {
  const codes: ErrorCode[] = [];
  el.addEventListener('ag-error', (e) => codes.push(e.detail.code));
  return codes;
}

/**
 * The node claiming primary with the highest epoch. Waits for one: a node is primary while its
 * lease is valid by the clock, and on a saturated machine a renewal can run late, leaving no
 * primary for a moment (the next renewal restores the same one).
 */
export async function primaryOf(mock: MockBackend, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = mock.pcs.nodes().filter((n) => n.alive && n.role === 'primary');
    nodes.sort((a, b) => b.epoch - a.epoch);
    if (nodes[0]) return nodes[0].id;
    if (Date.now() > deadline) throw new Error(`no primary PCS node within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
