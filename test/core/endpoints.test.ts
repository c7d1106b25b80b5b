import { expect } from '@open-wc/testing';
import { EMPTY, NEVER, defer, of, type Observable } from 'rxjs';
import {
  endpointFromProperties,
  isAllowedOrigin,
  primaryByStatus,
  virtualIpEndpoint,
} from '../../src/core/endpoints.js';
import type { Endpoint } from '../../src/core/state.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';
import type { NodeStatus, Properties } from '../../src/protocol/wire.js';
import { testScheduler } from './marbles.js';

describe('isAllowedOrigin', () => {
  const allowed = ['https://chat.example.com', 'http://localhost:8000'];

  it('accepts exact origins, with any path, and ws(s) as the same origin as http(s)', () => {
    expect(isAllowedOrigin('https://chat.example.com/socket', allowed)).to.equal(true);
    expect(isAllowedOrigin('wss://chat.example.com', allowed)).to.equal(true);
    expect(isAllowedOrigin('https://chat.example.com:443/', allowed)).to.equal(true);
    expect(isAllowedOrigin('ws://localhost:8000/x', allowed)).to.equal(true);
    expect(isAllowedOrigin('HTTPS://CHAT.EXAMPLE.COM', allowed)).to.equal(true);
    expect(isAllowedOrigin('ws://chat.example.com', ['http://chat.example.com:80'])).to.equal(true);
  });

  it('refuses other schemes, hosts, ports, subdomains and credentials', () => {
    for (const url of [
      'http://chat.example.com', // http is not https
      'ws://chat.example.com',
      'https://evil.chat.example.com',
      'https://chat.example.com.evil.test',
      'https://chat.example.com:8443',
      'http://localhost:8001',
      'https://user:pw@chat.example.com',
      'https://user@chat.example.com',
      'javascript:alert(1)//https://chat.example.com',
      'data:text/html,https://chat.example.com',
      'file:///etc/passwd',
      'ftp://chat.example.com',
      '//chat.example.com',
      '',
      'not a url',
    ]) {
      expect(isAllowedOrigin(url, allowed), url).to.equal(false);
    }
  });

  it('matches nothing with an empty or unparseable allowlist', () => {
    expect(isAllowedOrigin('https://chat.example.com', [])).to.equal(false);
    expect(isAllowedOrigin('https://chat.example.com', ['*', 'chat.example.com'])).to.equal(false);
  });
});

describe('endpointFromProperties (marbles)', () => {
  const pick = (p: Properties): Endpoint | null =>
    typeof p['chat.instanceId'] === 'string' && typeof p['chat.url'] === 'string'
      ? { id: p['chat.instanceId'], url: p['chat.url'] }
      : null;
  const o = (refused: AgErrorInfo[]) => ({
    allowedOrigins: ['https://c.example'],
    onRefused: (e: AgErrorInfo) => refused.push(e),
  });

  it('emits on change only, refuses a URL outside the allowlist and keeps the previous endpoint', () => {
    const refused: AgErrorInfo[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const props = cold<Properties>('a-b-c-d-e|', {
        a: { 'chat.instanceId': 'c1', 'chat.url': 'https://c.example/1' },
        b: { 'chat.instanceId': 'c1', 'chat.url': 'https://c.example/1', 'chat.state': 'active' },
        c: { 'chat.instanceId': 'c2', 'chat.url': 'https://evil.example/2' },
        d: { 'chat.instanceId': 'c2', 'chat.url': 'wss://c.example/2' },
        e: { 'chat.state': 'closed' },
      });
      expectObservable(endpointFromProperties(props, pick, o(refused))).toBe('a-----d-e|', {
        a: { id: 'c1', url: 'https://c.example/1' },
        d: { id: 'c2', url: 'wss://c.example/2' },
        e: null,
      });
    });
    expect(refused).to.have.length(1);
    expect(refused[0]!.code).to.equal('relocation-refused');
  });

  it('reports a throwing pick as invalid-properties instead of erroring', () => {
    const refused: AgErrorInfo[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const props = cold<Properties>('a-b|', {
        a: {},
        b: { 'chat.instanceId': 'c1', 'chat.url': 'https://c.example' },
      });
      let first = true;
      const throwing = (p: Properties) => {
        if (first) {
          first = false;
          throw new Error('boom');
        }
        return pick(p);
      };
      expectObservable(endpointFromProperties(props, throwing, o(refused))).toBe('--b|', {
        b: { id: 'c1', url: 'https://c.example' },
      });
    });
    expect(refused.map((e) => e.code)).to.deep.equal(['invalid-properties']);
  });
});

