// The socket.io server every cluster process runs: same CORS rule, payload limit, ping timing
// and handshake token check, so the three servers cannot drift apart.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { applyCors, sendError, socketCors, validToken } from './common.mjs';

/**
 * An HTTP server for `handler` (or, without one, a server that answers every plain HTTP request
 * with 404 "speaks socket.io") and a socket.io Server on it that refuses a handshake without a
 * valid token (`connect_error` with `data.code = 'unauthorized'`).
 *
 * @param {{ name: string, maxPayloadBytes: number, handler?: import('node:http').RequestListener }} o
 */
export function createSocketServer({ name, maxPayloadBytes, handler }) {
  const http = createServer(
    handler ??
      ((req, res) => {
        applyCors(req, res);
        if (req.method === 'OPTIONS') return res.writeHead(204).end();
        sendError(res, 404, 'not-found', `the ${name} speaks socket.io`);
      }),
  );
  const io = new Server(http, {
    cors: socketCors,
    maxHttpBufferSize: maxPayloadBytes,
    serveClient: false,
    pingInterval: 5000,
    pingTimeout: 5000,
  });
  io.use((socket, next) => {
    if (validToken(socket.handshake.auth?.token)) return next();
    // socket.io sends `data` to the client with the connect_error
    next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } }));
  });
  return { http, io };
}
