import { Subscription } from 'rxjs';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { WebSocketCtor } from '../core/connection.js';
import type { ConnectionStatus } from '../core/state.js';
import { defaultClientId } from '../core/outbox.js';
import type { AgErrorInfo } from '../protocol/errors.js';
import { Limits } from '../protocol/limits.js';
import {
  AgConnectionChangeEvent,
  AgErrorEvent,
  AgMessageEvent,
  AgOutboxKeptEvent,
  AgRelocatedEvent,
  AgSessionClosedEvent,
} from '../events.js';
import { OutboxOwner } from './outbox-owner.js';
import { ChatStore, chatStoreKey, tabScope, type HeldMessage } from './outbox-store.js';
import {
  ChatSession,
  type ChatView,
  type ParticipantChange,
  type PendingMessage,
  type TokenSource,
} from './chat-session.js';
import type { ChatMessage } from '../protocol/wire.js';

/** What the controller needs from its element. */
export interface ChatSessionHost extends ReactiveControllerHost, EventTarget {
  readonly interactionId: string;
  readonly interactionsUrl: string;
  readonly allowedOrigins: string | undefined;
  readonly agentId: string | undefined;
  readonly heartbeatMs: number | undefined;
  readonly restoreSpreadMs: number | undefined;
  readonly webSocket: WebSocketCtor | undefined;
  /** asked on every (re)connect */
  readonly currentToken: TokenSource;
  /** a token or a token provider is set (until then the panel waits instead of being refused) */
  readonly hasCredentials: boolean;
  /** how long to wait for credentials before failing with `bad-config` */
  readonly credentialsTimeoutMs: number | undefined;
  /** a message from someone else, a participant change or a state change to announce */
  announce(text: string): void;
  /** the status line's text */
  describeStatus(): string;
  /** a participant arrived or left */
  showActivity(text: string): void;
  /** the activity line for a participant change, in the element's language */
  describeParticipant(name: string, role: string, action: 'joined' | 'left'): string;
}

const emptyView = (status: ConnectionStatus): ChatView => ({
  status,
  messages: [],
  pending: [],
  delivered: new Set(),
  participants: [],
  typing: [],
  notices: [],
});

/** Default wait for a token or token provider after the element is configured. */
export const credentialsTimeoutDefaultMs = 10000;
/** A provider that returns no token is asked again every this many ms, for up to tokenWaitMs
 *  (below the shortest connect timeout, 1 s: a provider that never has one ends in a true
 *  `unauthorized` from the server, not in endless timeouts). */
const tokenPollMs = 100;
const tokenWaitMs = 800;

/** What panels of one agent on one interaction tell each other (BroadcastChannel). */
interface MirrorMessage {
  readonly from: string;
  readonly hello?: boolean;
  readonly pending?: readonly PendingMessage[];
}

/** Space-separated list, without empties. */
const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean);

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' ||
      u.protocol === 'https:' ||
      u.protocol === 'ws:' ||
      u.protocol === 'wss:'
      ? u.origin
      : null;
  } catch {
    return null;
  }
}

/**
 * Owns the element's ChatSession: created on the first update after the element is connected
 * and has credentials (so properties set right after insertion count), re-created when the
 * configuration changes, disposed when the element leaves the page. Turns the session's streams
 * into DOM events.
 *
 * What the agent typed outlives the session: every view's unacknowledged messages and the draft
 * are written to a {@link ChatStore} (sessionStorage) per agent and interaction, and a new
 * session (after a reload, a re-insertion, a configuration change) starts with them, same
 * clientMsgIds, so the server de-duplicates whatever had already reached it. A move in the
 * document (disconnected and connected again in the same task) keeps the session as it is.
 */
