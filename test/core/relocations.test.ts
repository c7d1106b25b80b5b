// relocations(): the shared relocation bookkeeping of both sessions, in virtual time.
import { testScheduler } from './marbles.js';
import { relocations } from '../../src/core/relocations.js';
import type { ConnectionStatus } from '../../src/core/state.js';

const s: Record<string, ConnectionStatus> = {
  a: { state: 'connected', endpoint: 'A' },
  b: { state: 'connected', endpoint: 'B' },
  c: { state: 'connecting' },
  r: { state: 'reconnecting', reason: 'relocated', previousEndpoint: 'A' },
  q: { state: 'reconnecting', reason: 'lost', previousEndpoint: 'B' },
  f: { state: 'failed', error: { code: 'retries-exhausted', message: 'gave up' } },
};

describe('relocations (marbles, virtual time)', () => {
  it('one relocation per move, gapMs from the first status that left connected', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      // connecting at first is not a loss; A -> (r, r) -> B after 20 ms; B -> q -> B is no move
      const source = cold('c-a 4ms r 9ms r 9ms b-q-b 5ms f 4ms a|', s);
      expectObservable(source.pipe(relocations(ts))).toBe('27ms x 14ms y|', {
        x: { from: 'A', to: 'B', gapMs: 20 },
        y: { from: 'B', to: 'A', gapMs: 5 },
      });
    });
  });

  it('passes errors on, and an early unsubscription leaves the source', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('a-r-#', s, new Error('boom'));
      expectObservable(failing.pipe(relocations(ts))).toBe('----#', undefined, new Error('boom'));
      const long = cold('a-r 10ms b', s);
      expectObservable(long.pipe(relocations(ts)), '^ 5ms !').toBe('');
      expectSubscriptions(long.subscriptions).toBe('^ 5ms !');
    });
  });
});
