import { expect } from '@open-wc/testing';
import { NEVER, defer, of } from 'rxjs';
import { testScheduler } from './marbles.js';
import { heartbeat, heartbeatDefaults } from '../../src/core/heartbeat.js';
import { AgError } from '../../src/protocol/errors.js';

const timeoutError = (ms: number) =>
  new AgError('heartbeat-timeout', `no heartbeat answer within ${ms} ms`);

describe('heartbeat (marbles, virtual time)', () => {
  it('stays silent while pings are answered, and leaves no ping behind on unsubscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const answer = cold('--a|');
      const hb = heartbeat(() => answer, { intervalMs: 10, timeoutMs: 5 });
      expectObservable(hb, '^ 94ms !').toBe('');
      // one ping per interval, each answered after 2 ms; the unsubscription at 95 cuts the last
      expectSubscriptions(answer.subscriptions).toBe([
        '10ms ^-!',
        '20ms ^-!',
        '30ms ^-!',
        '40ms ^-!',
        '50ms ^-!',
        '60ms ^-!',
        '70ms ^-!',
        '80ms ^-!',
        '90ms ^-!',
      ]);
    });
  });

  it('errors with heartbeat-timeout when the server goes silent, within interval + timeout', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      // answers until 35 ms, then silence (a frozen process)
      const ping = () => defer(() => (ts.now() < 35 ? of('pong') : NEVER));
      const hb = heartbeat(ping, { intervalMs: 10, timeoutMs: 5 });
      // pings at 10, 20, 30 are answered; the one at 40 is not: detected at 45 (<= 35 + 10 + 5)
      expectObservable(hb).toBe('45ms #', undefined, timeoutError(5));
    });
  });

  it('with the defaults (fixed at their ceiling here) a silent server is noticed within 3 s', () => {
    testScheduler().run(({ expectObservable }) => {
      expect(heartbeatDefaults.intervalMs + heartbeatDefaults.timeoutMs).to.be.at.most(3000);
      expectObservable(heartbeat(() => NEVER, heartbeatDefaults)).toBe(
        '3000ms #',
        undefined,
        timeoutError(2500),
      );
    });
  });

  it('never runs two pings at once (a slow answer is not stacked)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('16ms a|'); // slower than the interval, faster than the timeout
      const hb = heartbeat(() => slow, { intervalMs: 10, timeoutMs: 20 });
      expectObservable(hb, '^ 48ms !').toBe('');
      // ticks at 20 and 40 are skipped while a ping is out
      expectSubscriptions(slow.subscriptions).toBe(['10ms ^ 15ms !', '30ms ^ 15ms !']);
    });
  });
});
