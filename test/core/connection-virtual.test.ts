// ResilientConnection in virtual time, with a scripted socket (socketFactory): backoff delays,
// immediate switches, heartbeat detection and a clean dispose, without real waiting.
import { expect } from '@open-wc/testing';
import { BehaviorSubject, Subject, VirtualTimeScheduler, of, type SchedulerLike } from 'rxjs';
import type { LifecycleSignal } from '../../src/core/lifecycle.js';
import type { Socket } from 'socket.io-client';
import { ResilientConnection, type ConnectionOptions } from '../../src/core/connection.js';
import type { ConnectionStatus, Endpoint } from '../../src/core/state.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';

type Handler = (...args: unknown[]) => void;

/** The part of a socket.io Socket the connection uses, scripted by the test. */
class ScriptedSocket {
  readonly handlers = new Map<string, Set<Handler>>();
  disconnected = false;
  engineClosed = false;
  connected = false;
  readonly emitted: string[] = [];
  /** how acks are answered: default never (a frozen server) */
  answer: (event: string) => Promise<unknown> = () => new Promise(() => {});
  readonly io = {
    removeAllListeners: () => undefined,
    engine: { close: () => (this.engineClosed = true) },
  };
  readonly volatile = { emit: (event: string) => this.emitted.push(event) };
  constructor(
    readonly url: string,
    readonly opts: Record<string, unknown>,
  ) {}
  on(event: string, fn: Handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Handler) {
    this.handlers.get(event)?.delete(fn);
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  offAny() {
    return this;
  }
  disconnect() {
    this.disconnected = true;
    this.connected = false;
    return this;
  }
  timeout() {
    return this;
  }
  emitWithAck(event: string) {
    this.emitted.push(event);
    return this.answer(event);
  }
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') this.connected = true;
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args);
  }
  get listenerCount() {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }
}

const microtasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function harness(
  o: Partial<ConnectionOptions> & Pick<ConnectionOptions, 'endpoints'>,
  /** the clock the connection reads (default: the virtual scheduler itself) */
  clock?: (s: VirtualTimeScheduler) => SchedulerLike,
) {
  const scheduler = new VirtualTimeScheduler();
  const sockets: { socket: ScriptedSocket; at: number }[] = [];
  /** what a new socket does: connect or fail, right after it is created */
  let behaviour: (s: ScriptedSocket) => void = (s) => queueMicrotask(() => s.fire('connect'));
  const conn = new ResilientConnection({
    heartbeat: false,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, random: () => 0.5 },
    ...o,
    scheduler: clock ? clock(scheduler) : scheduler,
    socketFactory: (url, opts) => {
      const socket = new ScriptedSocket(url, opts as Record<string, unknown>);
      sockets.push({ socket, at: scheduler.now() });
      behaviour(socket);
      return socket as unknown as Socket;
    },
  });
  const statuses: ConnectionStatus[] = [];
  const errors: AgErrorInfo[] = [];
  conn.status$.subscribe((s) => statuses.push({ ...s, at: scheduler.now() } as ConnectionStatus));
  conn.errors$.subscribe((e) => errors.push(e));
  /** advances virtual time by `ms`, letting promises settle between timers */
  async function advance(ms: number) {
    const until = scheduler.now() + ms;
    await microtasks();
    for (;;) {
      const next = scheduler.actions[0];
      if (!next || next.delay > until) break;
      scheduler.maxFrames = next.delay;
      scheduler.flush();
      await microtasks();
    }
    scheduler.frame = until;
  }
  return {
    conn,
    scheduler,
    sockets,
    statuses,
    errors,
    advance,
    setBehaviour: (b: (s: ScriptedSocket) => void) => (behaviour = b),
  };
}

const A: Endpoint = { id: 'a', url: 'http://a.test' };
const B: Endpoint = { id: 'b', url: 'http://b.test/some/path' };
const refuse = (s: ScriptedSocket) =>
  queueMicrotask(() => s.fire('connect_error', new Error('refused')));

