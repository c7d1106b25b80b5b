// One chat-server instance (N+1: all active). Sessions and transcripts live in the shared
// store; this process only holds sockets. A session is served by exactly one instance, named
// in `sessions.instance_id`: every write checks it inside its transaction (fencing), so an
// instance that lost a session (killed and revived, or relocated away) can never append to it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSocketServer } from './lib/socket-server.mjs';
import { call, serve, fault } from './lib/ipc.mjs';
import { openStore, rowToMessage, transcript } from './lib/store.mjs';
import { loadProtocol } from './lib/protocol.mjs';
import {
  answerUnknownEvents,
  argValue,
  childProcessGuards,
  handler,
  listenAndReport,
  joinRoom,
  newId,
  parse,
} from './lib/common.mjs';

const ME = argValue('id', 'chat-1');
childProcessGuards(ME);
const p = await loadProtocol();
const { ChatEvents: E, Limits } = p;
const db = openStore(process.env.AG_STORE);

const getSession = db.prepare('SELECT * FROM sessions WHERE id = ?');
const getByClientMsgId = db.prepare(
  'SELECT * FROM messages WHERE session_id = ? AND client_msg_id = ?',
);
const insertMessage = db.prepare(
  'INSERT INTO messages (session_id, seq, id, client_msg_id, sender, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const setLastSeq = db.prepare('UPDATE sessions SET last_seq = ? WHERE id = ?');
const setParticipants = db.prepare('UPDATE sessions SET participants = ? WHERE id = ?');
const clearFailSave = db.prepare('UPDATE sessions SET fail_save = NULL WHERE id = ?');
const closeSession = db.prepare("UPDATE sessions SET state = 'closed' WHERE id = ?");
const adopt = db.prepare(
  "UPDATE sessions SET instance_id = ?, epoch = epoch + 1 WHERE id = ? AND state = 'active'",
);

const room = (sessionId) => `s:${sessionId}`;

function ownedSession(sessionId) {
  const s = getSession.get(sessionId);
  if (!s || s.instance_id !== ME)
    throw fault('unknown-session', `session ${sessionId} is not served by ${ME}`);
  return s;
}

/**
 * Appends a message, or returns the one already stored under this clientMsgId (a resend after
 * a lost ack or a reconnect): the UNIQUE (session_id, client_msg_id) constraint backs this up.
 * "Transcript saved after every message": the message exists only once it is committed.
 */
const append = db.transaction((sessionId, clientMsgId, from, text) => {
  const s = ownedSession(sessionId);
  if (clientMsgId) {
    const existing = getByClientMsgId.get(sessionId, clientMsgId);
    if (existing) return { message: rowToMessage(existing), duplicate: true };
  }
  if (s.state !== 'active') throw fault('closed', 'the session is closed');
  if (s.fail_save) {
    clearFailSave.run(sessionId);
    if (s.fail_save === 'close') {
      closeSession.run(sessionId);
      return { closedBySaveFailure: true, interactionId: s.interaction_id };
    }
  }
  const message = { seq: s.last_seq + 1, id: newId('m'), sessionId, from, text, ts: Date.now() };
  if (clientMsgId) message.clientMsgId = clientMsgId;
  insertMessage.run(
    sessionId,
    message.seq,
    message.id,
    clientMsgId ?? null,
    JSON.stringify(from),
    text,
    message.ts,
  );
  setLastSeq.run(message.seq, sessionId);
  return { message, saveFailedNotice: s.fail_save === 'notice' };
});

/** Appends and fans out; shared by agent sends and customer messages (control API). */
async function post(sessionId, clientMsgId, from, text) {
  const r = append.immediate(sessionId, clientMsgId, from, text);
  if (r.closedBySaveFailure) {
    // transcript-save-on-error = close (Genesys): the session ends rather than lose messages.
    const reason = 'transcript-save-failed';
    io.to(room(sessionId)).emit(E.sessionClosed, { sessionId, reason });
    io.in(room(sessionId)).socketsLeave(room(sessionId));
    await call(process, 'sessionClosed', { interactionId: r.interactionId, sessionId }).catch(
      () => {},
    );
    throw fault('closed', 'the transcript could not be saved; the session was closed');
  }
  if (!r.duplicate) io.to(room(sessionId)).emit(E.message, r.message);
  if (r.saveFailedNotice) {
    io.to(room(sessionId)).emit(E.notice, {
      sessionId,
      code: 'transcript-save-failed',
      text: 'The last message may be missing from the saved transcript.',
    });
  }
  return r.message;
}

const { http, io } = createSocketServer({
  name: 'chat instance',
  maxPayloadBytes: Limits.maxPayloadBytes,
});

const agentIdOf = (socket) => {
  const id = socket.handshake.auth?.agentId;
  return typeof id === 'string' && id.length > 0 && id.length <= Limits.maxIdLength ? id : 'agent';
};

// Counted at the socket.io level: the namespace drops a socket before its 'disconnect' event,
// whereas the engine's own count still includes a closing transport then.
const connectionCount = () => io.of('/').sockets.size;
const reportStats = () =>
  process.send?.({ type: 'stats', connections: connectionCount() }, () => {
    /* the supervisor is gone: this instance exits on 'disconnect' */
  });

// How late this process's event loop runs (what a reconnect storm costs a survivor), sampled
// every 10 ms; `stats` reports it in ms beyond the sampling period and can start a new window.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const lateMs = (/** @type {number} */ ns) => Math.max(0, Math.round(ns / 1e4) / 100 - 10);

const known = new Set(Object.values(E));
io.on('connection', (socket) => {
  reportStats();
  socket.on('disconnect', reportStats);
  answerUnknownEvents(socket, known);
  const agent = { id: agentIdOf(socket), name: agentIdOf(socket), role: 'agent' };

  socket.on(
    E.join,
    handler((payload) => {
      const { sessionId, afterSeq = 0 } = parse(p.joinRequest, payload);
      const s = ownedSession(sessionId);
      let participants = JSON.parse(s.participants);
      if (s.state === 'active') {
        joinRoom(socket, room(sessionId));
        if (!participants.some((x) => x.id === agent.id)) {
          participants = [...participants, agent];
          setParticipants.run(JSON.stringify(participants), sessionId);
          socket
            .to(room(sessionId))
            .emit(E.participant, { sessionId, participant: agent, action: 'joined' });
        }
      }
      return {
        ok: true,
        instanceId: ME,
        sessionId,
        transcript: transcript(db, sessionId, afterSeq).slice(0, Limits.maxTranscriptPage),
        participants,
        lastSeq: s.last_seq,
        state: s.state === 'closed' ? 'closed' : 'active',
      };
    }),
  );

  socket.on(
    E.send,
    handler(async (payload) => {
      // Check the length before the validator, so an oversized text gets its own code.
      if (typeof payload?.text === 'string' && payload.text.length > Limits.maxMessageLength) {
        throw fault('too-large', `text longer than ${Limits.maxMessageLength}`);
      }
      const { sessionId, clientMsgId, text } = parse(p.sendRequest, payload);
      if (!socket.rooms.has(room(sessionId)))
        throw fault('unknown-session', `join ${sessionId} first`);
      const message = await post(sessionId, clientMsgId, agent, text);
      return { ok: true, seq: message.seq, id: message.id };
    }),
  );

  socket.on(E.typingOut, (payload) => {
    const r = p.typingRequest(payload);
    if (!r.ok || !socket.rooms.has(room(r.value.sessionId))) return;
    socket
      .to(room(r.value.sessionId))
      .emit(E.typing, { sessionId: r.value.sessionId, from: agent.id, typing: r.value.typing });
  });

  socket.on(
    E.heartbeat,
    handler(() => ({ ok: true, t: Date.now(), instanceId: ME })),
  );
});

serve(process, {
  /** Restore / relocation target: take the sessions over (epoch + 1) from the store. */
  adopt({ sessionIds }) {
    return db
      .transaction(() =>
        sessionIds.flatMap((id) => {
          if (adopt.run(ME, id).changes === 0) return [];
          const s = getSession.get(id);
          return [{ sessionId: id, interactionId: s.interaction_id, epoch: s.epoch }];
        }),
      )
      .immediate();
  },
  /** Relocation source: tell the session's sockets, then stop serving them. */
  release({ sessionId, code = 'relocated', text = 'The chat moved to another server.' }) {
    io.to(room(sessionId)).emit(E.notice, { sessionId, code, text });
    io.in(room(sessionId)).socketsLeave(room(sessionId));
    return null;
  },
  notice({ sessionIds, code, text }) {
    for (const sessionId of sessionIds)
      io.to(room(sessionId)).emit(E.notice, { sessionId, code, text });
    return null;
  },
  async customerSend({ sessionId, text }) {
    const s = getSession.get(sessionId);
    const customer = JSON.parse(s?.participants ?? '[]').find((x) => x.role === 'customer');
    return post(
      sessionId,
      undefined,
      customer ?? { id: 'customer', name: 'Customer', role: 'customer' },
      text,
    );
  },
  customerTyping({ sessionId, typing }) {
    const s = ownedSession(sessionId);
    const customer = JSON.parse(s.participants).find((x) => x.role === 'customer');
    io.to(room(sessionId)).emit(E.typing, {
      sessionId,
      from: customer?.id ?? 'customer',
      typing: Boolean(typing),
    });
    return null;
  },
  emitRaw({ sessionId, event, payload }) {
    io.to(room(sessionId)).emit(event, payload);
    return null;
  },
  disconnectAll() {
    io.disconnectSockets(true);
    return null;
  },
  stats: ({ resetEventLoop = false } = {}) => {
    const eventLoop = {
      p50Ms: lateMs(loopDelay.percentile(50)),
      p99Ms: lateMs(loopDelay.percentile(99)),
      maxMs: lateMs(loopDelay.max),
      samples: loopDelay.count,
    };
    if (resetEventLoop) loopDelay.reset();
    return { connections: connectionCount(), eventLoop };
  },
});

listenAndReport(http, ME);
