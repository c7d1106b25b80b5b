import { expect } from '@open-wc/testing';
import { NEVER, Subject, defer, map, of, timer, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from './marbles.js';
import { liveness, type LivenessOptions } from '../../src/core/liveness.js';
import { heartbeatDefaults } from '../../src/core/heartbeat.js';
import { AgError } from '../../src/protocol/errors.js';

const timeoutError = (ms: number) =>
  new AgError('heartbeat-timeout', `no heartbeat answer within ${ms} ms`);

/**
 * The test scheduler's timers, read through a clock that can jump: `sleep(ms)` is a tab that was
 * frozen (or throttled, or paused by a GC) for `ms`: the wall clock moved on, no timer ran
 * meanwhile, and the next one fires late by that much.
 */
function sleepyClock(ts: TestScheduler): SchedulerLike & { sleep(ms: number): void } {
  let slept = 0;
  return {
    now: () => ts.now() + slept,
    schedule: ((work: never, delay?: number, state?: never) =>
      ts.schedule(work, delay, state)) as SchedulerLike['schedule'],
    sleep: (ms: number) => void (slept += ms),
  };
}

/** A server whose n-th answer (0-based) takes `rtt(n, sentAt)` ms; `null` = never answers. */
function server(ts: TestScheduler, rtt: (n: number, sentAt: number) => number | null) {
  const sent: number[] = [];
  const ping = () =>
    defer(() => {
      const ms = rtt(sent.length, ts.now());
      sent.push(ts.now());
      return ms === null ? NEVER : timer(ms).pipe(map(() => 'pong'));
    });
  return { ping, sent };
}

/** The detector a connection uses (src/core/connection.ts), pinging every second for round figures */
const adaptive: LivenessOptions = { ...heartbeatDefaults, intervalMs: 1000 };

describe('liveness (virtual time, late timers)', () => {
  it('pings at once and then every interval, stays silent while answered, and leaves no ping behind on unsubscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('--a|');
      const live = liveness(() => answer, { intervalMs: 10, timeoutMs: 5 });
      expectObservable(live, '^ 34ms !').toBe('');
      expectSubscriptions(answer.subscriptions).toBe(['^-!', '10ms ^-!', '20ms ^-!', '30ms ^-!']);
    });
  });

  it('errors when the server goes silent, within interval + timeout', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const ping = () => defer(() => (ts.now() < 35 ? of('pong') : NEVER));
      expectObservable(liveness(ping, { intervalMs: 10, timeoutMs: 5 })).toBe(
        '45ms #',
        undefined,
        timeoutError(5),
      );
    });
  });

  it('a deadline that fires late (the tab slept) is no verdict: it pings again, and an answer then keeps it alive', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const clock = sleepyClock(ts);
      let pings = 0;
      // the first ping is sent, then the tab sleeps 60 s; the server is fine and answers the next
      const ping = () =>
        defer(() => {
          pings++;
          if (pings === 1) {
            clock.sleep(60000);
            return NEVER;
          }
          return of('pong');
        });
      expectObservable(
        liveness(ping, { intervalMs: 10, timeoutMs: 5, scheduler: clock }),
        '^ 100ms !',
      ).toBe('');
      ts.schedule(() => expect(pings).to.be.greaterThan(2), 99);
    });
  });

  it('a late deadline on a really dead server still errors, one timeout after the fresh ping', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const clock = sleepyClock(ts);
      let pings = 0;
      const ping = () =>
        defer(() => {
          if (++pings === 1) clock.sleep(60000);
          return NEVER;
        });
      // ping at 0, deadline at 5 finds the clock 60 s on: ping again at 5, nobody answers by 10
      expectObservable(liveness(ping, { intervalMs: 10, timeoutMs: 5, scheduler: clock })).toBe(
        '10ms #',
        undefined,
        timeoutError(5),
      );
    });
  });

  it('traffic from the server counts as an answer; check$ pings at once', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const traffic$ = hot('-------------t-------------t------------t');
      const check$ = hot('   ---c');
      const sentAt: number[] = [];
      const ping = () => defer(() => (sentAt.push(ts.now()), NEVER));
      expectObservable(
        liveness(ping, { intervalMs: 10, timeoutMs: 20, traffic$, check$ }),
        '^ 40ms !',
      ).toBe('');
      // the first ping at 0, check$ pings again at 3 (not at 10); nothing answers a ping, but
      // traffic at 13, 27 and 40 keeps it alive: without it the ping of 3 would have failed at 23
      ts.schedule(() => {
        expect(sentAt).to.deep.equal([0, 3, 20, 30]);
      }, 40);
    });
  });

  it('a ping that fails errors with its own error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const broken = cold('--#', undefined, new Error('socket gone'));
      expectObservable(liveness(() => broken, { intervalMs: 10, timeoutMs: 5 })).toBe(
        '2ms #',
        undefined,
        new Error('socket gone'),
      );
    });
  });
});

