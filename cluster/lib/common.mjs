// Small helpers shared by the cluster's processes: tokens, CORS, JSON over HTTP, ids, and
// the guards that keep hostile input from crashing a process.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { rules } from './rules.mjs';

/** The token rule both back ends share (src/backend/rules.ts). */
export const validToken = rules.validToken;

export function bearer(req) {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

export const newId = (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`;

/** Browser tests and the demo run on http://localhost:<any port>; nothing else is allowed. */
export function allowedOrigin(origin) {
  if (typeof origin !== 'string') return false;
  try {
    const u = new URL(origin);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)
    );
  } catch {
    return false;
  }
}

/** socket.io `cors` option with the same rule. */
export const socketCors = {
  origin: (origin, cb) => cb(null, origin === undefined || allowedOrigin(origin)),
  credentials: false,
};

export function applyCors(req, res) {
  const origin = req.headers.origin;
  if (allowedOrigin(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
  }
}

export function sendJson(res, status, body) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(res, status, code, message) {
  sendJson(res, status, errorAnswer(code, message));
}

/** Error code -> HTTP status, shared with the mock (src/backend/rules.ts). */
export const statusFor = rules.httpStatusFor;

/**
 * Reads a JSON body of at most `limit` bytes. Rejects with a coded error (too-large,
 * bad-request) instead of throwing out of the request handler.
 */
export function readJson(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      fn(value);
    };
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        finish(
          reject,
          Object.assign(new Error(`body larger than ${limit} bytes`), { code: 'too-large' }),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => finish(reject, Object.assign(e, { code: 'bad-request' })));
    req.on('end', () => {
      if (done) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return finish(resolve, {});
      try {
        finish(resolve, JSON.parse(text));
      } catch {
        finish(reject, Object.assign(new Error('body is not valid JSON'), { code: 'bad-request' }));
      }
    });
  });
}

/** `{ ok: false, error }` for a socket.io ack or an HTTP answer; the message is truncated. */
export const errorAnswer = (code, message) => ({
  ok: false,
  error: { code, message: rules.truncateErrorMessage(String(message)) },
});

/**
 * Wraps a socket.io handler `(payload) => answer`: validates that an ack exists, turns thrown
 * coded errors into error answers, and never lets an exception escape into socket.io.
 */
export function handler(fn) {
  return async (...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    try {
      const answer = await fn(args[0]);
      ack?.(answer);
    } catch (e) {
      const code = rules.answerCode(e?.code);
      if (code === 'internal') console.error('[cluster]', e);
      ack?.(errorAnswer(code, rules.errorMessageOf(e)));
    }
  };
}

/** Answers unknown events that ask for an ack, so a client never waits for nothing. */
export function answerUnknownEvents(socket, known) {
  socket.onAny((event, ...args) => {
    if (known.has(event)) return;
    const ack = args[args.length - 1];
    if (typeof ack === 'function')
      ack(errorAnswer('bad-request', `unknown event ${String(event).slice(0, 64)}`));
  });
}

/** Validates with a protocol validator; a failure is a coded `bad-request` error. */
export function parse(validator, value) {
  const r = validator(value);
  if (!r.ok) throw Object.assign(new Error(r.error), { code: 'bad-request' });
  return r.value;
}

/**
 * A child process of the supervisor: exits when the IPC channel closes (the supervisor died,
 * even by SIGKILL), and logs rather than dies on a stray exception so one bad input cannot
 * take a server down.
 */
export function childProcessGuards(name) {
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (e) => console.error(`[${name}] uncaught`, e));
  process.on('unhandledRejection', (e) => console.error(`[${name}] unhandled rejection`, e));
}

export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const { maxRoomsPerSocket } = rules;

/** Joins a room, refusing a socket that tries to hold an unbounded number of them. */
export function joinRoom(socket, name) {
  if (!socket.rooms.has(name) && socket.rooms.size > maxRoomsPerSocket) {
    throw Object.assign(
      new Error(`more than ${maxRoomsPerSocket} subscriptions on one connection`),
      { code: 'too-large' },
    );
  }
  socket.join(name);
}

/**
 * Listens on 127.0.0.1 and reports `ready` (with `extra`) to the supervisor; a port that is
 * taken ends the process at once, so the supervisor's start-up fails instead of waiting.
 */
export function listenAndReport(server, name, extra = () => ({})) {
  server.once('error', (e) => {
    console.error(`[${name}] cannot listen: ${e.message}`);
    process.exit(1);
  });
  server.listen(Number(argValue('port', '0')), '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: server.address().port, ...extra() });
  });
}
