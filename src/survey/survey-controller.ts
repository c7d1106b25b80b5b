/**
 * SurveyController: adapts a {@link SurveySession} to `<ag-survey-transfer>`. It builds the
 * host and the PCS client from the element's configuration, runs one session while the
 * element is connected (a new one when the configuration changes), and turns the session's
 * streams into DOM events and renders. The workflow itself lives in the session.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Subscription, asyncScheduler } from 'rxjs';
import { handshakeAuth } from '../core/handshake-auth.js';
import {
  AgConnectionChangeEvent,
  AgErrorEvent,
  AgRelocatedEvent,
  AgSurveyRequestedEvent,
  AgSurveyStatusEvent,
  AgSurveyTransferredEvent,
} from '../events.js';
import type { Host } from '../hosts/host.js';
import { detectHostKind } from '../hosts/detect.js';
import { lazyFinesseHost } from '../hosts/lazy-host.js';
import { StandaloneHost, type StandaloneCall } from '../hosts/standalone-host.js';
import type { AgErrorInfo } from '../protocol/errors.js';
import type { SurveyMode, SurveyStatus } from '../protocol/wire.js';
import { PcsClient, type TokenProvider } from './pcs-client.js';
import { PendingRequests, type KeyValueStorage } from './pending-requests.js';
import {
  SurveySession,
  initialSurveyView,
  type SurveyForm,
  type SurveyView,
} from './survey-session.js';

export type { Phase, SurveyView } from './survey-session.js';
export { POST_CALL_SURVEY_VARIABLE, normaliseSmsNumber } from './survey-workflow.js';

export interface SurveyConfig {
  readonly pcsNodes: readonly string[];
  readonly mode: SurveyMode;
  readonly hostKind?: string | null;
  readonly dialogId?: string | null;
  readonly ani?: string | null;
  readonly dialedNumber?: string | null;
  readonly interactionId?: string | null;
  readonly interactionsUrls: readonly string[];
  readonly agentId?: string | null;
  readonly tokenProvider: TokenProvider;
  /** an injected host (tests, custom desktops); wins over `hostKind` */
  readonly hostAdapter?: Host | null;
  readonly pollMs?: number;
  /** consult, then transfer (default: single-step transfer) */
  readonly consultTransfer?: boolean;
}

export class SurveyController implements ReactiveController {
  view: SurveyView = initialSurveyView;

  #config?: SurveyConfig;
  #configKey?: string;
  #hostImpl?: Host;
  #ownsHost = false;
  #session?: SurveySession;
  #subscriptions = new Subscription();
  #connected = false;

  readonly #element: ReactiveControllerHost & HTMLElement;

  constructor(element: ReactiveControllerHost & HTMLElement) {
    this.#element = element;
    element.addController(this);
  }

  /** The current host (for adjustHeight). */
  get host(): Host | undefined {
    return this.#hostImpl;
  }

  /** The status shown to the agent: PCS's, or what we did ourselves if PCS has not caught up. */
  get surveyStatus(): SurveyStatus | undefined {
    return this.#session?.surveyStatus;
  }