export class ChatSessionController implements ReactiveController {
  #session: ChatSession | null = null;
  #subscriptions = new Subscription();
  #configKey: string | null = null;
  #connected = false;
  #lastStatus: ConnectionStatus | null = null;
  #configError: AgErrorInfo | null = null;
  #webSocket: WebSocketCtor | undefined;
  #store: ChatStore | null = null;
  #storeInteraction = '';
  /** the clientMsgIds this panel has in the store (it adds and releases only these) */
  #written = new Set<string>();
  #writtenKey = '';
  #owner: OutboxOwner | null = null;
  /** bumped by stop(): a session creation waiting for ownership is then cancelled */
  #generation = 0;
  /** a session is about to be created (ownership of held messages being decided) */
  #creating = false;
  #mirror: BroadcastChannel | null = null;
  #mirrorSignature = '';
  /** what the same agent's other panels on this interaction have on its way, by panel */
  readonly #foreign = new Map<string, readonly PendingMessage[]>();
  readonly #panelId = Math.random().toString(36).slice(2, 12);
  /** the session's own view (`view` adds the other panels' pending messages) */
  #own: ChatView = emptyView({ state: 'idle' });
  /** views are written to the store only once the session has its held messages */
  #persisting = false;
  #restoredDraft: string | undefined;
  #credentialsTimer: ReturnType<typeof setTimeout> | null = null;
  #waitingForCredentials = false;

  view: ChatView = emptyView({ state: 'idle' });

