// One PCS (post-call survey) node. Two run side by side, primary and standby, over the shared
// store (the seed's shared MS SQL): the primary renews a lease row every leaseMs/3; when it
// stops (killed, frozen), the standby takes the lease over with epoch + 1. Survey requests live
// in the store, so a request made on the old primary is still there, and still progressing,
// after a failover (the seed admits losing it; we do not).
import { createSocketServer } from './lib/socket-server.mjs';
import { serve, fault } from './lib/ipc.mjs';
import { openStore, rowToSurveyAnswer } from './lib/store.mjs';
import { loadProtocol } from './lib/protocol.mjs';
import { advance, applyEvent, nextRev, surveys } from './lib/surveys.mjs';
import { rules } from './lib/rules.mjs';
import {
  answerUnknownEvents,
  applyCors,
  argValue,
  bearer,
  childProcessGuards,
  handler,
  listenAndReport,
  joinRoom,
  newId,
  parse,
  readJson,
  sendError,
  sendJson,
  statusFor,
  validToken,
} from './lib/common.mjs';

const ME = argValue('id', 'pcs-a');
const leaseMs = Number(argValue('lease-ms', '1500'));
const ivrStepMs = Number(argValue('ivr-step-ms', '200'));
childProcessGuards(ME);
const p = await loadProtocol();
const { PcsEvents: E, Limits } = p;
const db = openStore(process.env.AG_STORE);

/** What this node believes; `isPrimary()` also checks the lease has not run out meanwhile. */
const node = { role: 'standby', epoch: 0, leaseUntil: 0, splitBrain: false, misbehave: null };
const isPrimary = (now = Date.now()) =>
  node.splitBrain || (node.role === 'primary' && node.leaseUntil > now);
const status = () => ({
  nodeId: ME,
  role: isPrimary() ? 'primary' : 'standby',
  epoch: node.epoch,
  leaseUntil: isPrimary() ? node.leaseUntil : 0,
});

const getLease = db.prepare('SELECT * FROM pcs_lease WHERE id = 1');
const setLease = db.prepare(
  'UPDATE pcs_lease SET holder = ?, epoch = ?, lease_until = ? WHERE id = 1',
);

/** Renew our lease, or take an expired one over with epoch + 1, or stay standby. */
const leaseTick = db.transaction((now) => {
  if (node.splitBrain) {
    // Cut off from the store (the split-brain fault): keep claiming primary on the old epoch.
    node.leaseUntil = now + leaseMs;
    return;
  }
  const lease = getLease.get();
  if (lease.holder === ME || lease.lease_until < now) {
    const epoch = lease.holder === ME ? lease.epoch : lease.epoch + 1;
    setLease.run(ME, epoch, now + leaseMs);
    Object.assign(node, { role: 'primary', epoch, leaseUntil: now + leaseMs });
  } else {
    Object.assign(node, { role: 'standby', epoch: lease.epoch, leaseUntil: lease.lease_until });
  }
});

/** Inside a write transaction: refuse unless the store still names us (fencing). */
function assertPrimary(now) {
  if (node.splitBrain) return;
  const lease = getLease.get();
  if (lease.holder !== ME || lease.lease_until < now) {
    node.role = 'standby';
    throw fault('not-primary', `${ME} is not the primary`);
  }
}

const byKey = db.prepare('SELECT * FROM survey_requests WHERE idempotency_key = ?');
const byId = db.prepare('SELECT * FROM survey_requests WHERE id = ?');
const insertRequest = db.prepare(
  `INSERT INTO survey_requests (id, idempotency_key, body, status, score, transfer, node_id, epoch, created_at, updated_at, next_step_at, rev)
   VALUES (?, ?, ?, 'requested', NULL, ?, ?, ?, ?, ?, NULL, ?)`,
);

const createRequest = db.transaction((body, now) => {
  assertPrimary(now);
  const existing = byKey.get(body.idempotencyKey);
  if (existing) return { row: existing, created: false };
  const survey = surveys.find((s) => s.id === body.surveyId);
  if (!survey) throw fault('not-found', `no survey ${body.surveyId}`);
  if (survey.dialedNumber !== body.dialedNumber)
    throw fault('bad-request', `survey ${survey.id} is not for ${body.dialedNumber}`);
  if (!survey.channels.includes(body.channel))
    throw fault('bad-request', `survey ${survey.id} has no ${body.channel} channel`);
  if (body.channel === 'sms' && !body.smsNumber)
    throw fault('bad-request', 'the sms channel needs smsNumber');
  const id = newId('sr');
  const callVariables = {
    // Cisco CVP's native post-call survey flag: the main script routes to the survey on hang-up.
    'user.microapp.isPostCallSurvey': 'y',
    'user.pcs.requestId': id,
    'user.pcs.surveyId': survey.id,
    'user.pcs.language': body.language,
    'user.pcs.channel': body.channel,
  };
  if (body.smsNumber) callVariables['user.pcs.smsNumber'] = body.smsNumber;
  const transfer = { dn: survey.surveyDn, callVariables };
  insertRequest.run(
    id,
    body.idempotencyKey,
    JSON.stringify(body),
    JSON.stringify(transfer),
    ME,
    node.epoch,
    now,
    now,
    nextRev(db),
  );
  return { row: byId.get(id), created: true };
});

const recordEvent = db.transaction((requestId, event, now) => {
  assertPrimary(now);
  const row = byId.get(requestId);
  if (!row) throw fault('not-found', `no survey request ${requestId}`);
  applyEvent(db, row, event, now, ivrStepMs);
  return byId.get(requestId);
});