describe('primaryByStatus (marbles)', () => {
  const lease = 1_000_000;
  const primary = (nodeId: string, epoch: number, leaseUntil = lease): NodeStatus => ({
    nodeId,
    role: 'primary',
    epoch,
    leaseUntil,
  });
  const standby = (nodeId: string, epoch = 1): NodeStatus => ({
    nodeId,
    role: 'standby',
    epoch,
    leaseUntil: 0,
  });
  const A: Endpoint = { id: 'A', url: 'http://a', epoch: 1 };
  const B2: Endpoint = { id: 'B', url: 'http://b', epoch: 2 };
  const B1: Endpoint = { id: 'B', url: 'http://b', epoch: 1 };

  /** A status source scripted by poll index (polls every 10 ms): null = unreachable (no answer). */
  function scripted(
    now: () => number,
    script: Record<string, (NodeStatus | null)[]>,
    calls?: string[],
  ) {
    return (url: string): Observable<NodeStatus> =>
      defer(() => {
        calls?.push(url);
        const list = script[url]!;
        const s = list[Math.min(list.length - 1, Math.floor(now() / 10))];
        return s ? of(s) : NEVER;
      });
  }

  it('picks the primary with a valid lease; standbys and expired leases do not count', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const fetchStatus = scripted(() => ts.now(), {
        'http://a': [primary('A', 3, 0), primary('A', 3, 0), primary('A', 3)],
        'http://b': [standby('B'), standby('B'), standby('B')],
      });
      // at 0 and 10 A's lease has expired: nobody; at 20 it is renewed
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus,
          pollMs: 10,
          timeoutMs: 5,
          scheduler: ts,
        }),
        '^ 30ms !',
      ).toBe('n 19ms a', { n: null, a: { id: 'A', url: 'http://a', epoch: 3 } });
    });
  });

  it('split brain: the higher epoch wins at start, and a newer epoch takes over only after confirmPolls', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const both = scripted(() => ts.now(), {
        'http://a': [primary('A', 1)],
        'http://b': [primary('B', 2)],
      });
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus: both,
          pollMs: 10,
          timeoutMs: 5,
          scheduler: ts,
        }),
        '^ 30ms !',
      ).toBe('b', { b: B2 });
    });
    const ts2 = testScheduler();
    ts2.run(({ expectObservable }) => {
      const later = scripted(() => ts2.now(), {
        'http://a': [primary('A', 1)],
        'http://b': [standby('B'), primary('B', 2)],
      });
      // B claims primary with a higher epoch from 10 on: confirmed at the second poll (20)
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus: later,
          pollMs: 10,
          timeoutMs: 5,
          confirmPolls: 2,
          scheduler: ts2,
        }),
        '^ 40ms !',
      ).toBe('a 19ms b', { a: A, b: B2 });
    });
  });

  it('hysteresis: a flapping node never bounces the clients', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const flapping = scripted(() => ts.now(), {
        'http://a': [primary('A', 1)],
        // claims primary with a higher epoch every other poll, and is unreachable in between
        'http://b': [
          standby('B'),
          primary('B', 2),
          null,
          primary('B', 2),
          standby('B'),
          primary('B', 2),
          null,
          primary('B', 2),
          null,
        ],
      });
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus: flapping,
          pollMs: 10,
          timeoutMs: 5,
          confirmPolls: 2,
          scheduler: ts,
        }),
        '^ 90ms !',
      ).toBe('a', { a: A });
    });
  });

  it('fails over at once when the current primary is gone and another holds the lease', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const failover = scripted(() => ts.now(), {
        'http://a': [primary('A', 1), primary('A', 1), null],
        'http://b': [standby('B'), standby('B'), primary('B', 1)],
      });
      // poll at 20: a does not answer (timeout 5), b is primary: switch when the poll completes (25)
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus: failover,
          pollMs: 10,
          timeoutMs: 5,
          confirmPolls: 3,
          scheduler: ts,
        }),
        '^ 40ms !',
      ).toBe('a 24ms b', { a: A, b: B1 });
    });
  });

  it('drops the current primary (null) only after confirmPolls polls without any primary', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const down = scripted(() => ts.now(), {
        'http://a': [primary('A', 1), null, primary('A', 1), null, null, null],
        'http://b': [standby('B')],
      });
      // a misses the poll at 10 (one miss is tolerated), then 30, 40: dropped when the poll at 40 ends (45)
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus: down,
          pollMs: 10,
          timeoutMs: 5,
          confirmPolls: 2,
          scheduler: ts,
        }),
        '^ 50ms !',
      ).toBe('a 44ms n', { a: A, n: null });
    });
  });

  it('a status source that throws or answers nothing counts as unreachable (never breaks the stream)', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const fetchStatus = (url: string): Observable<NodeStatus> => {
        const poll = Math.floor(ts.now() / 10);
        if (url === 'http://a') {
          if (poll === 0) return of(primary('A', 1));
          if (poll === 1) throw new Error('bad url');
          return EMPTY;
        }
        return poll >= 1 ? of(primary('B', 1)) : of(standby('B'));
      };
      expectObservable(
        primaryByStatus(['http://a', 'http://b'], {
          fetchStatus,
          pollMs: 10,
          timeoutMs: 5,
          scheduler: ts,
        }),
        '^ 30ms !',
      ).toBe('a 9ms b', { a: A, b: B1 });
    });
  });

  it('early unsubscription stops polling and cancels requests in flight', () => {
    const ts = testScheduler();
    const calls: string[] = [];
    ts.run(({ expectObservable, cold, expectSubscriptions }) => {
      const slowAnswer = cold('3ms a', { a: primary('A', 1) });
      const fetchStatus = (url: string) => {
        calls.push(url);
        return slowAnswer;
      };
      expectObservable(
        primaryByStatus(['http://a'], { fetchStatus, pollMs: 10, timeoutMs: 5, scheduler: ts }),
        '^ 20ms !',
      ).toBe('3ms a', { a: A });
      // polls at 0, 10, 20; the one at 20 is cut by the unsubscription at 21
      expectSubscriptions(slowAnswer.subscriptions).toBe(['^ 2ms !', '10ms ^ 2ms !', '20ms ^!']);
    });
    expect(calls).to.have.length(3);
  });
});