  hostConnected(): void {
    this.#connected = true;
    if (this.#config) this.#apply(this.#config);
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
    this.view = { ...this.view, connection: { state: 'idle' }, endpoint: null };
  }

  /** Called by the element whenever its configuration may have changed. */
  configure(next: SurveyConfig): void {
    this.#config = next;
    if (this.#connected) this.#apply(next);
  }

  /** The agent pressed the action button. */
  async requestSurvey(form: SurveyForm): Promise<void> {
    if (!this.#session) {
      const message = this.view.error?.message ?? 'The gadget is not configured (pcs-nodes)';
      this.#element.dispatchEvent(new AgErrorEvent('bad-config', message));
      return;
    }
    await this.#session.requestSurvey(form);
  }

  // ---------------------------------------------------------------------------------------------

  #apply(config: SurveyConfig): void {
    // a new call from attributes is not a new session: the owned host just reports it
    const key = sessionKey(config);
    if (key === this.#configKey && this.#session && this.#hostImpl === this.#builtHostFor(config)) {
      if (this.#hostImpl instanceof StandaloneHost && this.#ownsHost && !config.interactionId)
        this.#hostImpl.setCall(staticCall(config));
      return;
    }
    this.#stop();
    this.#configKey = key;
    const problem = configProblem(config);
    if (problem) return this.#refuse(problem);
    let host: Host;
    let pcs: PcsClient;
    try {
      host = this.#buildHost(config);
      pcs = new PcsClient({
        nodes: config.pcsNodes,
        tokenProvider: config.tokenProvider,
        ...(config.agentId ? { agentId: config.agentId } : {}),
        ...(config.pollMs ? { pollMs: config.pollMs } : {}),
      });
    } catch (e) {
      if (this.#ownsHost) this.#hostImpl?.dispose();
      this.#hostImpl = undefined;
      return this.#refuse(e instanceof Error ? e.message : String(e));
    }
    const session = new SurveySession({
      host,
      pcs,
      mode: config.mode,
      ...(config.agentId ? { agentId: config.agentId } : {}),
      ...(config.consultTransfer ? { consultTransfer: true } : {}),
      // a gadget reload re-attaches to its pending request instead of creating another one
      pending: new PendingRequests({ storage: tabStorage(), now: () => asyncScheduler.now() }),
    });
    this.#session = session;
    const el = this.#element;
    const subs = (this.#subscriptions = new Subscription());
    subs.add(
      session.view$.subscribe((view) => {
        this.view = view;
        el.requestUpdate();
      }),
    );
    subs.add(session.status$.subscribe((s) => el.dispatchEvent(new AgConnectionChangeEvent(s))));
    subs.add(session.relocated$.subscribe((r) => el.dispatchEvent(new AgRelocatedEvent(r))));
    subs.add(
      session.errors$.subscribe((e) => el.dispatchEvent(new AgErrorEvent(e.code, e.message))),
    );
    subs.add(session.requested$.subscribe((r) => el.dispatchEvent(new AgSurveyRequestedEvent(r))));
    subs.add(
      session.transferred$.subscribe((t) => el.dispatchEvent(new AgSurveyTransferredEvent(t))),
    );
    subs.add(session.surveyStatus$.subscribe((s) => el.dispatchEvent(new AgSurveyStatusEvent(s))));
    session.start();
  }

  /** The host this configuration would keep using (an injected one is never rebuilt). */
  #builtHostFor(config: SurveyConfig): Host | undefined {
    return config.hostAdapter ?? (this.#ownsHost ? this.#hostImpl : undefined);
  }

  #buildHost(config: SurveyConfig): Host {
    let host: Host;
    if (config.hostAdapter) {
      host = config.hostAdapter;
      this.#ownsHost = false;
    } else if (detectHostKind(config.hostKind) === 'finesse') {
      // finesse.js glue is fetched only here, in Finesse: the bundle elsewhere does not carry it
      host = lazyFinesseHost();
      this.#ownsHost = true;
    } else if (config.interactionId && config.interactionsUrls.length) {
      host = new StandaloneHost({
        interactionId: config.interactionId,
        interactionsUrls: config.interactionsUrls,
        auth: handshakeAuth(config.tokenProvider, config.agentId),
      });
      this.#ownsHost = true;
    } else {
      host = new StandaloneHost({ call: staticCall(config) });
      this.#ownsHost = true;
    }
    this.#hostImpl = host;
    return host;
  }

  /** Bad configuration: `failed` with `bad-config`, the way the chat panel does it. */
  #refuse(message: string): void {
    const error: AgErrorInfo = { code: 'bad-config', message };
    this.view = {
      ...initialSurveyView,
      connection: { state: 'failed', error },
      phase: 'failed',
      error,
    };
    this.#element.dispatchEvent(new AgConnectionChangeEvent({ state: 'failed', error }));
    this.#element.dispatchEvent(new AgErrorEvent(error.code, error.message));
    this.#element.requestUpdate();
  }

  #stop(): void {
    this.#subscriptions.unsubscribe();
    this.#subscriptions = new Subscription();
    this.#session?.dispose();
    this.#session = undefined;
    if (this.#ownsHost) this.#hostImpl?.dispose();
    this.#hostImpl = undefined;
    this.#ownsHost = false;
    this.#configKey = undefined;
  }
}

/** Everything but the attribute call: a change here needs a new session. */
function sessionKey(config: SurveyConfig): string {
  return JSON.stringify([
    config.pcsNodes,
    config.mode,
    config.hostKind ?? null,
    config.interactionId ?? null,
    config.interactionsUrls,
    config.agentId ?? null,
    config.pollMs ?? null,
    !!config.consultTransfer,
  ]);
}

/** Why the configuration cannot work, or null. */
function configProblem(config: SurveyConfig): string | null {
  if (!config.pcsNodes.length) return 'pcs-nodes is required (the PCS base URLs)';
  const bad = config.pcsNodes.find((url) => !isHttpUrl(url));
  return bad === undefined ? null : `pcs-nodes must be http(s) URLs: ${bad.slice(0, 200)}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The tab's sessionStorage, or null where the page may not use it (sandboxed frames). */
function tabStorage(): KeyValueStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

function staticCall(config: SurveyConfig): StandaloneCall | null {
  return config.dialogId
    ? {
        dialogId: config.dialogId,
        ...(config.ani ? { ani: config.ani } : {}),
        ...(config.dialedNumber ? { dialedNumber: config.dialedNumber } : {}),
      }
    : null;
}