describe('ResilientConnection (virtual time)', () => {
  it('retries failed connects after exponential backoff delays', async () => {
    const h = harness({ endpoints: of(A) });
    h.setBehaviour(refuse);
    h.conn.start();
    await h.advance(2000);
    // 100, 200, 400, 800 (random 0.5 = no jitter offset)
    expect(h.sockets.map((s) => s.at)).to.deep.equal([0, 100, 300, 700, 1500]);
    expect(h.conn.status).to.deep.include({ state: 'connecting', endpoint: 'a' });
    h.setBehaviour((s) => queueMicrotask(() => s.fire('connect')));
    await h.advance(2000);
    expect(h.conn.status).to.deep.equal({ state: 'connected', endpoint: 'a' });
    h.conn.dispose();
  });

  it('jitter spreads retries within ±50 %', async () => {
    let r = 0;
    const randoms = [0, 0.999, 0, 0.999];
    const h = harness({
      endpoints: of(A),
      backoff: {
        initialMs: 100,
        maxMs: 1000,
        jitter: 0.5,
        random: () => randoms[r++ % randoms.length]!,
      },
    });
    h.setBehaviour(refuse);
    h.conn.start();
    await h.advance(2000);
    const gaps = h.sockets.slice(1).map((s, i) => s.at - h.sockets[i]!.at);
    expect(gaps.slice(0, 4)).to.deep.equal([50, 300, 200, 1000]); // 100×0.5, 200×1.5, 400×0.5, min(1000, 800×1.5)
    h.conn.dispose();
  });

  it('a single restore (endpoint change after a loss) connects at once: no spread, no pending backoff', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    const h = harness({
      endpoints,
      restoreSpreadMs: 400,
      backoff: { initialMs: 60000, maxMs: 60000, random: () => 0.5 },
    });
    h.conn.start();
    await h.advance(10);
    expect(h.conn.status.state).to.equal('connected');
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    expect(h.conn.status).to.deep.include({ state: 'reconnecting', reason: 'lost' });
    await h.advance(1000); // the retry is a minute away
    expect(h.sockets).to.have.length(1);
    const movedAt = h.scheduler.now();
    endpoints.next(B);
    expect(h.conn.status).to.deep.include({
      state: 'reconnecting',
      reason: 'relocated',
      endpoint: 'b',
    });
    await h.advance(0);
    expect(h.sockets.map((s) => s.at)).to.deep.equal([0, movedAt]);
    expect(h.sockets[1]!.socket.url).to.equal('http://b.test'); // the origin: a path is not a namespace
    expect(h.conn.status).to.deep.equal({
      state: 'connected',
      endpoint: 'b',
      previousEndpoint: 'a',
    });
    // nothing left waiting (no slow-handshake watch after connected)
    expect(h.scheduler.actions).to.have.length(0);
    h.conn.dispose();
  });

  it('pushback at the restore (connect refused): the next attempt waits full jitter in [0, restoreSpreadMs), then the backoff', async () => {
    for (const [random, expectedWait] of [
      [0, 0],
      [0.5, 200],
      [0.999, 399],
    ] as const) {
      const endpoints = new BehaviorSubject<Endpoint>(A);
      const h = harness({
        endpoints,
        restoreSpreadMs: 400,
        backoff: { initialMs: 1000, maxMs: 60000, jitter: 0, random: () => random },
      });
      h.conn.start();
      await h.advance(10);
      h.sockets[0]!.socket.fire('disconnect', 'transport close');
      h.setBehaviour(refuse);
      const movedAt = h.scheduler.now();
      endpoints.next(B);
      await h.advance(3000);
      const at = h.sockets.slice(1).map((s) => s.at - movedAt);
      // jittered retry, then the regular backoff (failures 2 and 3: 2000, 4000 ms with jitter 0)
      expect(at.slice(0, 3), `random ${random}`).to.deep.equal([
        0,
        expectedWait,
        expectedWait + 2000,
      ]);
      expect(h.conn.status).to.deep.include({ state: 'reconnecting', endpoint: 'b' });
      h.setBehaviour((s) => queueMicrotask(() => s.fire('connect')));
      await h.advance(5000);
      expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'b' });
      h.conn.dispose();
    }
  });

  it('a slow survivor is not pushback: the immediate handshake is kept to the connect timeout, only its failure spreads the retry', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    const h = harness({
      endpoints,
      restoreSpreadMs: 1000,
      connectTimeoutMs: 4000,
      backoff: { initialMs: 60000, maxMs: 60000, random: () => 0.25 },
    });
    h.conn.start();
    await h.advance(10);
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    const hang = () => undefined; // the handshake never finishes: a survivor drowning in a crowd
    h.setBehaviour(hang);
    const movedAt = h.scheduler.now();
    endpoints.next(B);
    await h.advance(3999);
    expect(h.sockets, 'no second attempt while the first is queued').to.have.length(2);
    expect(h.sockets[1]!.socket.disconnected, 'a slow handshake is kept').to.equal(false);
    await h.advance(1);
    expect(h.sockets[1]!.socket.disconnected, 'given up at the connect timeout').to.equal(true);
    await h.advance(249);
    expect(h.sockets).to.have.length(2);
    await h.advance(1); // 4000 + 0.25 × 1000
    expect(h.sockets.slice(1).map((s) => s.at - movedAt)).to.deep.equal([0, 4250]);
    h.conn.dispose();
  });

  it('a restore keeps its slow join (the survivor did the costly part)', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    let joins = 0;
    let finishJoin = () => {};
    const h = harness({
      endpoints,
      restoreSpreadMs: 1000,
      connectTimeoutMs: 4000,
      onConnect: () =>
        ++joins === 1 ? Promise.resolve() : new Promise<void>((r) => (finishJoin = r)),
    });
    h.conn.start();
    await h.advance(10);
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    endpoints.next(B); // the handshake is immediate (the harness connects at once), the join hangs
    await h.advance(2000);
    expect(h.sockets).to.have.length(2);
    expect(h.sockets[1]!.socket.disconnected).to.equal(false);
    finishJoin();
    await h.advance(0);
    expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'b' });
    h.conn.dispose();
  });

  it('a restore that connected resets: the next loss and move is immediate again', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    const h = harness({
      endpoints,
      restoreSpreadMs: 1000,
      backoff: { initialMs: 60000, maxMs: 60000, random: () => 0.5 },
    });
    h.conn.start();
    await h.advance(10);
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    h.setBehaviour(refuse);
    endpoints.next(B);
    await h.advance(0);
    h.setBehaviour((s) => queueMicrotask(() => s.fire('connect')));
    await h.advance(500); // pushed back once: 0.5 × 1000
    expect(h.sockets).to.have.length(3);
    expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'b' });
    h.sockets[2]!.socket.fire('disconnect', 'transport close');
    const movedAt = h.scheduler.now();
    endpoints.next(A);
    await h.advance(0);
    expect(h.sockets.map((s) => s.at).slice(3)).to.deep.equal([movedAt]);
    expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'a' });
    h.conn.dispose();
  });

  it('early end: dispose during the jittered wait, or during the immediate attempt, leaves no timer or socket', async () => {
    for (const when of ['jitter wait', 'immediate attempt'] as const) {
      const endpoints = new BehaviorSubject<Endpoint>(A);
      const h = harness({
        endpoints,
        restoreSpreadMs: 1000,
        backoff: { random: () => 0.9 },
      });
      h.conn.start();
      await h.advance(10);
      h.sockets[0]!.socket.fire('disconnect', 'transport close');
      h.setBehaviour(when === 'jitter wait' ? refuse : () => undefined);
      endpoints.next(B);
      await h.advance(100);
      expect(h.sockets, when).to.have.length(2);
      expect(h.scheduler.actions.length, `${when}: something is waiting`).to.be.greaterThan(0);
      h.conn.dispose();
      expect(h.scheduler.actions, `${when}: timers left`).to.have.length(0);
      expect(h.sockets[1]!.socket.disconnected, when).to.equal(true);
      expect(h.sockets[1]!.socket.listenerCount, when).to.equal(0);
      await h.advance(5000);
      expect(h.sockets, `${when}: nothing opened after dispose`).to.have.length(2);
      expect(endpoints.observed, `${when}: endpoint source unsubscribed`).to.equal(false);
    }
  });

  it('a move during the jittered wait replaces the pending one', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    const C: Endpoint = { id: 'c', url: 'http://c.test/chat' };
    const h = harness({ endpoints, restoreSpreadMs: 1000, backoff: { random: () => 0.9 } });
    h.conn.start();
    await h.advance(10);
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    h.setBehaviour(refuse);
    endpoints.next(B);
    await h.advance(500); // b refused; its retry is 900 ms away
    expect(h.sockets).to.have.length(2);
    h.setBehaviour((s) => queueMicrotask(() => s.fire('connect')));
    endpoints.next(C); // lost, moved again: c is tried at once, b's retry is cancelled
    await h.advance(0);
    expect(h.sockets.map((s) => s.socket.url)).to.deep.equal([
      'http://a.test',
      'http://b.test',
      'http://c.test',
    ]);
    await h.advance(5000);
    expect(h.sockets).to.have.length(3);
    expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'c' });
    h.conn.dispose();
  });

  it('a switch destroys the old socket and all its listeners before creating the new one', async () => {
    const endpoints = new BehaviorSubject<Endpoint>(A);
    const h = harness({ endpoints });
    let oldStateAtCreation: { disconnected: boolean; listeners: number } | null = null;
    h.conn.start();
    await h.advance(10);
    const old = h.sockets[0]!.socket;
    expect(old.listenerCount).to.be.greaterThan(0);
    h.setBehaviour((s) => {
      oldStateAtCreation = { disconnected: old.disconnected, listeners: old.listenerCount };
      queueMicrotask(() => s.fire('connect'));
    });
    endpoints.next(B);
    await h.advance(10);
    expect(oldStateAtCreation).to.deep.equal({ disconnected: true, listeners: 0 });
    expect(old.engineClosed).to.equal(true);
    // socket.io's own reconnection is off, websocket only, and auth only in `auth`
    expect(h.sockets[1]!.socket.opts).to.deep.include({ reconnection: false, forceNew: true });
    h.conn.dispose();
  });

  it('heartbeat: a silent server is noticed within interval + timeout (default <= 5 s)', async () => {
    const h = harness({ endpoints: of([A, B]), heartbeat: {} });
    let answering = true;
    h.setBehaviour((s) => {
      s.answer = () => (answering ? Promise.resolve({ ok: true, t: 0 }) : new Promise(() => {}));
      queueMicrotask(() => s.fire('connect'));
    });
    h.conn.start();
    await h.advance(10_000);
    expect(h.conn.status.state).to.equal('connected');
    expect(h.sockets).to.have.length(1);
    const silentAt = h.scheduler.now();
    answering = false;
    await h.advance(5000);
    const lost = h.statuses.find((s) => s.state === 'reconnecting') as
      (ConnectionStatus & { at: number }) | undefined;
    expect(lost).to.deep.include({ reason: 'lost' });
    expect(lost!.at - silentAt).to.be.at.most(5000);
    expect(h.errors.map((e) => e.code)).to.include('heartbeat-timeout');
    h.conn.dispose();
  });

  it('the token provider runs for every socket and its result goes to auth', async () => {
    let n = 0;
    const h = harness({ endpoints: of(A), auth: async () => ({ token: `t${++n}` }) });
    h.conn.start();
    await h.advance(10);
    h.sockets[0]!.socket.fire('disconnect', 'transport close');
    await h.advance(1000);
    expect(h.sockets.map((s) => s.socket.opts.auth)).to.deep.equal([
      { token: 't1' },
      { token: 't2' },
    ]);
    expect(
      h.sockets.every((s) => !s.socket.url.includes('t1') && !s.socket.url.includes('t2')),
    ).to.equal(true);
    h.conn.dispose();
  });

  it('a connect that hangs (e.g. onConnect never answers) times out and is retried', async () => {
    const h = harness({
      endpoints: of(A),
      connectTimeoutMs: 500,
      onConnect: () => new Promise(() => {}),
    });
    h.conn.start();
    await h.advance(550);
    expect(h.sockets).to.have.length(1);
    expect(h.sockets[0]!.socket.disconnected).to.equal(true);
    expect(h.errors.map((e) => e.code)).to.deep.equal(['request-timeout']);
    await h.advance(100);
    expect(h.sockets).to.have.length(2);
    h.conn.dispose();
  });

  it('dispose leaves no socket, listener or timer behind', async () => {
    const h = harness({ endpoints: of([A, B]), heartbeat: {} });
    h.setBehaviour((s) => {
      s.answer = () => Promise.resolve({ ok: true, t: 0 });
      queueMicrotask(() => s.fire('connect'));
    });
    h.conn.start();
    await h.advance(3000);
    expect(h.scheduler.actions.length).to.be.greaterThan(0); // the heartbeat is ticking
    h.conn.dispose();
    expect(h.scheduler.actions).to.have.length(0);
    for (const { socket } of h.sockets) {
      expect(socket.disconnected).to.equal(true);
      expect(socket.listenerCount).to.equal(0);
    }
    expect(h.conn.status.state).to.equal('closed');
  });

  it('dispose during a backoff wait cancels the retry', async () => {
    const h = harness({ endpoints: of(A) });
    h.setBehaviour(refuse);
    h.conn.start();
    await h.advance(10);
    expect(h.scheduler.actions.length).to.equal(1); // the retry
    h.conn.dispose();
    expect(h.scheduler.actions).to.have.length(0);
    await h.advance(5000);
    expect(h.sockets).to.have.length(1);
  });
});

