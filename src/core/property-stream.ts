import {
  Observable,
  ReplaySubject,
  Subject,
  Subscription,
  asyncScheduler,
  filter,
  merge,
  of,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { AgError, type AgErrorInfo } from '../protocol/errors.js';
import { Limits } from '../protocol/limits.js';
import {
  VersionTrust,
  type TrustDecision,
  type VersionTrustOptions,
  type VersionedProperties,
} from '../protocol/version-trust.js';
import {
  InteractionEvents,
  readDelta,
  readWatchAnswer,
  type DroppedProperty,
  type HandshakeAuth,
  type Properties,
  type PropertiesDelta,
  type TolerantWatchAnswer,
  type WatchAnswer,
} from '../protocol/wire.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import {
  ResilientConnection,
  requestOn,
  type ConnectionOptions,
  type SocketFactory,
  type WebSocketCtor,
} from './connection.js';
import type { ConnectionStatus } from './state.js';

export type PropertySnapshot = VersionedProperties;

/** Emitted by {@link applyVersions} when a delta skipped versions: re-watch with `sinceVersion: resync`. */
export interface ResyncRequest {
  readonly resync: number;
}

export function isResync(x: PropertySnapshot | ResyncRequest): x is ResyncRequest {
  return 'resync' in x;
}

function isWatchAnswer(x: WatchAnswer | PropertiesDelta): x is WatchAnswer {
  return 'ok' in x;
}

/**
 * Folds watch answers (snapshots) and deltas into property snapshots by the version-trust rule
 * (`src/protocol/version-trust.ts`): consecutive deltas apply, duplicates are ignored, a
 * snapshot at or above the current version replaces it, and a gap, a rewind or an impossible
 * jump emits `{ resync: current }` once, so the caller re-watches (a contradicting snapshot
 * confirmed by the next answer is then taken). Deltas before the first snapshot and for another
 * interaction are ignored.
 *
 * @example
 * merge(watchAnswers$, deltas$).pipe(applyVersions()).subscribe(x => isResync(x) ? rewatch(x.resync) : show(x));
 */
