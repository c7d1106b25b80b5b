import { expect } from '@open-wc/testing';
import { NEVER, Subject, defer, of, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from './marbles.js';
import { liveness } from '../../src/core/liveness.js';
import { AgError } from '../../src/protocol/errors.js';

const timeoutError = (ms: number) =>
  new AgError('heartbeat-timeout', `no heartbeat answer within ${ms} ms`);

/**
 * The test scheduler's timers, read through a clock that can jump: `sleep(ms)` is a tab that was
 * frozen (or throttled) for `ms`: the wall clock moved on, no timer ran meanwhile, and the next
 * one fires late by that much.
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

describe('liveness (virtual time, late timers)', () => {
  it('stays silent while pings are answered, and leaves no ping behind on unsubscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('--a|');
      const live = liveness(() => answer, { intervalMs: 10, timeoutMs: 5 });
      expectObservable(live, '^ 34ms !').toBe('');
      expectSubscriptions(answer.subscriptions).toBe(['10ms ^-!', '20ms ^-!', '30ms ^-!']);
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
      // ping at 10, deadline at 15 finds the clock 60 s on: ping again at 15, nobody answers by 20
      expectObservable(liveness(ping, { intervalMs: 10, timeoutMs: 5, scheduler: clock })).toBe(
        '20ms #',
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
      // check$ pings at 3 (not at 10); nothing answers a ping, but traffic at 13, 27 and 40 keeps it
      // alive: without it the ping of 3 would have failed at 23
      ts.schedule(() => {
        expect(sentAt).to.deep.equal([3, 20, 30]);
      }, 40);
    });
  });

  it('a ping that fails errors with its own error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const broken = cold('--#', undefined, new Error('socket gone'));
      expectObservable(liveness(() => broken, { intervalMs: 10, timeoutMs: 5 })).toBe(
        '12ms #',
        undefined,
        new Error('socket gone'),
      );
    });
  });
});

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
