/**
 * ChatSession: the agent's side of one chat interaction, without any DOM.
 *
 * The interaction's properties (a versioned PropertyStream) say which chat instance serves the
 * session; a ResilientConnection follows that instance and (re)joins with `afterSeq` on every
 * connect; the transcript is merged by seq and id, so a restore elsewhere neither loses nor
 * repeats a message; an Outbox sends the agent's messages exactly once across all of it.
 *
 * Everything is an Observable; `dispose()` closes both sockets and ends every stream and timer.
 */
import {
  BehaviorSubject,
  Subject,
  Subscription,
  asyncScheduler,
  combineLatest,
  distinctUntilChanged,
  map,
  merge,
  tap,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { Socket } from 'socket.io-client';
import { ResilientConnection, requestOn, type WebSocketCtor } from '../core/connection.js';
import { endpointFromProperties, isAllowedOrigin } from '../core/endpoints.js';
import { Outbox, type OutboxItem, type OutboxState } from '../core/outbox.js';
import { PropertyStream } from '../core/property-stream.js';
import { relocations, type RelocationInfo } from '../core/relocations.js';
import { handshakeAuth } from '../core/handshake-auth.js';
import { Transcript } from './transcript.js';
import { TypingThrottle, TypingTracker } from './typing-tracker.js';
import { Liveness } from './liveness.js';
import { endpointKeys, pickChatEndpoint } from './chat-endpoint.js';
import type { ConnectionStatus, Endpoint } from '../core/state.js';
import { AgError, type AgErrorInfo } from '../protocol/errors.js';
import { Limits } from '../protocol/limits.js';
import {
  ChatEvents,
  Props,
  chatMessage,
  joinAnswer,
  noticeEvent,
  participantEvent,
  sendAnswer,
  sessionClosedEvent,
  typingEvent,
  type ChatMessage,
  type JoinAnswer,
  type NoticeEvent,
  type Participant,
  type SendAnswer,
} from '../protocol/wire.js';

/** A token, or a function asked for one on every (re)connect. */
export type TokenSource = () => string | undefined | Promise<string | undefined>;

export interface ChatSessionOptions {
  interactionId: string;
  /** interaction servers: primary first, then backups */
  interactionsUrls: readonly string[];
  /** chat instances must be on one of these origins */
  allowedOrigins: readonly string[];
  agentId?: string;
  agentName?: string;
  /** called on every connect of either socket; the token goes into the handshake `auth` only */
  token?: TokenSource;
  /** heartbeat interval; a silent server is noticed within about twice this */
  heartbeatMs?: number;
  /** after a crash, the move to the restored session waits a random [0, this) ms so the dead
   *  instance's sessions do not all land at once (default 2000; 0 = at once). See
   *  `ConnectionOptions.restoreSpreadMs`. */
  restoreSpreadMs?: number;
  webSocket?: WebSocketCtor;
  scheduler?: SchedulerLike;
  /** outgoing typing: at most one `typing: true` per this many ms (default 2000) */
  typingThrottleMs?: number;
  /** outgoing typing: `typing: false` after this much quiet (default 3000) */
  typingIdleMs?: number;
  /** incoming typing indicators expire after this without news (default 6000) */
  typingExpireMs?: number;
  /** the chat server's transcript page size (default `Limits.maxTranscriptPage`) */
  transcriptPageSize?: number;
  /** a hole in the transcript still open after this is repaired by re-joining (default 300) */
  gapRepairMs?: number;
  /** no usable connection (or no instance serving the session) for this long raises one
   *  `unreachable` ag-error; retrying continues (default 10000) */
  unreachableMs?: number;
  /** agent messages held from before (a reload, a re-created panel): sent first, same ids */
  held?: readonly { readonly clientMsgId: string; readonly text: string }[];
}

/** An agent message not yet in the transcript. */
export interface PendingMessage {
  readonly clientMsgId: string;
  readonly text: string;
  readonly state: OutboxState;
  readonly error?: AgErrorInfo;
}

/** one definition for both sessions: `src/core/relocations.ts` */
export type { RelocationInfo };

/** Everything the panel renders, as one immutable snapshot. */
export interface ChatView {
  readonly status: ConnectionStatus;
  /** the server's transcript as far as we have it: ordered by seq, no duplicate seq or id */
  readonly messages: readonly ChatMessage[];
  /** agent messages on their way (queued while offline, sending, retrying, rejected) */
  readonly pending: readonly PendingMessage[];
  /** clientMsgIds this session sent that are in the transcript (shown as "sent") */
  readonly delivered: ReadonlySet<string>;
  readonly participants: readonly Participant[];
  /** names of the other participants who are typing */
  readonly typing: readonly string[];
  /** server notices worth showing (relocation chatter is left out: the status line covers it) */
  readonly notices: readonly NoticeEvent[];
  readonly closedReason?: string;
}

/** A participant's arrival or departure, for the live region / an activity line. */
export interface ParticipantChange {
  readonly participant: Participant;
  readonly action: 'joined' | 'left';
}

/** Notices that only describe a move; the connection state already says it. */
const relocationNotices = new Set(['relocated', 'restored', 'draining', 'moved']);
/** Notices saying this instance no longer serves (or soon will not serve) the session. */
const leavingNotices = new Set(['relocated', 'draining', 'moved']);
/** The properties an endpoint is read from: a refusal un-applies these. */

/** Transient connection errors: the `reconnecting` state represents them, no ag-error needed. */
const quietErrors = new Set<string>([
  // routine during a move (the old instance let go first): it makes the panel look again instead
  'session-not-found',
  'request-timeout',
  'not-connected',
  'heartbeat-timeout',
]);

const maxNotices = 3;

export class ChatSession {
  readonly #scheduler: SchedulerLike;
  readonly #properties: PropertyStream;
  readonly #connection: ResilientConnection;
  readonly #outbox: Outbox<string, SendAnswer>;
  readonly #subscriptions = new Subscription();

  readonly #viewSubject: BehaviorSubject<ChatView>;
  readonly #messageSubject = new Subject<ChatMessage>();
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  readonly #relocatedSubject = new Subject<RelocationInfo>();
  readonly #closedSubject = new Subject<string>();
  readonly #participantSubject = new Subject<ParticipantChange>();

  readonly #transcript: Transcript;
  readonly #typingIn: TypingTracker;
  readonly #typingOut: TypingThrottle;
  readonly #liveness: Liveness;
  /** version of the snapshot whose endpoint is being read (a refusal names it) */
  #pickingVersion = -1;
  #lastGood: Endpoint | null = null;
  /** the last refusal reported: the same refusal again (a replay, a snapshot) is not news */
  #lastRefusal: string | undefined;
  /** the first join's transcript is history; later joins restore news */
  #joinedOnce = false;

  #sessionId: string | undefined;
  readonly #ownClientMsgIds = new Set<string>();
  #delivered: ReadonlySet<string> = new Set();
  #pendingItems: readonly OutboxItem<string>[] = [];
  #participants: readonly Participant[] = [];
  #notices: readonly NoticeEvent[] = [];
  #closedReason: string | undefined;
  #failure: AgErrorInfo | undefined;
  #everConnected = false;

  #started = false;
  #disposed = false;

  readonly view$: Observable<ChatView>;
  /** every message new to this panel, live or restored, in seq order (not the initial transcript) */
  readonly message$: Observable<ChatMessage> = this.#messageSubject.asObservable();
  readonly errors$: Observable<AgErrorInfo> = this.#errorsSubject.asObservable();
  readonly relocated$: Observable<RelocationInfo> = this.#relocatedSubject.asObservable();
  readonly closed$: Observable<string> = this.#closedSubject.asObservable();
  readonly participantChange$: Observable<ParticipantChange> =
    this.#participantSubject.asObservable();
  readonly status$: Observable<ConnectionStatus>;

  constructor(private readonly o: ChatSessionOptions) {
    this.#scheduler = o.scheduler ?? asyncScheduler;
    // the parts default what is left undefined
    const scheduler = this.#scheduler;
    this.#transcript = new Transcript({
      scheduler,
      pageSize: o.transcriptPageSize,
      gapDelayMs: o.gapRepairMs,
    });
    this.#typingIn = new TypingTracker({ scheduler, expireMs: o.typingExpireMs });
    this.#liveness = new Liveness({ scheduler, unreachableMs: o.unreachableMs });
    this.#typingOut = new TypingThrottle({
      scheduler,
      throttleMs: o.typingThrottleMs,
      idleMs: o.typingIdleMs,
    });
    const auth = handshakeAuth(o.token, o.agentId);
    const heartbeat = o.heartbeatMs
      ? { intervalMs: o.heartbeatMs, timeoutMs: o.heartbeatMs }
      : undefined;
    // a frozen instance accepts TCP but never answers the handshake: do not wait 4 s for it
    const connectTimeoutMs = o.heartbeatMs ? Math.max(1000, o.heartbeatMs * 4) : undefined;
    // undefined (or null, from plain JS) means "the default" to both connections
    const common = {
      auth,
      webSocket: o.webSocket,
      scheduler: o.scheduler,
      heartbeat,
      connectTimeoutMs,
    };

    this.#properties = new PropertyStream({
      urls: o.interactionsUrls,
      interactionId: o.interactionId,
      ...common,
    });

    const endpoints$ = endpointFromProperties(
      this.#properties.snapshot$.pipe(
        map((s) => {
          this.#pickingVersion = s.version;
          return s.properties;
        }),
      ),
      (p) => {
        const picked = pickChatEndpoint(p);
        // "nowhere" after somewhere is not a place to go: keep the last good endpoint
        if (!picked && this.#lastGood)
          throw new Error(`${Props.chatUrl} and ${Props.chatInstanceId} were both removed`);
        // a refused endpoint must not change the session we speak for either
        if (picked && isAllowedOrigin(picked.url, o.allowedOrigins))
          this.#sessionId = picked.sessionId;
        return picked;
      },
      { allowedOrigins: o.allowedOrigins, onRefused: (e) => this.#onRefused(e) },
    ).pipe(
      tap((e) => {
        if (e) this.#lastGood = e;
        this.#lastRefusal = undefined;
      }),
    );

    this.#connection = new ResilientConnection({
      endpoints: endpoints$,
      switchReason: 'relocated',
      restoreSpreadMs: o.restoreSpreadMs,
      ...common,
      onConnect: (socket) => this.#join(socket),
    });

    this.#outbox = new Outbox<string, SendAnswer>({
      send: (clientMsgId, text) => {
        const sessionId = this.#sessionId;
        if (!sessionId) return Promise.reject(new AgError('not-connected', 'no chat session yet'));
        return this.#connection
          .request(ChatEvents.send, { sessionId, clientMsgId, text }, sendAnswer)
          .catch((e: unknown) => {
            if (e instanceof AgError && e.code === 'session-not-found')
              this.#strand('a send was refused: session not found');
            throw e;
          });
      },
      connected$: this.#connection.connected$,
      // an unknown session is usually a move in progress (the old instance let go first): retry
      isPermanent: (e) =>
        e instanceof AgError && (e.code === 'message-too-long' || e.code === 'session-closed'),
      scheduler: o.scheduler,
      initial: o.held?.map((h) => ({ clientMsgId: h.clientMsgId, payload: h.text })),
    });
    for (const h of o.held ?? []) this.#ownClientMsgIds.add(h.clientMsgId);

    this.#viewSubject = new BehaviorSubject<ChatView>(this.#buildView());
    this.view$ = this.#viewSubject.asObservable();
    // from the view: a stranding changes the status without the connection changing
    this.status$ = merge(this.#connection.status$, this.#viewSubject).pipe(
      map(() => this.#publicStatus()),
      distinctUntilChanged(
        (a, b) =>
          a.state === b.state &&
          a.reason === b.reason &&
          a.endpoint === b.endpoint &&
          a.previousEndpoint === b.previousEndpoint &&
          a.error === b.error,
      ),
    );
  }

  get view(): ChatView {
    return this.#viewSubject.value;
  }

  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    const subs = this.#subscriptions;
    const c = this.#connection;

    subs.add(
      this.#properties.errors$.subscribe((e) =>
        // the property stream validates deltas as messages; to integrators they are properties
        this.#report(
          e.code === 'invalid-message' ? { code: 'invalid-properties', message: e.message } : e,
        ),
      ),
    );
    subs.add(
      this.#properties.status$.subscribe((s) => {
        if (s.state === 'failed' && s.error) this.#failWith(s.error);
      }),
    );
    subs.add(
      this.#properties.snapshot$.subscribe((s) => {
        if (s.properties[Props.chatState] === 'closed') this.#onClosed('closed');
      }),
    );
    subs.add(c.errors$.subscribe((e) => this.#report(e)));
    subs.add(c.status$.subscribe((s) => this.#onStatus(s)));
    subs.add(
      c.status$.pipe(relocations(this.#scheduler)).subscribe((r) => this.#relocatedSubject.next(r)),
    );
    subs.add(c.on(ChatEvents.message, chatMessage).subscribe((m) => this.#onLiveMessage(m)));
    subs.add(
      c
        .on(ChatEvents.participant, participantEvent)
        .subscribe((e) => this.#onParticipant(e.participant, e.action, e.sessionId)),
    );
    subs.add(
      c
        .on(ChatEvents.typing, typingEvent)
        .subscribe((e) => this.#onTyping(e.from, e.typing, e.sessionId)),
    );
    subs.add(c.on(ChatEvents.notice, noticeEvent).subscribe((e) => this.#onNotice(e)));
    subs.add(
      c.on(ChatEvents.sessionClosed, sessionClosedEvent).subscribe((e) => {
        if (this.#isOurs(e.sessionId)) this.#onClosed(e.reason);
      }),
    );
    subs.add(
      this.#outbox.items$.subscribe((items) => {
        this.#pendingItems = items;
        this.#publish();
      }),
    );
    subs.add(
      this.#outbox.acked$.subscribe(({ item, answer }) => {
        // the echo normally arrived before the ack; if it did not, a gap repair fetches it
        this.#transcript.expect(answer.seq);
        this.#markDelivered(item.clientMsgId);
      }),
    );
    subs.add(this.#transcript.repair$.subscribe((afterSeq) => this.#repairGap(afterSeq)));
    subs.add(this.#typingIn.expired$.subscribe(() => this.#publish()));
    subs.add(this.#typingOut.idle$.subscribe(() => this.#emitTyping(false)));
    subs.add(this.#liveness.recheck$.subscribe(() => this.#recheck()));
    subs.add(
      this.#liveness.unreachable$.subscribe((message) =>
        this.#report({ code: 'unreachable', message }),
      ),
    );
    subs.add(
      combineLatest([this.#properties.status$, c.status$]).subscribe(([p, chat]) => {
        const down =
          p.state !== 'connected'
            ? 'the interaction server is unreachable'
            : chat.state !== 'connected'
              ? 'no chat instance is reachable'
              : '';
        this.#liveness.links(!down, down);
      }),
    );

    this.#properties.start();
    c.start();
  }

  /**
   * Queues a message; it is sent now or as soon as the session is connected again, exactly once.
   * Returns the client message id, or throws AgError for empty, too long or closed.
   */
  send(text: string): string {
    if (this.#closedReason !== undefined)
      throw new AgError('session-closed', 'the chat session is closed');
    if (!text.trim()) throw new AgError('send-failed', 'empty message');
    if (text.length > Limits.maxMessageLength) {
      throw new AgError(
        'message-too-long',
        `messages are limited to ${Limits.maxMessageLength} characters`,
      );
    }
    this.stopTyping();
    const item = this.#outbox.enqueue(text);
    this.#ownClientMsgIds.add(item.clientMsgId);
    return item.clientMsgId;
  }

  /** The agent is typing (call on input): throttled `typing: true`, `false` after a quiet spell. */
  typing(): void {
    if (this.#closedReason !== undefined || this.#disposed || !this.#sessionId) return;
    if (this.#typingOut.input()) this.#emitTyping(true);
  }

  /** Says `typing: false` if `typing: true` was said. */
  stopTyping(): void {
    if (this.#typingOut.stop()) this.#emitTyping(false);
  }

  #emitTyping(typing: boolean): void {
    if (this.#sessionId)
      this.#connection.emit(ChatEvents.typingOut, { sessionId: this.#sessionId, typing });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#subscriptions.unsubscribe();
    this.#typingOut.dispose();
    this.#typingIn.dispose();
    this.#liveness.dispose();
    this.#transcript.dispose();
    this.#outbox.dispose();
    this.#connection.dispose();
    this.#properties.dispose();
    this.#viewSubject.complete();
    this.#messageSubject.complete();
    this.#errorsSubject.complete();
    this.#relocatedSubject.complete();
    this.#closedSubject.complete();
    this.#participantSubject.complete();
  }

  // --- joining and the transcript ------------------------------------------------------------

  /** Runs on every new chat socket, before `connected`: join and restore what we missed. */
  async #join(socket: Socket): Promise<void> {
    const sessionId = this.#sessionId;
    if (!sessionId) throw new AgError('bad-config', 'the interaction names no chat session');
    let answer: JoinAnswer;
    const initial = !this.#joinedOnce;
    // a transcript longer than one page comes in pages: ask again after the last seq received
    for (;;) {
      const afterSeq = this.#transcript.afterSeq;
      answer = await requestOn(
        socket,
        ChatEvents.join,
        afterSeq === undefined ? { sessionId } : { sessionId, afterSeq },
        joinAnswer,
      ).catch((e: unknown) => {
        if (e instanceof AgError && e.code === 'session-not-found')
          this.#strand('the join was refused: session not found');
        throw e;
      });
      if (this.#disposed) return;
      if (!this.#applyJoin(answer, afterSeq, initial)) break;
    }
    this.#joinedOnce = true;
    this.#setParticipants(answer.participants);
    if (answer.state === 'closed') this.#onClosed('closed');
  }

  /** Merges one join page; returns true when the server has more pages after it. */
  #applyJoin(answer: JoinAnswer, afterSeq: number | undefined, initial: boolean): boolean {
    const { added, more } = this.#transcript.applyPage(answer, afterSeq, (m) =>
      this.#isOurs(m.sessionId),
    );
    this.#noteOwn(added);
    // the first transcript is history, not news; anything a rejoin restores is news
    if (!initial) for (const m of added) this.#messageSubject.next(m);
    this.#publish();
    return more;
  }

  #onLiveMessage(m: ChatMessage): void {
    if (!this.#isOurs(m.sessionId)) return;
    const added = this.#transcript.addLive(m);
    if (added.length === 0) return;
    this.#noteOwn(added);
    for (const x of added) this.#messageSubject.next(x);
    this.#publish();
  }

  #noteOwn(added: readonly ChatMessage[]): void {
    for (const m of added)
      if (m.clientMsgId && this.#ownClientMsgIds.has(m.clientMsgId))
        this.#markDelivered(m.clientMsgId, false);
  }

  /** A hole did not fill by itself: ask the server for what follows `afterSeq`. */
  #repairGap(afterSeq: number): void {
    const sessionId = this.#sessionId;
    if (this.#disposed || !sessionId) return;
    this.#connection.request(ChatEvents.join, { sessionId, afterSeq }, joinAnswer).then(
      (answer) => {
        if (!this.#disposed) this.#applyJoin(answer, afterSeq, false);
      },
      () => {
        // not connected or no answer: the next (re)connect joins with the same afterSeq
      },
    );
  }

  #markDelivered(clientMsgId: string, publish = true): void {
    if (this.#delivered.has(clientMsgId)) return;
    const next = new Set(this.#delivered);
    next.add(clientMsgId);
    this.#delivered = next;
    if (publish) this.#publish();
  }

  // --- participants, typing, notices, closing ------------------------------------------------

  /**
   * The join answer is the truth. Differences from what we knew are applied silently: after a
   * move the server re-lists everyone, and a relocation must not read as people leaving and
   * coming back.
   */
  #setParticipants(list: readonly Participant[]): void {
    this.#participants = list;
    this.#typingIn.keepOnly((id) => list.some((p) => p.id === id));
    this.#publish();
  }

  #onParticipant(p: Participant, action: 'joined' | 'left', sessionId: string): void {
    if (!this.#isOurs(sessionId) || p.id === this.o.agentId) return;
    const present = this.#participants.some((x) => x.id === p.id);
    // a relocation re-announces people who never went anywhere: only real changes count
    if ((action === 'joined') === present) return;
    this.#participants =
      action === 'joined'
        ? [...this.#participants, p]
        : this.#participants.filter((x) => x.id !== p.id);
    if (action === 'left') this.#typingIn.update(p.id, false);
    this.#participantSubject.next({ participant: p, action });
    this.#publish();
  }

  #onTyping(from: string, typing: boolean, sessionId: string): void {
    if (!this.#isOurs(sessionId) || from === this.o.agentId) return;
    if (this.#typingIn.update(from, typing)) this.#publish();
  }

  #onNotice(n: NoticeEvent): void {
    if (!this.#isOurs(n.sessionId)) return;
    if (leavingNotices.has(n.code)) this.#strand(`the instance sent a ${n.code} notice`);
    if (relocationNotices.has(n.code)) return;
    this.#notices = [...this.#notices, n].slice(-maxNotices);
    if (n.code === 'transcript-save-failed')
      this.#report({ code: 'transcript-save-failed', message: n.text });
    this.#publish();
  }

  #onClosed(reason: string): void {
    if (this.#closedReason !== undefined || this.#disposed) return;
    this.#closedReason = reason;
    this.stopTyping();
    this.#liveness.dispose();
    this.#typingIn.clear();
    // the session is over: nothing more can arrive, so let both sockets go
    this.#connection.close();
    this.#properties.dispose();
    this.#closedSubject.next(reason);
    this.#publish();
  }

  // --- state -----------------------------------------------------------------------------------

  #onStatus(s: ConnectionStatus): void {
    if (s.state === 'failed' && s.error) {
      // the chat side gave up (credentials, retries): the property stream has nothing left to do
      this.#failWith(s.error);
      return;
    }
    if (s.state === 'connected') {
      // connected includes a successful join: this instance serves the session
      this.#liveness.serving();
      this.#everConnected = true;
    }
    this.#publish();
  }

  #onRefused(e: AgErrorInfo): void {
    // a refused update must not use up its version: the server's next genuine one is taken
    this.#properties.refuse(this.#pickingVersion, endpointKeys);
    const signature = `${e.code}:${e.message}`;
    if (signature !== this.#lastRefusal) {
      this.#lastRefusal = signature;
      this.#report(e);
    }
    // with nowhere else to go, a refused first endpoint is the end; later on we stay put
    if (
      e.code === 'relocation-refused' &&
      !this.#everConnected &&
      this.#connection.status.state !== 'connected'
    ) {
      this.#failWith(e);
    }
  }

  /** The current instance does not serve the session: look again at once, say so. */
  #strand(why: string): void {
    if (this.#closedReason !== undefined || this.#failure || this.#disposed) return;
    if (this.#liveness.notServing(why)) this.#publish();
  }

  /** Stranded: re-read the properties now and ask the instance we have whether it serves us. */
  #recheck(): void {
    this.#properties.refresh();
    const sessionId = this.#sessionId;
    if (!sessionId || this.#connection.status.state !== 'connected') return;
    const afterSeq = this.#transcript.afterSeq;
    this.#connection
      .request(
        ChatEvents.join,
        afterSeq === undefined ? { sessionId } : { sessionId, afterSeq },
        joinAnswer,
      )
      .then(
        (answer) => {
          if (this.#disposed) return;
          this.#applyJoin(answer, afterSeq, !this.#joinedOnce);
          if (this.#liveness.serving()) this.#publish();
        },
        () => {
          // still not served here: the next recheck (or a delta) moves us
        },
      );
  }

  #failWith(e: AgErrorInfo): void {
    if (this.#failure || this.#closedReason !== undefined || this.#disposed) return;
    this.#failure = e;
    this.stopTyping();
    this.#liveness.dispose();
    this.#connection.fail(e);
    this.#properties.dispose();
    this.#publish();
  }

  #report(e: AgErrorInfo): void {
    // the failure itself was reported where it happened; connection.fail() echoes it
    if (this.#disposed || quietErrors.has(e.code) || e === this.#failure) return;
    this.#errorsSubject.next(e);
  }

  #isOurs(sessionId: string | undefined): boolean {
    return (
      sessionId === undefined || this.#sessionId === undefined || sessionId === this.#sessionId
    );
  }

  /** The panel's state: the chat connection's, except that a closed session or a failure wins. */
  #publicStatus(): ConnectionStatus {
    if (this.#closedReason !== undefined) return { state: 'closed' };
    if (this.#failure) return { state: 'failed', error: this.#failure };
    const s = this.#connection.status;
    // never "connected" to an instance that said it no longer serves the session
    if (s.state === 'connected' && this.#liveness.stranded)
      return {
        state: 'reconnecting',
        reason: 'relocated',
        ...(s.endpoint ? { previousEndpoint: s.endpoint } : {}),
      };
    return s.state === 'idle' && this.#started ? { state: 'connecting' } : s;
  }

  #buildView(): ChatView {
    const pending: PendingMessage[] = [];
    for (const item of this.#pendingItems) {
      if (item.state === 'sent' || this.#delivered.has(item.clientMsgId)) continue;
      pending.push({
        clientMsgId: item.clientMsgId,
        text: item.payload,
        // a closed session will not take it any more: do not promise a retry
        state: this.#closedReason !== undefined ? 'rejected' : item.state,
        ...(item.error ? { error: item.error } : {}),
      });
    }
    const typing: string[] = [];
    for (const id of this.#typingIn.ids) {
      typing.push(this.#participants.find((p) => p.id === id)?.name || id);
    }
    return {
      status: this.#publicStatus(),
      messages: this.#transcript.messages,
      pending,
      delivered: this.#delivered,
      participants: this.#participants,
      typing,
      notices: this.#notices,
      ...(this.#closedReason !== undefined ? { closedReason: this.#closedReason } : {}),
    };
  }

  #publish(): void {
    if (!this.#disposed && this.#viewSubject) this.#viewSubject.next(this.#buildView());
  }
}
