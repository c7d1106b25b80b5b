import { asyncScheduler, interval, Observable, Subscription, take, type SchedulerLike } from 'rxjs';
import { AgError, ErrorCodes } from '../protocol/errors.js';

export interface LivenessOptions {
  /** time between two pings (ms) */
  intervalMs: number;
  /** a ping unanswered for this long, with nothing else heard, means the server is gone (ms) */
  timeoutMs: number;
  /** any sign of life from the server (a packet, an engine ping): as good as an answer */
  traffic$?: Observable<unknown>;
  /** check at once (the page resumed, became visible, the network came back) */
  check$?: Observable<unknown>;
  scheduler?: SchedulerLike;
}

/**
 * Application heartbeat that a sleeping page cannot fool. Like {@link heartbeat} it pings every
 * `intervalMs` (one ping at a time) and errors with `heartbeat-timeout` when the server stays
 * silent for `timeoutMs` after a ping. But the verdict is taken on the clock and on traffic, not
 * on a timer having fired:
 * - anything heard from the server after the ping was sent (`traffic$`) proves it alive;
 * - a deadline that fires much later than asked (a frozen or throttled tab: Chrome wakes hidden
 *   tabs once a minute) says nothing about the server: it pings again with a fresh deadline
 *   instead of declaring it dead;
 * - `check$` pings at once, so a resumed page learns within `timeoutMs` whether it is still
 *   connected.
 * Never emits.
 *
 * @example
 * liveness(() => from(socket.emitWithAck('hb', {})), { intervalMs: 1500, timeoutMs: 2500, check$: wake$ })
 *   .subscribe({ error: () => reconnect() });
 */
export function liveness(ping: () => Observable<unknown>, o: LivenessOptions): Observable<never> {
  return new Observable<never>((subscriber) => {
    const scheduler = o.scheduler ?? asyncScheduler;
    const subscriptions = new Subscription();
    let heardAt = -Infinity;
    let probe: { sentAt: number; answer: Subscription; deadline: Subscription } | null = null;

    const settle = () => {
      probe?.answer.unsubscribe();
      probe?.deadline.unsubscribe();
      probe = null;
    };
    const heard = () => {
      heardAt = scheduler.now();
      settle();
    };
    const judge = (p: NonNullable<typeof probe>) => {
      if (probe !== p) return;
      if (heardAt >= p.sentAt) return settle();
      // how much later than asked the deadline ran: more than a whole timeout = we were asleep
      const late = scheduler.now() - (p.sentAt + o.timeoutMs);
      if (late > o.timeoutMs) return send();
      settle();
      subscriber.error(
        new AgError(ErrorCodes.HeartbeatTimeout, `no heartbeat answer within ${o.timeoutMs} ms`),
      );
    };
    const send = () => {
      settle();
      const p = {
        sentAt: scheduler.now(),
        answer: new Subscription(),
        deadline: new Subscription(),
      };
      probe = p;
      p.deadline = scheduler.schedule(() => judge(p), o.timeoutMs);
      const answer = ping()
        .pipe(take(1))
        .subscribe({
          next: () => {
            if (probe === p) heard();
          },
          error: (e: unknown) => {
            if (probe !== p) return;
            settle();
            subscriber.error(e);
          },
        });
      if (probe === p) p.answer = answer;
      else answer.unsubscribe();
    };

    subscriptions.add(
      interval(o.intervalMs, scheduler).subscribe(() => {
        if (!probe) send();
      }),
    );
    if (o.traffic$) subscriptions.add(o.traffic$.subscribe(() => heard()));
    if (o.check$) subscriptions.add(o.check$.subscribe(() => send()));
    subscriptions.add(settle);
    return subscriptions;
  });
}
