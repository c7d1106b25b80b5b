/**
 * PcsClient: talks to whichever PCS (post-call survey) node is active, and keeps a pending
 * survey request alive across the failure of that node. No DOM.
 *
 * - The active node comes from status polling over a node list (`primaryByStatus`: valid lease,
 *   higher epoch wins a split brain) or from one virtual-IP URL (`virtualIpEndpoint`).
 * - A request is created with an idempotency key derived from the dialog and the survey, so a
 *   retry (same node or another one) can never create a second request.
 * - Status is followed on the active node's socket.io stream (ResilientConnection with
 *   switchReason 'failover'). On every (re)connect the tracked requests are resynced with
 *   `subscribe`; a request the new primary does not know (no shared store) is re-submitted with
 *   the same key, and the events the gadget had reported (transferred/armed) are replayed.
 * - The token provider is called for every connect and every HTTP call: a failover never needs
 *   a new login.
 * - Garbage or 5xx from PCS -> `pcs-bad-response`; no reachable node -> `pcs-unreachable`.
 *   Both are retried with backoff; a pending request is kept until it succeeds.
 */
import {
  BehaviorSubject,
  Subject,
  Subscription,
  asyncScheduler,
  defer,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  from,
  interval,
  map,
  shareReplay,
  throwError,
  switchMap,
  take,
  takeUntil,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { Socket } from 'socket.io-client';
import { retryBackoff, type BackoffOptions } from '../core/backoff.js';
import { ResilientConnection, requestOn, type WebSocketCtor } from '../core/connection.js';
import { primaryByStatus, virtualIpEndpoint } from '../core/endpoints.js';
import { handshakeAuth } from '../core/handshake-auth.js';
import { HttpError, fetchJson } from '../core/http.js';
import type { ConnectionStatus, Endpoint } from '../core/state.js';
import { AgError, type AgErrorInfo } from '../protocol/errors.js';
import type { Validator } from '../protocol/validate.js';
import {
  PcsEvents,
  PcsPaths,
  nodeStatus,
  pcsSubscribeAnswer,
  surveyLookup,
  surveyRequestAnswer,
  surveyStatusEvent,
  type Survey,
  type SurveyRequestAnswer,
  type SurveyRequestBody,
  type SurveyRequestEvent,
  type SurveyStatus,
  type SurveyStatusEvent,
} from '../protocol/wire.js';

export type TokenProvider = () => string | undefined | null | Promise<string | undefined | null>;

export interface PcsClientOptions {
  /** base URLs: two or more = node list (status polling); one = a virtual IP */
  readonly nodes: readonly string[];
  /** called for every HTTP call and every socket connect */
  readonly tokenProvider?: TokenProvider;
  readonly agentId?: string;
  /** status poll period (default 1000 ms) */
  readonly pollMs?: number;
  /** while a request is in flight, re-subscribe this often as a safety net for lost pushes (default 5000 ms) */
  readonly resyncMs?: number;
  /** per HTTP call (default 4000 ms) */
  readonly requestTimeoutMs?: number;
  /** retries of HTTP calls and reconnects (default 250 ms doubling to 3 s, ±50 %) */
  readonly backoff?: BackoffOptions;
  readonly heartbeat?: { intervalMs?: number; timeoutMs?: number } | false;
  readonly webSocket?: WebSocketCtor;
  readonly fetchImpl?: typeof fetch;
  readonly scheduler?: SchedulerLike;
}

/** PCS as the client sees it right now. */
export type PcsHealth = 'ok' | 'unreachable' | 'bad-response';

/** What the client knows about one request. */
export interface TrackedRequest {
  readonly key: string;
  readonly body: SurveyRequestBody;
  /** the latest answer / status (undefined until a node accepted the request) */
  readonly answer?: SurveyRequestAnswer;
  /** events the gadget reported, replayed to a node that had to be given the request again */
  readonly reported: readonly SurveyRequestEvent['event'][];
}

/** The order statuses move in: a stale answer never moves a request backwards. */
export const statusRank: Readonly<Record<SurveyStatus, number>> = {
  requested: 0,
  transferred: 1,
  armed: 1,
  offered: 2,
  'in-progress': 3,
  completed: 4,
  failed: 4,
  cancelled: 4,
};

/** `subscribe` takes at most this many ids (protocol limit). */
const maxSubscribed = 50;

function isTerminal(status: SurveyStatus): boolean {
  return statusRank[status] >= statusRank.completed;
}

/** A stable, short idempotency key for (dialog, survey): the same call never gets two requests. */
export function idempotencyKey(dialogId: string, surveyId: string): string {
  const plain = `${dialogId}:${surveyId}`;
  if (plain.length <= 96) return plain;
  // long dialog ids: FNV-1a 64-bit-ish (two 32-bit lanes) keeps the key short and stable
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < plain.length; i++) {
    const c = plain.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `k:${h1.toString(36)}${h2.toString(36)}:${surveyId.slice(0, 64)}`;
}

/** Maps an HTTP failure onto our stable codes. */
function classify(e: unknown): AgError {
  if (e instanceof AgError) return e;
  if (e instanceof HttpError) {
    if (e.status === 401 || e.status === 403 || e.serverCode === 'unauthorized')
      return new AgError('unauthorized', 'PCS refused the credentials');
    if (e.serverCode === 'not-primary')
      return new AgError('not-primary', 'the PCS node is not the primary');
    if (e.status === 0 && (e.serverCode === 'unreachable' || e.serverCode === 'timeout'))
      return new AgError('pcs-unreachable', 'PCS is unreachable');
    if (e.status === 0 || e.status >= 500)
      return new AgError(
        'pcs-bad-response',
        `PCS sent an invalid answer${e.status ? ` (HTTP ${e.status})` : ''}`,
      );
    return new AgError(
      'pcs-bad-response',
      `PCS refused the request (HTTP ${e.status}): ${e.message}`,
    );
  }
  return new AgError('pcs-unreachable', e instanceof Error ? e.message : String(e));
}

/** Not worth trying again, on any node: refused credentials and 4xx refusals. */
function isPermanent(e: unknown): boolean {
  if (e instanceof AgError) return e.code === 'unauthorized';
  if (!(e instanceof HttpError)) return false;
  if (e.status === 401 || e.status === 403 || e.serverCode === 'unauthorized') return true;
  return (
    e.status >= 400 &&
    e.status < 500 &&
    e.status !== 408 &&
    e.status !== 429 &&
    e.serverCode !== 'not-primary'
  );
}

export class PcsClient {
  readonly #scheduler: SchedulerLike;
  readonly #active = new BehaviorSubject<Endpoint | null | undefined>(undefined);
  readonly #healthSubject = new BehaviorSubject<PcsHealth>('ok');
  readonly #errorsSubject = new Subject<AgErrorInfo>();
  readonly #requestsSubject = new BehaviorSubject<ReadonlyMap<string, TrackedRequest>>(new Map());
  readonly #disposed$ = new Subject<void>();
  readonly #connection: ResilientConnection;
  readonly #subscriptions = new Subscription();
  readonly #backoff: BackoffOptions;
  readonly #selection$: Observable<Endpoint | null>;
  /** requests nobody shows any more: forgotten once they are over */
  readonly #released = new Set<string>();
  #started = false;

  /** connection state of the status stream (the public `connectionState`) */
  readonly status$: Observable<ConnectionStatus>;
  /** the active PCS node (null while there is none) */
  readonly endpoint$: Observable<Endpoint | null>;
  /** reachable / unreachable / misbehaving, from every HTTP call and the node selection */
  readonly health$: Observable<PcsHealth>;
  /** typed errors, one per problem as it happens; never errors itself */
  readonly errors$: Observable<AgErrorInfo>;
  readonly requests$: Observable<ReadonlyMap<string, TrackedRequest>>;

  readonly #o: PcsClientOptions;

  constructor(o: PcsClientOptions) {
    this.#o = o;
    if (o.nodes.length === 0) throw new AgError('bad-config', 'pcs-nodes is empty');
    this.#scheduler = o.scheduler ?? asyncScheduler;
    this.#backoff = { initialMs: 250, maxMs: 3000, ...o.backoff };
    const pollMs = o.pollMs ?? 1000;
    // A dead node refuses at once; a slow answer is not a dead node: a fast poll must not
    // declare a busy primary gone (that would bounce every agent to the standby).
    const statusTimeoutMs = Math.max(1000, pollMs);
    // /status is public: polling it never needs (or exposes) the agent's token
    const fetchStatus = (baseUrl: string) =>
      fetchJson(
        join(baseUrl, PcsPaths.status),
        nodeStatus,
        this.#httpInit(undefined, { timeoutMs: statusTimeoutMs }),
      );
    const selection$: Observable<Endpoint | null> =
      o.nodes.length === 1
        ? virtualIpEndpoint(o.nodes[0]!, {
            fetchStatus,
            pollMs,
            timeoutMs: statusTimeoutMs,
            scheduler: this.#scheduler,
          })
        : primaryByStatus(o.nodes, {
            fetchStatus,
            pollMs,
            timeoutMs: statusTimeoutMs,
            scheduler: this.#scheduler,
          });
    this.#selection$ = selection$;

    this.#connection = new ResilientConnection({
      endpoints: this.#active.pipe(filter((e): e is Endpoint | null => e !== undefined)),
      switchReason: 'failover',
      auth: handshakeAuth(o.tokenProvider, o.agentId),
      onConnect: (socket, endpoint) => this.#resync(socket, endpoint),
      backoff: this.#backoff,
      ...(o.heartbeat !== undefined ? { heartbeat: o.heartbeat } : {}),
      ...(o.webSocket ? { webSocket: o.webSocket } : {}),
      scheduler: this.#scheduler,
    });
    this.status$ = this.#connection.status$;
    this.endpoint$ = this.#active.pipe(
      map((e) => e ?? null),
      distinctUntilChanged((a, b) => a?.id === b?.id && a?.url === b?.url),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.health$ = this.#healthSubject.pipe(distinctUntilChanged());
    this.errors$ = this.#errorsSubject.asObservable();
    this.requests$ = this.#requestsSubject.asObservable();
  }

  get health(): PcsHealth {
    return this.#healthSubject.value;
  }

  get endpoint(): Endpoint | null {
    return this.#active.value ?? null;
  }

  get requests(): ReadonlyMap<string, TrackedRequest> {
    return this.#requestsSubject.value;
  }

  /** Starts node selection and the status stream. Idempotent. */
  start(): void {
    if (this.#started || this.#disposed$.closed) return;
    this.#started = true;
    this.#subscriptions.add(
      this.#selection$.subscribe({
        next: (endpoint) => {
          this.#active.next(endpoint);
          if (endpoint === null) this.#setHealth('unreachable', 'No PCS node is active');
        },
        error: (e: unknown) => this.#report(classify(e)),
      }),
    );
    this.#subscriptions.add(
      // a node accepted our socket: PCS is reachable again (a misbehaving HTTP side stays reported)
      this.#connection.status$.subscribe((s) => {
        if (s.state === 'connected' && this.health === 'unreachable') this.#setHealth('ok');
      }),
    );
    this.#subscriptions.add(
      this.#connection
        .on(PcsEvents.status, surveyStatusEvent)
        .subscribe((event) => this.#onStatusEvent(event)),
    );
    this.#subscriptions.add(
      this.#connection.errors$.subscribe((e) => {
        // connect failures are reflected in health/status; only malformed pushes are news
        if (e.code === 'invalid-message') this.#report(new AgError('pcs-bad-response', e.message));
      }),
    );
    this.#subscriptions.add(
      // Safety net for a lost push or a subscribe that timed out: re-subscribing is idempotent
      // and answers the current state of every request still in flight.
      interval(this.#o.resyncMs ?? 5000, this.#scheduler).subscribe(() => {
        if (this.#liveRequests().length) void this.#subscribeNow();
      }),
    );
    this.#connection.start();
  }

  /** The active survey for a dialed number (null: none). Retries until PCS answers sensibly. */
  lookupSurvey(dialedNumber: string): Promise<Survey | null> {
    const path = `${PcsPaths.surveys}?dialedNumber=${encodeURIComponent(dialedNumber)}`;
    return this.#http(path, surveyLookup, {}).then((r) => r.survey);
  }

  /**
   * Creates (or finds: same key, same answer) the survey request and tracks it. Retries with
   * backoff across nodes until a primary accepts it; rejects only on a permanent refusal or dispose.
   */
  async submit(body: SurveyRequestBody): Promise<SurveyRequestAnswer> {
    const key = body.idempotencyKey;
    const known = this.requests.get(key);
    if (!known) this.#update(key, () => ({ key, body, reported: [] }));
    const answer = await this.#http(PcsPaths.surveyRequests, surveyRequestAnswer, {
      method: 'POST',
      body,
    });
    this.#applyAnswer(key, answer);
    // the socket may have connected before the request existed: make sure this node pushes its status
    void this.#subscribeNow();
    return this.requests.get(key)?.answer ?? answer;
  }

  /** Tells PCS what the gadget did (transferred / armed / cancelled); remembered for resubmits. */
  async reportEvent(key: string, event: SurveyRequestEvent['event']): Promise<SurveyRequestAnswer> {
    const tracked = this.requests.get(key);
    if (!tracked?.answer) throw new AgError('bad-config', `unknown survey request ${key}`);
    this.#update(
      key,
      (t) =>
        t && { ...t, reported: t.reported.includes(event) ? t.reported : [...t.reported, event] },
    );
    // The path is read at every attempt: after a failover without a shared store the resync
    // re-creates the request under a new id (and replays this event there); a 404 from a node
    // that has not been given the request yet is therefore worth another try.
    const answer = await this.#http(
      () =>
        `${PcsPaths.surveyRequests}/${encodeURIComponent(this.requests.get(key)?.answer?.requestId ?? tracked.answer!.requestId)}/events`,
      surveyRequestAnswer,
      { method: 'POST', body: { event } },
      { retryNotFound: true },
    );
    this.#applyAnswer(key, answer);
    return this.requests.get(key)?.answer ?? answer;
  }

  /** One request's latest state. */
  request$(key: string): Observable<TrackedRequest | undefined> {
    return this.#requestsSubject.pipe(
      map((all) => all.get(key)),
      distinctUntilChanged(),
    );
  }

  /** Stops tracking a request now. */
  forget(key: string): void {
    this.#released.delete(key);
    const next = new Map(this.requests);
    if (next.delete(key)) this.#requestsSubject.next(next);
  }

  /**
   * The caller no longer shows this request (the agent moved on to the next call): forget it
   * once it is over. Until then it is still followed, resynced and re-submitted after a
   * failover, so a survey still playing is not lost; afterwards it costs nothing.
   */
  release(key: string): void {
    const t = this.requests.get(key);
    if (t?.answer && isTerminal(t.answer.status)) this.forget(key);
    else if (t) this.#released.add(key);
  }

  /** Closes the socket, stops polling, cancels pending HTTP retries. */
  dispose(): void {
    if (this.#disposed$.closed) return;
    this.#disposed$.next();
    this.#disposed$.complete();
    this.#subscriptions.unsubscribe();
    this.#connection.dispose();
    this.#active.complete();
    this.#healthSubject.complete();
    this.#errorsSubject.complete();
    this.#requestsSubject.complete();
  }

  // ---------------------------------------------------------------------------------------------

  #httpInit(
    token: string | undefined,
    extra: { timeoutMs?: number; method?: 'GET' | 'POST'; body?: unknown } = {},
  ) {
    return {
      timeoutMs: this.#o.requestTimeoutMs ?? 4000,
      ...extra,
      ...(token ? { token } : {}),
      ...(this.#o.fetchImpl ? { fetchImpl: this.#o.fetchImpl } : {}),
      scheduler: this.#scheduler,
    };
  }

  #withToken<T>(run: (token: string | undefined) => Observable<T>): Observable<T> {
    return defer(() => from(Promise.resolve(this.#o.tokenProvider?.()))).pipe(
      switchMap((token) => run(token ?? undefined)),
    );
  }

  /**
   * One HTTP exchange with the active node, retried with backoff (a failover between attempts
   * sends the next one to the new primary). Every failure updates `health`; only a permanent
   * refusal (auth, 4xx) or dispose ends the retries.
   */
  #http<T>(
    path: string | (() => string),
    validator: Validator<T>,
    init: { method?: 'GET' | 'POST'; body?: unknown },
    o: { retryNotFound?: boolean } = {},
  ): Promise<T> {
    const attempt$ = this.#active.pipe(
      // wait for the first node selection, then use whatever is active at each attempt
      filter((e) => e !== undefined),
      take(1),
      switchMap(() => {
        const endpoint = this.#active.value;
        if (!endpoint)
          return throwError(() => new AgError('pcs-unreachable', 'No PCS node is active'));
        const target = join(endpoint.url, typeof path === 'string' ? path : path());
        return this.#withToken((token) =>
          fetchJson(target, validator, this.#httpInit(token, init)),
        );
      }),
    );
    return new Promise<T>((resolve, reject) => {
      const sub = attempt$
        .pipe(
          retryBackoff<T>({
            ...this.#backoff,
            scheduler: this.#scheduler,
            shouldRetry: (e) => {
              const err = classify(e);
              if (err.code === 'pcs-unreachable' || err.code === 'not-primary') {
                this.#setHealth('unreachable', err.message);
              } else if (err.code === 'pcs-bad-response') {
                this.#setHealth('bad-response', err.message);
              }
              if (o.retryNotFound && e instanceof HttpError && e.status === 404) return true;
              return !isPermanent(e);
            },
          }),
          takeUntil(this.#disposed$),
        )
        .subscribe({
          next: (v) => {
            this.#setHealth('ok');
            resolve(v);
          },
          error: (e: unknown) => {
            const err = classify(e);
            this.#report(err);
            reject(err);
          },
          complete: () => reject(new AgError('bad-config', 'the PCS client was disposed')),
        });
      this.#subscriptions.add(sub);
    });
  }

  #setHealth(health: PcsHealth, message?: string): void {
    if (this.#healthSubject.closed) return;
    const changed = this.#healthSubject.value !== health;
    this.#healthSubject.next(health);
    if (changed && health !== 'ok') {
      this.#report(
        new AgError(
          health === 'unreachable' ? 'pcs-unreachable' : 'pcs-bad-response',
          message ??
            (health === 'unreachable' ? 'PCS is unreachable' : 'PCS sent an invalid answer'),
        ),
      );
    }
  }

  #report(e: AgErrorInfo): void {
    if (!this.#errorsSubject.closed) this.#errorsSubject.next({ code: e.code, message: e.message });
  }

  #update(key: string, fn: (t: TrackedRequest | undefined) => TrackedRequest | undefined): void {
    if (this.#requestsSubject.closed) return;
    const current = this.requests.get(key);
    const next = fn(current);
    if (!next || next === current) return;
    if (this.#released.has(key) && next.answer && isTerminal(next.answer.status)) {
      this.forget(key);
      return;
    }
    const all = new Map(this.requests);
    all.set(key, next);
    this.#requestsSubject.next(all);
  }

  /** Applies an answer unless it would move the request backwards (stale node / stale resync). */
  #applyAnswer(key: string, answer: SurveyRequestAnswer): void {
    this.#update(key, (t) => {
      if (!t) return undefined;
      const prev = t.answer;
      if (
        prev &&
        prev.requestId === answer.requestId &&
        statusRank[answer.status] < statusRank[prev.status]
      ) {
        return t;
      }
      // a re-created request (new node without the old store) keeps our further progress
      if (
        prev &&
        prev.requestId !== answer.requestId &&
        statusRank[answer.status] < statusRank[prev.status]
      ) {
        return {
          ...t,
          answer: {
            ...answer,
            status: prev.status,
            ...(prev.score !== undefined ? { score: prev.score } : {}),
          },
        };
      }
      if (prev && sameAnswer(prev, answer)) return t;
      return { ...t, answer };
    });
  }

  #onStatusEvent(event: SurveyStatusEvent): void {
    const endpoint = this.#active.value;
    // split brain: a node with a lower epoch than the one we follow is stale
    if (event.epoch !== undefined && endpoint?.epoch !== undefined && event.epoch < endpoint.epoch)
      return;
    for (const t of this.requests.values()) {
      if (t.answer?.requestId !== event.requestId) continue;
      this.#applyAnswer(t.key, {
        ...t.answer,
        status: event.status,
        ...(event.score !== undefined ? { score: event.score } : {}),
      });
    }
  }

  /** Asks the connected node to push the tracked requests' status (after a submit). */
  async #subscribeNow(): Promise<void> {
    const ids = this.#trackedIds();
    if (!ids.length || this.#connection.status.state !== 'connected') return;
    try {
      const answer = await this.#connection.request(
        PcsEvents.subscribe,
        { requestIds: ids },
        pcsSubscribeAnswer,
      );
      for (const a of answer.requests) this.#applyAnswer(a.idempotencyKey, a);
    } catch {
      /* the next (re)connect resyncs */
    }
  }

  /** Requests still worth following (a finished one needs no pushes), newest last, at most 50. */
  #liveRequests(): TrackedRequest[] {
    return [...this.requests.values()]
      .filter((t) => t.answer && !isTerminal(t.answer.status))
      .slice(-maxSubscribed);
  }

  #trackedIds(): string[] {
    return this.#liveRequests().map((t) => t.answer!.requestId);
  }

  /**
   * Runs on every (re)connect, before the connection counts as connected: subscribe to the
   * tracked requests; re-submit (same key) any the node does not know, replaying what the
   * gadget already reported, so the survey survives a failover without a shared store.
   */
  async #resync(socket: Socket, endpoint: Endpoint): Promise<void> {
    const ids = this.#trackedIds();
    if (!ids.length) return;
    const answer = await requestOn(
      socket,
      PcsEvents.subscribe,
      { requestIds: ids },
      pcsSubscribeAnswer,
      3000,
    );
    const knownKeys = new Set<string>();
    for (const a of answer.requests) {
      knownKeys.add(a.idempotencyKey);
      this.#applyAnswer(a.idempotencyKey, a);
    }
    // only a request still in flight is re-submitted: a finished survey must never be re-created
    const missing = this.#liveRequests().filter((t) => !knownKeys.has(t.key));
    if (!missing.length) return;
    const token = (await this.#o.tokenProvider?.()) ?? undefined;
    for (const t of missing) {
      let created = await firstValueFrom(
        fetchJson(
          join(endpoint.url, PcsPaths.surveyRequests),
          surveyRequestAnswer,
          this.#httpInit(token, { method: 'POST', body: t.body }),
        ),
      ).catch((e: unknown) => {
        throw classify(e);
      });
      for (const event of t.reported) {
        created = await firstValueFrom(
          fetchJson(
            join(
              endpoint.url,
              `${PcsPaths.surveyRequests}/${encodeURIComponent(created.requestId)}/events`,
            ),
            surveyRequestAnswer,
            this.#httpInit(token, { method: 'POST', body: { event } }),
          ),
        ).catch((e: unknown) => {
          throw classify(e);
        });
      }
      this.#applyAnswer(t.key, created);
    }
    const again = await requestOn(
      socket,
      PcsEvents.subscribe,
      { requestIds: this.#trackedIds() },
      pcsSubscribeAnswer,
      3000,
    );
    for (const a of again.requests) this.#applyAnswer(a.idempotencyKey, a);
  }
}

function sameAnswer(a: SurveyRequestAnswer, b: SurveyRequestAnswer): boolean {
  return a.requestId === b.requestId && a.status === b.status && a.score === b.score;
}

function join(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