export function applyVersions(
  o: VersionTrustOptions = {},
): OperatorFunction<WatchAnswer | PropertiesDelta, PropertySnapshot | ResyncRequest> {
  return (source) =>
    new Observable((subscriber) => {
      const trust = new VersionTrust(o);
      return source.subscribe({
        next: (input) => {
          const d = isWatchAnswer(input) ? trust.snapshot(input) : trust.delta(input);
          if (d.kind === 'apply') subscriber.next(d.state);
          else if (d.kind === 'rewatch') subscriber.next({ resync: d.from });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

export interface PropertyStreamOptions {
  /** interaction servers: primary first, then backups */
  urls: readonly string[];
  interactionId: string;
  auth?: () => HandshakeAuth | Promise<HandshakeAuth>;
  webSocket?: WebSocketCtor;
  socketFactory?: SocketFactory;
  scheduler?: SchedulerLike;
  heartbeat?: ConnectionOptions['heartbeat'];
  backoff?: BackoffOptions & { maxAttempts?: number };
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * The versioned property stream of one interaction, over a primary and backup interaction
 * servers. Every (re)connect watches with `sinceVersion` = the last version seen, so nothing is
 * missed; versions are trusted by the rule in `src/protocol/version-trust.ts`; a gap or a
 * contradiction triggers a re-watch on the same socket. Properties are read key by key: a bad
 * key is dropped and reported once (`invalid-properties`, naming it), the rest applies.
 */
export class PropertyStream {
  readonly #connection: ResilientConnection;
  readonly #trust = new VersionTrust();
  readonly #snapshots = new ReplaySubject<PropertySnapshot>(1);
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  readonly #subscriptions = new Subscription();
  readonly #scheduler: SchedulerLike;
  /** key -> the reason it was last reported for: a bad value repeated is not reported again */
  readonly #reported = new Map<string, string>();
  #started = false;
  #disposed = false;
  #rewatching = false;
  #retryTimer: Subscription | null = null;

  /** the latest snapshot is replayed to late subscribers */
  readonly snapshot$: Observable<PropertySnapshot> = this.#snapshots.asObservable();
  readonly status$: Observable<ConnectionStatus>;
  readonly errors$: Observable<AgErrorInfo>;

  constructor(private readonly o: PropertyStreamOptions) {
    const requestTimeoutMs = o.requestTimeoutMs ?? 5000;
    this.#scheduler = o.scheduler ?? asyncScheduler;
    this.#connection = new ResilientConnection({
      endpoints: of(o.urls.map((url) => ({ id: url, url }))),
      switchReason: 'failover',
      // left undefined: the connection's defaults
      auth: o.auth,
      webSocket: o.webSocket,
      socketFactory: o.socketFactory,
      scheduler: o.scheduler,
      heartbeat: o.heartbeat,
      backoff: o.backoff,
      ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      onConnect: async (socket) => {
        // resync from the last version seen; the answer is a complete snapshot
        const answer = await requestOn(
          socket,
          InteractionEvents.watch,
          this.#watchRequest(),
          readWatchAnswer,
          requestTimeoutMs,
        );
        this.#onSnapshot(this.#checkAnswer(answer));
      },
    });
    this.status$ = this.#connection.status$;
    this.errors$ = merge(this.#connection.errors$, this.#errorsSubject);
  }

  get status(): ConnectionStatus {
    return this.#connection.status;
  }

  /** the latest state (its version may step back by one after {@link refuse}) */
  get current(): PropertySnapshot | null {
    return this.#trust.current;
  }

  start(): void {
    if (this.#started || this.#disposed) return;
    this.#started = true;
    this.#subscriptions.add(
      this.#connection
        .on(InteractionEvents.properties, readDelta)
        .pipe(filter((d) => d.delta.interactionId === this.o.interactionId))
        .subscribe((d) => {
          this.#reportDropped(d.dropped, d.delta.set, d.delta.unset);
          this.#decide(this.#trust.delta(d.delta));
        }),
    );
    this.#connection.start();
  }

  /**
   * Reads the properties again now (a fresh watch), e.g. because the chat instance says it no
   * longer serves the session: do not only wait for a delta. Without a connection it does
   * nothing: the reconnect watches anyway.
   */
  refresh(): void {
    this.#rewatch();
  }

  /**
   * The owner refused `keys` of the state at `version` (an endpoint off the allowlist...). A
   * refused delta does not use up its version: the server's next genuine update is taken.
   */
  refuse(version: number, keys: readonly string[]): void {
    this.#trust.refuse(version, keys);
  }

  dispose(): void {
    this.#disposed = true;
    this.#retryTimer?.unsubscribe();
    this.#retryTimer = null;
    this.#subscriptions.unsubscribe();
    this.#connection.dispose();
    this.#snapshots.complete();
    this.#errorsSubject.complete();
  }

  #onSnapshot(t: TolerantWatchAnswer): void {
    if (this.#disposed) return;
    this.#reportDropped(t.dropped, t.answer.properties, 'snapshot');
    this.#decide(this.#trust.snapshot(t.answer));
  }

  #decide(d: TrustDecision): void {
    if (this.#disposed) return;
    const overflow = this.#trust.overflow;
    if (overflow.length)
      this.#reportDropped(
        overflow.map((key) => ({ key, reason: `over ${Limits.maxStoredProperties} properties` })),
        {},
        [],
      );
    if (d.kind === 'apply') this.#snapshots.next(d.state);
    else if (d.kind === 'rewatch') this.#rewatch(0, d.reason === 'gap' ? 0 : contradictionDelayMs);
  }

  /** One report per input naming the keys newly dropped; a key read fine again (or gone from
   *  a snapshot, which is the whole state) is forgotten, so a later bad value is news again. */
  #reportDropped(
    dropped: readonly DroppedProperty[],
    good: Readonly<Properties>,
    unset: readonly string[] | 'snapshot',
  ): void {
    if (unset === 'snapshot') {
      const still = new Set(dropped.map((x) => x.key));
      for (const key of [...this.#reported.keys()]) if (!still.has(key)) this.#reported.delete(key);
    } else {
      for (const key of Object.keys(good)) this.#reported.delete(key);
      for (const key of unset) this.#reported.delete(key);
    }
    const fresh = dropped.filter((x) => this.#reported.get(x.key) !== x.reason);
    if (!fresh.length) return;
    for (const x of fresh) this.#reported.set(x.key, x.reason);
    const named = fresh
      .slice(0, 5)
      .map((x) => `${JSON.stringify(x.key.slice(0, 64))} (${x.reason})`)
      .join(', ');
    const more = fresh.length > 5 ? ` and ${fresh.length - 5} more` : '';
    this.#errorsSubject.next({
      code: 'invalid-properties',
      message: `dropped properties ${named}${more}; the others apply`,
    });
  }

  /** A snapshot of another interaction would silently replace ours: refuse it. */
  #checkAnswer(t: TolerantWatchAnswer): TolerantWatchAnswer {
    if (t.answer.interactionId !== this.o.interactionId) {
      throw new AgError(
        'invalid-message',
        `watch answered for ${t.answer.interactionId}, not ${this.o.interactionId}`,
      );
    }
    return t;
  }

  #watchRequest() {
    const version = this.#trust.current?.version;
    return version === undefined
      ? { interactionId: this.o.interactionId }
      : { interactionId: this.o.interactionId, sinceVersion: version };
  }

  /** Re-watches from the last version; retried with backoff until it succeeds, a reconnect's
   *  own watch takes over, or the stream is disposed. `delayMs` lets a lagging server catch up
   *  before it is asked to confirm a contradiction. */
  #rewatch(attempt = 0, delayMs = 0): void {
    if (this.#rewatching || this.#disposed) return;
    if (delayMs > 0) {
      if (this.#retryTimer) return;
      this.#retryTimer = this.#scheduler.schedule(() => {
        this.#retryTimer = null;
        this.#rewatch(attempt);
      }, delayMs);
      return;
    }
    if (this.#connection.status.state !== 'connected') return;
    this.#rewatching = true;
    const from = this.#trust.current?.version;
    this.#connection
      .request(InteractionEvents.watch, this.#watchRequest(), readWatchAnswer, {
        timeoutMs: this.o.requestTimeoutMs ?? 5000,
      })
      .then((answer) => this.#checkAnswer(answer))
      .then(
        (answer) => {
          this.#rewatching = false;
          this.#onSnapshot(answer);
        },
        (e: unknown) => {
          this.#rewatching = false;
          if (this.#disposed) return;
          this.#errorsSubject.next({
            code: e instanceof AgError ? e.code : 'request-timeout',
            message: `re-watch failed: ${e instanceof Error ? e.message : String(e)}`,
          });
          // not connected: the reconnect's watch (sinceVersion) resyncs anyway
          if (this.#connection.status.state !== 'connected') return;
          this.#retryTimer = this.#scheduler.schedule(
            () => {
              this.#retryTimer = null;
              if (this.#trust.current?.version === from) this.#rewatch(attempt + 1);
            },
            backoffDelay(attempt, this.o.backoff),
          );
        },
      );
  }
}

/** Before asking a server to confirm a contradicting snapshot, give a lagging one time to catch up. */
const contradictionDelayMs = 500;
