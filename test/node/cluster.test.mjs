// The reference cluster leaves no process behind: not after SIGTERM or Ctrl-C, and not when
// its supervisor is SIGKILLed while a child is frozen with SIGSTOP (that child cannot run its
// own exit-on-disconnect handler; the watchdog must end it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { fork, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const main = new URL('../../cluster/main.mjs', import.meta.url).pathname;

/** Alive = exists and is not a zombie waiting for a reaper that may never come in a container. */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(predicate, timeoutMs = 8000) {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

// Whatever a failing test leaves running is killed at the end, so the runner never hangs.
const started = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
});

async function waitUntilAsync(predicate, timeoutMs = 8000) {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function startWithIpc(args = []) {
  const child = fork(main, ['--ipc', ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info }));
    child.once('exit', (code) => reject(new Error(`cluster exited early (${code})`)));
  });
}

/**
 * The shared control client (src/backend/control-client.ts, from the cluster's bundle).
 * @returns {Promise<any>}
 */
async function control(controlUrl, verb, body = {}) {
  const { controlClient } = await import('../../cluster/lib/rules.mjs');
  return controlClient(controlUrl)(verb, body);
}

async function storeDir(controlUrl) {
  // The store lives in a temp dir named after the supervisor; find it through /proc.
  const processes = await control(controlUrl, 'cluster.processes');
  const environ = readFileSync(`/proc/${processes[0].pid}/environ`, 'utf8').split('\0');
  const store = environ.find((e) => e.startsWith('AG_STORE='));
  assert.ok(store, 'the supervisor has AG_STORE in its environment');
  return dirname(store.slice('AG_STORE='.length));
}

test('reports every url and pid over IPC, and SIGTERM ends every process and removes the store', async () => {
  const { child, info } = await startWithIpc(['--chat-instances', '2']);
  assert.match(info.controlUrl, /^http:\/\/127\.0\.0\.1:\d+\/control$/);
  assert.deepEqual(Object.keys(info.urls.chat), ['chat-1', 'chat-2']);
  assert.deepEqual(Object.keys(info.urls.pcs), ['pcs-a', 'pcs-b']);
  assert.match(info.urls.pcsVip, /^http:\/\/127\.0\.0\.1:\d+$/);
  const pids = Object.values(info.pids);
  assert.equal(pids.length, 7); // 2 interaction servers, 2 chat instances, 2 PCS nodes, the watchdog
  assert.ok(pids.every(alive));
  const dir = await storeDir(info.controlUrl);
  assert.ok(existsSync(dir));

  child.kill('SIGTERM');
  assert.ok(
    await waitUntil(() => !alive(child.pid) && pids.every((p) => !alive(p))),
    'processes left behind',
  );
  assert.equal(existsSync(dir), false, 'store left behind');
});

test('a SIGKILLed supervisor takes all its children with it, frozen ones included', async () => {
  const { child, info } = await startWithIpc();
  await control(info.controlUrl, 'chat.freeze', { id: 'chat-2' });
  await control(info.controlUrl, 'pcs.freeze', { id: 'pcs-b' });
  const pids = Object.values(info.pids);
  assert.ok(pids.every(alive));

  child.kill('SIGKILL');
  assert.ok(
    await waitUntil(() => pids.every((p) => !alive(p))),
    `left behind: ${pids.filter(alive).join(', ')}`,
  );
});

