// Interaction server: the versioned property stream that tells agent desktops where each
// chat session lives. socket.io: `watch` -> snapshot ack, then `properties` deltas (version + 1
// each); `unwatch`; `hb`. Two run, 'interactions' and 'interactions-b' (primary and backup):
// properties and their delta log live in the shared store, written by the supervisor, and each
// server pushes the log to its own watchers, so a client can resync on either after a failure.
import { createSocketServer } from './lib/socket-server.mjs';
import { serve, fault } from './lib/ipc.mjs';
import { openStore } from './lib/store.mjs';
import { propertyStore } from './lib/properties.mjs';
import { loadProtocol } from './lib/protocol.mjs';
import {
  answerUnknownEvents,
  argValue,
  childProcessGuards,
  handler,
  joinRoom,
  listenAndReport,
  parse,
} from './lib/common.mjs';

const ME = argValue('id', 'interactions');
childProcessGuards(ME);
const p = await loadProtocol();
const { InteractionEvents: E, Limits } = p;
const db = openStore(process.env.AG_STORE);
const props = propertyStore(db);
const room = (interactionId) => `ix:${interactionId}`;

const { http, io } = createSocketServer({
  name: 'interaction server',
  maxPayloadBytes: Limits.maxPayloadBytes,
});

const unwatchRequest = p.v.object({
  interactionId: p.v.string({ min: 1, max: Limits.maxIdLength }),
});
const known = new Set(Object.values(E));
/** interactionId -> fields that replace the next watch answer's (fault injection, once) */
const nextWatch = new Map();
io.on('connection', (socket) => {
  /** interactionId -> the version this socket has (its snapshot, then each delta pushed) */
  socket.data.versions = new Map();
  answerUnknownEvents(socket, known);
  socket.on(
    E.watch,
    handler((payload) => {
      const { interactionId } = parse(p.watchRequest, payload);
      const snap = props.snapshot(interactionId);
      if (!snap) throw fault('unknown-interaction', `no interaction ${interactionId}`);
      // The snapshot is always complete, whatever sinceVersion says: a client simply replaces
      // its state. Log entries up to its version are then skipped for this socket.
      joinRoom(socket, room(interactionId));
      socket.data.versions.set(interactionId, snap.version);
      const patch = nextWatch.get(interactionId);
      nextWatch.delete(interactionId);
      return { ok: true, ...snap, ...patch };
    }),
  );
  socket.on(
    E.unwatch,
    handler((payload) => {
      const { interactionId } = parse(unwatchRequest, payload);
      void socket.leave(room(interactionId)); // the in-memory adapter leaves at once
      socket.data.versions.delete(interactionId);
      return { ok: true };
    }),
  );
  socket.on(
    E.heartbeat,
    handler(() => ({ ok: true, t: Date.now() })),
  );
});

// Push the delta log. Every socket gets each version once and in order: never one its snapshot
// already contains, never one twice. Raw (injected) entries carry no version and always go out.
const logSince = db.prepare('SELECT * FROM property_deltas WHERE seq > ? ORDER BY seq');
let cursor = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM property_deltas').get().seq;
function pushLog() {
  for (const row of logSince.all(cursor)) {
    cursor = row.seq;
    const ids = io.of('/').adapter.rooms.get(room(row.interaction_id));
    if (!ids) continue;
    const payload = JSON.parse(row.payload);
    for (const id of ids) {
      const socket = io.of('/').sockets.get(id);
      if (!socket) continue;
      if (row.version !== null) {
        if (row.version <= (socket.data.versions.get(row.interaction_id) ?? 0)) continue;
        socket.data.versions.set(row.interaction_id, row.version);
      }
      socket.emit(E.properties, payload);
    }
  }
}
setInterval(pushLog, 20);

serve(process, {
  stats: () => ({ connections: io.of('/').sockets.size }),
  overrideNextWatch: ({ interactionId, patch }) => {
    nextWatch.set(String(interactionId), { ...patch });
    return null;
  },
});

listenAndReport(http, ME);
