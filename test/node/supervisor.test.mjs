// The cluster supervisor's control verbs (cluster/lib/supervisor.mjs) without spawning anything:
// fake children stand in for the forked processes (they report ready, answer IPC calls and
// "die" on SIGKILL), the store is a real one in a temporary directory, and the verbs are
// called over the real HTTP handler with the one control client.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate } from 'node:timers';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../cluster/lib/store.mjs';
import { loadProtocol } from '../../cluster/lib/protocol.mjs';
import { createSupervisor } from '../../cluster/lib/supervisor.mjs';

const protocol = await loadProtocol();
const { controlClient, ControlError } = protocol;

let nextPid = 90000;
let nextPort = 41000;

/** A forked process as the supervisor sees it: IPC, kill, exit. */
class FakeChild extends EventEmitter {
  /**
   * @param {string} id the --id it was started with
   * @param {Record<string, (params: any, child: FakeChild) => unknown>} answers by IPC method
   */
  constructor(id, answers) {
    super();
    this.id = id;
    this.pid = nextPid++;
    this.answers = answers;
    /** @type {{ method: string, params: any }[]} */
    this.calls = [];
    /** @type {string[]} */
    this.signals = [];
    this.dead = false;
    setImmediate(() => this.emit('message', { type: 'ready', port: nextPort++ }));
  }

  send(msg, cb) {
    if (this.dead) {
      cb?.(new Error('channel closed'));
      return false;
    }
    cb?.(null);
    if (msg?.rpc === 'call') {
      this.calls.push({ method: msg.method, params: msg.params });
      const answer = this.answers[msg.method];
      setImmediate(() => {
        if (this.dead) return;
        try {
          const result = answer ? answer(msg.params, this) : null;
          this.emit('message', { rpc: 'answer', id: msg.id, result: result ?? null });
        } catch (e) {
          this.emit('message', {
            rpc: 'answer',
            id: msg.id,
            error: { code: e.code ?? 'internal', message: e.message },
          });
        }
      });
    }
    return true;
  }

