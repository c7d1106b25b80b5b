import { expect, waitUntil } from '@open-wc/testing';
import { BehaviorSubject, VirtualTimeScheduler, of } from 'rxjs';
import { ResilientConnection } from '../../src/core/connection.js';
import { Outbox, type OutboxItem } from '../../src/core/outbox.js';
import type { Endpoint } from '../../src/core/state.js';
import { AgError } from '../../src/protocol/errors.js';
import { sendAnswer, type SendAnswer } from '../../src/protocol/wire.js';
import { Admin, StatusLog, newStorePath, signal, startServer, type CoreServer } from './helpers.js';

const ep = (s: CoreServer): Endpoint => ({ id: s.instanceId, url: s.url });
// quick, but tolerant of a loaded CI machine (a spurious heartbeat timeout would add reconnects)
const fast = {
  heartbeat: { intervalMs: 500, timeoutMs: 1500 },
  backoff: { initialMs: 50, maxMs: 300 },
  connectTimeoutMs: 4000,
};

describe('Outbox over a real connection', () => {
  const servers: CoreServer[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => f());
    for (const s of servers.splice(0)) await signal(s, 'SIGKILL');
  });

  it('delivers every message exactly once and in order across a SIGKILL and a switch of server', async () => {
    const store = newStorePath();
    // a records sends but never acks them: the first message is delivered, its ack is lost
    const a = await startServer('a', store, ['--ack-sends', 'false']);
    const b = await startServer('b', store);
    servers.push(a, b);
    const conn = new ResilientConnection({ endpoints: of([ep(a), ep(b)]), ...fast });
    let n = 0;
    const outbox = new Outbox<string, SendAnswer>({
      send: (clientMsgId, text) =>
        conn.request('send', { sessionId: 's1', clientMsgId, text }, sendAnswer, {
          timeoutMs: 10000,
        }),
      connected$: conn.connected$,
      newId: () => `cm-${++n}`,
    });
    const log = new StatusLog(conn.status$);
    const acked: string[] = [];
    const sub = outbox.acked$.subscribe(({ item }) => acked.push(item.payload));
    cleanups.push(() => {
      sub.unsubscribe();
      outbox.dispose();
      conn.dispose();
      log.stop();
    });
    const adminA = new Admin(a.url);
    const adminB = new Admin(b.url);
    cleanups.push(
      () => adminA.close(),
      () => adminB.close(),
    );

    // queued before any connection exists: nothing is lost
    outbox.enqueue('one');
    outbox.enqueue('two');
    conn.start();
    await log.waitFor((s) => s.state === 'connected' && s.endpoint === 'a', 'connected to a');
    outbox.enqueue('three');
    await waitUntil(
      async () => (await adminA.state()).sends.length === 1,
      'a recorded the first message',
    );
    expect(outbox.items.map((i) => i.state)).to.deep.equal(['sending', 'queued', 'queued']);

    await signal(a, 'SIGKILL');
    await waitUntil(() => acked.length === 3, 'all acked on b', { timeout: 10000 });
    expect(acked).to.deep.equal(['one', 'two', 'three']);
    const sends = (await adminB.state()).sends;
    expect(sends.map((s) => s.text)).to.deep.equal(['one', 'two', 'three']);
    expect(sends.map((s) => s.clientMsgId)).to.deep.equal(['cm-1', 'cm-2', 'cm-3']);
    expect(sends.map((s) => s.server)).to.deep.equal(['a', 'b', 'b']);
    expect(outbox.items.map((i) => i.state)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(outbox.items[0]!.attempts).to.be.at.least(2); // sent to a, resent to b
  });

  it('resends an unacked message with the same client id after a relocation', async () => {
    const store = newStorePath();
    const a = await startServer('a', store, ['--ack-sends', 'false']);
    const b = await startServer('b', store);
    servers.push(a, b);
    const endpoints = new BehaviorSubject<Endpoint>(ep(a));
    const conn = new ResilientConnection({ endpoints, ...fast });
    const outbox = new Outbox<string, SendAnswer>({
      send: (clientMsgId, text) =>
        conn.request('send', { sessionId: 's1', clientMsgId, text }, sendAnswer, {
          timeoutMs: 10000,
        }),
      connected$: conn.connected$,
    });
    const acked: { text: string; seq: number }[] = [];
    const sub = outbox.acked$.subscribe(({ item, answer }) =>
      acked.push({ text: item.payload, seq: answer.seq }),
    );
    cleanups.push(() => {
      sub.unsubscribe();
      outbox.dispose();
      conn.dispose();
    });
    const adminA = new Admin(a.url);
    cleanups.push(() => adminA.close());
    conn.start();
    outbox.enqueue('hello');
    await waitUntil(async () => (await adminA.state()).sends.length === 1, 'a recorded it');
    endpoints.next(ep(b));
    await waitUntil(() => acked.length === 1, 'acked by b');
    expect(acked).to.deep.equal([{ text: 'hello', seq: 1 }]);
  });
});

