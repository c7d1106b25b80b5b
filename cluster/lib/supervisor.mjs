// The reference cluster's supervisor as a module: its processes, the chat restore and
// relocation logic, the PCS status view and the control API's verbs, built by a factory that
// takes everything with an effect on the outside (forking, the store, the clock, logging), so
// the verbs are unit-tested without spawning anything (test/node/supervisor.test.mjs).
// cluster/main.mjs is the CLI around it: flags, the store's directory, the watchdog, the HTTP
// listeners, signals.
import { join } from 'node:path';
import { abandon, call, serve, fault } from './ipc.mjs';
import { rowToSurveyRecord, sessionByInteraction, transcript } from './store.mjs';
import { advance } from './surveys.mjs';
import { propertyStore } from './properties.mjs';
import { applyCors, parse, readJson, sendJson, sendError, statusFor } from './common.mjs';

/**
 * @typedef {object} SupervisorOptions
 * @property {number} chatInstances
 * @property {number} basePort 0: every process picks a free port
 * @property {number} restoreDelayMs
 * @property {number} ivrStepMs
 * @property {number} pcsLeaseMs
 * @property {number} startTimeoutMs how long a process may take to report ready
 */

/**
 * @typedef {object} SupervisorDeps
 * @property {SupervisorOptions} opts
 * @property {import('better-sqlite3').Database} db the shared store (cluster/lib/store.mjs)
 * @property {any} protocol the protocol bundle (validators `v`, `rules`: src/backend/rules.ts)
 * @property {(module: string, args: string[], options: object) => any} fork
 *   child_process.fork, or a fake child (IPC `send` / 'message', `kill`, `pid`, 'exit')
 * @property {string} moduleDir where the children's modules are (cluster/)
 * @property {Record<string, string | undefined>} [childEnv]
 * @property {(pids: (number | undefined)[]) => void} [onProcessesChanged] the watchdog's list
 * @property {() => Record<string, number | undefined>} [extraPids] reported with the children's
 * @property {() => number} [now]
 * @property {(...args: unknown[]) => void} [log]
 */

/**
 * @param {SupervisorDeps} deps
 */
