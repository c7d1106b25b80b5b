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
import { AgError, ErrorCodes, type AgErrorInfo } from '../protocol/errors.js';
import {
  InteractionEvents,
  propertiesDelta,
  watchAnswer,
  type HandshakeAuth,
  type Properties,
  type PropertiesDelta,
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

export interface PropertySnapshot {
  readonly interactionId: string;
  readonly version: number;
  readonly properties: Readonly<Properties>;
}

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
 * Folds watch answers (snapshots) and deltas into property snapshots whose versions only go up.
 * A snapshot newer than what we have replaces it; a delta applies only on top of exactly the
 * previous version; anything at or below the current version is ignored (no rewind, e.g. a
 * backup server that is behind); a delta that skips versions emits `{ resync: current }` once,
 * so the caller re-watches from the last version it saw. Deltas before the first snapshot and
 * for another interaction are ignored.
 *
 * @example
 * merge(watchAnswers$, deltas$).pipe(applyVersions()).subscribe(x => isResync(x) ? rewatch(x.resync) : show(x));
 */
export function applyVersions(): OperatorFunction<
  WatchAnswer | PropertiesDelta,
  PropertySnapshot | ResyncRequest
> {
  return (source) =>
    new Observable((subscriber) => {
      let current: PropertySnapshot | null = null;
      let resyncAsked: number | null = null;
      return source.subscribe({
        next: (input) => {
          if (isWatchAnswer(input)) {
            if (current && input.interactionId !== current.interactionId) return;
            if (current && input.version <= current.version) {
              // nothing newer, but it is a fresh sync point: a later gap may ask again
              if (input.version === current.version) resyncAsked = null;
              return;
            }
            current = {
              interactionId: input.interactionId,
              version: input.version,
              properties: Object.freeze({ ...input.properties }),
            };
            resyncAsked = null;
            subscriber.next(current);
            return;
          }
          if (
            !current ||
            input.interactionId !== current.interactionId ||
            input.version <= current.version
          )
            return;
          if (input.version > current.version + 1) {
            if (resyncAsked !== current.version) {
              resyncAsked = current.version;
              subscriber.next({ resync: current.version });
            }
            return;
          }
          const next: Properties = { ...current.properties, ...input.set };
          for (const key of input.unset) delete next[key];
          current = {
            interactionId: current.interactionId,
            version: input.version,
            properties: Object.freeze(next),
          };
          resyncAsked = null;
          subscriber.next(current);
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
 * missed and nothing goes backwards; a gap in the deltas triggers a re-watch on the same socket.
 */
export class PropertyStream {
  private readonly connection: ResilientConnection;
  private readonly inputs = new Subject<WatchAnswer | PropertiesDelta>();
  private readonly snapshots = new ReplaySubject<PropertySnapshot>(1);
  private readonly errorsSubject = new Subject<AgErrorInfo>();
  private readonly subscriptions = new Subscription();
  private readonly scheduler: SchedulerLike;
  private lastVersion: number | undefined;
  private started = false;
  private disposed = false;
  private rewatching = false;
  private retryTimer: Subscription | null = null;

  /** the latest snapshot is replayed to late subscribers; versions only increase */
  readonly snapshot$: Observable<PropertySnapshot> = this.snapshots.asObservable();
  readonly status$: Observable<ConnectionStatus>;
  readonly errors$: Observable<AgErrorInfo>;

  constructor(private readonly o: PropertyStreamOptions) {
    const requestTimeoutMs = o.requestTimeoutMs ?? 5000;
    this.scheduler = o.scheduler ?? asyncScheduler;
    this.connection = new ResilientConnection({
      endpoints: of(o.urls.map((url) => ({ id: url, url }))),
      switchReason: 'failover',
      ...(o.auth ? { auth: o.auth } : {}),
      ...(o.webSocket ? { webSocket: o.webSocket } : {}),
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      ...(o.scheduler ? { scheduler: o.scheduler } : {}),
      ...(o.heartbeat !== undefined ? { heartbeat: o.heartbeat } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      onConnect: async (socket) => {
        // resync from the last version seen: the server answers with a snapshot at least that new
        const answer = await requestOn(
          socket,
          InteractionEvents.watch,
          this.watchRequest(),
          watchAnswer,
          requestTimeoutMs,
        );
        this.inputs.next(this.checkAnswer(answer));
      },
    });
    this.status$ = this.connection.status$;
    this.errors$ = merge(this.connection.errors$, this.errorsSubject);
  }

  get status(): ConnectionStatus {
    return this.connection.status;
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.subscriptions.add(
      this.inputs.pipe(applyVersions()).subscribe((x) => {
        if (isResync(x)) this.rewatch();
        else {
          this.lastVersion = x.version;
          this.snapshots.next(x);
        }
      }),
    );
    this.subscriptions.add(
      this.connection
        .on(InteractionEvents.properties, propertiesDelta)
        .pipe(filter((d) => d.interactionId === this.o.interactionId))
        .subscribe((d) => this.inputs.next(d)),
    );
    this.connection.start();
  }

  dispose(): void {
    this.disposed = true;
    this.retryTimer?.unsubscribe();
    this.retryTimer = null;
    this.subscriptions.unsubscribe();
    this.connection.dispose();
    this.inputs.complete();
    this.snapshots.complete();
    this.errorsSubject.complete();
  }

  /** A snapshot of another interaction would silently replace ours: refuse it. */
  private checkAnswer(answer: WatchAnswer): WatchAnswer {
    if (answer.interactionId !== this.o.interactionId) {
      throw new AgError(
        ErrorCodes.InvalidMessage,
        `watch answered for ${answer.interactionId}, not ${this.o.interactionId}`,
      );
    }
    return answer;
  }

  private watchRequest() {
    return this.lastVersion === undefined
      ? { interactionId: this.o.interactionId }
      : { interactionId: this.o.interactionId, sinceVersion: this.lastVersion };
  }

  /** Re-watches from the last version after a gap; retried with backoff until it succeeds, a
   *  reconnect's own watch takes over, or the stream is disposed. */
  private rewatch(attempt = 0): void {
    if (this.rewatching || this.disposed) return;
    this.rewatching = true;
    const from = this.lastVersion;
    this.connection
      .request(InteractionEvents.watch, this.watchRequest(), watchAnswer, {
        timeoutMs: this.o.requestTimeoutMs ?? 5000,
      })
      .then((answer) => this.checkAnswer(answer))
      .then(
        (answer) => {
          this.rewatching = false;
          if (!this.disposed) this.inputs.next(answer);
        },
        (e: unknown) => {
          this.rewatching = false;
          if (this.disposed) return;
          this.errorsSubject.next({
            code: e instanceof AgError ? e.code : ErrorCodes.RequestTimeout,
            message: `re-watch after a version gap failed: ${e instanceof Error ? e.message : String(e)}`,
          });
          // not connected: the reconnect's watch (sinceVersion) resyncs anyway
          if (this.connection.status.state !== 'connected') return;
          this.retryTimer = this.scheduler.schedule(
            () => {
              this.retryTimer = null;
              if (this.lastVersion === from) this.rewatch(attempt + 1);
            },
            backoffDelay(attempt, this.o.backoff),
          );
        },
      );
  }
}