describe('Outbox (unit)', () => {
  it('keeps one item in flight, marks permanent failures rejected and moves on', async () => {
    const connected$ = new BehaviorSubject(true);
    const calls: string[] = [];
    const resolvers: ((v: string) => void)[] = [];
    let rejectNext: ((e: unknown) => void) | null = null;
    let id = 0;
    const outbox = new Outbox<string, string>({
      newId: () => `id${++id}`,
      connected$,
      send: (clientMsgId) => {
        calls.push(clientMsgId);
        return new Promise<string>((resolve, reject) => {
          resolvers.push(resolve);
          rejectNext = reject;
        });
      },
    });
    outbox.enqueue('a');
    outbox.enqueue('b');
    outbox.enqueue('c');
    expect(calls).to.deep.equal(['id1']);
    resolvers[0]!('ok-a');
    await waitUntil(() => calls.length === 2);
    rejectNext!(new AgError('message-too-long', 'too long'));
    await waitUntil(() => calls.length === 3);
    expect(outbox.items.map((i: OutboxItem<string>) => [i.payload, i.state])).to.deep.equal([
      ['a', 'sent'],
      ['b', 'rejected'],
      ['c', 'sending'],
    ]);
    expect(outbox.items[1]!.error?.code).to.equal('message-too-long');
    outbox.dispose();
  });

  it('keeps only the last keepSent sent items, in enqueue order', async () => {
    let id = 0;
    const outbox = new Outbox<number, string>({
      newId: () => `id${++id}`,
      connected$: new BehaviorSubject(true),
      keepSent: 2,
      send: () => Promise.resolve('ok'),
    });
    for (let i = 1; i <= 5; i++) outbox.enqueue(i);
    await waitUntil(
      () => outbox.items.every((x) => x.state === 'sent') && outbox.items.length === 2,
    );
    expect(outbox.items.map((x) => x.payload)).to.deep.equal([4, 5]);
    outbox.dispose();
  });

  it('keepSent: 0 keeps no sent item but every unsent one', async () => {
    let release: (() => void) | undefined;
    const outbox = new Outbox<number, string>({
      connected$: new BehaviorSubject(true),
      keepSent: 0,
      // the third message waits for its answer
      send: (_id, n) =>
        n === 3 ? new Promise((r) => (release = () => r('ok'))) : Promise.resolve('ok'),
    });
    const acked: number[] = [];
    const sub = outbox.acked$.subscribe(({ item }) => acked.push(item.payload));
    for (let i = 1; i <= 4; i++) outbox.enqueue(i);
    await waitUntil(() => acked.length === 2 && release !== undefined);
    expect(outbox.items.map((x) => [x.payload, x.state])).to.deep.equal([
      [3, 'sending'],
      [4, 'queued'],
    ]);
    release!();
    await waitUntil(() => acked.length === 4);
    expect(acked).to.deep.equal([1, 2, 3, 4]);
    expect(outbox.items).to.deep.equal([]);
    sub.unsubscribe();
    outbox.dispose();
  });

  it('abandons the attempt in flight on disconnect and resends the same id on reconnect', async () => {
    const connected$ = new BehaviorSubject(true);
    const calls: string[] = [];
    const resolvers: ((v: string) => void)[] = [];
    const outbox = new Outbox<string, string>({
      newId: () => 'only',
      connected$,
      send: (clientMsgId) => {
        calls.push(clientMsgId);
        return new Promise<string>((resolve) => resolvers.push(resolve));
      },
    });
    const acks: string[] = [];
    outbox.acked$.subscribe(({ answer }) => acks.push(answer));
    outbox.enqueue('x');
    connected$.next(false);
    expect(outbox.items[0]!.state).to.equal('failed-will-retry');
    connected$.next(true);
    expect(calls).to.deep.equal(['only', 'only']);
    // both the late answer of the first attempt and the resend's arrive: acked once
    resolvers[0]!('first');
    resolvers[1]!('second');
    await new Promise((r) => setTimeout(r, 0));
    expect(acks).to.deep.equal(['first']);
    outbox.dispose();
  });

  it('retries a failure while connected after a backoff on the injected scheduler', async () => {
    const virtual = new VirtualTimeScheduler();
    const calls: number[] = [];
    const outbox = new Outbox<string, string>({
      connected$: new BehaviorSubject(true),
      scheduler: virtual,
      backoff: { initialMs: 100, jitter: 0 },
      send: () => {
        calls.push(virtual.now());
        return calls.length === 1
          ? Promise.reject(new Error('ack timeout'))
          : Promise.resolve('ok');
      },
    });
    outbox.enqueue('x');
    await new Promise((r) => setTimeout(r, 0));
    expect(outbox.items[0]!.state).to.equal('failed-will-retry');
    expect(outbox.items[0]!.error?.code).to.equal('send-failed');
    virtual.flush();
    expect(calls).to.deep.equal([0, 100]);
    await new Promise((r) => setTimeout(r, 0));
    expect(outbox.items[0]!.state).to.equal('sent');
    outbox.dispose();
  });

  it('starts with held items (a reload): queued first, in order, with their ids, duplicates once', async () => {
    const connected$ = new BehaviorSubject(false);
    const sent: string[] = [];
    const outbox = new Outbox<string, string>({
      newId: () => 'new-1',
      connected$,
      initial: [
        { clientMsgId: 'held-1', payload: 'a' },
        { clientMsgId: 'held-2', payload: 'b' },
        { clientMsgId: 'held-1', payload: 'a' },
      ],
      send: (clientMsgId) => {
        sent.push(clientMsgId);
        return Promise.resolve(clientMsgId);
      },
    });
    expect(outbox.items.map((x) => [x.clientMsgId, x.state])).to.deep.equal([
      ['held-1', 'queued'],
      ['held-2', 'queued'],
    ]);
    outbox.enqueue('c');
    connected$.next(true);
    await waitUntil(() => sent.length === 3);
    expect(sent).to.deep.equal(['held-1', 'held-2', 'new-1']);
    outbox.dispose();
  });
});
