import {
  BehaviorSubject,
  EMPTY,
  Observable,
  Subject,
  Subscription,
  asyncScheduler,
  distinctUntilChanged,
  from,
  map,
  switchMap,
  type SchedulerLike,
} from 'rxjs';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { WebSocket as WebSocketTransport } from 'engine.io-client';
import { AgError, type AgErrorInfo, type ErrorCode } from '../protocol/errors.js';
import { errorAnswer, type HandshakeAuth } from '../protocol/wire.js';
import type { Validator } from '../protocol/validate.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { sameEndpoint } from './endpoints.js';
import { heartbeatDefaults } from './heartbeat.js';
import { browserLifecycle, type LifecycleSignal } from './lifecycle.js';
import { liveness } from './liveness.js';
import type { ConnectionState, ConnectionStatus, Endpoint, ReconnectReason } from './state.js';

/** The WebSocket constructor shape engine.io needs (the DOM type is not required at runtime). */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => unknown;

export type SocketFactory = (url: string, opts: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface ConnectionOptions {
  /** where to connect; a list is primary first, then backups (rotated through on failure) */
  endpoints: Observable<Endpoint | readonly Endpoint[] | null>;
  /** called on EVERY connect, so an expired token is never reused; sent in the handshake `auth` */
  auth?: () => HandshakeAuth | Promise<HandshakeAuth>;
  /** reason reported when the endpoint source moves us (default 'relocated') */
  switchReason?: ReconnectReason;
  /**
   * When the endpoint moves while the connection is already lost (its server died and the
   * session was restored elsewhere), the first attempt there is immediate: usually only a few
   * sessions move and waiting would only make the agent wait. If the survivor pushes back (the
   * connect is refused or fails, the handshake times out, the join errors), we are one of a
   * crowd: the next attempt waits a random delay in [0, this) (full jitter), so the crowd comes
   * back spread out. A slow handshake is not pushback: it is kept to `connectTimeoutMs`, since
   * abandoning work the survivor has queued only multiplies it (the storm benchmark: 648 of
   * 1,000 sessions gave up a 2 s handshake and the crowd took longer than with no spread). A
   * move of a live connection (relocate, drain, epoch bump) always switches at once. Default
   * {@link restoreSpreadDefaultMs}; 0 = no spread.
   */
  restoreSpreadMs?: number;
  /**
   * Application heartbeat (see `liveness`); `false` turns it off. A ping every `intervalMs`
   * (500); the timeout adapts to the observed answer times (mean + `deviations` (4) standard
   * deviations), within [`minTimeoutMs` (1500, at most `timeoutMs`), `timeoutMs` (2500)].
   * `minTimeoutMs` = `timeoutMs` gives a fixed timeout. `event`: the ping event ('hb').
   */
  heartbeat?:
    | {
        intervalMs?: number;
        timeoutMs?: number;
        minTimeoutMs?: number;
        deviations?: number;
        event?: string;
      }
    | false;
  /** `maxAttempts`: consecutive failed connects before `failed` (default unlimited) */
  backoff?: BackoffOptions & { maxAttempts?: number };
  /** handshake + onConnect must finish within this (default 4000 ms) */
  connectTimeoutMs?: number;
  /** WebSocket constructor for the transport; default: `globalThis.WebSocket` read at connect
   *  time (so a mock installed after this module loaded is still used) */
  webSocket?: WebSocketCtor;
  socketFactory?: SocketFactory;
  /**
   * The page's network and lifecycle (default: the browser's `online`/`offline`, `resume`,
   * `visibilitychange` and `pageshow` events; none in Node). `offline` drops the socket at once
   * (`reconnecting`, reason `offline`), `online` reconnects at once instead of after the
   * backoff, `wake` checks the live socket at once. `false` ignores them.
   */
  lifecycle?: Observable<LifecycleSignal> | false;
  /** runs on every new socket before `connected` (join/watch); a rejection counts as a failed connect */
  onConnect?: (socket: Socket, endpoint: Endpoint) => Promise<void>;
  scheduler?: SchedulerLike;
}

/**
 * Default upper bound of the restore spread (see `ConnectionOptions.restoreSpreadMs`), used
 * only once the survivor pushed back. 2 s: the storm benchmark (1000 sessions on
 * one SIGKILLed instance, bench/benchmarks/storm.mjs) put the survivors' peak at 10-21 % of the
 * no-spread peak with a 2 s spread and at 18-38 % with 1 s. A lone move costs nothing.
 */
export const restoreSpreadDefaultMs = 2000;

export interface RequestOptions {
  /** default 5000 ms */
  timeoutMs?: number;
}

/** A server's `{ ok: false, error }` answer, as a typed rejection. */
export class ServerRejectedError extends AgError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly serverCode: string,
  ) {
    super(code, message);
    this.name = 'ServerRejectedError';
  }
}

