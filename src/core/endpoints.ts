import {
  Observable,
  asyncScheduler,
  catchError,
  concat,
  defaultIfEmpty,
  defer,
  distinctUntilChanged,
  exhaustMap,
  filter,
  forkJoin,
  map,
  of,
  NEVER,
  take,
  timeout,
  timer,
  type SchedulerLike,
} from 'rxjs';
import type { AgErrorInfo } from '../protocol/errors.js';
import type { NodeStatus, Properties } from '../protocol/wire.js';
import type { Endpoint } from './state.js';

/** Same endpoint = same id and same url (an epoch change alone is not a move). */
export function sameEndpoint(
  a: Endpoint | null | undefined,
  b: Endpoint | null | undefined,
): boolean {
  if (!a || !b) return a === b || (!a && !b);
  return a.id === b.id && a.url === b.url;
}

const schemeFamily: Readonly<Record<string, string>> = {
  'http:': 'http:',
  'ws:': 'http:',
  'https:': 'https:',
  'wss:': 'https:',
};

/** `scheme://host[:port]` with ws folded into http and wss into https; null when not acceptable. */
function normalizedOrigin(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const family = schemeFamily[url.protocol];
  // javascript:, data:, file: ... are not endpoints; credentials in a URL leak into logs
  if (!family || url.username || url.password || !url.hostname) return null;
  // URL drops default ports per scheme; ws:80 and http:80 must compare equal, so re-add explicitly
  const port = url.port || (family === 'https:' ? '443' : '80');
  return `${family}//${url.hostname.toLowerCase()}:${port}`;
}

/**
 * True when `url` is an http(s)/ws(s) URL without credentials whose origin is exactly one of
 * `allowedOrigins` (ws<->http and wss<->https count as the same origin; no wildcard, no
 * subdomain matching). Unparseable allowlist entries match nothing.
 */
export function isAllowedOrigin(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = normalizedOrigin(url);
  if (!origin) return false;
  return allowedOrigins.some((allowed) => normalizedOrigin(allowed) === origin);
}

export interface FromPropertiesOptions {
  allowedOrigins: readonly string[];
  onRefused?: (error: AgErrorInfo) => void;
}

/**
 * Property-driven endpoint: the interaction's properties say where to connect (e.g.
 * `chat.instanceId` + `chat.url`). A URL outside the allowlist is refused (`onRefused` gets
 * `relocation-refused`) and the previous endpoint is kept: a tampered or buggy property must not
 * send the agent's token to an arbitrary host. Emits only on change.
 */