  kill(signal) {
    this.signals.push(signal);
    if (signal === 'SIGKILL' && !this.dead) {
      this.dead = true;
      setImmediate(() => this.emit('exit', null, 'SIGKILL'));
    }
    return true;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ag-supervisor-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A supervisor over fake children; `children` holds every fork, newest last per id. */
async function startSupervisor(t, opts = {}) {
  const db = openStore(join(dir, `store-${nextPort}.db`), { create: true });
  /** @type {FakeChild[]} */
  const children = [];
  const adopt = ({ sessionIds }, child) =>
    sessionIds.map((id) => {
      // what chat-instance.mjs does: take the session over in the store, epoch + 1
      db.prepare('UPDATE sessions SET instance_id = ?, epoch = epoch + 1 WHERE id = ?').run(
        child.id,
        id,
      );
      const s = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id);
      return { sessionId: id, interactionId: s.interaction_id, epoch: s.epoch };
    });
  const forks = [];
  const supervisor = createSupervisor({
    opts: {
      chatInstances: 2,
      basePort: 0,
      restoreDelayMs: 20,
      ivrStepMs: 50,
      pcsLeaseMs: 1000,
      startTimeoutMs: 5000,
      ...opts,
    },
    db,
    protocol,
    moduleDir: '/nowhere',
    fork: (module, args) => {
      forks.push({ module, args });
      const id = String(args[args.indexOf('--id') + 1]);
      const child = new FakeChild(id, {
        adopt,
        customerSend: ({ text }) => ({ seq: 1, text }),
        stats: () => ({ connections: 3 }),
        broken: () => {
          throw Object.assign(new Error('weird'), { code: 'no-such-code' });
        },
      });
      children.push(child);
      return child;
    },
    log: () => {},
  });
  await supervisor.start();
  const server = createServer((req, res) => supervisor.handleRequest(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const controlUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/control`;
  supervisor.listening({ controlPort: Number(new URL(controlUrl).port) });
  t.after(() => {
    supervisor.killAll();
    server.close();
    db.close();
  });
  const child = (id) => children.filter((c) => c.id === id).at(-1);
  return { supervisor, db, forks, child, controlUrl, call: controlClient(controlUrl) };
}

/** The ControlError a verb rejects with. */
async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ControlError, String(e));
    return e;
  }
  assert.fail('the verb was accepted');
}

async function until(predicate, what, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('supervisor: start-up and report', () => {
  test('forks every process with its id, port and flags; reports urls and pids', async (t) => {
    const { forks, supervisor, call } = await startSupervisor(t, { pcsLeaseMs: 777 });
    const ids = forks.map((f) => f.args[f.args.indexOf('--id') + 1]).sort();
    assert.deepEqual(ids, ['chat-1', 'chat-2', 'interactions', 'interactions-b', 'pcs-a', 'pcs-b']);
    const pcs = forks.find((f) => f.args.includes('pcs-a'));
    assert.equal(pcs?.module, join('/nowhere', 'pcs-node.mjs'));
    assert.ok(pcs?.args.includes('--lease-ms') && pcs.args.includes('777'));
    const info = /** @type {any} */ (await call('cluster.info'));
    assert.deepEqual(Object.keys(info.urls.chat), ['chat-1', 'chat-2']);
    assert.match(info.urls.interactions, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof info.pids['pcs-b'], 'number');
    assert.deepEqual(JSON.parse(JSON.stringify(supervisor.report().urls)), info.urls);
  });
});

describe('supervisor: argument validation', () => {
  test('a missing, empty or oversized id is a bad-request (400)', async (t) => {
    const { call } = await startSupervisor(t);
    for (const body of [
      {},
      { interactionId: '' },
      { interactionId: 'x'.repeat(257) },
      { interactionId: 7 },
    ]) {
      const e = await refusal(call('interactions.get', body));
      assert.equal(e.code, 'bad-request', JSON.stringify(body));
      assert.equal(e.httpStatus, 400);
    }
  });

  test('property changes are held to the shape the store needs', async (t) => {
    const { call } = await startSupervisor(t);
    const { interactionId } = /** @type {any} */ (await call('interactions.startChat'));
    const nested = await refusal(
      call('interactions.setProperties', { interactionId, set: { a: { b: 1 } } }),
    );
    assert.equal(nested.code, 'bad-request');
    const badUnset = await refusal(
      call('interactions.setProperties', { interactionId, set: {}, unset: [''] }),
    );
    assert.equal(badUnset.code, 'bad-request');
    // a hostile but well-shaped value passes: clients are tested against it
    const ok = /** @type {any} */ (
      await call('interactions.setProperties', {
        interactionId,
        set: { 'chat.url': 'http://evil' },
      })
    );
    assert.equal(ok.version, 2);
  });

  test('a body that is not JSON, or not an object, is refused or ignored as the verb needs', async (t) => {
    const { controlUrl, call } = await startSupervisor(t);
    const res = await fetch(`${controlUrl}/interactions/get`, { method: 'POST', body: '{nope' });
    const body = await res.json();
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'bad-request');
    // an array body counts as {}: the verb then misses its argument
    const e = await refusal(call('interactions.get', /** @type {any} */ (['ix'])));
    assert.equal(e.code, 'bad-request');
  });
});

describe('supervisor: error codes and HTTP statuses', () => {
  test('unknown verbs and methods are 404 not-found; GET /control is the report', async (t) => {
    const { controlUrl } = await startSupervisor(t);
    for (const [method, path] of [
      ['POST', '/chat/explode'],
      ['POST', '/chat/__proto__'],
      ['GET', '/chat/kill'],
      ['POST', '/nothing'],
    ]) {
      const res = await fetch(`${controlUrl}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal((await res.json()).error.code, 'not-found');
    }
    const res = await fetch(controlUrl);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).result.controlUrl, controlUrl);
  });

  test('unknown ids: not-found for processes, unknown-interaction / unknown-session for chats', async (t) => {
    const { call } = await startSupervisor(t);
    const noNode = await refusal(call('chat.kill', { id: 'chat-9' }));
    assert.deepEqual([noNode.code, noNode.httpStatus], ['not-found', 404]);
    // a PCS id is not a chat instance
    const wrongKind = await refusal(call('chat.freeze', { id: 'pcs-a' }));
    assert.equal(wrongKind.code, 'not-found');
    const noIx = await refusal(call('interactions.get', { interactionId: 'ix-none' }));
    assert.deepEqual([noIx.code, noIx.httpStatus], ['unknown-interaction', 404]);
    const { interactionId } = /** @type {any} */ (
      await call('interactions.startChat', { instanceId: 'chat-1' })
    );
    await call('chat.freeze', { id: 'chat-1' });
    const down = await refusal(call('customer.send', { interactionId, text: 'hi' }));
    assert.deepEqual([down.code, down.httpStatus], ['unknown-session', 404]);
  });

  test('a split brain without two running nodes is closed (409)', async (t) => {
    const { call } = await startSupervisor(t);
    await call('pcs.kill', { id: 'pcs-b' });
    const e = await refusal(call('pcs.splitBrain'));
    assert.deepEqual([e.code, e.httpStatus], ['closed', 409]);
  });

  test('a child that dies while answering is 503 unavailable; an unknown code is internal (500)', async (t) => {
    const { call, child } = await startSupervisor(t);
    const { interactionId } = /** @type {any} */ (
      await call('interactions.startChat', { instanceId: 'chat-2' })
    );
    const chat2 = child('chat-2');
    assert.ok(chat2);
    chat2.answers.customerSend = () => {
      chat2.dead = true; // SIGKILLed mid-call: never answers
      chat2.emit('exit', null, 'SIGKILL');
      return undefined;
    };
    const e = await refusal(call('customer.send', { interactionId, text: 'lost' }));
    assert.deepEqual([e.code, e.httpStatus], ['unavailable', 503]);
    const pcs = child('pcs-a');
    assert.ok(pcs);
    pcs.answers.misbehave = () => {
      throw Object.assign(new Error('odd'), { code: 'no-such-code' });
    };
    const odd = await refusal(call('pcs.misbehave', { id: 'pcs-a', mode: 'garbage' }));
    assert.deepEqual([odd.code, odd.httpStatus], ['internal', 500]);
  });
});

