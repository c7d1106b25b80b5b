import { asyncScheduler, interval, Observable, Subscription, take, type SchedulerLike } from 'rxjs';
import { AgError } from '../protocol/errors.js';

export interface LivenessOptions {
  /** time between two pings (ms); the first goes out at once, to learn the round trip */
  intervalMs: number;
  /** the longest a ping may go unanswered, with nothing else heard, before the server is
   *  declared gone (ms): the ceiling of the adaptive timeout */
  timeoutMs: number;
  /** the shortest timeout (ms); default `timeoutMs`, i.e. a fixed timeout */
  minTimeoutMs?: number;
  /** the timeout is the mean answer time plus this many standard deviations (default 4) */
  deviations?: number;
  /** any sign of life from the server (a packet, an engine ping): as good as an answer */
  traffic$?: Observable<unknown>;
  /** check at once (the page resumed, became visible, the network came back) */
  check$?: Observable<unknown>;
  scheduler?: SchedulerLike;
}

interface Probe {
  sentAt: number;
  /** when the deadline was due to run */
  due: number;
  timeoutMs: number;
  graced: boolean;
  answer: Subscription;
  deadline: Subscription;
}

/**
 * Application heartbeat that adapts to the server and that a sleeping page cannot fool. It pings
 * at once and then every `intervalMs` (one ping at a time), and errors with `heartbeat-timeout`
 * when the server stays silent after a ping for longer than the current timeout: the observed
 * time to an answer, mean + `deviations` standard deviations (weighted 1/8 per answer, like
 * TCP's round-trip estimator), clamped to [`minTimeoutMs`, `timeoutMs`]. Before the first answer
 * it is `timeoutMs`, so a slow server can show how slow it is. The verdict is taken on the clock
 * and on traffic, not on a timer having fired:
 * - anything heard from the server after the ping was sent (`traffic$`) proves it alive;
 * - a deadline that fires much later than asked (a frozen or throttled tab: Chrome wakes hidden
 *   tabs once a minute) says nothing about the server: it pings again with a fresh deadline;
 * - otherwise it looks once more after the tasks queued behind it (an answer among them) have
 *   run: at once, or an eighth of the timeout later if it ran late (our own GC pause);
 * - `check$` pings at once, so a resumed page learns within a timeout whether it is connected.
 * Never emits.
 *
 * @example
 * liveness(() => from(socket.emitWithAck('hb', {})), { intervalMs: 500, timeoutMs: 2500, minTimeoutMs: 1500, check$: wake$ })
 *   .subscribe({ error: () => reconnect() });
 */
export function liveness(ping: () => Observable<unknown>, o: LivenessOptions): Observable<never> {
  return new Observable<never>((subscriber) => {
    const scheduler = o.scheduler ?? asyncScheduler;
    const floor = Math.min(o.minTimeoutMs ?? o.timeoutMs, o.timeoutMs);
    const k = o.deviations ?? 4;
    const subscriptions = new Subscription();
    let heardAt = -Infinity;
    let mean = NaN;
    let variance = 0;
    let probe: Probe | null = null;

    const currentTimeout = () =>
      Number.isNaN(mean)
        ? o.timeoutMs
        : // a deviation of at least mean / 8: answers that never varied yet still may
          Math.min(
            o.timeoutMs,
            Math.max(floor, mean + k * Math.max(Math.sqrt(variance), mean / 8)),
          );
    const learn = (ms: number) => {
      // a pause of ours inflates a sample: at most a ceiling's worth, so it is soon forgotten
      const x = Math.min(ms, o.timeoutMs);
      if (Number.isNaN(mean)) {
        mean = x;
        variance = (x / 2) ** 2;
        return;
      }
      const d = x - mean;
      mean += d / 8;
      variance = (7 / 8) * (variance + (d * d) / 8);
    };
    const settle = () => {
      probe?.answer.unsubscribe();
      probe?.deadline.unsubscribe();
      probe = null;
    };
    const heard = () => {
      heardAt = scheduler.now();
      if (probe) learn(heardAt - probe.sentAt);
      settle();
    };
    const arm = (p: Probe, delay: number) => {
      p.due = scheduler.now() + delay;
      p.deadline = scheduler.schedule(() => judge(p), delay);
    };
    const judge = (p: Probe) => {
      if (probe !== p) return;
      if (heardAt >= p.sentAt) return settle();
      // how much later than asked the deadline ran: more than a whole timeout = we were asleep
      const late = scheduler.now() - p.due;
      if (late > p.timeoutMs) return send();
      // an answer may be queued behind this timer, more likely if it ran late (our own GC pause
      // or long task): look once more after queued tasks have run
      if (!p.graced) {
        p.graced = true;
        return arm(p, late > p.timeoutMs / 8 ? p.timeoutMs / 8 : 0);
      }
      settle();
      subscriber.error(
        new AgError(
          'heartbeat-timeout',
          `no heartbeat answer within ${Math.round(p.timeoutMs)} ms`,
        ),
      );
    };
    const send = () => {
      settle();
      const p: Probe = {
        sentAt: scheduler.now(),
        due: 0,
        timeoutMs: currentTimeout(),
        graced: false,
        answer: new Subscription(),
        deadline: new Subscription(),
      };
      probe = p;
      arm(p, p.timeoutMs);
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

    subscriptions.add(settle);
    subscriptions.add(
      interval(o.intervalMs, scheduler).subscribe(() => {
        if (!probe) send();
      }),
    );
    if (o.traffic$) subscriptions.add(o.traffic$.subscribe(() => heard()));
    if (o.check$) subscriptions.add(o.check$.subscribe(() => send()));
    if (!subscriber.closed) send();
    return subscriptions;
  });
}
