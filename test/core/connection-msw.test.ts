// The reason the transport reads the WebSocket constructor lazily: engine.io-client was evaluated
// (static imports below) before msw installs its WebSocket in before(). The connection must still
// go through msw, not the real network.
import { expect, waitUntil } from '@open-wc/testing';
import { ws } from 'msw';
import { setupWorker, type SetupWorker } from 'msw/browser';
import { toSocketIo } from '@mswjs/socket.io-binding';
import { of } from 'rxjs';
import { ResilientConnection } from '../../src/core/connection.js';
import { v } from '../../src/protocol/index.js';

describe('ResilientConnection with a WebSocket installed later (msw)', () => {
  let worker: SetupWorker;
  const seen: { url: string }[] = [];

  before(async () => {
    const link = ws.link('ws://core-msw.mock.test/*');
    worker = setupWorker(
      link.addEventListener('connection', (connection) => {
        seen.push({ url: connection.client.url.href });
        const io = toSocketIo(connection);
        io.client.on('ping-me', () => io.client.emit('pong', { n: 1 }));
      }),
    );
    await worker.start({ quiet: true, onUnhandledRequest: 'bypass' });
  });
  after(() => worker.stop());

  it('connects through the mock and receives validated events', async () => {
    const conn = new ResilientConnection({
      endpoints: of({ id: 'mock', url: 'http://core-msw.mock.test' }),
      heartbeat: false,
      auth: () => ({ token: 'tok' }),
    });
    const pongs: number[] = [];
    const sub = conn.on('pong', v.object({ n: v.number() })).subscribe((x) => pongs.push(x.n));
    try {
      conn.start();
      await waitUntil(() => conn.status.state === 'connected', 'connected through msw');
      conn.emit('ping-me', {});
      await waitUntil(() => pongs.length === 1, 'event from the mock');
      expect(seen).to.have.length(1);
      expect(seen[0]!.url).to.match(
        /^ws:\/\/core-msw\.mock\.test\/socket\.io\/\?EIO=4&transport=websocket/,
      );
      expect(seen[0]!.url).to.not.contain('tok');
    } finally {
      sub.unsubscribe();
      conn.dispose();
    }
  });
});
