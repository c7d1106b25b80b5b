// Interaction server: the versioned property stream that tells agent desktops where each
// chat session lives, and the place new chats are assigned to an instance.
// socket.io: `watch` -> snapshot ack, then `properties` deltas (version + 1 each); `unwatch`; `hb`.
// Properties are kept in the shared store, so this process could restart without losing them.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { serve, fault } from './lib/ipc.mjs';
import { openStore } from './lib/store.mjs';
import { loadProtocol } from './lib/protocol.mjs';
import {
  answerUnknownEvents,
  applyCors,
  childProcessGuards,
  handler,
  listenAndReport,
  joinRoom,
  newId,
  parse,
  sendError,
  socketCors,
  validToken,
} from './lib/common.mjs';

childProcessGuards('interactions');
const p = await loadProtocol();
const { InteractionEvents: E, Limits } = p;
const db = openStore(process.env.AG_STORE);

const getRow = db.prepare('SELECT * FROM interactions WHERE id = ?');
const putRow = db.prepare(
  'INSERT INTO interactions (id, version, properties) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, properties = excluded.properties',
);

function snapshot(interactionId) {
  const row = getRow.get(interactionId);
  if (!row) return undefined;
  return { interactionId, version: row.version, properties: JSON.parse(row.properties) };
}

/** Applies one delta (version + 1) and pushes it to the interaction's watchers. */
const applyDelta = db.transaction((interactionId, set, unset) => {
  const current = snapshot(interactionId);
  if (!current) throw fault('unknown-interaction', `no interaction ${interactionId}`);
  const properties = { ...current.properties, ...set };
  for (const key of unset) delete properties[key];
  const version = current.version + 1;
  putRow.run(interactionId, version, JSON.stringify(properties));
  return { interactionId, version, set, unset };
});

/**
 * Control-side changes. Values are deliberately not held to the property validator: tests push
 * hostile values (a foreign chat.url, an oversized string) and watch the client refuse them.
 * Only the shape this server needs to stay sane is checked.
 */
const controlChange = p.v.object({
  set: p.v.record(p.v.union(p.v.string(), p.v.number(), p.v.boolean()), { max: 1000 }),
  unset: p.v.array(p.v.string({ min: 1, max: 1000 }), { max: 1000 }),
});
function setProperties({ interactionId, set = {}, unset = [] }) {
  const checked = parse(controlChange, { set, unset });
  const delta = applyDelta.immediate(interactionId, checked.set, checked.unset);
  io.to(room(interactionId)).emit(E.properties, delta);
  return { version: delta.version };
}

const room = (interactionId) => `ix:${interactionId}`;

const http = createServer((req, res) => {
  applyCors(req, res);
  if (req.method === 'OPTIONS') return res.writeHead(204).end();
  sendError(res, 404, 'not-found', 'the interaction server speaks socket.io');
});
const io = new Server(http, {
  cors: socketCors,
  maxHttpBufferSize: Limits.maxPayloadBytes,
  serveClient: false,
  pingInterval: 5000,
  pingTimeout: 5000,
});

io.use((socket, next) => {
  if (validToken(socket.handshake.auth?.token)) return next();
  const err = new Error('unauthorized');
  err.data = { code: 'unauthorized' };
  next(err);
});

const known = new Set(Object.values(E));
io.on('connection', (socket) => {
  answerUnknownEvents(socket, known);
  socket.on(
    E.watch,
    handler((payload) => {
      const { interactionId } = parse(p.watchRequest, payload);
      const snap = snapshot(interactionId);
      if (!snap) throw fault('unknown-interaction', `no interaction ${interactionId}`);
      // Joining and reading happen in one turn of the event loop, so no delta can fall between
      // the snapshot and the first pushed delta. The snapshot is always complete, whatever
      // sinceVersion says: a client simply replaces its state.
      joinRoom(socket, room(interactionId));
      return { ok: true, ...snap };
    }),
  );
  socket.on(
    E.unwatch,
    handler((payload) => {
      const { interactionId } = parse(
        p.v.object({ interactionId: p.v.string({ min: 1, max: Limits.maxIdLength }) }),
        payload,
      );
      socket.leave(room(interactionId));
      return { ok: true };
    }),
  );
  socket.on(
    E.heartbeat,
    handler(() => ({ ok: true, t: Date.now() })),
  );
});

const countSessions = db.prepare(
  "SELECT instance_id AS id, COUNT(*) AS n FROM sessions WHERE state = 'active' GROUP BY instance_id",
);
const insertSession = db.prepare(
  "INSERT INTO sessions (id, interaction_id, instance_id, state, epoch, last_seq, participants) VALUES (?, ?, ?, 'active', 1, 0, ?)",
);

serve(process, {
  /** Assigns a new chat to the least-loaded candidate (or the one asked for). */
  startChat({ customerName = 'Customer', instanceId, candidates = [] }) {
    const loads = new Map(countSessions.all().map((r) => [r.id, r.n]));
    const pool = instanceId ? candidates.filter((c) => c.id === instanceId) : candidates;
    if (pool.length === 0)
      throw fault(
        'not-found',
        instanceId ? `instance ${instanceId} cannot take chats` : 'no chat instance available',
      );
    const target = [...pool].sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0))[0];
    const interactionId = newId('ix');
    const sessionId = newId('cs');
    const customer = {
      id: `customer-${interactionId}`,
      name: String(customerName).slice(0, 200),
      role: 'customer',
    };
    const properties = {
      'chat.sessionId': sessionId,
      'chat.instanceId': target.id,
      'chat.url': target.url,
      'chat.state': 'active',
      'chat.epoch': 1,
    };
    db.transaction(() => {
      insertSession.run(sessionId, interactionId, target.id, JSON.stringify([customer]));
      putRow.run(interactionId, 1, JSON.stringify(properties));
    }).immediate();
    return { interactionId, sessionId, instanceId: target.id };
  },
  setProperties,
  get({ interactionId }) {
    const snap = snapshot(interactionId);
    if (!snap) throw fault('unknown-interaction', `no interaction ${interactionId}`);
    return { version: snap.version, properties: snap.properties };
  },
  /** Fault injection: an arbitrary (malformed) `properties` payload to the watchers. */
  emitRaw({ interactionId, payload }) {
    io.to(room(interactionId)).emit(E.properties, payload);
    return null;
  },
  stats: () => ({ connections: io.of('/').sockets.size }),
});

listenAndReport(http, 'interactions');
