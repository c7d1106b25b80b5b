import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { repeat } from 'lit/directives/repeat.js';
import type { WebSocketCtor } from '../core/connection.js';
import type { ConnectionState, ConnectionStatus } from '../core/state.js';
import type { AgErrorInfo, ErrorCode } from '../protocol/errors.js';
import type { ChatMessage } from '../protocol/wire.js';
import { finesseAgentLocale } from '../hosts/finesse-types.js';
import { enChat } from '../i18n/en-chat.js';
import { LocalizeController } from '../i18n/localize-controller.js';
import type { MessageKey } from '../i18n/registry.js';
import { ChatSessionController } from './chat-session-controller.js';
import type { PendingMessage, TokenSource } from './chat-session.js';
import { chatPanelStyles } from './chat-panel.styles.js';

/**
 * Messages rendered while the agent follows the chat at the bottom: a few screens of it. Every
 * message that arrives re-renders, lays out and paints this window, so its size is the cost of
 * an append (200 rows made an append at 10,000 messages cost half as much again as in a new chat).
 */
const liveWindow = 60;
/** Messages added each time the agent scrolls to the top. */
const windowPage = 200;
/**
 * At the bottom the oldest rows are taken off this many at a time, not one per arriving message:
 * taking off the first row moves, restyles and re-lays out every row after it (the frame after
 * an append cost a quarter more that way).
 */
const trimStep = 20;

/** A message's time, as the agent's language writes it (de `14:05`, en `2:05 PM`). */
const timeFormat: Intl.DateTimeFormatOptions = { timeStyle: 'short' };
/** Formatted message times kept (a transcript holds at most a few thousand distinct times). */
const maxCachedTimes = 20_000;

const deliveryKey: Readonly<Record<string, MessageKey>> = {
  queued: 'chat.delivery.queued',
  sending: 'chat.delivery.sending',
  sent: 'chat.delivery.sent',
  'failed-will-retry': 'chat.delivery.failedWillRetry',
  rejected: 'chat.delivery.rejected',
};

const closedKey: Readonly<Record<string, MessageKey>> = {
  'transcript-save-failed': 'chat.status.endedTranscriptNotSaved',
};

/**
 * Why a panel gave up, in the agent's language: every code that ends a chat panel in `failed`.
 * The error's own words (the SDK's or a server's, in English) are the status line's `title`.
 */
const failedKey: Readonly<Partial<Record<ErrorCode, MessageKey>>> = {
  'bad-config': 'chat.failed.badConfig',
  unauthorized: 'chat.failed.unauthorized',
  'retries-exhausted': 'chat.failed.retriesExhausted',
  'relocation-refused': 'chat.failed.relocationRefused',
};

const roleKey: Readonly<Record<string, MessageKey>> = {
  agent: 'chat.role.agent',
  customer: 'chat.role.customer',
  supervisor: 'chat.role.supervisor',
  system: 'chat.role.system',
};

function statusText(
  l10n: LocalizeController,
  s: ConnectionStatus,
  closedReason: string | undefined,
  awaitingCredentials = false,
): string {
  switch (s.state) {
    case 'idle':
      return l10n.term(
        awaitingCredentials ? 'chat.status.waitingCredentials' : 'chat.status.connecting',
      );
    case 'connecting':
      return l10n.term('chat.status.connecting');
    case 'connected':
      return l10n.term('chat.status.connected');
    case 'reconnecting':
      if (s.reason === 'offline') return l10n.term('chat.status.offline');
      return s.reason === 'relocated' || s.reason === 'failover'
        ? l10n.term('chat.status.reconnectingMoved', {
            endpoint: s.endpoint ?? l10n.term('chat.status.unknownInstance'),
          })
        : l10n.term('chat.status.reconnecting');
    case 'closed': {
      const key = closedReason ? closedKey[closedReason] : undefined;
      return l10n.term(key ?? 'chat.status.ended');
    }
    case 'failed': {
      // a code of no key of ours (none today) keeps the server's or SDK's own words
      const key = s.error && failedKey[s.error.code];
      return l10n.term('chat.status.disconnected', {
        reason: key ? l10n.term(key) : (s.error?.message ?? l10n.term('chat.status.cannotConnect')),
      });
    }
  }
}

