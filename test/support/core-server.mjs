// A small real socket.io server for the core's tests (test/core/*.test.ts).
// Started with executeServerCommand('ag-process-start', { module: 'test/support/core-server.mjs',
// args: ['--id', 'a', '--store', '/tmp/x.json', ...] }); reports { url, port, instanceId } over IPC and exits
// when the IPC channel closes (the test runner went away).
//
// Client events:  echo (ack), hb (ack { ok, t, instanceId }), send { clientMsgId, text } (ack;
//                 de-duplicated by clientMsgId in the shared store), watch { interactionId,
//                 sinceVersion? } (ack snapshot; then `properties` deltas).
// Admin events (handshake auth { admin: true }; not counted as clients):
//   admin:state -> { handshakes, disconnects, refused, connected, sends }
// --require-token <t>: handshakes without auth.token === t are refused with 'unauthorized'.
//   admin:set { interactionId, set, unset, silent? } -> bumps the version; silent = not broadcast
//   admin:emit-raw { interactionId, event, payload } -> sends anything to the interaction's watchers
//   admin:ack-sends boolean -> whether `send` is acknowledged (false: recorded but never acked)
// --store <file> is shared by several servers (like the cluster's shared database), so a
// de-duplication and the interaction versions survive a SIGKILL and a switch of server.
import { createServer } from 'node:http';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Server } from 'socket.io';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const id = arg('id', 'core-1');
const storePath = arg('store', `/tmp/ag-core-store-${process.pid}.json`);
let ackSends = arg('ack-sends', 'true') !== 'false';
/** when set, a handshake must carry auth.token === this (else connect_error 'unauthorized') */
const requiredToken = arg('require-token', undefined);

function load() {
  try {
    return JSON.parse(readFileSync(storePath, 'utf8'));
  } catch {
    return { sends: [], interactions: {} };
  }
}
function save(store) {
  const tmp = `${storePath}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(store));
  renameSync(tmp, storePath);
}

const localOrigin = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
const httpServer = createServer();
const io = new Server(httpServer, {
  cors: { origin: (origin, cb) => cb(null, !origin || localOrigin.test(origin)) },
  // default pings (25 s + 20 s): the client's own heartbeat must notice a silent server first
});

const handshakes = [];
const refused = [];
io.use((socket, next) => {
  const auth = socket.handshake.auth ?? {};
  if (requiredToken === undefined || auth.admin === true || auth.token === requiredToken)
    return next();
  refused.push({ auth, url: socket.handshake.url });
  const err = /** @type {Error & { data?: unknown }} */ (new Error('unauthorized'));
  err.data = { code: 'unauthorized' };
  next(err);
});
const disconnects = [];
let clients = 0;

io.on('connection', (socket) => {
  const auth = socket.handshake.auth ?? {};
  if (auth.admin === true) {
    socket.on('admin:state', (ack) =>
      ack({ handshakes, disconnects, refused, connected: clients, sends: load().sends }),
    );
    socket.on('admin:set', ({ interactionId, set = {}, unset = [], silent = false }, ack) => {
      const store = load();
      const current = store.interactions[interactionId] ?? { version: 0, properties: {} };
      const properties = { ...current.properties, ...set };
      for (const k of unset) delete properties[k];
      const next = { version: current.version + 1, properties };
      store.interactions[interactionId] = next;
      save(store);
      if (!silent) {
        io.to(`interaction:${interactionId}`).emit('properties', {
          interactionId,
          version: next.version,
          set,
          unset,
        });
      }
      ack({ ok: true, version: next.version });
    });
    socket.on('admin:emit-raw', ({ interactionId, event, payload }, ack) => {
      io.to(`interaction:${interactionId}`).emit(event, payload);
      ack({ ok: true });
    });
    socket.on('admin:ack-sends', (value, ack) => {
      ackSends = value === true;
      ack({ ok: true });
    });
    return;
  }

  clients++;
  handshakes.push({
    sid: socket.id,
    auth,
    url: socket.handshake.url,
    query: socket.handshake.query,
  });
  socket.on('disconnect', (reason) => {
    clients--;
    disconnects.push({ sid: socket.id, reason });
  });
  socket.on('echo', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (payload && payload.fail)
      ack({ ok: false, error: { code: payload.fail, message: 'asked to fail' } });
    else if (payload && payload.malformed) ack({ ok: 'yes' });
    else if (payload && payload.silent) return;
    else ack({ ok: true, payload, instanceId: id });
  });
  socket.on('push', (payload, ack) => {
    // asks the server to emit an event back (to test validation of server events)
    socket.emit(payload.event, payload.data);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('hb', (_payload, ack) => {
    if (typeof ack === 'function') ack({ ok: true, t: Date.now(), instanceId: id });
  });
  socket.on('send', (payload, ack) => {
    if (!payload || typeof payload.clientMsgId !== 'string' || typeof ack !== 'function') return;
    const store = load();
    let index = store.sends.findIndex((s) => s.clientMsgId === payload.clientMsgId);
    if (index < 0) {
      store.sends.push({ clientMsgId: payload.clientMsgId, text: payload.text, server: id });
      save(store);
      index = store.sends.length - 1;
    }
    if (ackSends) ack({ ok: true, seq: index + 1, id: `m${index + 1}` });
  });
  socket.on('watch', (payload, ack) => {
    if (typeof ack !== 'function') return;
    const interactionId = payload && payload.interactionId;
    if (typeof interactionId !== 'string') {
      ack({ ok: false, error: { code: 'bad-request' } });
      return;
    }
    const current = load().interactions[interactionId] ?? { version: 0, properties: {} };
    void socket.join(`interaction:${interactionId}`);
    ack({ ok: true, interactionId, version: current.version, properties: current.properties });
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (httpServer.address());
  process.send?.({ url: `http://127.0.0.1:${port}`, port, instanceId: id });
});
process.on('disconnect', () => process.exit(0));
