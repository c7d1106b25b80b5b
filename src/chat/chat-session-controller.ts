import { Subscription } from 'rxjs';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { WebSocketCtor } from '../core/connection.js';
import type { ConnectionStatus } from '../core/state.js';
import { ErrorCodes, type AgErrorInfo } from '../protocol/errors.js';
import {
  AgConnectionChangeEvent,
  AgErrorEvent,
  AgMessageEvent,
  AgRelocatedEvent,
  AgSessionClosedEvent,
} from '../events.js';
import {
  ChatSession,
  type ChatView,
  type ParticipantChange,
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
  /** a message from someone else, a participant change or a state change to announce */
  announce(text: string): void;
  /** the status line's text */
  describeStatus(): string;
  /** a participant arrived or left */
  showActivity(text: string): void;
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
 * (so properties set right after insertion count), re-created when the configuration changes,
 * disposed when the element leaves the page. Turns the session's streams into DOM events.
 */
export class ChatSessionController implements ReactiveController {
  private session: ChatSession | null = null;
  private subscriptions = new Subscription();
  private configKey: string | null = null;
  private connected = false;
  private lastStatus: ConnectionStatus | null = null;
  private configError: AgErrorInfo | null = null;
  private webSocket: WebSocketCtor | undefined;

  view: ChatView = emptyView({ state: 'idle' });

  constructor(private readonly host: ChatSessionHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    if (!this.connected) return;
    const key = JSON.stringify([
      this.host.interactionId,
      this.host.interactionsUrl,
      this.host.allowedOrigins,
      this.host.agentId,
      this.host.heartbeatMs,
      this.host.restoreSpreadMs,
    ]);
    // a new WebSocket constructor is a new configuration too (it cannot be serialised)
    if (key === this.configKey && this.webSocket === this.host.webSocket) return;
    this.configKey = key;
    this.webSocket = this.host.webSocket;
    this.start();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.configKey = null;
    this.stop();
  }

  send(text: string): boolean {
    if (!this.session) return false;
    try {
      this.session.send(text);
      return true;
    } catch (e) {
      const info = e as AgErrorInfo;
      if (info.code !== ErrorCodes.SendFailed)
        this.host.dispatchEvent(new AgErrorEvent(info.code, info.message));
      return false;
    }
  }

  typing(): void {
    this.session?.typing();
  }

  private start(): void {
    this.stop();
    const h = this.host;
    const urls = words(h.interactionsUrl);
    const origins =
      h.allowedOrigins !== undefined
        ? words(h.allowedOrigins)
        : urls.map(originOf).filter((x): x is string => !!x);
    if (!h.interactionId || urls.length === 0) {
      this.configError = {
        code: ErrorCodes.BadConfig,
        message: 'interaction-id and interactions-url are required',
      };
      this.setView(emptyView({ state: 'failed', error: this.configError }));
      h.dispatchEvent(new AgErrorEvent(this.configError.code, this.configError.message));
      return;
    }
    this.configError = null;
    const session = new ChatSession({
      interactionId: h.interactionId,
      interactionsUrls: urls,
      allowedOrigins: origins,
      ...(h.agentId ? { agentId: h.agentId } : {}),
      ...(h.heartbeatMs && h.heartbeatMs > 0 ? { heartbeatMs: h.heartbeatMs } : {}),
      ...(Number.isFinite(h.restoreSpreadMs) && h.restoreSpreadMs! >= 0
        ? { restoreSpreadMs: h.restoreSpreadMs! }
        : {}),
      ...(h.webSocket ? { webSocket: h.webSocket } : {}),
      token: () => h.currentToken(),
    });
    this.session = session;
    const subs = (this.subscriptions = new Subscription());
    subs.add(session.view$.subscribe((v) => this.setView(v)));
    subs.add(session.message$.subscribe((m) => this.onMessage(m)));
    subs.add(
      session.errors$.subscribe((e) => h.dispatchEvent(new AgErrorEvent(e.code, e.message))),
    );
    subs.add(session.relocated$.subscribe((r) => h.dispatchEvent(new AgRelocatedEvent(r))));
    subs.add(
      session.closed$.subscribe((reason) => h.dispatchEvent(new AgSessionClosedEvent({ reason }))),
    );
    subs.add(session.participantChange$.subscribe((c) => this.onParticipant(c)));
    session.start();
  }

  private stop(): void {
    this.subscriptions.unsubscribe();
    this.session?.dispose();
    this.session = null;
  }

  private setView(v: ChatView): void {
    this.view = v;
    const s = v.status;
    const prev = this.lastStatus;
    if (
      !prev ||
      prev.state !== s.state ||
      prev.reason !== s.reason ||
      prev.endpoint !== s.endpoint
    ) {
      this.lastStatus = s;
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

  private onMessage(m: ChatMessage): void {
    this.host.dispatchEvent(new AgMessageEvent({ message: m }));
    if (m.from.id !== this.host.agentId && m.from.role !== 'agent')
      this.host.announce(`${m.from.name || m.from.role}: ${m.text}`);
  }

  private onParticipant(c: ParticipantChange): void {
    const text = `${c.participant.name || c.participant.role} ${c.action === 'joined' ? 'joined' : 'left'} the chat`;
    this.host.showActivity(text);
    this.host.announce(text);
  }
}