/**
 * The agent's chat panel. It watches the chat interaction's properties; when the session is
 * restored on another chat-server instance (crash, drain, relocation) it follows it there at
 * once, restores the transcript after the last message it has, and carries on: nothing lost,
 * nothing shown twice, messages typed meanwhile delivered exactly once.
 *
 * Untrusted text is rendered as text (never as markup or links). Long transcripts are windowed:
 * the latest 60 messages are in the DOM, 200 earlier ones are added each time the agent scrolls
 * to the top, and rows out of view skip layout (`content-visibility`).
 *
 * Force a colour scheme with `theme="light"` or `theme="dark"`; by default the user's
 * `prefers-color-scheme` decides.
 *
 * Its strings follow the nearest `lang` (on it or an ancestor), else inside Finesse the agent's
 * locale, else `<html lang>`, else English; German, Spanish and French load on demand, others
 * can be registered (`agent-gadgets/i18n`). It reflects its writing direction as `dir`.
 *
 * @summary Chat panel that follows its session across chat-server failovers.
 *
 * @csspart status - the one-line connection status (`failed`: the error's own words in `title`)
 * @csspart notice - a server notice (e.g. the transcript could not be saved)
 * @csspart transcript - the scrolling transcript region
 * @csspart message - one transcript message (`data-seq`, `data-id`, `data-role`)
 * @csspart time - a message's time (`datetime` is ISO 8601), formatted for the panel's language
 * @csspart pending-message - an agent message not yet in the transcript (`data-client-msg-id`)
 * @csspart delivery - an agent message's delivery state (`data-state`)
 * @csspart earlier - the "show earlier messages" button
 * @csspart typing - who is typing
 * @csspart activity - the latest participant arrival or departure
 * @csspart composer - the message form
 * @csspart input - the message textarea
 * @csspart send-button - the send button
 *
 * @cssprop --ag-surface - background
 * @cssprop --ag-text - text colour
 * @cssprop --ag-text-muted - secondary text colour
 * @cssprop --ag-border - borders
 * @cssprop --ag-accent - send button background and focus ring
 * @cssprop --ag-accent-text - send button text
 * @cssprop --ag-chat-own-bubble - background of the agent's messages
 * @cssprop --ag-chat-other-bubble - background of the other participants' messages
 * @cssprop --ag-success - connected colour
 * @cssprop --ag-warning - (re)connecting and notice colour
 * @cssprop --ag-danger - failed / not sent colour
 * @cssprop --ag-radius - corner radius
 * @cssprop --ag-gap - spacing
 * @cssprop --ag-padding - inner padding
 * @cssprop --ag-font - font shorthand
 * @cssprop --ag-chat-height - the panel's height (default 28rem)
 *
 * @fires ag-connection-change - the connection state changed (`detail.state`, `reason`, `endpoint`)
 * @fires ag-relocated - the session moved to another instance (`detail.from`, `to`, `gapMs`)
 * @fires ag-error - something went wrong; `detail.code` is a stable code
 * @fires ag-message - a message new to this panel (live or restored after a move)
 * @fires ag-session-closed - the chat ended (`detail.reason`)
 * @fires ag-outbox-kept - the panel left the page (or its interaction) with messages not yet
 *   delivered; they are kept for when the interaction is opened again in this tab
 */
export class AgChatPanel extends LitElement {
  static override styles = chatPanelStyles;

  /** the chat interaction to follow */
  @property({ attribute: 'interaction-id' }) interactionId = '';
  /** interaction server URL, or a space-separated primary/backup list */
  @property({ attribute: 'interactions-url' }) interactionsUrl = '';
  /** space-separated origins chat instances may be on; default: the origins of interactions-url */
  @property({ attribute: 'allowed-origins' }) allowedOrigins: string | undefined = undefined;
  /** the agent's id (sent in the handshake, used to recognise the agent's own messages) */
  @property({ attribute: 'agent-id' }) agentId: string | undefined = undefined;
  /** the agent's display name */
  @property({ attribute: 'agent-name' }) agentName: string | undefined = undefined;
  /** heartbeat interval in ms; a frozen server is noticed within about twice this */
  @property({ attribute: 'heartbeat-ms', type: Number }) heartbeatMs: number | undefined =
    undefined;
  /** after a chat instance crashes, wait a random [0, this) ms before joining the restored
   *  session, so its agents do not all arrive at once (default 2000; 0 = at once). Planned moves
   *  (relocate, drain) are never delayed. */
  @property({ attribute: 'restore-spread-ms', type: Number }) restoreSpreadMs: number | undefined =
    undefined;
  /** how long (ms) a panel with neither `token` nor `tokenProvider` waits for one before failing
   *  with `bad-config` (default 10000). Until then it stays `idle` and opens no socket, so a page
   *  that sets the credentials from a later script is never refused. */
  @property({ attribute: 'credentials-timeout-ms', type: Number }) credentialsTimeoutMs:
    number | undefined = undefined;
  /** `light` | `dark` forces a colour scheme; unset follows `prefers-color-scheme` */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined = undefined;
  /** bearer token, sent in the socket handshake (never in a URL) */
  @property({ attribute: false }) token: string | undefined = undefined;
  /** asked for a fresh token on every (re)connect; wins over `token` */
  @property({ attribute: false }) tokenProvider: TokenSource | undefined = undefined;
  /** WebSocket constructor for the transport (default: the global one, read at connect time) */
  @property({ attribute: false }) webSocket: WebSocketCtor | undefined = undefined;