  constructor(private readonly host: ChatSessionHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    if (!this.#connected) return;
    const key = JSON.stringify([
      this.host.interactionId,
      this.host.interactionsUrl,
      this.host.allowedOrigins,
      this.host.agentId,
      this.host.heartbeatMs,
      this.host.restoreSpreadMs,
    ]);
    // a new WebSocket constructor is a new configuration too (it cannot be serialised)
    const same = key === this.#configKey && this.#webSocket === this.host.webSocket;
    if (same && !(this.#waitingForCredentials && this.host.hasCredentials)) return;
    this.#configKey = key;
    this.#webSocket = this.host.webSocket;
    this.#start();
  }

  hostDisconnected(): void {
    this.#connected = false;
    // a move (removed and inserted again in the same task) is not a departure: keep everything
    queueMicrotask(() => {
      if (!this.#connected) this.#park();
    });
  }

  send(text: string): boolean {
    if (!this.#session && this.#creating && this.#store && text.trim()) {
      if (text.length > Limits.maxMessageLength) {
        this.host.dispatchEvent(
          new AgErrorEvent(
            'message-too-long',
            `messages are limited to ${Limits.maxMessageLength} characters`,
          ),
        );
        return false;
      }
      // the session is a moment away: hold it where the session will find it
      const m = { clientMsgId: defaultClientId(), text };
      this.#store.hold([m]);
      this.#written.add(m.clientMsgId);
      this.#setView({ ...this.#own, pending: [...this.#own.pending, { ...m, state: 'queued' }] });
      return true;
    }
    if (!this.#session) return false;
    try {
      this.#session.send(text);
      return true;
    } catch (e) {
      const info = e as AgErrorInfo;
      if (info.code !== 'send-failed')
        this.host.dispatchEvent(new AgErrorEvent(info.code, info.message));
      return false;
    }
  }

  typing(): void {
    this.#session?.typing();
  }

  /** The composer's text, kept with the interaction's held messages. */
  saveDraft(text: string): void {
    this.#store?.saveDraft(text);
  }

  /** The draft to put back in the composer after a (re)start, once. */
  takeDraft(): string | undefined {
    const d = this.#restoredDraft;
    this.#restoredDraft = undefined;
    return d;
  }

  /** The element left the page: close the session; what is unsent stays in the store. */
  #park(): void {
    this.#configKey = null;
    this.#stop();
    this.#announceKept();
    this.#leaveRecord();
  }

  /** Tells the page that messages of the interaction being left are kept for later. */
  #announceKept(): void {
    const pending = this.#heldNow().length;
    if (this.#store && pending > 0)
      this.host.dispatchEvent(
        new AgOutboxKeptEvent({ interactionId: this.#storeInteraction, pending }),
      );
  }

  #heldNow(): HeldMessage[] {
    return this.#own.pending
      .filter((p) => p.state !== 'rejected')
      .map((p) => ({ clientMsgId: p.clientMsgId, text: p.text }));
  }

  #start(): void {
    this.#stop();
    const h = this.host;
    const urls = words(h.interactionsUrl);
    const origins =
      h.allowedOrigins !== undefined
        ? words(h.allowedOrigins)
        : urls.map(originOf).filter((x): x is string => !!x);
    const storeKey = chatStoreKey(h.interactionId, h.agentId);
    if (this.#store && this.#store.key !== storeKey) {
      this.#announceKept();
      this.#leaveRecord();
    }
    if (!h.interactionId || urls.length === 0) {
      this.#configError = {
        code: 'bad-config',
        message: 'interaction-id and interactions-url are required',
      };
      this.#setView(emptyView({ state: 'failed', error: this.#configError }));
      h.dispatchEvent(new AgErrorEvent(this.#configError.code, this.#configError.message));
      return;
    }
    this.#configError = null;
    if (!h.hasCredentials) {
      this.#waitForCredentials();
      return;
    }
    if (!this.#store) this.#enterRecord(storeKey, h.interactionId);
    const generation = ++this.#generation;
    const create = () => {
      if (generation === this.#generation) this.#createSession(urls, origins);
    };
    // something to resend: first learn whether another panel of this tab owns it (a moment);
    // meanwhile show what is held, and hold what is typed
    const held = this.#store!.load().held;
    if (held.length === 0) return create();
    this.#creating = true;
    this.#setView({
      ...emptyView({ state: 'connecting' }),
      pending: held.map((m) => ({ ...m, state: 'queued' as const })),
    });
    void this.#owner!.first.then(create);
  }

  /** Starts using the record of (agent, interaction): ownership, mirror, draft. */
  #enterRecord(storeKey: string, interactionId: string): void {
    const store = new ChatStore(storeKey);
    this.#store = store;
    this.#storeInteraction = interactionId;
    this.#restoredDraft = store.load().draft;
    if (this.#writtenKey !== storeKey) {
      this.#written = new Set();
      this.#writtenKey = storeKey;
    }
    // ownership arriving later (the owner left): take over what it held
    this.#owner = new OutboxOwner(`ag-chat-outbox:${tabScope()}:${storeKey}`, () => {
      if (this.#session) this.#start();
    });
    this.#openMirror(storeKey);
  }

  /** Stops using the record: ownership goes to the next panel in line; the mirror says bye. */
  #leaveRecord(): void {
    this.#owner?.dispose();
    this.#owner = null;
    this.#closeMirror();
    this.#store = null;
  }

  #createSession(urls: string[], origins: string[]): void {
    this.#creating = false;
    const h = this.host;
    const store = this.#store!;
    const saved = store.load();
    // the owner resends everything held; another panel only what it wrote itself
    const held = this.#owner?.owner
      ? saved.held
      : saved.held.filter((m) => this.#written.has(m.clientMsgId));
    this.#written = new Set(held.map((m) => m.clientMsgId));
    const session = new ChatSession({
      interactionId: h.interactionId,
      interactionsUrls: urls,
      allowedOrigins: origins,
      ...(h.agentId ? { agentId: h.agentId } : {}),
      ...(h.heartbeatMs && h.heartbeatMs > 0 ? { heartbeatMs: h.heartbeatMs } : {}),
      ...(Number.isFinite(h.restoreSpreadMs) && h.restoreSpreadMs! >= 0
        ? { restoreSpreadMs: h.restoreSpreadMs! }
        : {}),
      webSocket: h.webSocket,
      held,
      token: () => this.#tokenWhenReady(),
    });
    this.#session = session;
    const subs = (this.#subscriptions = new Subscription());
    subs.add(session.view$.subscribe((v) => this.#setView(v)));
    subs.add(session.message$.subscribe((m) => this.#onMessage(m)));
    subs.add(
      session.errors$.subscribe((e) => h.dispatchEvent(new AgErrorEvent(e.code, e.message))),
    );
    subs.add(session.relocated$.subscribe((r) => h.dispatchEvent(new AgRelocatedEvent(r))));
    subs.add(
      session.closed$.subscribe((reason) => h.dispatchEvent(new AgSessionClosedEvent({ reason }))),
    );
    subs.add(session.participantChange$.subscribe((c) => this.#onParticipant(c)));
    session.start();
    this.#persisting = true;
    this.#persist(session.view);
    this.host.requestUpdate();
  }

  /**
   * The provider's token. A provider that has none yet (the desktop is still signing in) is
   * asked again for a moment instead of connecting without one, which the server would refuse
   * (`unauthorized`, final on the second time).
   */
  async #tokenWhenReady(): Promise<string | undefined> {
    const generation = this.#generation;
    for (let waited = 0; ; waited += tokenPollMs) {
      const token = await this.host.currentToken();
      if (token || waited >= tokenWaitMs || generation !== this.#generation) return token;
      await new Promise((resolve) => setTimeout(resolve, tokenPollMs));
    }
  }

  /** True while the panel waits for a token or a token provider (state `idle`). */
  get awaitingCredentials(): boolean {
    return this.#waitingForCredentials;
  }

  /**
   * No token and no provider yet: a page typically sets them from a script that runs after the
   * element was defined. Connecting now would be refused (`unauthorized`); wait, bounded.
   */
  #waitForCredentials(): void {
    this.#waitingForCredentials = true;
    this.#setView(emptyView({ state: 'idle' }));
    const ms = this.host.credentialsTimeoutMs ?? credentialsTimeoutDefaultMs;
    this.#credentialsTimer = setTimeout(() => {
      this.#credentialsTimer = null;
      // still waiting: credentials set after all start the session
      const error: AgErrorInfo = {
        code: 'bad-config',
        message: `no token or tokenProvider was set within ${ms} ms`,
      };
      this.#configError = error;
      this.#setView(emptyView({ state: 'failed', error }));
      this.host.dispatchEvent(new AgErrorEvent(error.code, error.message));
    }, ms);
  }

  #stop(): void {
    if (this.#credentialsTimer !== null) clearTimeout(this.#credentialsTimer);
    this.#credentialsTimer = null;
    this.#waitingForCredentials = false;
    this.#persisting = false;
    this.#creating = false;
    this.#generation++;
    this.#subscriptions.unsubscribe();
    this.#session?.dispose();
    this.#session = null;
  }

  /**
   * Writes this panel's unacknowledged messages to the store (adding and releasing its own
   * only); a closed session leaves nothing behind.
   */
  #persist(v: ChatView): void {
    const store = this.#store;
    if (!store || !this.#persisting) return;
    if (v.closedReason !== undefined) {
      store.clear();
      this.#written = new Set();
      return;
    }
    const held = v.pending
      .filter((p) => p.state !== 'rejected')
      .map((p) => ({ clientMsgId: p.clientMsgId, text: p.text }));
    const now = new Set(held.map((m) => m.clientMsgId));
    const added = held.filter((m) => !this.#written.has(m.clientMsgId));
    const gone = [...this.#written].filter((id) => !now.has(id));
    if (added.length) store.hold(added);
    if (gone.length) store.release(gone);
    this.#written = now;
  }

  // --- the same agent's other panels on this interaction (other tabs, other gadgets) ----------

  #openMirror(storeKey: string): void {
    const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
    if (!Channel) return;
    const mirror = new Channel(`ag-chat-mirror:${storeKey}`);
    mirror.onmessage = (e: MessageEvent<MirrorMessage>) => this.#onMirror(e.data);
    this.#mirror = mirror;
    this.#mirrorSignature = '';
    mirror.postMessage({ from: this.#panelId, hello: true } satisfies MirrorMessage);
  }

  #closeMirror(): void {
    if (!this.#mirror) return;
    this.#mirror.postMessage({ from: this.#panelId, pending: [] } satisfies MirrorMessage);
    this.#mirror.close();
    this.#mirror = null;
    this.#foreign.clear();
  }

  #onMirror(m: MirrorMessage): void {
    if (!m || typeof m.from !== 'string' || m.from === this.#panelId) return;
    if (m.hello) this.#postPending(true);
    if (!Array.isArray(m.pending)) return;
    const list = m.pending.filter(
      (p): p is PendingMessage =>
        !!p && typeof p.clientMsgId === 'string' && typeof p.text === 'string',
    );
    if (list.length) this.#foreign.set(m.from, list);
    else this.#foreign.delete(m.from);
    this.view = this.#expose(this.#own);
    this.host.requestUpdate();
  }

  /** Tells the other panels what this one has on its way (when it changed, or when asked). */
  #postPending(always = false): void {
    if (!this.#mirror) return;
    const pending = this.#own.pending.map((p) => ({
      clientMsgId: p.clientMsgId,
      text: p.text,
      state: p.state,
    }));
    const signature = pending.map((p) => `${p.clientMsgId}:${p.state}`).join(' ');
    if (!always && signature === this.#mirrorSignature) return;
    this.#mirrorSignature = signature;
    this.#mirror.postMessage({ from: this.#panelId, pending } satisfies MirrorMessage);
  }

  /** The session's view plus what the other panels have on its way, until it is in the transcript. */
  #expose(own: ChatView): ChatView {
    if (this.#foreign.size === 0) return own;
    const seen = new Set(own.pending.map((p) => p.clientMsgId));
    for (const m of own.messages) if (m.clientMsgId) seen.add(m.clientMsgId);
    const extra: PendingMessage[] = [];
    for (const list of this.#foreign.values())
      for (const p of list)
        if (!seen.has(p.clientMsgId)) {
          seen.add(p.clientMsgId);
          extra.push(p);
        }
    return extra.length ? { ...own, pending: [...own.pending, ...extra] } : own;
  }

  #setView(v: ChatView): void {
    this.#own = v;
    this.view = this.#expose(v);
    this.#persist(v);
    this.#postPending();
    const s = v.status;
    const prev = this.#lastStatus;
    if (
      !prev ||
      prev.state !== s.state ||
      prev.reason !== s.reason ||
      prev.endpoint !== s.endpoint
    ) {
      this.#lastStatus = s;
      // tell screen-reader users about trouble and recovery, not about every attempt
      if (
        prev &&
        prev.state !== s.state &&
        (s.state === 'reconnecting' ||
          s.state === 'closed' ||
          s.state === 'failed' ||
          (s.state === 'connected' && prev.state === 'reconnecting'))
      ) {
        this.host.announce(this.host.describeStatus());
      }
      // `idle` is the state before anything happened: not a change worth an event
      if (s.state !== 'idle') {
        this.host.dispatchEvent(
          new AgConnectionChangeEvent({
            state: s.state,
            ...(s.reason ? { reason: s.reason } : {}),
            ...(s.endpoint ? { endpoint: s.endpoint } : {}),
            ...(s.previousEndpoint ? { previousEndpoint: s.previousEndpoint } : {}),
            ...(s.error ? { error: s.error } : {}),
          }),
        );
      }
    }
    this.host.requestUpdate();
  }

  #onMessage(m: ChatMessage): void {
    this.host.dispatchEvent(new AgMessageEvent({ message: m }));
    if (m.from.id !== this.host.agentId && m.from.role !== 'agent')
      this.host.announce(`${m.from.name || m.from.role}: ${m.text}`);
  }

  #onParticipant(c: ParticipantChange): void {
    const text = this.host.describeParticipant(c.participant.name, c.participant.role, c.action);
    this.host.showActivity(text);
    this.host.announce(text);
  }
}
