import { expect, waitUntil } from '@open-wc/testing';
import { BehaviorSubject, of, type Subscription } from 'rxjs';
import { ResilientConnection, ServerRejectedError } from '../../src/core/connection.js';
import type { Endpoint } from '../../src/core/state.js';
import { AgError, type AgErrorInfo } from '../../src/protocol/errors.js';
import { v } from '../../src/protocol/index.js';
import { Admin, StatusLog, newStorePath, signal, startServer, type CoreServer } from './helpers.js';

const echoAnswer = v.object({
  ok: v.literal(true),
  payload: v.object({ n: v.number() }),
  instanceId: v.string(),
});
const ep = (s: CoreServer): Endpoint => ({ id: s.instanceId, url: s.url });
// quick, but tolerant of a loaded CI machine (a spurious heartbeat timeout would add reconnects)
const fast = {
  heartbeat: { intervalMs: 500, timeoutMs: 1500 },
  backoff: { initialMs: 50, maxMs: 300 },
  connectTimeoutMs: 4000,
};

describe('ResilientConnection (real socket.io servers)', () => {
  const cleanups: (() => void)[] = [];
  const servers: CoreServer[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => f());
    for (const s of servers.splice(0)) await signal(s, 'SIGKILL');
  });
  async function server(name: string, store = newStorePath(), extra: string[] = []) {
    const s = await startServer(name, store, extra);
    servers.push(s);
    return s;
  }
  function track(conn: ResilientConnection) {
    const log = new StatusLog(conn.status$);
    const errors: AgErrorInfo[] = [];
    const sub = conn.errors$.subscribe((e) => errors.push(e));
    cleanups.push(() => {
      conn.dispose();
      log.stop();
      sub.unsubscribe();
    });
    return { log, errors };
  }

  it('connects, answers requests, and reports idle -> connecting -> connected', async () => {
    const a = await server('a');
    const conn = new ResilientConnection({ endpoints: of(ep(a)), ...fast });
    const { log } = track(conn);
    expect(conn.status.state).to.equal('idle');
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    expect(log.all.map((s) => s.state)).to.deep.equal(['idle', 'connecting', 'connected']);
    expect(conn.status.endpoint).to.equal('a');
    const answer = await conn.request('echo', { n: 7 }, echoAnswer);
    expect(answer).to.deep.equal({ ok: true, payload: { n: 7 }, instanceId: 'a' });
  });

  it('turns { ok: false } answers, malformed answers and silence into typed rejections', async () => {
    const a = await server('a');
    const conn = new ResilientConnection({ endpoints: of(ep(a)), ...fast });
    const { log, errors } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');

    const rejected = await conn
      .request('echo', { fail: 'unauthorized' }, echoAnswer)
      .catch((e: unknown) => e);
    expect(rejected).to.be.instanceOf(ServerRejectedError);
    expect((rejected as ServerRejectedError).code).to.equal('unauthorized');
    expect((rejected as ServerRejectedError).serverCode).to.equal('unauthorized');

    const unknown = await conn
      .request('echo', { fail: 'weird-code' }, echoAnswer)
      .catch((e: unknown) => e);
    expect((unknown as AgError).code).to.equal('server-rejected');

    const malformed = await conn
      .request('echo', { malformed: true }, echoAnswer)
      .catch((e: unknown) => e);
    expect((malformed as AgError).code).to.equal('invalid-message');
    expect(errors.map((e) => e.code)).to.include('invalid-message');

    const silent = await conn
      .request('echo', { silent: true }, echoAnswer, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect((silent as AgError).code).to.equal('request-timeout');
    expect(conn.status.state).to.equal('connected');
  });

  it('validates server events: invalid payloads go to errors$ and the stream goes on', async () => {
    const a = await server('a');
    const conn = new ResilientConnection({ endpoints: of(ep(a)), ...fast });
    const { log, errors } = track(conn);
    const got: number[] = [];
    const sub: Subscription = conn
      .on('tick', v.object({ n: v.number() }))
      .subscribe((x) => got.push(x.n));
    cleanups.push(() => sub.unsubscribe());
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    const push = v.object({ ok: v.literal(true) });
    await conn.request('push', { event: 'tick', data: { n: 1 } }, push);
    await conn.request('push', { event: 'tick', data: { n: 'not a number' } }, push);
    await conn.request('push', { event: 'tick', data: { n: 3 } }, push);
    await waitUntil(() => got.length === 2, 'two valid ticks');
    expect(got).to.deep.equal([1, 3]);
    expect(errors.filter((e) => e.code === 'invalid-message')).to.have.length(1);
    expect(sub.closed).to.equal(false);
  });

  it('calls the token provider on every connect and sends the token in the handshake auth, never in the URL', async () => {
    const store = newStorePath();
    const a = await server('a', store);
    const b = await server('b', store);
    const endpoints = new BehaviorSubject<Endpoint>(ep(a));
    let calls = 0;
    const conn = new ResilientConnection({
      endpoints,
      auth: async () => ({ token: `secret-${++calls}`, agentId: 'agent-7' }),
      ...fast,
    });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected to a');
    endpoints.next(ep(b));
    await log.waitFor((s) => s.state === 'connected' && s.endpoint === 'b', 'connected to b');
    expect(calls).to.equal(2);

    const adminA = new Admin(a.url);
    const adminB = new Admin(b.url);
    cleanups.push(
      () => adminA.close(),
      () => adminB.close(),
    );
    const [stateA, stateB] = await Promise.all([adminA.state(), adminB.state()]);
    expect(stateA.handshakes.map((h) => h.auth)).to.deep.equal([
      { token: 'secret-1', agentId: 'agent-7' },
    ]);
    expect(stateB.handshakes.map((h) => h.auth)).to.deep.equal([
      { token: 'secret-2', agentId: 'agent-7' },
    ]);
    for (const h of [...stateA.handshakes, ...stateB.handshakes]) {
      expect(h.url).to.not.contain('secret');
      expect(JSON.stringify(h.query)).to.not.contain('secret');
      expect(h.url).to.contain('transport=websocket');
    }
  });

  it('asks the token provider again after a refused handshake, and fails after two refusals in a row', async () => {
    const a = await server('a', newStorePath(), ['--require-token', 'fresh']);
    const tokens = ['expired', 'fresh'];
    const conn = new ResilientConnection({
      endpoints: of(ep(a)),
      auth: () => ({ token: tokens.shift() ?? 'none' }),
      ...fast,
    });
    const { log, errors } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected with the refreshed token');
    expect(tokens).to.deep.equal([]);
    expect(errors.map((e) => e.code)).to.deep.equal(['unauthorized']);

    const wrong = new ResilientConnection({
      endpoints: of(ep(a)),
      auth: () => ({ token: 'wrong' }),
      ...fast,
    });
    const t2 = track(wrong);
    wrong.start();
    await t2.log.waitFor((s) => s.state === 'failed', 'failed');
    expect(wrong.status.error?.code).to.equal('unauthorized');
    const admin = new Admin(a.url);
    cleanups.push(() => admin.close());
    const state = await admin.state();
    expect(state.refused.map((r) => r.auth.token)).to.deep.equal(['expired', 'wrong', 'wrong']);
    expect(
      state.refused.every((r) => !r.url.includes('wrong') && !r.url.includes('expired')),
    ).to.equal(true);
  });

  it('relocation closes the old socket before the new one opens and switches without a backoff wait', async () => {
    const store = newStorePath();
    const a = await server('a', store);
    const b = await server('b', store);
    const endpoints = new BehaviorSubject<Endpoint>(ep(a));
    // a huge backoff: if a switch waited for it, the test would time out
    const conn = new ResilientConnection({
      endpoints,
      ...fast,
      backoff: { initialMs: 60000, maxMs: 60000 },
    });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected to a');
    const adminA = new Admin(a.url);
    const adminB = new Admin(b.url);
    cleanups.push(
      () => adminA.close(),
      () => adminB.close(),
    );
    expect((await adminA.state()).connected).to.equal(1);

    const from = log.all.length;
    endpoints.next(ep(b));
    // synchronously: the old socket is gone and the state says why
    expect(log.all[from]).to.deep.include({
      state: 'reconnecting',
      reason: 'relocated',
      endpoint: 'b',
      previousEndpoint: 'a',
    });
    await log.waitFor((s) => s.state === 'connected' && s.endpoint === 'b', 'connected to b', from);
    expect(conn.status).to.deep.equal({ state: 'connected', endpoint: 'b', previousEndpoint: 'a' });

    await waitUntil(async () => (await adminA.state()).connected === 0, 'a saw the disconnect');
    const stateA = await adminA.state();
    expect(stateA.disconnects).to.have.length(1);
    expect(stateA.handshakes).to.have.length(1);
    expect((await adminB.state()).connected).to.equal(1);
    // and it stays that way: no reconnection to a behind our back
    await new Promise((r) => setTimeout(r, 500));
    expect((await adminA.state()).handshakes).to.have.length(1);
  });

  it('SIGKILL of the server: reconnecting (lost), then connected to the backup', async () => {
    const store = newStorePath();
    const a = await server('a', store);
    const b = await server('b', store);
    const conn = new ResilientConnection({ endpoints: of([ep(a), ep(b)]), ...fast });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    expect(conn.status.endpoint).to.equal('a');
    const from = log.all.length;
    await signal(a, 'SIGKILL');
    const lost = await log.waitFor((s) => s.state === 'reconnecting', 'reconnecting', from);
    expect(log.all[lost]).to.deep.include({ state: 'reconnecting', reason: 'lost' });
    await log.waitFor((s) => s.state === 'connected', 'connected again', lost);
    expect(conn.status).to.deep.include({
      state: 'connected',
      endpoint: 'b',
      previousEndpoint: 'a',
    });
  });

  it('SIGKILL then restart on the same endpoint: reconnects when the server is back', async () => {
    const store = newStorePath();
    const a = await server('a', store);
    const endpoints = new BehaviorSubject<Endpoint>(ep(a));
    const conn = new ResilientConnection({ endpoints, ...fast });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    const from = log.all.length;
    await signal(a, 'SIGKILL');
    await log.waitFor(
      (s) => s.state === 'reconnecting' && s.reason === 'lost',
      'reconnecting',
      from,
    );
    // the restarted server listens on a new port: the endpoint source says so
    const a2 = await server('a2', store);
    endpoints.next(ep(a2));
    await log.waitFor((s) => s.state === 'connected', 'connected to the restarted server', from);
    expect(conn.status.endpoint).to.equal('a2');
  });

  it('SIGSTOP: the heartbeat notices the silent server and the connection moves on', async () => {
    const store = newStorePath();
    const a = await server('a', store);
    const b = await server('b', store);
    const conn = new ResilientConnection({ endpoints: of([ep(a), ep(b)]), ...fast });
    const { log, errors } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    const from = log.all.length;
    await signal(a, 'SIGSTOP');
    // socket.io alone would take 45 s; the test's timeout is far below that
    const lost = await log.waitFor(
      (s) => s.state === 'reconnecting',
      'heartbeat noticed',
      from,
      8000,
    );
    expect(log.all[lost]).to.deep.include({ reason: 'lost' });
    expect(errors.map((e) => e.code)).to.include('heartbeat-timeout');
    await log.waitFor((s) => s.state === 'connected' && s.endpoint === 'b', 'connected to b', lost);
  });

  it('uses an injected WebSocket constructor for its transport', async () => {
    const a = await server('a');
    const urls: string[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        urls.push(String(url));
      }
    }
    const conn = new ResilientConnection({
      endpoints: of(ep(a)),
      webSocket: RecordingWebSocket,
      ...fast,
    });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    expect(urls).to.have.length(1);
    expect(urls[0]).to.match(/^ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/\?EIO=4&transport=websocket/);
  });

  it('reads globalThis.WebSocket when connecting, not when loaded (a mock installed later is used)', async () => {
    const a = await server('a');
    const original = globalThis.WebSocket;
    const urls: string[] = [];
    class LateWebSocket extends original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        urls.push(String(url));
      }
    }
    const conn = new ResilientConnection({ endpoints: of(ep(a)), ...fast });
    const { log } = track(conn);
    globalThis.WebSocket = LateWebSocket;
    try {
      conn.start();
      await log.waitFor((s) => s.state === 'connected', 'connected');
    } finally {
      globalThis.WebSocket = original;
    }
    expect(urls).to.have.length(1);
  });

  it('runs onConnect before connected; a rejection counts as a failed attempt', async () => {
    const a = await server('a');
    let calls = 0;
    const conn = new ResilientConnection({
      endpoints: of(ep(a)),
      ...fast,
      onConnect: async (socket) => {
        calls++;
        if (calls === 1) throw new AgError('session-not-found', 'first join fails');
        expect(socket.connected).to.equal(true);
      },
    });
    const { log, errors } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    expect(calls).to.equal(2);
    expect(errors.map((e) => e.code)).to.include('session-not-found');
  });

  it('gives up with failed (retries-exhausted) when nothing answers', async () => {
    const conn = new ResilientConnection({
      endpoints: of({ id: 'nowhere', url: 'http://127.0.0.1:9' }),
      ...fast,
      backoff: { initialMs: 10, maxMs: 20, maxAttempts: 2 },
    });
    const { log } = track(conn);
    conn.start();
    await log.waitFor((s) => s.state === 'failed', 'failed');
    expect(conn.status.error?.code).to.equal('retries-exhausted');
  });

  it('dispose closes the socket (server sees it), completes the streams and stays closed', async () => {
    const a = await server('a');
    const conn = new ResilientConnection({ endpoints: of(ep(a)), ...fast });
    const { log } = track(conn);
    let completed = false;
    conn.status$.subscribe({ complete: () => (completed = true) });
    conn.start();
    await log.waitFor((s) => s.state === 'connected', 'connected');
    const admin = new Admin(a.url);
    cleanups.push(() => admin.close());
    conn.dispose();
    expect(completed).to.equal(true);
    expect(log.last?.state).to.equal('closed');
    await waitUntil(async () => (await admin.state()).connected === 0, 'server saw the disconnect');
    conn.start();
    await new Promise((r) => setTimeout(r, 300));
    expect((await admin.state()).handshakes).to.have.length(1);
  });
});
