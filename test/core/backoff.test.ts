import { expect } from '@open-wc/testing';
import { map, take } from 'rxjs';
import { testScheduler } from './marbles.js';
import { backoffDelay, retryBackoff } from '../../src/core/backoff.js';

describe('backoffDelay', () => {
  const o = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };

  it('grows exponentially and is capped at maxMs', () => {
    const mid = (n: number) => backoffDelay(n, { ...o, random: () => 0.5 });
    expect([0, 1, 2, 3, 4, 5, 30].map(mid)).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads every delay over ±jitter and never leaves [0, maxMs]', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(1000, 100 * 2 ** attempt);
      const low = backoffDelay(attempt, { ...o, random: () => 0 });
      const high = backoffDelay(attempt, { ...o, random: () => 0.999999 });
      expect(low).to.equal(Math.round(base * 0.5));
      expect(high).to.equal(Math.min(1000, Math.round(base * 1.5)));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, o);
        expect(d).to.be.within(Math.round(base * 0.5), Math.min(1000, Math.round(base * 1.5)));
      }
    }
  });

  it('actually randomises (no thundering herd)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3, o)));
    expect(delays.size).to.be.greaterThan(1);
  });
});

describe('retryBackoff (marbles)', () => {
  const fixed = { initialMs: 10, maxMs: 40, factor: 2, jitter: 0.5, random: () => 0.5 };

  it('resubscribes after 10, 20, 40, 40 ms (cap) and gives up after maxAttempts', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('down'));
      expectObservable(source.pipe(retryBackoff({ ...fixed, maxAttempts: 4 }))).toBe(
        '115ms #',
        undefined,
        new Error('down'),
      );
      expectSubscriptions(source.subscriptions).toBe([
        '^!',
        '11ms ^!',
        '32ms ^!',
        '73ms ^!',
        '114ms ^!',
      ]);
    });
  });

  it('with jitter, each delay stays within its bounds', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // random 0 = the shortest delays: 5, 10, 20
      const source = cold('-#');
      expectObservable(
        source.pipe(retryBackoff({ ...fixed, random: () => 0, maxAttempts: 3 })),
      ).toBe('39ms #');
    });
  });

  it('resets the attempt counter whenever the source emits', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a#');
      expectObservable(source.pipe(retryBackoff(fixed), take(4))).toBe('a 10ms a 10ms a 10ms (a|)');
    });
  });

  it('passes errors that must not be retried on at once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, 'unauthorized');
      expectObservable(
        source.pipe(retryBackoff({ ...fixed, shouldRetry: (e) => e !== 'unauthorized' })),
      ).toBe('--#', undefined, 'unauthorized');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('early unsubscription cancels the pending retry and the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#');
      const result = source.pipe(
        retryBackoff(fixed),
        map((x) => x.toUpperCase()),
      );
      expectObservable(result, '^-----!').toBe('-A----');
      // first run ends with its error at 3; the retry due at 13 never happens
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