function requireAuth(req) {
  if (!validToken(bearer(req))) throw fault('unauthorized', 'a valid Bearer token is required');
}

async function route(req, res, url) {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/status') return sendJson(res, 200, status());
  requireAuth(req);
  if (req.method === 'GET' && path === '/surveys') {
    const dn = url.searchParams.get('dialedNumber');
    if (!dn || dn.length > 32) throw fault('bad-request', 'dialedNumber is required');
    return sendJson(res, 200, { survey: surveys.find((s) => s.dialedNumber === dn) ?? null });
  }
  if (req.method === 'POST' && path === '/survey-requests') {
    const body = parse(p.surveyRequestBody, await readJson(req, Limits.maxPayloadBytes));
    const { row, created } = createRequest.immediate(body, Date.now());
    return sendJson(res, created ? 201 : 200, rowToSurveyAnswer(row));
  }
  const m = /^\/survey-requests\/([^/]{1,128})(\/events)?$/.exec(path);
  if (m) {
    const requestId = decodeURIComponent(m[1] ?? '');
    if (req.method === 'GET' && !m[2]) {
      const row = byId.get(requestId);
      if (!row) throw fault('not-found', `no survey request ${requestId}`);
      return sendJson(res, 200, rowToSurveyAnswer(row));
    }
    if (req.method === 'POST' && m[2]) {
      const { event } = parse(p.surveyRequestEvent, await readJson(req, Limits.maxPayloadBytes));
      return sendJson(
        res,
        200,
        rowToSurveyAnswer(recordEvent.immediate(requestId, event, Date.now())),
      );
    }
  }
  throw fault('not-found', `no route ${req.method} ${path.slice(0, 100)}`);
}

async function handleHttp(req, res) {
  applyCors(req, res);
  if (req.method === 'OPTIONS') return res.writeHead(204).end();
  if (node.misbehave === '5xx') return sendError(res, 500, 'internal', 'injected failure');
  if (node.misbehave === 'garbage') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end('{"nodeId": <garbage');
  }
  try {
    await route(req, res, new URL(req.url ?? '/', 'http://pcs.invalid'));
  } catch (e) {
    const code = rules.answerCode(e?.code);
    if (code === 'internal') console.error(`[${ME}]`, e);
    sendError(res, statusFor(code), code, rules.errorMessageOf(e));
  }
}

const { http, io } = createSocketServer({
  name: 'PCS node',
  maxPayloadBytes: Limits.maxPayloadBytes,
  handler: (req, res) => {
    handleHttp(req, res).catch((e) => console.error(`[${ME}] http`, e));
  },
});
const known = new Set(Object.values(E));
io.on('connection', (socket) => {
  answerUnknownEvents(socket, known);
  socket.on(
    E.subscribe,
    handler((payload) => {
      const { requestIds } = parse(p.pcsSubscribe, payload);
      const requests = [];
      for (const id of requestIds) {
        joinRoom(socket, `r:${id}`);
        const row = byId.get(id);
        if (row) requests.push(rowToSurveyAnswer(row));
      }
      return { ok: true, requests };
    }),
  );
  socket.on(
    E.heartbeat,
    handler(() => ({ ok: true, t: Date.now(), instanceId: ME })),
  );
});

// The IVR: the primary advances due requests. Every node pushes the changes it sees in the
// store to its own subscribers, so a client on either node hears about every step.
const due = db.prepare(
  'SELECT * FROM survey_requests WHERE next_step_at IS NOT NULL AND next_step_at <= ?',
);
const changedSince = db.prepare('SELECT * FROM survey_changes WHERE rev > ? ORDER BY rev');
let lastRev = db.prepare('SELECT COALESCE(MAX(rev), 0) AS rev FROM survey_changes').get().rev;
const runIvr = db.transaction((now) => {
  for (const row of due.all(now)) advance(db, row, now, ivrStepMs);
});

function tick() {
  const now = Date.now();
  if (isPrimary(now)) runIvr.immediate(now);
  // every change since the last poll, each one (not only the rows' latest status: two steps
  // within one poll are two events). A creation is not logged: its only possible subscriber
  // learnt it from the POST answer.
  for (const c of changedSince.all(lastRev)) {
    lastRev = c.rev;
    const event = { requestId: c.request_id, status: c.status, nodeId: ME, epoch: node.epoch };
    if (c.score !== null) event.score = c.score;
    io.to(`r:${c.request_id}`).emit(E.status, event);
  }
}

serve(process, {
  status,
  /** Split brain, stale side: cut off from the store, this node keeps claiming primary. */
  splitBrainStale() {
    node.splitBrain = true;
    return status();
  },
  /** Split brain, fresh side: take the lease now, with epoch + 1. */
  forceTakeover() {
    db.transaction(() => {
      const lease = getLease.get();
      const now = Date.now();
      setLease.run(ME, lease.epoch + 1, now + leaseMs);
      Object.assign(node, { role: 'primary', epoch: lease.epoch + 1, leaseUntil: now + leaseMs });
    }).immediate();
    return status();
  },
  heal() {
    node.splitBrain = false;
    leaseTick.immediate(Date.now());
    return status();
  },
  misbehave({ mode }) {
    node.misbehave = mode === 'garbage' || mode === '5xx' ? mode : null;
    return null;
  },
  stats: () => ({ connections: io.of('/').sockets.size }),
});

leaseTick.immediate(Date.now());
setInterval(() => leaseTick.immediate(Date.now()), Math.max(50, Math.floor(leaseMs / 3)));
setInterval(tick, Math.min(100, ivrStepMs));

listenAndReport(http, ME, status);