  @state() private windowSize = liveWindow;
  @state() private announcement = '';
  /** the latest arrival or departure, shown under the transcript */
  @state() private activity = '';

  @query('[part="transcript"]') private scroller!: HTMLElement | null;
  @query('textarea') private input!: HTMLTextAreaElement | null;

  /** strings in the resolved language; inside Finesse the agent's locale is the default */
  readonly #l10n = new LocalizeController(this, finesseAgentLocale, enChat);
  readonly #chat = new ChatSessionController(this);
  #stickToBottom = true;
  /** scroll height before prepending earlier messages, to keep the view where it was */
  #anchorHeight: number | null = null;
  #renderedCount = 0;

  /** the current state: idle, connecting, connected, reconnecting, closed or failed */
  get connectionState(): ConnectionState {
    return this.#chat.view.status.state;
  }

  /** id of the chat instance currently connected (undefined when not connected) */
  get endpoint(): string | undefined {
    const s = this.#chat.view.status;
    return s.state === 'connected' ? s.endpoint : undefined;
  }

  /** the transcript: ordered by seq, without duplicates (pending sends are not in it) */
  get messages(): readonly ChatMessage[] {
    return this.#chat.view.messages;
  }

  /** the error of the `failed` state (also readable after the fact: events fired before a
   *  listener was added are gone, this is not) */
  get error(): AgErrorInfo | undefined {
    return this.#chat.view.status.error;
  }

  /** @internal used by the session controller */
  get hasCredentials(): boolean {
    return !!this.token || !!this.tokenProvider;
  }

  /** @internal used by the session controller */
  get currentToken(): TokenSource {
    return () => (this.tokenProvider ? this.tokenProvider() : this.token);
  }

  /** @internal puts text into the polite live region */
  announce(text: string): void {
    this.announcement = text;
  }

  /** @internal shows a participant change under the transcript */
  showActivity(text: string): void {
    this.activity = text;
  }

  /** @internal the status line's text, also announced on noteworthy state changes */
  describeStatus(): string {
    return statusText(
      this.#l10n,
      this.#chat.view.status,
      this.#chat.view.closedReason,
      this.#chat.awaitingCredentials,
    );
  }