const serverCodeMap: Readonly<Record<string, ErrorCode>> = {
  unauthorized: 'unauthorized',
  'not-primary': 'not-primary',
  'unknown-session': 'session-not-found',
  'too-large': 'message-too-long',
  closed: 'session-closed',
};

/** Maps a server error code to ours; unknown server codes become `server-rejected`. */
export function errorCodeForServer(serverCode: string): ErrorCode {
  return serverCodeMap[serverCode] ?? 'server-rejected';
}

/**
 * `emitWithAck` with a timeout and a validated answer. `{ ok: false, error }` answers reject
 * with {@link ServerRejectedError}; a malformed answer rejects with `invalid-message`; no answer
 * rejects with `request-timeout`. Usable in `onConnect` hooks, before the connection is `connected`.
 */
export async function requestOn<T>(
  socket: Socket,
  event: string,
  payload: unknown,
  validator: Validator<T>,
  timeoutMs = 5000,
): Promise<T> {
  let answer: unknown;
  try {
    answer = await socket.timeout(timeoutMs).emitWithAck(event, payload);
  } catch (e) {
    throw new AgError(
      'request-timeout',
      `${event}: ${e instanceof Error ? e.message : 'no answer'}`,
    );
  }
  const rejected = errorAnswer(answer);
  if (rejected.ok) {
    const { code, message } = rejected.value.error;
    throw new ServerRejectedError(errorCodeForServer(code), `${event}: ${message ?? code}`, code);
  }
  const result = validator(answer);
  if (!result.ok) throw new AgError('invalid-message', `${event} answer: ${result.error}`);
  return result.value;
}

/**
 * An engine.io WebSocket transport whose constructor is chosen when a socket opens, not when
 * engine.io-client was first evaluated (it captures `globalThis.WebSocket` at load time, before
 * msw or a test can install its own).
 */
function lazyWebSocketTransport(getCtor: () => WebSocketCtor) {
  return class LazyWebSocketTransport extends WebSocketTransport {
    override createSocket(uri: string, protocols: string | string[] | undefined): unknown {
      const Ctor = getCtor();
      return protocols ? new Ctor(uri, protocols) : new Ctor(uri);
    }
  };
}

type GlobalWithWebSocket = { WebSocket?: WebSocketCtor };

interface Live {
  readonly socket: Socket;
  readonly endpoint: Endpoint;
  readonly generation: number;
  readonly subscriptions: Subscription;
  connected: boolean;
}

/** Fully detaches and closes a socket: no listener, no engine, no reconnection left behind. */
function destroySocket(socket: Socket): void {
  socket.removeAllListeners();
  socket.offAny();
  socket.disconnect();
  socket.io.removeAllListeners();
  socket.io.engine?.close();
}

/**
 * One socket.io connection that follows the active endpoint. It owns reconnection (socket.io's
 * own is off): backoff with jitter after failures, an immediate switch when the endpoint source
 * moves, an application heartbeat, and a fresh `auth()` on every connect. At most one socket
 * exists at any time; the previous one is destroyed before the next is created.
 */
export class ResilientConnection {
  readonly #statusSubject = new BehaviorSubject<ConnectionStatus>({ state: 'idle' });
  readonly #endpointSubject = new BehaviorSubject<Endpoint | null>(null);
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  /** the live socket (from creation, so listeners see events sent during onConnect) */
  readonly #socketSubject = new BehaviorSubject<Socket | null>(null);
  readonly #scheduler: SchedulerLike;
  readonly #lazyTransport: ReturnType<typeof lazyWebSocketTransport>;

  #targets: readonly Endpoint[] = [];
  #targetIndex = 0;
  #failures = 0;
  #unauthorizedInRow = 0;
  #generation = 0;
  #live: Live | null = null;
  #lastConnected: Endpoint | null = null;
  #retryTimer: Subscription | null = null;
  /** the connect timeout of the attempt in progress */
  #attempt: Subscription | null = null;
  #endpointsSub: Subscription | null = null;
  #lifecycleSub: Subscription | null = null;
  /**
   * Set while restoring a lost connection at a new endpoint (until `connected`); `pushedBack`
   * once the survivor pushed back (refused, errored, timed out), after which we spread (see `restoreSpreadMs`).
   */
  #restore: { pushedBack: boolean } | null = null;
  /** the browser said it is offline and has not said `online` since */
  #offline = false;
  /** asks the live socket's heartbeat to check at once */
  readonly #checkSubject = new Subject<void>();
  #started = false;
  #ended = false;

