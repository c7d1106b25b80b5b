import { fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../../src/define/chat-panel.js';
import type { AgChatPanel } from '../../src/chat/chat-panel.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import {
  startMockBackend,
  type MockBackend,
  type MockBackendOptions,
} from '../../src/mocks/index.js';

export type { AgChatPanel };

export const agentId = 'agent1';

/** What a panel needs of a back end: the mock, or a running cluster (test/support/cluster.ts). */
export interface PanelBackend {
  readonly urls: {
    interactions: string;
    interactionsBackup?: string;
    chat: Record<string, string>;
  };
}

/** The chat instances' origins (the interaction server is on another origin). */
export function chatOrigins(backend: PanelBackend): string {
  return Object.values(backend.urls.chat).join(' ');
}

let current: MockBackend | null = null;

/**
 * msw reloads a page that is not controlled by its worker when a registration already exists
 * (`getWorkerInstance`). Test files run concurrently in tabs of one browser: a tab opened while
 * another tab's worker was still installing is claimed a moment later. Wait for that claim
 * instead of letting msw reload the page mid-run.
 */
async function untilControlled(timeoutMs = 5000): Promise<void> {
  const sw = navigator.serviceWorker;
  if (sw.controller || (await sw.getRegistrations()).length === 0) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sw.removeEventListener('controllerchange', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    sw.addEventListener('controllerchange', done);
    if (sw.controller) done();
  });
}

/** Starts a fresh mock for one test; `stopMock` (afterEach) removes the panels first, then the mock. */
export async function startMock(o: MockBackendOptions = {}): Promise<MockBackend> {
  await untilControlled();
  current = await startMockBackend({ restoreDelayMs: 100, ...o });
  return current;
}

export async function stopMock(): Promise<void> {
  fixtureCleanup();
  const mock = current;
  current = null;
  await mock?.stop();
}

export interface PanelOptions {
  heartbeatMs?: number;
  token?: string;
  allowedOrigins?: string;
  theme?: 'light' | 'dark';
  agentId?: string;
  tokenProvider?: () => string | Promise<string>;
  webSocket?: typeof WebSocket;
  /** watch the primary and the backup interaction server (`interactions-url` lists both) */
  backup?: boolean;
}

/** A panel on the given interaction, as a page would write it. */
export function panel(
  backend: PanelBackend,
  interactionId: string,
  o: PanelOptions = {},
): Promise<AgChatPanel> {
  const { interactions, interactionsBackup } = backend.urls;
  const servers =
    o.backup && interactionsBackup ? `${interactions} ${interactionsBackup}` : interactions;
  return fixture<AgChatPanel>(html`<ag-chat-panel
    interaction-id=${interactionId}
    interactions-url=${servers}
    allowed-origins=${o.allowedOrigins ?? chatOrigins(backend)}
    agent-id=${o.agentId ?? agentId}
    agent-name="Agent One"
    heartbeat-ms=${o.heartbeatMs ?? 1000}
    theme=${ifDefined(o.theme)}
    .token=${o.token ?? 'good-token'}
    .webSocket=${o.webSocket}
    .tokenProvider=${o.tokenProvider}
  ></ag-chat-panel>`);
}

/** A panel on the given interaction, connected. */
export async function connectedPanel(
  backend: PanelBackend,
  interactionId: string,
  o: PanelOptions = {},
): Promise<AgChatPanel> {
  const el = await panel(backend, interactionId, o);
  await connected(el);
  return el;
}

/** Resolves once the panel is connected (a bound for a loaded machine, not a pace). */
export async function connected(el: AgChatPanel): Promise<void> {
  await waitUntil(() => el.connectionState === 'connected', 'panel did not connect', {
    timeout: 15000,
  });
}

/** Every connection change of `el` from now on, as `state` or `state@endpoint`. */
export function connectionStates(el: AgChatPanel): string[] {
  const states: string[] = [];
  el.addEventListener('ag-connection-change', (e) =>
    states.push(`${e.detail.state}${e.detail.endpoint ? `@${e.detail.endpoint}` : ''}`),
  );
  return states;
}

/** Types into the composer and presses Enter, like an agent. */
export function typeAndEnter(el: AgChatPanel, text: string): void {
  const input = el.shadowRoot!.querySelector('textarea')!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  input.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }),
  );
}

/** The comparable part of a message (the server's object may carry fields we do not model). */
export const essence = (m: ChatMessage) => ({
  seq: m.seq,
  id: m.id,
  text: m.text,
  clientMsgId: m.clientMsgId,
  from: m.from.id,
});

/** Rendered message rows (seq, id) in DOM order. */
export function renderedRows(el: AgChatPanel): { seq: number; id: string; text: string }[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part="message"]')].map((li) => ({
    seq: Number(li.dataset['seq']),
    id: li.dataset['id']!,
    text: li.querySelector('.text')!.textContent!,
  }));
}

/** Waits until the server holds `count` messages and the panel's transcript equals it, exactly. */
export async function untilInSync(
  el: AgChatPanel,
  mock: MockBackend,
  interactionId: string,
  count: number,
  timeout = 10000,
): Promise<void> {
  await waitUntil(
    () => {
      const server = mock.chat.transcript(interactionId);
      return (
        server.length === count &&
        server.length === el.messages.length &&
        server.every((m, i) => m.id === el.messages[i]!.id && m.seq === el.messages[i]!.seq)
      );
    },
    'panel transcript never matched the server transcript',
    { timeout },
  );
}