  /** @internal the activity line for a participant change */
  describeParticipant(name: string, role: string, action: 'joined' | 'left'): string {
    return this.#l10n.term(action === 'joined' ? 'chat.activity.joined' : 'chat.activity.left', {
      name: name || this.#roleName(role),
    });
  }

  /** Formatted message times (ISO, shown) by timestamp, for one language. */
  #times: { lang: string; byTs: Map<number, readonly [string, string] | null> } = {
    lang: '',
    byTs: new Map(),
  };

  #roleName(role: string): string {
    const key = roleKey[role];
    return key ? this.#l10n.term(key) : role;
  }

  /** Sends a message as the agent (held while disconnected, delivered exactly once). */
  send(text: string): boolean {
    return this.#chat.send(text);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const el = this.scroller;
    if (el) this.#stickToBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    const total = this.#chat.view.messages.length;
    if (total > this.#renderedCount && this.#renderedCount >= this.windowSize) {
      // The window grows with what arrives: someone reading older messages keeps their place.
      // At the bottom it drops back to the live window once that has grown by `trimStep`, or
      // after the agent has come back down from earlier messages (whose rows would otherwise be
      // re-rendered with every message from then on).
      const grown = this.windowSize + total - this.#renderedCount;
      this.windowSize = this.#stickToBottom && grown > liveWindow + trimStep ? liveWindow : grown;
    }
  }

  protected override render() {
    const v = this.#chat.view;
    const l = this.#l10n;
    const s = v.status;
    const ended = s.state === 'closed' || s.state === 'failed';
    // the failure's own words (English), for whoever supports the agent
    const detail = s.state === 'failed' ? s.error?.message : undefined;
    const from = Math.max(0, v.messages.length - this.windowSize);
    const shown = v.messages.slice(from);
    this.#renderedCount = v.messages.length;
    return html`
      <p part="status" data-state=${s.state} title=${ifDefined(detail)}>${this.describeStatus()}</p>
      ${v.notices.map((n) => html`<p part="notice" data-code=${n.code}>${n.text}</p>`)}
      <div
        part="transcript"
        role="region"
        aria-label=${l.term('chat.transcriptLabel')}
        tabindex="0"
        @scroll=${this.#onScroll}
      >
        ${
          from > 0
            ? html`<button part="earlier" type="button" @click=${this.#showEarlier}>${l.term('chat.showEarlier', { count: from })}</button>`
            : nothing
        }
        <ol>
          ${repeat(
            shown,
            (m) => m.id,
            (m) => this.#renderMessage(m, v.delivered),
          )}
          ${repeat(
            v.pending,
            (p) => p.clientMsgId,
            (p) => this.#renderPending(p),
          )}
        </ol>
      </div>
      <p part="typing">${v.typing.length ? l.term('chat.typing', { names: l.list(v.typing), count: v.typing.length }) : ''}</p>
      ${this.activity ? html`<p part="activity">${this.activity}</p>` : nothing}
      <form part="composer" @submit=${this.#onSubmit}>
        <label for="message" class="visually-hidden">${l.term('chat.messageLabel')}</label>
        <textarea
          id="message"
          part="input"
          rows="2"
          maxlength="4000"
          placeholder=${ended ? '' : l.term('chat.placeholder')}
          ?disabled=${ended}
          @keydown=${this.#onKeyDown}
          @input=${this.#onInput}
        ></textarea>
        <button part="send-button" type="submit" ?disabled=${ended}>${l.term('chat.send')}</button>
      </form>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    `;
  }

  #renderMessage(m: ChatMessage, delivered: ReadonlySet<string>) {
    const mine = !!m.clientMsgId && delivered.has(m.clientMsgId);
    const own = m.from.role === 'agent' && (m.from.id === this.agentId || mine);
    // text bindings only: markup, scripts and javascript: links from anyone stay literal text
    return html`<li part="message" class=${own ? 'own' : m.from.role} data-seq=${m.seq} data-id=${m.id} data-role=${m.from.role}>
      <span class="from">${m.from.name || this.#roleName(m.from.role)} ${this.#renderTime(m.ts)}</span>
      <span class="text">${m.text}</span>
      ${mine ? html`<span part="delivery" data-state="sent">${this.#l10n.term('chat.delivery.sent')}</span>` : nothing}
    </li>`;
  }

  #renderTime(ts: number) {
    // Every render walks the whole window (60+ rows): format each time once per language, not
    // on every append (it tripled the cost of an append at 10,000 messages).
    const lang = this.#l10n.lang();
    if (this.#times.lang !== lang || this.#times.byTs.size > maxCachedTimes)
      this.#times = { lang, byTs: new Map() };
    let t = this.#times.byTs.get(ts);
    if (t === undefined) {
      const d = new Date(ts);
      // a server's out-of-range time is not worth a broken row
      t = Number.isNaN(d.getTime()) ? null : [d.toISOString(), this.#l10n.date(d, timeFormat)];
      this.#times.byTs.set(ts, t);
    }
    return t ? html`<time part="time" datetime=${t[0]}>${t[1]}</time>` : nothing;
  }

  #renderPending(p: PendingMessage) {
    return html`<li part="pending-message" class="own" data-client-msg-id=${p.clientMsgId}>
      <span class="from">${this.agentName || this.#l10n.term('chat.you')}</span>
      <span class="text">${p.text}</span>
      <span part="delivery" data-state=${p.state}>${deliveryKey[p.state] ? this.#l10n.term(deliveryKey[p.state]!) : p.state}</span>
    </li>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // the draft of this interaction, back after a reload or a re-created panel
    const draft = this.#chat.takeDraft();
    if (draft !== undefined && this.input && this.input.value !== draft) this.input.value = draft;
    const el = this.scroller;
    if (!el) return;
    if (this.#anchorHeight !== null) {
      el.scrollTop += el.scrollHeight - this.#anchorHeight;
      this.#anchorHeight = null;
    } else if (this.#stickToBottom) {
      el.scrollTop = el.scrollHeight;
    }
  }

  #onScroll(): void {
    const el = this.scroller;
    if (!el) return;
    if (el.scrollTop < 40 && this.windowSize < this.#chat.view.messages.length) this.#showEarlier();
  }

  #showEarlier(): void {
    if (this.#anchorHeight !== null) return;
    this.#anchorHeight = this.scroller?.scrollHeight ?? null;
    this.windowSize += windowPage;
  }

  #onKeyDown(e: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a newline; never interrupt an IME composition
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    this.#submit();
  }

  #onSubmit(e: Event): void {
    e.preventDefault();
    this.#submit();
  }

  #onInput(): void {
    this.#chat.saveDraft(this.input?.value ?? '');
    this.#chat.typing();
  }

  #submit(): void {
    const input = this.input;
    if (!input || !input.value.trim()) return;
    if (this.#chat.send(input.value)) {
      input.value = '';
      this.#chat.saveDraft('');
      this.#stickToBottom = true;
    }
  }
}