test('`npm run cluster` prints its endpoints and Ctrl-C (SIGINT) stops everything', async () => {
  const child = spawn(process.execPath, [main, '--chat-instances', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  assert.ok(await waitUntil(() => out.includes('Ctrl-C'), 15000), out);
  for (const name of [
    'control',
    'interactions',
    'interactions-b',
    'chat-1',
    'pcs-a',
    'pcs-b',
    'pcs vip',
  ])
    assert.match(out, new RegExp(`${name}\\s+http://127\\.0\\.0\\.1:\\d+`));
  const controlUrl = /control\s+(\S+)/.exec(out)?.[1];
  assert.ok(controlUrl, 'the control url is printed');
  const pids = (await control(controlUrl, 'cluster.processes')).map((p) => p.pid);
  assert.equal(pids.length, 5);

  child.kill('SIGINT');
  assert.ok(
    await waitUntil(() => !alive(child.pid) && pids.every((p) => !alive(p))),
    'processes left behind',
  );
});

describe('a running cluster', () => {
  let child;
  let info;
  before(async () => {
    ({ child, info } = await startWithIpc([
      '--chat-instances',
      '2',
      '--restore-delay-ms',
      '50',
      '--ivr-step-ms',
      '60000',
    ]));
  });
  after(() => child?.kill('SIGTERM'));

  test('a chat instance killed with SIGKILL comes back on the same url when revived', async () => {
    const before = await control(info.controlUrl, 'chat.instances');
    await control(info.controlUrl, 'chat.kill', { id: 'chat-1' });
    assert.equal(alive(before[0].pid), false);
    await control(info.controlUrl, 'chat.revive', { id: 'chat-1' });
    const after = await control(info.controlUrl, 'chat.instances');
    assert.equal(after[0].url, before[0].url);
    assert.notEqual(after[0].pid, before[0].pid);
    assert.equal(after[0].alive, true);
  });

  test('a chat instance SIGKILLed from outside (by pid) has its sessions restored elsewhere', async () => {
    const chat = await control(info.controlUrl, 'interactions.startChat', { instanceId: 'chat-2' });
    await control(info.controlUrl, 'customer.send', {
      interactionId: chat.interactionId,
      text: 'hi',
    });
    const [, victim] = await control(info.controlUrl, 'chat.instances');
    process.kill(victim.pid, 'SIGKILL');
    /** @type {Record<string, unknown>} */
    let props = {};
    assert.ok(
      await waitUntilAsync(async () => {
        props = (await control(info.controlUrl, 'interactions.get', chat)).properties;
        return props['chat.state'] === 'active' && props['chat.instanceId'] === 'chat-1';
      }),
      JSON.stringify(props),
    );
    assert.equal(props['chat.epoch'], 2);
    const transcript = await control(info.controlUrl, 'chat.transcript', chat);
    assert.deepEqual(
      transcript.map((m) => m.text),
      ['hi'],
    );
    await control(info.controlUrl, 'chat.revive', { id: 'chat-2' });
  });

  test('verbs racing the SIGKILL of their instance get coded errors and the supervisor stays up', async () => {
    const chat = await control(info.controlUrl, 'interactions.startChat', { instanceId: 'chat-1' });
    const [victim] = await control(info.controlUrl, 'chat.instances');
    let killed = false;
    const answers = [];
    // customers keep posting while the instance is killed from outside: some sends reach a
    // process that is dying (EPIPE on the IPC channel), which once crashed the supervisor
    const customers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 40; i++) {
        if (i === 10 && !killed) {
          killed = true;
          process.kill(victim.pid, 'SIGKILL');
        }
        const res = await fetch(`${info.controlUrl}/customer/send`, {
          method: 'POST',
          body: JSON.stringify({ interactionId: chat.interactionId, text: `c${i}` }),
        });
        answers.push({ status: res.status, body: await res.json() });
      }
    });
    await Promise.all(customers);
    assert.equal(answers.length, 160);
    for (const { status, body } of answers) {
      if (body.ok) continue;
      assert.ok([404, 503].includes(status), JSON.stringify({ status, body }));
      assert.match(body.error.code, /^(unknown-session|unavailable)$/);
    }
    assert.ok(
      answers.some((a) => a.body.ok),
      'no send got through before the kill',
    );
    assert.equal(alive(child.pid), true);
    await control(info.controlUrl, 'chat.revive', { id: 'chat-1' });
    assert.equal((await control(info.controlUrl, 'chat.instances'))[0].alive, true);
  });

  test('hostile control and HTTP requests get coded errors and no process dies', async () => {
    const post = async (path, body) => {
      const res = await fetch(`${info.controlUrl}/${path}`, { method: 'POST', body });
      return { status: res.status, json: await res.json() };
    };
    /** @type {[{ status: number, json: any }, number, string][]} */
    const cases = [
      [await post('nope/verb', '{}'), 404, 'not-found'],
      [await post('chat/kill', '{"id": '), 400, 'bad-request'],
      [await post('chat/kill', JSON.stringify({ id: 'chat-99' })), 404, 'not-found'],
      [await post('interactions/get', '{}'), 400, 'bad-request'],
      [
        await post('interactions/get', JSON.stringify({ interactionId: 'ix-none' })),
        404,
        'unknown-interaction',
      ],
      [
        await post('customer/send', JSON.stringify({ interactionId: 'ix-none', text: 'x' })),
        404,
        'unknown-interaction',
      ],
      [
        await post(
          'interactions/setProperties',
          JSON.stringify({ interactionId: 'ix-none', set: [1, 2] }),
        ),
        400,
        'bad-request',
      ],
    ];
    for (const [res, status, code] of cases) {
      assert.equal(res.status, status, JSON.stringify(res.json));
      assert.equal(res.json.error.code, code);
    }
    // Garbage at the socket.io endpoints and plain HTTP to the socket.io-only servers.
    const servers = [
      [info.urls.interactions, 404],
      [info.urls.chat['chat-1'], 404],
      [info.urls.pcs['pcs-a'], 401], // PCS checks the token before the route
      [info.urls.pcsVip, 401],
    ];
    for (const [url, status] of servers) {
      const plain = await fetch(`${url}/anything`);
      assert.equal(plain.status, status);
      assert.equal((await plain.json()).ok, false);
      await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
        method: 'POST',
        body: '\u0000garbage',
      }).catch(() => {});
      await fetch(`${url}/socket.io/?EIO=999&transport=nope`).catch(() => {});
    }
    const processes = await control(info.controlUrl, 'cluster.processes');
    assert.ok(
      processes.every((p) => p.alive && alive(p.pid)),
      JSON.stringify(processes),
    );
  });

  test('pcs.ivr drives a survey request through the IVR by hand', async () => {
    const res = await fetch(`${info.urls.pcsVip}/survey-requests`, {
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        idempotencyKey: 'ivr-1',
        dialogId: 'd1',
        ani: '5551234567',
        dialedNumber: '8000',
        agentId: 'agent1',
        surveyId: 'srv-8000',
        channel: 'ivr',
        language: 'en',
        mode: 'hangup',
      }),
    });
    assert.equal(res.status, 201);
    const { requestId } = await res.json();
    // a subscriber on the stream hears every step, even several between two of the node's polls
    const stream = io(info.urls.pcsVip, {
      transports: ['websocket'],
      auth: { token: 't' },
      reconnection: false,
    });
    /** @type {string[]} */
    const pushed = [];
    stream.on('survey-status', (/** @type {{ status: string }} */ e) => pushed.push(e.status));
    try {
      const sub = await stream
        .timeout(10_000)
        .emitWithAck('subscribe', { requestIds: [requestId] });
      assert.equal(sub.ok, true);
      const steps = [];
      for (let i = 0; i < 4; i++)
        steps.push((await control(info.controlUrl, 'pcs.ivr', { requestId })).status);
      assert.deepEqual(steps, ['offered', 'in-progress', 'completed', 'completed']);
      for (let waited = 0; !pushed.includes('completed') && waited < 20_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(pushed, ['offered', 'in-progress', 'completed']);
    } finally {
      stream.close();
    }
    const [record] = await control(info.controlUrl, 'pcs.requests');
    assert.equal(record.requestId, requestId);
    assert.ok(record.score >= 1 && record.score <= 5);
  });
});