describe('liveness: the adaptive timeout (virtual time, the defaults)', () => {
  const floor = heartbeatDefaults.minTimeoutMs;

  it('a quick server that goes silent is declared gone one floor (1.5 s) after the next ping', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // answers in 20 ms until it freezes at 5.5 s
      const s = server(ts, (_n, at) => (at < 5500 ? 20 : null));
      // pings at 0 .. 5000 answered; the one at 6000 is not: 1.5 s later, not 2.5 s
      expectObservable(liveness(s.ping, adaptive)).toBe('7500ms #', undefined, timeoutError(floor));
    });
  });

  it('before any answer the timeout is the ceiling, so a slow server can show how slow it is', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // every answer takes 1.8 s (a long way off, or very busy): over the floor, under the ceiling
      const s = server(ts, () => 1800);
      expectObservable(liveness(s.ping, adaptive), '^ 60000ms !').toBe('');
      ts.schedule(() => expect(s.sent.length).to.be.greaterThan(20), 60000);
    });
  });

  it('follows a server that slows down but stays alive (round trips rising to 2 s): no verdict; a timeout fixed at the floor would give one', () => {
    // 20 ms, then +100 ms per answer up to about 2 s, with +-100 ms of jitter, then 2 s +- 100
    const rtt = (n: number) =>
      Math.min(2000, 20 + 100 * n) + (n % 2 ? 100 : -100) * (n > 0 ? 1 : 0);
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const s = server(ts, rtt);
      expectObservable(liveness(s.ping, adaptive), '^ 120000ms !').toBe('');
      ts.schedule(() => expect(s.sent.length).to.be.greaterThan(40), 120000);
    });
    const fixed = testScheduler();
    const failedAt = failureTime(fixed, () =>
      liveness(server(fixed, rtt).ping, { ...adaptive, timeoutMs: floor }),
    );
    expect(failedAt).to.be.within(5000, 60000);
  });

  it('a single slow answer (900 ms among 20 ms ones) is no verdict; with a tight floor (250 ms, k 2) it is', () => {
    const rtt = (n: number) => (n === 10 ? 900 : 20);
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const s = server(ts, rtt);
      expectObservable(liveness(s.ping, adaptive), '^ 30000ms !').toBe('');
    });
    const tight = testScheduler();
    tight.run(({ expectObservable }) => {
      const s = server(tight, rtt);
      // ping 10 goes out at 10 s; nothing by 10.25 s
      expectObservable(
        liveness(s.ping, { ...adaptive, minTimeoutMs: 250, deviations: 2 }),
        '^ 30000ms !',
      ).toBe('10250ms #', undefined, timeoutError(250));
    });
  });

  it('an answer queued behind the deadline (due at the same moment) is seen: the deadline looks again after it', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // ping 5 is answered exactly one timeout after it was sent: its deadline runs first
      const s = server(ts, (n) => (n === 5 ? floor : 20));
      expectObservable(liveness(s.ping, adaptive), '^ 20000ms !').toBe('');
    });
  });

  it('a GC-like pause of our own (300 ms, over the deadline) with the answer queued behind it is no verdict', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const clock = sleepyClock(ts);
      // ping 5 (at 5 s) is answered by the server in 20 ms, but we are paused from 5.02 s on:
      // its deadline (at 5 s + floor) runs first, 300 ms late, and the answer is handled after it
      const s = server(ts, (n) => (n === 5 ? floor + 10 : 20));
      ts.schedule(() => clock.sleep(300), 5000 + floor - 10);
      expectObservable(liveness(s.ping, { ...adaptive, scheduler: clock }), '^ 20000ms !').toBe('');
    });
  });

  it('the same pause with a server that is really gone: the verdict comes one short look later', () => {
    const ts = testScheduler();
    const clock = sleepyClock(ts);
    const failedAt = failureTime(ts, () => {
      ts.schedule(() => clock.sleep(300), 5000 + floor - 10);
      return liveness(server(ts, (n) => (n >= 5 ? null : 20)).ping, {
        ...adaptive,
        scheduler: clock,
      });
    });
    // the deadline at 5 s + floor runs 300 ms late: it looks again a timeout / 8 later
    expect(failedAt).to.equal(5000 + floor + floor / 8);
  });
});

/** When (virtual ms) `make()`'s liveness errors within 120 s, or NaN. */
function failureTime(ts: TestScheduler, make: () => ReturnType<typeof liveness>): number {
  let failedAt = NaN;
  ts.run(() => {
    const sub = make().subscribe({ error: () => (failedAt = ts.now()) });
    ts.schedule(() => sub.unsubscribe(), 120000);
  });
  return failedAt;
}

describe('liveness with a Subject check$', () => {
  it('unsubscribes from traffic$ and check$ when unsubscribed', () => {
    const traffic$ = new Subject<void>();
    const check$ = new Subject<void>();
    const sub = liveness(() => NEVER, {
      intervalMs: 1000,
      timeoutMs: 1000,
      traffic$,
      check$,
    }).subscribe();
    expect(traffic$.observed && check$.observed).to.equal(true);
    sub.unsubscribe();
    expect(traffic$.observed || check$.observed).to.equal(false);
  });
});