describe('ResilientConnection and the page lifecycle (virtual time)', () => {
  const connectNow = (s: ScriptedSocket) => {
    s.answer = () => Promise.resolve({ ok: true, t: 0 });
    queueMicrotask(() => s.fire('connect'));
  };

  it('offline: reconnecting at once, reason offline; online: connects at once, not after the backoff', async () => {
    const lifecycle = new Subject<LifecycleSignal>();
    const h = harness({ endpoints: of(A), lifecycle, backoff: { initialMs: 4000, jitter: 0 } });
    h.setBehaviour(connectNow);
    h.conn.start();
    await h.advance(10);
    expect(h.conn.status.state).to.equal('connected');
    h.setBehaviour(refuse); // no network: every attempt fails
    const offlineAt = h.scheduler.now();
    lifecycle.next('offline');
    expect(h.conn.status).to.deep.include({ state: 'reconnecting', reason: 'offline' });
    expect(h.sockets[0]!.socket.disconnected).to.equal(true);
    // the backoff still runs (the browser may be wrong), and the reason stays named
    await h.advance(9000);
    expect(h.sockets.length).to.be.greaterThan(1);
    expect(h.conn.status).to.deep.include({ state: 'reconnecting', reason: 'offline' });
    expect(h.scheduler.actions.length).to.equal(1); // a long backoff wait is pending
    h.setBehaviour(connectNow);
    const before = h.sockets.length;
    const onlineAt = h.scheduler.now();
    lifecycle.next('online');
    await h.advance(0);
    expect(h.sockets.length).to.equal(before + 1);
    expect(h.sockets[before]!.at).to.equal(onlineAt);
    expect(h.conn.status).to.deep.include({ state: 'connected', endpoint: 'a' });
    expect(onlineAt).to.be.greaterThan(offlineAt);
    h.conn.dispose();
    expect(lifecycle.observed).to.equal(false);
  });

  it('wake (resume, visible again) checks a live socket at once, and cuts a backoff wait short', async () => {
    const lifecycle = new Subject<LifecycleSignal>();
    const h = harness({
      endpoints: of(A),
      lifecycle,
      heartbeat: { intervalMs: 10000, timeoutMs: 2000 },
      backoff: { initialMs: 4000, jitter: 0 },
    });
    h.setBehaviour(connectNow);
    h.conn.start();
    await h.advance(10);
    const socket = h.sockets[0]!.socket;
    // one ping at connect (it calibrates the heartbeat), the next not due for 10 s
    expect(socket.emitted.filter((e) => e === 'hb')).to.have.length(1);
    lifecycle.next('wake');
    expect(socket.emitted.filter((e) => e === 'hb')).to.have.length(2);
    // answered: still the same connection
    await h.advance(3000);
    expect(h.sockets).to.have.length(1);
    expect(h.conn.status.state).to.equal('connected');
    // dropped, waiting 4 s to retry: a wake goes now
    socket.fire('disconnect');
    await h.advance(10);
    expect(h.sockets).to.have.length(1);
    lifecycle.next('wake');
    await h.advance(0);
    expect(h.sockets).to.have.length(2);
    h.conn.dispose();
  });

  it('a heartbeat deadline that runs late (the tab slept) is no reason to reconnect', async () => {
    let slept = 0;
    const h = harness(
      { endpoints: of(A), lifecycle: false, heartbeat: { intervalMs: 1000, timeoutMs: 1000 } },
      (s) => ({
        now: () => s.now() + slept,
        schedule: ((work: never, delay?: number, state?: never) =>
          s.schedule(work, delay, state)) as SchedulerLike['schedule'],
      }),
    );
    let answers = 0;
    h.setBehaviour((s) => {
      // the first ping goes out just before the tab sleeps 60 s; its answer is never seen
      // (it came while asleep); every later ping is answered
      s.answer = () => {
        if (++answers === 1) {
          slept += 60000;
          return new Promise(() => {});
        }
        return Promise.resolve({ ok: true, t: 0 });
      };
      queueMicrotask(() => s.fire('connect'));
    });
    h.conn.start();
    await h.advance(10000);
    expect(answers).to.be.greaterThan(2);
    expect(h.sockets).to.have.length(1);
    expect(h.statuses.map((x) => x.state)).to.not.include('reconnecting');
    expect(h.errors).to.deep.equal([]);
    h.conn.dispose();
  });
});
