import {
  asyncScheduler,
  exhaustMap,
  ignoreElements,
  interval,
  take,
  throwError,
  timeout,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { AgError } from '../protocol/errors.js';

export interface HeartbeatOptions {
  /** time between two pings (ms) */
  intervalMs: number;
  /** a ping unanswered for this long means the server is gone (ms) */
  timeoutMs: number;
  scheduler?: SchedulerLike;
}

/**
 * Default heartbeat of a connection (see `liveness`): a ping every 500 ms; a silent server is
 * declared gone after the mean answer time + 4 standard deviations, at least 1.5 s and at most
 * 2.5 s, so within 2 s on a quick server (socket.io's own ping timeout would take 45 s).
 * The floor absorbs the sudden lag of a machine that just got busy, which the estimate cannot
 * foresee: in the soak benchmark (50 panels, CPU burner at 2x the cores, bench/benchmarks/soak.mjs)
 * a 1 s floor saw 8 false reconnects in 10 minutes, all when the burner started.
 */
export const heartbeatDefaults = {
  intervalMs: 500,
  timeoutMs: 2500,
  minTimeoutMs: 1500,
  deviations: 4,
} as const;

/**
 * Application heartbeat. Calls `ping` every `intervalMs` (never two at once) and errors with
 * `AgError('heartbeat-timeout')` when one answer takes longer than `timeoutMs`. Never emits.
 * A transport can stay "open" while the process behind it is frozen (SIGSTOP, GC pause,
 * half-open TCP); only an answer proves the server is alive.
 *
 * @example
 * heartbeat(() => from(socket.emitWithAck('hb', { t: 0 })), { intervalMs: 1500, timeoutMs: 2500 })
 *   .subscribe({ error: () => reconnect() });
 */
export function heartbeat(ping: () => Observable<unknown>, o: HeartbeatOptions): Observable<never> {
  const scheduler = o.scheduler ?? asyncScheduler;
  return interval(o.intervalMs, scheduler).pipe(
    exhaustMap(() =>
      ping().pipe(
        take(1),
        timeout({
          first: o.timeoutMs,
          scheduler,
          with: () =>
            throwError(
              () =>
                new AgError('heartbeat-timeout', `no heartbeat answer within ${o.timeoutMs} ms`),
            ),
        }),
      ),
    ),
    ignoreElements(),
  );
}