export function createSupervisor({
  opts,
  db,
  protocol,
  fork,
  moduleDir,
  childEnv = {},
  onProcessesChanged = () => {},
  extraPids = () => ({}),
  now = Date.now,
  log = console.error,
}) {
  const rules = protocol.rules;
  const port = (offset) => (opts.basePort > 0 ? opts.basePort + offset : 0);
  const urlOf = (p) => `http://127.0.0.1:${p}`;
  const properties = propertyStore(db);
  /**
   * Control-side property changes. Values are deliberately not held to the property validator:
   * tests push hostile values (a foreign chat.url, an oversized string) and watch the client
   * refuse them. Only the shape the store needs is checked.
   */
  const controlChange = protocol.v.object({
    set: protocol.v.record(
      protocol.v.union(protocol.v.string(), protocol.v.number(), protocol.v.boolean()),
      { max: 1000 },
    ),
    unset: protocol.v.array(protocol.v.string({ min: 1, max: 1000 }), { max: 1000 }),
  });
  /** @type {Map<string, Proc>} */
  const procs = new Map();
  let shuttingDown = false;
  /** @type {{ controlPort?: number, vipPort?: number }} */
  const listening = {};

  /** Tells the watchdog (through the CLI) which pids to end should the supervisor die. */
  function syncWatchdog() {
    onProcessesChanged([...procs.values()].filter((p) => p.alive).map((p) => p.child?.pid));
  }

  /** Forks (or re-forks) a cluster process and resolves once it listens. */
  function spawn(proc) {
    return new Promise((resolve, reject) => {
      const child = fork(
        join(moduleDir, proc.module),
        ['--id', proc.id, '--port', String(proc.port), ...proc.args],
        {
          env: childEnv,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          execArgv: [],
        },
      );
      Object.assign(proc, { child, alive: true, frozen: false, killing: false, connections: 0 });
      const timer = setTimeout(
        () => reject(new Error(`${proc.id} did not start within ${opts.startTimeoutMs} ms`)),
        opts.startTimeoutMs,
      );
      serve(child, childHandlers, (msg) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          proc.port = msg.port;
          resolve(proc);
        } else if (msg.type === 'stats') {
          proc.connections = msg.connections;
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        abandon(child);
        if (proc.child === child)
          Object.assign(proc, { alive: false, frozen: false, connections: 0 });
        syncWatchdog();
        // A chat instance that died on its own (or was SIGKILLed from outside, by pid) is
        // restored like one killed through the control API.
        if (proc.kind === 'chat' && !proc.killing && !shuttingDown && proc.child === child) {
          chatDied(proc).catch((e) => log('[cluster] restore after crash', e.message));
        }
        reject(new Error(`${proc.id} exited before it was ready`));
      });
      syncWatchdog();
    });
  }

  /**
   * One child process of the cluster; `child` is null until it is first forked.
   * @typedef {{ id: string, kind: string, module: string, args: string[], port: number,
   *   child: import('node:child_process').ChildProcess | null, alive: boolean, frozen: boolean,
   *   draining: boolean, connections: number, killing?: boolean, lastEpoch?: number }} Proc
   */

  /** @returns {Proc} */
  function addProc(id, kind, module, portOffset, args = []) {
    /** @type {Proc} */
    const proc = {
      id,
      kind,
      module,
      args,
      port: port(portOffset),
      child: null,
      alive: false,
      frozen: false,
      draining: false,
      connections: 0,
    };
    procs.set(id, proc);
    return proc;
  }

  function get(kind, id) {
    const proc = procs.get(String(id));
    if (!proc || proc.kind !== kind) throw fault('not-found', `no ${kind} node ${id}`);
    return proc;
  }

  function killProc(proc) {
    if (!proc.alive) return Promise.resolve();
    proc.killing = true;
    return new Promise((/** @type {(v?: void) => void} */ resolve) => {
      proc.child.once('exit', () => resolve());
      proc.child.kill('SIGKILL');
    });
  }

  /** SIGSTOP / SIGCONT; like the mock, a no-op on a process that is not running. */
  function signal(proc, sig, frozen) {
    if (!proc.alive || proc.frozen === frozen) return null;
    proc.child.kill(sig);
    proc.frozen = frozen;
    return null;
  }

  const usable = (proc) => proc.alive && !proc.frozen;
  const interactions = addProc('interactions', 'interactions', 'interactions.mjs', 1);
  const interactionsBackup = addProc(
    'interactions-b',
    'interactions',
    'interactions.mjs',
    5 + opts.chatInstances,
  );
  const interactionServers = [interactions, interactionsBackup];
  const chats = Array.from({ length: opts.chatInstances }, (_, i) =>
    addProc(`chat-${i + 1}`, 'chat', 'chat-instance.mjs', 5 + i),
  );
  const pcsArgs = ['--lease-ms', String(opts.pcsLeaseMs), '--ivr-step-ms', String(opts.ivrStepMs)];
  const pcsNodes = [
    addProc('pcs-a', 'pcs', 'pcs-node.mjs', 3, pcsArgs),
    addProc('pcs-b', 'pcs', 'pcs-node.mjs', 4, pcsArgs),
  ];

  /** Calls from children: a chat instance closed a session (transcript-save-on-error = close). */
  const childHandlers = {
    sessionClosed: ({ interactionId }) => setProps(interactionId, { 'chat.state': 'closed' }),
  };

  // ---- chat: restore, relocation -------------------------------------------------------------
  /** Property changes go to the store; both interaction servers push them from its delta log. */
  const setProps = async (interactionId, set, unset = []) => ({
    version: properties.setProperties(interactionId, set, unset).version,
  });
  const activeSessionsOn = (instanceId) =>
    db
      .prepare("SELECT id, interaction_id FROM sessions WHERE instance_id = ? AND state = 'active'")
      .all(instanceId);
  const sessionCount = (instanceId) =>
    db
      .prepare("SELECT COUNT(*) AS n FROM sessions WHERE instance_id = ? AND state = 'active'")
      .get(instanceId).n;

  function pickTarget(excludeId) {
    const candidates = chats.filter((c) => usable(c) && !c.draining && c.id !== excludeId);
    candidates.sort((a, b) => sessionCount(a.id) - sessionCount(b.id));
    return candidates[0];
  }

  /** The target loads the sessions from the store (epoch + 1); the interaction server announces it. */
  async function moveSessions(sessionIds, target) {
    const moved = await call(target.child, 'adopt', { sessionIds });
    for (const m of moved) {
      await setProps(m.interactionId, {
        'chat.instanceId': target.id,
        'chat.url': urlOf(target.port),
        'chat.epoch': m.epoch,
        'chat.state': 'active',
      });
    }
    return moved;
  }

  /** A chat instance is gone: its sessions are 'restoring' until another instance adopts them. */
  async function chatDied(proc) {
    for (const s of activeSessionsOn(proc.id)) {
      await setProps(s.interaction_id, { 'chat.state': 'restoring' }).catch(() => {});
    }
    scheduleRestore(proc.id);
  }

  /** After a crash: restore the dead instance's sessions elsewhere (retrying up to 60 s, like Genesys). */
  function scheduleRestore(fromId, startedAt = now()) {
    setTimeout(() => {
      restore(fromId, startedAt).catch((e) => log('[cluster] restore', e));
    }, opts.restoreDelayMs);
  }

  async function restore(fromId, startedAt) {
    const sessions = shuttingDown ? [] : activeSessionsOn(fromId);
    const from = procs.get(fromId);
    const other = pickTarget(fromId);
    // The same rule as the mock (src/backend/rules.ts restoreStep).
    const step = rules.restoreStep({
      shuttingDown,
      sessions: sessions.length,
      fromUsable: Boolean(from && usable(from)),
      hasOtherTarget: Boolean(other),
      elapsedMs: now() - startedAt,
    });
    if (step === 'retry') scheduleRestore(fromId, startedAt);
    const target = step === 'move' ? other : step === 'move-back' ? from : undefined;
    if (!target) return;
    try {
      await moveSessions(
        sessions.map((s) => s.id),
        target,
      );
    } catch (e) {
      log('[cluster] restore failed, retrying', e.message);
      if (rules.retryRestoreAfterFailure(now() - startedAt)) scheduleRestore(fromId, startedAt);
    }
  }

  async function relocate(interactionId, toId) {
    const s = sessionByInteraction(db, interactionId);
    if (!s) throw fault('unknown-interaction', `no chat interaction ${interactionId}`);
    const target = toId ? get('chat', toId) : pickTarget(s.instance_id);
    if (!target || !usable(target))
      throw fault('not-found', 'no chat instance can take the session');
    if (target.id === s.instance_id) return { instanceId: target.id };
    const from = procs.get(s.instance_id);
    await moveSessions([s.id], target);
    if (from && usable(from))
      await call(from.child, 'release', { sessionId: s.id }).catch(() => {});
    return { instanceId: target.id };
  }

  function owner(interactionId) {
    const s = sessionByInteraction(db, interactionId);
    if (!s) throw fault('unknown-interaction', `no chat interaction ${interactionId}`);
    const proc = procs.get(s.instance_id);
    if (!proc || !usable(proc))
      throw fault('unknown-session', `the session's instance ${s.instance_id} is down`);
    return { session: s, proc };
  }

  // ---- PCS -----------------------------------------------------------------------------------
  function primaryPort() {
    const lease = db.prepare('SELECT holder, lease_until FROM pcs_lease WHERE id = 1').get();
    const holder = lease?.holder && procs.get(lease.holder);
    return holder && holder.alive && lease.lease_until >= now() ? holder.port : undefined;
  }

  async function nodeStatuses() {
    const lease = db.prepare('SELECT * FROM pcs_lease WHERE id = 1').get();
    return Promise.all(
      pcsNodes.map(async (n) => {
        const base = { id: n.id, url: urlOf(n.port), alive: n.alive, frozen: n.frozen };
        if (usable(n)) {
          const s = await call(n.child, 'status', {}, 1000).catch(() => undefined);
          if (s) {
            n.lastEpoch = s.epoch;
            return { ...base, role: s.role, epoch: s.epoch, leaseUntil: s.leaseUntil };
          }
        }
        // Dead or frozen: it answers nothing, so report the last epoch it was seen with.
        return {
          ...base,
          role: 'standby',
          epoch: lease.holder === n.id ? lease.epoch : (n.lastEpoch ?? 0),
          leaseUntil: 0,
        };
      }),
    );
  }

  const str = (v, name) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > 256)
      throw fault('bad-request', `${name} is required`);
    return v;
  };

  const verbs = {
    'cluster.info': () => report(),
    'cluster.processes': () =>
      [...procs.values()].map((p) => ({
        id: p.id,
        kind: p.kind,
        pid: p.child?.pid,
        alive: p.alive,
        frozen: p.frozen,
      })),
    /** Open sockets across the cluster (leak checks); a frozen process counts what it last said. */
    'cluster.connections': async () => {
      const counts = await Promise.all(
        [...procs.values()].map(async (p) => {
          if (!p.alive) return 0;
          if (usable(p)) {
            const stats = await call(p.child, 'stats', {}, 1000).catch(() => undefined);
            if (stats) p.connections = stats.connections;
          }
          return p.connections;
        }),
      );
      return counts.reduce((a, b) => a + b, 0);
    },

    'interactions.startChat': (
      /** @type {{ customerName?: string, instanceId?: string }} */ {
        customerName,
        instanceId,
      } = {},
    ) =>
      properties.startChat({
        customerName,
        instanceId,
        candidates: chats
          .filter((c) => usable(c) && !c.draining)
          .map((c) => ({ id: c.id, url: urlOf(c.port) })),
      }),
    'interactions.get': ({ interactionId }) => {
      const snap = properties.snapshot(str(interactionId, 'interactionId'));
      if (!snap) throw fault('unknown-interaction', `no interaction ${interactionId}`);
      return { version: snap.version, properties: snap.properties };
    },
    'interactions.setProperties': ({ interactionId, set, unset }) => {
      const change = parse(controlChange, { set: set ?? {}, unset: unset ?? [] });
      return setProps(str(interactionId, 'interactionId'), change.set, change.unset);
    },
    'interactions.emitRaw': ({ interactionId, payload }) => {
      properties.emitRaw(str(interactionId, 'interactionId'), payload);
      return null;
    },
    'interactions.overrideNextWatch': ({ interactionId, patch, id = 'interactions' }) => {
      const proc = get('interactions', id);
      const { version, properties: props } = patch ?? {};
      return call(proc.child, 'overrideNextWatch', {
        interactionId: str(interactionId, 'interactionId'),
        patch: {
          ...(version !== undefined ? { version } : {}),
          ...(props !== undefined ? { properties: props } : {}),
        },
      });
    },
    'interactions.kill': ({ id = 'interactions' }) =>
      killProc(get('interactions', id)).then(() => null),
    'interactions.revive': async ({ id = 'interactions' }) => {
      const proc = get('interactions', id);
      if (!proc.alive) await spawn(proc);
      return null;
    },
    'interactions.freeze': ({ id = 'interactions' }) =>
      signal(get('interactions', id), 'SIGSTOP', true),
    'interactions.unfreeze': ({ id = 'interactions' }) =>
      signal(get('interactions', id), 'SIGCONT', false),
    'interactions.servers': () =>
      Promise.all(
        interactionServers.map(async (s) => {
          if (usable(s)) {
            const stats = await call(s.child, 'stats', {}, 1000).catch(() => undefined);
            if (stats) s.connections = stats.connections;
          }
          return {
            id: s.id,
            url: urlOf(s.port),
            alive: s.alive,
            frozen: s.frozen,
            connections: s.alive ? s.connections : 0,
          };
        }),
      ),

    'customer.send': ({ interactionId, text }) => {
      const { session, proc } = owner(str(interactionId, 'interactionId'));
      return call(proc.child, 'customerSend', { sessionId: session.id, text: String(text ?? '') });
    },
    'customer.typing': ({ interactionId, typing }) => {
      const { session, proc } = owner(str(interactionId, 'interactionId'));
      return call(proc.child, 'customerTyping', { sessionId: session.id, typing: Boolean(typing) });
    },

    'chat.kill': async ({ id }) => {
      const proc = get('chat', id);
      if (!proc.alive) return null;
      await killProc(proc);
      await chatDied(proc);
      return null;
    },
    'chat.revive': async ({ id }) => {
      const proc = get('chat', id);
      proc.draining = false;
      if (!proc.alive) await spawn(proc);
      return null;
    },
    'chat.freeze': ({ id }) => signal(get('chat', id), 'SIGSTOP', true),
    'chat.unfreeze': ({ id }) => signal(get('chat', id), 'SIGCONT', false),
    'chat.drain': async ({ id }) => {
      const proc = get('chat', id);
      proc.draining = true;
      const sessions = activeSessionsOn(proc.id);
      if (usable(proc) && sessions.length) {
        await call(proc.child, 'notice', {
          sessionIds: sessions.map((s) => s.id),
          code: 'draining',
          text: 'This chat server is being drained.',
        });
      }
      for (const s of sessions) await relocate(s.interaction_id);
      // The property updates have told every client where to go; now the old sockets end.
      if (usable(proc)) await call(proc.child, 'disconnectAll').catch(() => {});
      return null;
    },
    'chat.relocate': ({ interactionId, toId }) =>
      relocate(str(interactionId, 'interactionId'), toId),
    'chat.failTranscriptSave': ({ interactionId, mode = 'notice' }) => {
      const s = sessionByInteraction(db, str(interactionId, 'interactionId'));
      if (!s) throw fault('unknown-interaction', `no chat interaction ${interactionId}`);
      db.prepare('UPDATE sessions SET fail_save = ? WHERE id = ?').run(
        mode === 'close' ? 'close' : 'notice',
        s.id,
      );
      return null;
    },
    'chat.transcript': ({ interactionId }) => {
      const s = sessionByInteraction(db, str(interactionId, 'interactionId'));
      if (!s) throw fault('unknown-interaction', `no chat interaction ${interactionId}`);
      return transcript(db, s.id);
    },
    'chat.instances': () =>
      chats.map((c) => ({
        id: c.id,
        url: urlOf(c.port),
        alive: c.alive,
        frozen: c.frozen,
        draining: c.draining,
        sessions: sessionCount(c.id),
        connections: c.alive ? c.connections : 0,
        pid: c.child?.pid,
      })),
    /** One instance's own figures: connections, event-loop delay (`reset`: start a new window). */
    'chat.stats': ({ id, reset = false }) =>
      call(get('chat', id).child, 'stats', { resetEventLoop: Boolean(reset) }),
    'chat.emitRaw': ({ interactionId, event, payload }) => {
      const { session, proc } = owner(str(interactionId, 'interactionId'));
      return call(proc.child, 'emitRaw', {
        sessionId: session.id,
        event: str(event, 'event'),
        payload,
      });
    },

    'pcs.kill': ({ id }) => killProc(get('pcs', id)).then(() => null),
    'pcs.revive': async ({ id }) => {
      const proc = get('pcs', id);
      if (!proc.alive) await spawn(proc);
      return null;
    },
    'pcs.freeze': ({ id }) => signal(get('pcs', id), 'SIGSTOP', true),
    'pcs.unfreeze': ({ id }) => signal(get('pcs', id), 'SIGCONT', false),
    /** Both nodes claim primary: the fresh one takes the lease with epoch + 1, the old keeps its epoch. */
    'pcs.splitBrain': async () => {
      const statuses = await nodeStatuses();
      const stale = statuses.find((s) => s.role === 'primary');
      const fresh = statuses.find((s) => s !== stale && s.alive && !s.frozen);
      if (!stale || !fresh)
        throw fault('closed', 'split brain needs a running primary and a running standby');
      await call(get('pcs', stale.id).child, 'splitBrainStale');
      await call(get('pcs', fresh.id).child, 'forceTakeover');
      return nodeStatuses();
    },
    'pcs.heal': async () => {
      for (const n of pcsNodes.filter(usable)) await call(n.child, 'heal');
      return nodeStatuses();
    },
    'pcs.requests': () =>
      db
        .prepare('SELECT * FROM survey_requests ORDER BY created_at, id')
        .all()
        .map(rowToSurveyRecord),
    'pcs.nodes': () => nodeStatuses(),
    'pcs.surveys': () => rules.surveysCopy(),
    'pcs.misbehave': ({ id, mode }) =>
      call(get('pcs', id).child, 'misbehave', { mode: mode ?? null }),
    /** The simulated IVR takes one step for this request now (offered -> in-progress -> completed). */
    'pcs.ivr': ({ requestId }) => {
      const row = db
        .transaction(() => {
          const r = db
            .prepare('SELECT * FROM survey_requests WHERE id = ?')
            .get(str(requestId, 'requestId'));
          if (!r) throw fault('not-found', `no survey request ${requestId}`);
          advance(db, r, now(), opts.ivrStepMs);
          return db.prepare('SELECT * FROM survey_requests WHERE id = ?').get(requestId);
        })
        .immediate();
      return rowToSurveyRecord(row);
    },
  };

  async function handleControl(req, res) {
    applyCors(req, res);
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    if (req.method === 'GET' && url.pathname === '/control')
      return sendJson(res, 200, { ok: true, result: report() });
    const m = /^\/control\/([a-z]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const verb =
      m && Object.hasOwn(verbs, `${m[1]}.${m[2]}`) ? verbs[`${m[1]}.${m[2]}`] : undefined;
    if (req.method !== 'POST' || !verb)
      return sendError(res, 404, 'not-found', `no control verb ${url.pathname.slice(0, 100)}`);
    try {
      const body = await readJson(req, rules.maxControlBodyBytes);
      const result = await verb(
        body && typeof body === 'object' && !Array.isArray(body) ? body : {},
      );
      sendJson(res, 200, { ok: true, result: result ?? null });
    } catch (e) {
      // A process that died while answering (SIGKILL racing a verb) is a 503, not a crash.
      if (e?.code === 'unavailable') return sendError(res, 503, 'unavailable', String(e.message));
      const code = rules.answerCode(e?.code);
      if (code === 'internal') log('[cluster] control', e);
      sendError(res, statusFor(code), code, rules.errorMessageOf(e));
    }
  }

  function report() {
    return {
      controlUrl: listening.controlPort ? `${urlOf(listening.controlPort)}/control` : undefined,
      urls: {
        interactions: urlOf(interactions.port),
        interactionsBackup: urlOf(interactionsBackup.port),
        chat: Object.fromEntries(chats.map((c) => [c.id, urlOf(c.port)])),
        pcs: Object.fromEntries(pcsNodes.map((n) => [n.id, urlOf(n.port)])),
        pcsVip: listening.vipPort ? urlOf(listening.vipPort) : undefined,
      },
      pids: {
        ...Object.fromEntries([...procs.values()].map((p) => [p.id, p.child?.pid])),
        ...extraPids(),
      },
    };
  }

  /** An HTTP request to the control API; never rejects (a bug answers 500). */
  function handleRequest(req, res) {
    handleControl(req, res).catch((e) => {
      log('[cluster] control', e);
      sendError(res, 500, 'internal', rules.errorMessageOf(e));
    });
  }

  return {
    opts,
    procs,
    interactionServers,
    chats,
    pcsNodes,
    verbs,
    handleRequest,
    report,
    primaryPort,
    /** The ports the CLI's control server and VIP got (for `report`). */
    listening(/** @type {{ controlPort?: number, vipPort?: number }} */ ports) {
      Object.assign(listening, ports);
    },
    /** Starts every process; pcs-a is the primary (epoch 1) from the start. */
    async start() {
      // Deterministic: the lease is granted to pcs-a before anything runs, with a grace period
      // for its start-up; its first renewal shortens it to the normal lease. Then every
      // process can start at once.
      db.prepare(
        "UPDATE pcs_lease SET holder = 'pcs-a', epoch = 1, lease_until = ? WHERE id = 1",
      ).run(now() + opts.startTimeoutMs);
      await Promise.all([...interactionServers, ...chats, ...pcsNodes].map(spawn));
    },
    /** SIGKILL to every child (a SIGSTOPped one would never act on SIGTERM). */
    killAll() {
      shuttingDown = true;
      for (const p of procs.values()) if (p.alive) p.child?.kill('SIGKILL');
    },
  };
}