export function endpointFromProperties(
  props$: Observable<Properties>,
  pick: (p: Properties) => Endpoint | null,
  o: FromPropertiesOptions,
): Observable<Endpoint | null> {
  return new Observable<Endpoint | null>((subscriber) => {
    let current: Endpoint | null | undefined;
    return props$.subscribe({
      next: (props) => {
        let next: Endpoint | null;
        try {
          next = pick(props);
        } catch (e) {
          o.onRefused?.({
            code: 'invalid-properties',
            message: `cannot read the endpoint from properties: ${e instanceof Error ? e.message : String(e)}`,
          });
          return;
        }
        if (next && !isAllowedOrigin(next.url, o.allowedOrigins)) {
          o.onRefused?.({
            code: 'relocation-refused',
            message: `endpoint ${next.id} is not on an allowed origin`,
          });
          return;
        }
        if (current !== undefined && sameEndpoint(current, next)) return;
        current = next;
        subscriber.next(next);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
  });
}

export interface PrimaryByStatusOptions {
  fetchStatus: (baseUrl: string) => Observable<NodeStatus>;
  /** default 1000 ms */
  pollMs?: number;
  /** a node that does not answer within this is unreachable for this poll; default pollMs */
  timeoutMs?: number;
  /** hysteresis: consecutive polls needed to move away from a reachable current primary,
   *  or to drop an unreachable one; default 2 */
  confirmPolls?: number;
  scheduler?: SchedulerLike;
}

interface Observation {
  readonly url: string;
  readonly status: NodeStatus | null;
}

/**
 * Primary/standby selection by polling every node's `/status`. The active endpoint is the
 * primary with a valid lease (`leaseUntil > now`); when two claim it (split brain) the higher
 * epoch wins. A switch away from a current primary that still answers as a valid primary needs
 * `confirmPolls` consecutive polls naming the same new node, so a flapping node cannot bounce
 * every client back and forth; a current primary that is gone while another holds a valid lease
 * is left at once (that is a real failover). With no valid primary the current one is kept for
 * `confirmPolls - 1` polls, then null is emitted.
 */
export function primaryByStatus(
  nodes: readonly string[],
  o: PrimaryByStatusOptions,
): Observable<Endpoint | null> {
  const scheduler = o.scheduler ?? asyncScheduler;
  const pollMs = o.pollMs ?? 1000;
  const timeoutMs = o.timeoutMs ?? pollMs;
  const confirmPolls = Math.max(1, o.confirmPolls ?? 2);

  const poll = (): Observable<Observation[]> =>
    forkJoin(
      nodes.map((url) =>
        defer(() => o.fetchStatus(url)).pipe(
          take(1),
          timeout({ first: timeoutMs, scheduler }),
          map((status): Observation => ({ url, status })),
          // an error, a timeout or an empty answer all mean "not reachable this time"
          defaultIfEmpty<Observation, Observation>({ url, status: null }),
          catchError(() => of<Observation>({ url, status: null })),
        ),
      ),
    );

  return new Observable<Endpoint | null>((subscriber) => {
    let current: Endpoint | null | undefined;
    let pending: { endpoint: Endpoint | null; count: number } | null = null;

    const emit = (next: Endpoint | null) => {
      pending = null;
      if (current !== undefined && sameEndpoint(current, next)) {
        current = next;
        return;
      }
      current = next;
      subscriber.next(next);
    };
    /** Counts consecutive polls proposing `next`; true once it has been seen confirmPolls times. */
    const confirmed = (next: Endpoint | null): boolean => {
      pending =
        pending && sameEndpoint(pending.endpoint, next)
          ? { endpoint: next, count: pending.count + 1 }
          : { endpoint: next, count: 1 };
      return pending.count >= confirmPolls;
    };

    const decide = (observations: Observation[]) => {
      const now = scheduler.now();
      const valid = observations.filter(
        (x): x is { url: string; status: NodeStatus } =>
          x.status !== null && x.status.role === 'primary' && x.status.leaseUntil > now,
      );
      const toEndpoint = (x: { url: string; status: NodeStatus }): Endpoint => ({
        id: x.status.nodeId,
        url: x.url,
        epoch: x.status.epoch,
      });
      const currentValid = current
        ? valid.find((x) => toEndpoint(x).id === current!.id && x.url === current!.url)
        : undefined;
      let best = valid[0];
      for (const x of valid) {
        if (
          best &&
          (x.status.epoch > best.status.epoch ||
            (x.status.epoch === best.status.epoch && x === currentValid))
        )
          best = x;
      }
      const candidate = best ? toEndpoint(best) : null;

      if (!current) {
        // nothing to bounce away from: take the primary as soon as there is one
        if (candidate || current === undefined) emit(candidate);
        return;
      }
      if (candidate && sameEndpoint(candidate, current)) {
        pending = null;
        current = candidate; // keep the newest epoch
        return;
      }
      if (candidate && !currentValid) {
        emit(candidate); // the current node lost its lease or is gone: fail over now
        return;
      }
      // either another node outranks a still-valid current primary (split brain), or nobody
      // is a valid primary right now: both need confirmation
      if (confirmed(candidate)) emit(candidate);
    };

    return timer(0, pollMs, scheduler)
      .pipe(exhaustMap(() => (nodes.length ? poll() : of([]))))
      .subscribe({
        next: decide,
        error: (e: unknown) => subscriber.error(e),
      });
  });
}

export interface VirtualIpOptions {
  fetchStatus?: (baseUrl: string) => Observable<NodeStatus>;
  pollMs?: number;
  timeoutMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * One virtual-IP URL in front of active/standby nodes. Without `fetchStatus` it is a constant
 * endpoint. With it, the id is the `nodeId` answering behind the VIP: a new nodeId means the VIP
 * moved (failover), and the connection reconnects even if its socket looks alive. Polls that
 * fail keep the last known id.
 */
export function virtualIpEndpoint(url: string, o: VirtualIpOptions = {}): Observable<Endpoint> {
  const fixed: Endpoint = { id: url, url };
  const fetchStatus = o.fetchStatus;
  if (!fetchStatus) return concat(of(fixed), NEVER);
  const scheduler = o.scheduler ?? asyncScheduler;
  const pollMs = o.pollMs ?? 1000;
  const timeoutMs = o.timeoutMs ?? pollMs;
  let first = true;
  return timer(0, pollMs, scheduler).pipe(
    exhaustMap(() =>
      defer(() => fetchStatus(url)).pipe(
        take(1),
        timeout({ first: timeoutMs, scheduler }),
        map((s): Endpoint | null => ({ id: s.nodeId, url, epoch: s.epoch })),
        defaultIfEmpty<Endpoint | null, null>(null),
        catchError(() => of(null)),
      ),
    ),
    map((endpoint) => {
      // the first poll decides the start; afterwards an unreachable VIP keeps the last id
      const out = endpoint ?? (first ? fixed : null);
      first = false;
      return out;
    }),
    filter((e): e is Endpoint => e !== null),
    distinctUntilChanged((a, b) => sameEndpoint(a, b)),
  );
}
