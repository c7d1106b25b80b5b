// The PCS virtual IP (the seed's keepalived address): one URL in front of both nodes that
// always forwards to the current primary, for HTTP and for socket.io's WebSocket upgrades.
// When the primary changes, connections to the old one are cut, as a moved VIP would cut them.
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { applyCors, sendError } from './common.mjs';

/**
 * @param {() => number | undefined} targetPort the primary's port, or undefined when none
 */
export function createVip(targetPort, { timeoutMs = 5000 } = {}) {
  const tunnels = new Set(); // { port, client, upstream }

  const server = createServer((req, res) => {
    const port = targetPort();
    if (!port) {
      applyCors(req, res);
      return sendError(res, 503, 'not-primary', 'no PCS node holds the primary lease');
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        timeout: timeoutMs,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (res.headersSent) return res.destroy();
      applyCors(req, res);
      sendError(res, 502, 'internal', 'the PCS primary did not answer');
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req, client, head) => {
    const port = targetPort();
    if (!port) return client.destroy();
    const upstream = connect(port, '127.0.0.1', () => {
      let raw = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      upstream.write(`${raw}\r\n`);
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const tunnel = { port, client, upstream };
    tunnels.add(tunnel);
    const close = () => {
      tunnels.delete(tunnel);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    client.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
  });

  // Follow the primary: cut tunnels pinned to a node that no longer holds the lease.
  const timer = setInterval(() => {
    const port = targetPort();
    for (const t of tunnels) {
      if (t.port !== port) {
        t.client.destroy();
        t.upstream.destroy();
        tunnels.delete(t);
      }
    }
  }, 200);
  server.on('close', () => clearInterval(timer));
  return server;
}