  readonly status$: Observable<ConnectionStatus> = this.#statusSubject.asObservable();
  readonly endpoint$: Observable<Endpoint | null> = this.#endpointSubject.pipe(
    distinctUntilChanged((a, b) => sameEndpoint(a, b)),
  );
  readonly errors$: Observable<AgErrorInfo> = this.#errorsSubject.asObservable();
  readonly connected$: Observable<boolean> = this.#statusSubject.pipe(
    map((s) => s.state === 'connected'),
    distinctUntilChanged(),
  );

  constructor(private readonly o: ConnectionOptions) {
    this.#scheduler = o.scheduler ?? asyncScheduler;
    this.#lazyTransport = lazyWebSocketTransport(
      () => o.webSocket ?? (globalThis as GlobalWithWebSocket).WebSocket!,
    );
  }

  /** Decided per socket: a WebSocket (or a mock of it) may be installed after construction. */
  #transportsNow(): ManagerOptions['transports'] {
    // Node 20 has no global WebSocket: engine.io-client's Node build then uses `ws` by name.
    return this.o.webSocket || (globalThis as GlobalWithWebSocket).WebSocket
      ? [this.#lazyTransport]
      : ['websocket'];
  }

  get status(): ConnectionStatus {
    return this.#statusSubject.value;
  }

  /** Starts following the endpoints. Idempotent; does nothing after close/fail/dispose. */
  start(): void {
    if (this.#started || this.#ended) return;
    this.#started = true;
    this.#endpointsSub = this.o.endpoints.subscribe({
      next: (value) => this.#onEndpoints(value),
      error: (e: unknown) =>
        this.fail({
          code: 'bad-config',
          message: `endpoint source failed: ${e instanceof Error ? e.message : String(e)}`,
        }),
    });
    const lifecycle = this.o.lifecycle ?? browserLifecycle;
    if (lifecycle && !this.#ended)
      this.#lifecycleSub = lifecycle.subscribe((signal) => this.#onLifecycle(signal));
    // no endpoint known yet (e.g. the first /status poll is under way): still, we are on our way
    if (this.status.state === 'idle' && !this.#ended) this.#setStatus({ state: 'connecting' });
  }

  /** Network and page lifecycle: react now, not when a (throttled) timer gets round to it. */
  #onLifecycle(signal: LifecycleSignal): void {
    if (this.#ended) return;
    const live = this.#live;
    if (signal === 'offline') {
      this.#offline = true;
      // a socket cannot survive without a network; say so now rather than after a heartbeat
      if (live) this.#onFailure(this.#generation, null);
      else if (this.status.state === 'reconnecting')
        this.#setStatus({ ...this.status, reason: 'offline' });
      return;
    }
    if (signal === 'online') this.#offline = false;
    if (live?.connected) {
      // the network changed or the page slept: is the server still there?
      this.#checkSubject.next();
      return;
    }
    if (this.#targets.length === 0) return;
    // waiting for a backoff (or an attempt begun without a network): go now
    if (this.#retryTimer || signal === 'online') {
      this.#cancelRetry();
      this.#cancelAttempt();
      this.#dropSocket();
      this.#generation++;
      this.#failures = 0;
      this.#open(this.#lastConnected ? 'lost' : undefined);
    }
  }

  /** `lost`, or `offline` while the browser says there is no network. */
  #lostReason(): ReconnectReason {
    return this.#offline ? 'offline' : 'lost';
  }

  /**
   * Validated events of the current socket (and of every later one). Invalid payloads go to
   * `errors$` as `invalid-message` and are dropped; the stream never errors because of them.
   */
  on<T>(event: string, validator: Validator<T>): Observable<T> {
    return this.#socketSubject.pipe(
      switchMap((socket) =>
        socket
          ? new Observable<T>((subscriber) => {
              const handler = (payload: unknown) => {
                const r = validator(payload);
                if (r.ok) subscriber.next(r.value);
                else
                  this.#errorsSubject.next({
                    code: 'invalid-message',
                    message: `${event}: ${r.error}`,
                  });
              };
              socket.on(event, handler);
              return () => socket.off(event, handler);
            })
          : EMPTY,
      ),
    );
  }

  /** Request/answer on the connected socket; see {@link requestOn}. Rejects with `not-connected` when there is none. */
  request<T>(
    event: string,
    payload: unknown,
    validator: Validator<T>,
    o: RequestOptions = {},
  ): Promise<T> {
    const live = this.#live;
    if (!live || !live.connected) {
      return Promise.reject(new AgError('not-connected', `${event}: not connected`));
    }
    return requestOn(live.socket, event, payload, validator, o.timeoutMs).catch((e: unknown) => {
      if (e instanceof AgError && e.code === 'invalid-message')
        this.#errorsSubject.next({ code: e.code, message: e.message });
      throw e;
    });
  }

  /** Fire and forget; dropped when not connected (typing indicators and the like). */
  emit(event: string, payload: unknown): void {
    const live = this.#live;
    if (live?.connected) live.socket.volatile.emit(event, payload);
  }

  /** Normal end: state `closed`. */
  close(error?: AgErrorInfo): void {
    this.#end(error ? { state: 'closed', error } : { state: 'closed' });
  }

  /** Gives up: state `failed` with the error. */
  fail(error: AgErrorInfo): void {
    this.#errorsSubject.next(error);
    this.#end({ state: 'failed', error });
  }

  /** Closes the socket and ends every stream; leaves no socket, timer, listener or subscription. */
  dispose(): void {
    if (!this.#ended) this.#end({ state: 'closed' });
    this.#statusSubject.complete();
    this.#endpointSubject.complete();
    this.#errorsSubject.complete();
    this.#socketSubject.complete();
    this.#checkSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  #end(status: ConnectionStatus): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endpointsSub?.unsubscribe();
    this.#endpointsSub = null;
    this.#lifecycleSub?.unsubscribe();
    this.#lifecycleSub = null;
    this.#cancelRetry();
    this.#cancelAttempt();
    this.#dropSocket();
    this.#generation++;
    this.#setStatus(
      this.#lastConnected ? { ...status, previousEndpoint: this.#lastConnected.id } : status,
    );
  }

  #setStatus(next: ConnectionStatus): void {
    const prev = this.#statusSubject.value;
    if (
      prev.state === next.state &&
      prev.reason === next.reason &&
      prev.endpoint === next.endpoint &&
      prev.previousEndpoint === next.previousEndpoint &&
      prev.error === next.error
    ) {
      return;
    }
    if (!this.#statusSubject.closed) this.#statusSubject.next(next);
  }

  #onEndpoints(value: Endpoint | readonly Endpoint[] | null): void {
    const list: readonly Endpoint[] =
      value === null ? [] : Array.isArray(value) ? value : [value as Endpoint];
    if (
      list.length === this.#targets.length &&
      list.every((e, i) => sameEndpoint(e, this.#targets[i]))
    )
      return;
    this.#targets = list;
    const current = this.#live?.endpoint;
    const keep = current ? list.findIndex((e) => sameEndpoint(e, current)) : -1;
    if (keep >= 0) {
      // still a valid target (e.g. a backup list grew): no reason to drop a working socket
      this.#targetIndex = keep;
      return;
    }
    // the server of the connection we had is gone (not just moving us): one of a crowd
    const lostBefore = this.#lastConnected !== null && this.#live?.connected !== true;
    this.#cancelRetry();
    this.#cancelAttempt();
    this.#failures = 0;
    this.#targetIndex = 0;
    const hadSomething = this.#live !== null || this.#lastConnected !== null;
    this.#dropSocket();
    this.#generation++; // also cancels an attempt still waiting for auth()
    if (list.length === 0) {
      // nobody to connect to right now (e.g. no valid primary): wait for the source
      if (hadSomething)
        this.#setStatus({ state: 'reconnecting', reason: 'lost', ...this.#prevField() });
      return;
    }
    // A move never waits for a backoff: the new endpoint is known to be the right one.
    const reason: ReconnectReason | undefined =
      this.#lastConnected === null
        ? undefined
        : sameEndpoint(this.#lastConnected, list[0])
          ? 'lost'
          : (this.o.switchReason ?? 'relocated');
    // a restore (see restoreSpreadMs): try at once, spread only if the survivor pushes back
    this.#restore = lostBefore && this.#spreadMaxMs() > 0 ? { pushedBack: false } : null;
    this.#open(reason);
  }

  #spreadMaxMs(): number {
    const max = this.o.restoreSpreadMs ?? restoreSpreadDefaultMs;
    return max > 0 ? max : 0;
  }

  #prevField(): { previousEndpoint?: string } {
    return this.#lastConnected ? { previousEndpoint: this.#lastConnected.id } : {};
  }

  #cancelAttempt(): void {
    this.#attempt?.unsubscribe();
    this.#attempt = null;
  }

  #cancelRetry(): void {
    this.#retryTimer?.unsubscribe();
    this.#retryTimer = null;
  }

  #dropSocket(): void {
    const live = this.#live;
    if (!live) return;
    this.#live = null;
    this.#generation++;
    live.subscriptions.unsubscribe();
    destroySocket(live.socket);
    this.#socketSubject.next(null);
    this.#endpointSubject.next(null);
  }

  /** The status on the way to `endpoint`: `connecting` the first time, else `reconnecting`. */
  #headingTo(endpoint: Endpoint, reason: ReconnectReason | undefined): ConnectionStatus {
    return reason
      ? { state: 'reconnecting', reason, endpoint: endpoint.id, ...this.#prevField() }
      : { state: 'connecting', endpoint: endpoint.id };
  }

  /** Opens a socket to the current target. `reason` undefined = first connection. */
  #open(reason: ReconnectReason | undefined): void {
    const endpoint = this.#targets[this.#targetIndex];
    if (!endpoint || this.#ended) return;
    this.#setStatus(this.#headingTo(endpoint, reason));
    const generation = ++this.#generation;
    // lives until `connected`: the connect timeout covers auth(), the handshake and onConnect
    const attempt = new Subscription();
    this.#attempt = attempt;
    attempt.add(
      this.#scheduler.schedule(
        () =>
          this.#onFailure(generation, {
            code: 'request-timeout',
            message: `connect to ${endpoint.id} timed out`,
          }),
        this.o.connectTimeoutMs ?? 4000,
      ),
    );
    Promise.resolve()
      .then(() => (this.o.auth ? this.o.auth() : undefined))
      .then(
        (auth) => {
          // a switch or dispose during auth() cancelled this attempt
          if (generation === this.#generation && !this.#ended)
            this.#createSocket(endpoint, generation, auth);
        },
        (e: unknown) =>
          // may be transient (a refresh call); counts like a refused token: twice in a row is final
          this.#onFailure(
            generation,
            {
              code: 'unauthorized',
              message: `token provider failed: ${e instanceof Error ? e.message : String(e)}`,
            },
            true,
          ),
      );
  }

  #createSocket(endpoint: Endpoint, generation: number, auth: HandshakeAuth | undefined): void {
    const opts: Partial<ManagerOptions & SocketOptions> = {
      // we own reconnection: socket.io's would retry the old endpoint without jitter or a new token
      reconnection: false,
      forceNew: true,
      multiplex: false,
      transports: this.#transportsNow(),
      timeout: this.o.connectTimeoutMs ?? 4000,
      ...(auth ? { auth: { ...auth } } : {}),
    };
    // the path of an endpoint URL is not a socket.io namespace: connect to the origin
    const socket = (this.o.socketFactory ?? io)(originOf(endpoint.url), opts);
    const live: Live = {
      socket,
      endpoint,
      generation,
      subscriptions: new Subscription(),
      connected: false,
    };
    this.#live = live;
    this.#socketSubject.next(socket);
    socket.on('connect', () => {
      if (generation !== this.#generation) return;
      const hook = this.o.onConnect ? this.o.onConnect(socket, endpoint) : Promise.resolve();
      hook.then(
        () => this.#onConnected(live),
        (e: unknown) => this.#onFailure(generation, toInfo(e, 'invalid-message')),
      );
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (generation !== this.#generation) return;
      const unauthorized = err.message === 'unauthorized' || err.data?.code === 'unauthorized';
      this.#onFailure(
        generation,
        unauthorized
          ? { code: 'unauthorized', message: `${endpoint.id} refused the credentials` }
          : {
              code: 'request-timeout',
              message: `cannot connect to ${endpoint.id}: ${err.message}`,
            },
        unauthorized,
      );
    });
    socket.on('disconnect', () => {
      // transport closed or server disconnect: lost (our own disconnects remove listeners first)
      if (generation === this.#generation) this.#onFailure(generation, null);
    });
  }

  #onConnected(live: Live): void {
    if (live.generation !== this.#generation || this.#ended) return;
    live.connected = true;
    this.#restore = null;
    this.#failures = 0;
    this.#unauthorizedInRow = 0;
    this.#cancelAttempt();
    const subscriptions = live.subscriptions;
    const hb = this.o.heartbeat;
    if (hb !== false) {
      const event = hb?.event ?? 'hb';
      const d = heartbeatDefaults;
      subscriptions.add(
        liveness(() => from(live.socket.emitWithAck(event, { t: this.#scheduler.now() })), {
          intervalMs: hb?.intervalMs ?? d.intervalMs,
          timeoutMs: hb?.timeoutMs ?? d.timeoutMs,
          minTimeoutMs: hb?.minTimeoutMs ?? d.minTimeoutMs,
          deviations: hb?.deviations ?? d.deviations,
          traffic$: trafficOf(live.socket),
          check$: this.#checkSubject,
          scheduler: this.#scheduler,
        }).subscribe({
          error: (e: unknown) => this.#onFailure(live.generation, toInfo(e, 'heartbeat-timeout')),
        }),
      );
    }
    const previous = this.#lastConnected;
    this.#lastConnected = live.endpoint;
    this.#endpointSubject.next(live.endpoint);
    this.#setStatus({
      state: 'connected',
      endpoint: live.endpoint.id,
      ...(previous && !sameEndpoint(previous, live.endpoint)
        ? { previousEndpoint: previous.id }
        : {}),
    });
  }

  /** A connect attempt or a live connection failed: drop it, then retry after a backoff. */
  #onFailure(generation: number, error: AgErrorInfo | null, unauthorized = false): void {
    if (generation !== this.#generation || this.#ended) return;
    if (error) this.#errorsSubject.next(error);
    this.#cancelAttempt();
    this.#dropSocket();
    this.#generation++;
    this.#unauthorizedInRow = unauthorized ? this.#unauthorizedInRow + 1 : 0;
    // one refusal may be an expired token (the provider is asked again); two in a row is final
    if (this.#unauthorizedInRow >= 2) {
      this.fail(error ?? { code: 'unauthorized', message: 'unauthorized' });
      return;
    }
    this.#failures++;
    const maxAttempts = this.o.backoff?.maxAttempts ?? Infinity;
    if (this.#failures > maxAttempts) {
      this.fail({
        code: 'retries-exhausted',
        message: `gave up after ${maxAttempts} attempts`,
      });
      return;
    }
    if (this.#targets.length > 1)
      this.#targetIndex = (this.#targetIndex + 1) % this.#targets.length;
    const next = this.#targets[this.#targetIndex];
    const state: ConnectionState = this.#lastConnected ? 'reconnecting' : 'connecting';
    this.#setStatus(
      state === 'reconnecting'
        ? {
            state,
            reason: this.#lostReason(),
            ...(next ? { endpoint: next.id } : {}),
            ...this.#prevField(),
          }
        : { state, ...(next ? { endpoint: next.id } : {}) },
    );
    if (!next) return;
    let delay: number;
    if (this.#restore && !this.#restore.pushedBack && !unauthorized) {
      // the survivor pushed back at our immediate restore: take a random place in the crowd
      this.#restore.pushedBack = true;
      delay = Math.floor((this.o.backoff?.random ?? Math.random)() * this.#spreadMaxMs());
    } else delay = backoffDelay(this.#failures - 1, this.o.backoff);
    this.#retryTimer = this.#scheduler.schedule(() => {
      this.#retryTimer = null;
      this.#open(this.#lastConnected ? this.#lostReason() : undefined);
    }, delay);
  }
}

/** Anything the server sends (a packet, an engine.io ping) proves it is alive. */
function trafficOf(socket: Socket): Observable<void> {
  return new Observable<void>((subscriber) => {
    const manager = socket.io as Partial<Pick<Socket['io'], 'on' | 'off'>> | undefined;
    if (typeof manager?.on !== 'function' || typeof manager.off !== 'function') return undefined;
    const heard = () => subscriber.next();
    manager.on('packet', heard);
    manager.on('ping', heard);
    return () => {
      manager.off?.('packet', heard);
      manager.off?.('ping', heard);
    };
  });
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return url;
  }
}

function toInfo(e: unknown, fallback: ErrorCode): AgErrorInfo {
  if (e instanceof AgError) return { code: e.code, message: e.message };
  return { code: fallback, message: e instanceof Error ? e.message : String(e) };
}

export type { ConnectionState };