describe('virtualIpEndpoint (marbles)', () => {
  it('is constant without a status source', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(virtualIpEndpoint('https://pcs.example'), '^ 10ms !').toBe('a', {
        a: { id: 'https://pcs.example', url: 'https://pcs.example' },
      });
    });
  });

  it('follows the nodeId behind the VIP and keeps it while the VIP is unreachable', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const answers: (NodeStatus | null)[] = [
        { nodeId: 'n1', role: 'primary', epoch: 1, leaseUntil: 1e9 },
        null,
        { nodeId: 'n1', role: 'primary', epoch: 1, leaseUntil: 1e9 },
        { nodeId: 'n2', role: 'primary', epoch: 2, leaseUntil: 1e9 },
      ];
      const fetchStatus = () =>
        defer(() => {
          const s = answers[Math.min(answers.length - 1, Math.floor(ts.now() / 10))];
          return s ? of(s) : NEVER;
        });
      expectObservable(
        virtualIpEndpoint('https://vip', { fetchStatus, pollMs: 10, timeoutMs: 5, scheduler: ts }),
        '^ 40ms !',
      ).toBe('a 29ms b', {
        a: { id: 'n1', url: 'https://vip', epoch: 1 },
        b: { id: 'n2', url: 'https://vip', epoch: 2 },
      });
    });
  });
});