describe('supervisor: routing to instances', () => {
  test('customer.send goes to the instance that owns the session, with its session id', async (t) => {
    const { call, child } = await startSupervisor(t);
    const started = /** @type {any} */ (
      await call('interactions.startChat', { instanceId: 'chat-2' })
    );
    const answer = await call('customer.send', {
      interactionId: started.interactionId,
      text: 'hello',
    });
    assert.deepEqual(answer, { seq: 1, text: 'hello' });
    const sends = (id) => child(id)?.calls.filter((c) => c.method === 'customerSend') ?? [];
    assert.deepEqual(
      sends('chat-2').map((c) => c.params),
      [{ sessionId: started.sessionId, text: 'hello' }],
    );
    assert.equal(sends('chat-1').length, 0);
  });

  test('chat.stats asks that instance only, passing the reset of its event-loop window', async (t) => {
    const { call, child } = await startSupervisor(t);
    assert.deepEqual(await call('chat.stats', { id: 'chat-2', reset: true }), { connections: 3 });
    await call('chat.stats', { id: 'chat-2' });
    // the supervisor also polls every instance's stats on its own (no params): not ours
    const stats = (id) =>
      child(id)?.calls.filter(
        (c) => c.method === 'stats' && c.params?.resetEventLoop !== undefined,
      ) ?? [];
    assert.deepEqual(
      stats('chat-2').map((c) => c.params),
      [{ resetEventLoop: true }, { resetEventLoop: false }],
    );
    assert.equal(stats('chat-1').length, 0);
    assert.equal((await refusal(call('chat.stats', { id: 'chat-9' }))).code, 'not-found');
  });

  test('freeze / unfreeze signal only that process, once; kill is a SIGKILL', async (t) => {
    const { call, child } = await startSupervisor(t);
    await call('pcs.freeze', { id: 'pcs-b' });
    await call('pcs.freeze', { id: 'pcs-b' }); // a no-op, as in the mock
    await call('pcs.unfreeze', { id: 'pcs-b' });
    assert.deepEqual(child('pcs-b')?.signals, ['SIGSTOP', 'SIGCONT']);
    assert.deepEqual(child('pcs-a')?.signals, []);
    await call('interactions.kill', { id: 'interactions-b' });
    assert.deepEqual(child('interactions-b')?.signals, ['SIGKILL']);
    assert.deepEqual(child('interactions')?.signals, []);
    const servers = /** @type {any[]} */ (await call('interactions.servers'));
    assert.deepEqual(
      servers.map((s) => [s.id, s.alive, s.connections]),
      [
        ['interactions', true, 3],
        ['interactions-b', false, 0],
      ],
    );
  });

  test('chat.kill: the sessions are restoring, then adopted by another instance (epoch + 1)', async (t) => {
    const { call, child } = await startSupervisor(t);
    const { interactionId } = /** @type {any} */ (
      await call('interactions.startChat', { instanceId: 'chat-1' })
    );
    await call('chat.kill', { id: 'chat-1' });
    assert.deepEqual(child('chat-1')?.signals, ['SIGKILL']);
    const get = async () =>
      /** @type {any} */ (await call('interactions.get', { interactionId })).properties;
    assert.equal((await get())['chat.state'], 'restoring');
    await until(async () => (await get())['chat.state'] === 'active', 'the restore');
    const props = await get();
    assert.equal(props['chat.instanceId'], 'chat-2');
    assert.equal(props['chat.epoch'], 2);
    assert.equal(child('chat-2')?.calls.filter((c) => c.method === 'adopt').length, 1);
  });

  test('chat.kill with no other instance: revived, the one left takes its sessions back', async (t) => {
    const { call, child } = await startSupervisor(t);
    const { interactionId } = /** @type {any} */ (
      await call('interactions.startChat', { instanceId: 'chat-1' })
    );
    await call('chat.kill', { id: 'chat-2' });
    await call('chat.kill', { id: 'chat-1' });
    const killed = child('chat-1');
    await call('chat.revive', { id: 'chat-1' });
    const revived = child('chat-1');
    assert.notEqual(revived, killed, 'a new process');
    const get = async () =>
      /** @type {any} */ (await call('interactions.get', { interactionId })).properties;
    await until(async () => (await get())['chat.state'] === 'active', 'the restore');
    const props = await get();
    assert.equal(props['chat.instanceId'], 'chat-1');
    assert.equal(props['chat.epoch'], 2);
    assert.equal(revived?.calls.filter((c) => c.method === 'adopt').length, 1);
  });
});
