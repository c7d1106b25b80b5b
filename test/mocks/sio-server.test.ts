// The mock's socket.io server speaks through socket.io-parser / engine.io-parser: what they
// cannot decode is refused by closing that one connection, and everything else keeps serving.
import { expect, waitUntil } from '@open-wc/testing';
import { cleanup, connect, mock, request } from './helpers.js';
import { errorAnswer } from '../../src/protocol/wire.js';

interface RawSocket {
  ws: WebSocket;
  frames: string[];
  closed: Promise<CloseEvent>;
}

/** A bare WebSocket to a mocked server (msw intercepts it), past the Engine.IO open. */
async function raw(baseUrl: string): Promise<RawSocket> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url);
  const frames: string[] = [];
  ws.addEventListener('message', (e) => frames.push(String(e.data)));
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve));
  await waitUntil(() => frames.length > 0, 'the Engine.IO open', { timeout: 10000 });
  return { ws, frames, closed };
}

async function connected(baseUrl: string): Promise<RawSocket> {
  const s = await raw(baseUrl);
  s.ws.send('40' + JSON.stringify({ token: 't', agentId: 'agent1' }));
  await waitUntil(() => s.frames.some((f) => f.startsWith('40{')), 'CONNECT accepted', {
    timeout: 10000,
  });
  return s;
}

describe('mock socket.io server codec', () => {
  afterEach(cleanup);

  it('opens with an Engine.IO handshake the parser wrote', async () => {
    const m = await mock();
    const s = await raw(m.urls.chat['chat-1']!);
    const open = s.frames[0]!;
    expect(open[0]).to.equal('0');
    const handshake = JSON.parse(open.slice(1)) as Record<string, unknown>;
    expect(handshake).to.include.keys('sid', 'pingInterval', 'pingTimeout', 'maxPayload');
    expect(handshake.upgrades).to.deep.equal([]);
    s.ws.close();
  });

  const malformed: [string, string][] = [
    ['an EVENT whose JSON is cut off', '42["send",{"text":'],
    ['an EVENT whose payload is not an array', '42{"not":"an array"}'],
    ['an EVENT with a reserved name', '42["disconnect"]'],
    ['an unknown socket.io packet type', '47["x"]'],
    ['a binary EVENT with an illegal attachment count', '45x-["send"]'],
    ['an empty Engine.IO message', '4'],
    ['an unknown Engine.IO packet type', 'z'],
    ['a binary attachment nobody announced', ''],
  ];
  for (const [what, frame] of malformed) {
    it(`refuses ${what} by closing that connection, and keeps serving`, async () => {
      const m = await mock();
      const url = m.urls.chat['chat-1']!;
      const bystander = await connect(url);
      const s = await connected(url);
      expect(m.connections()).to.equal(2);
      // '' stands for a binary frame: a lone attachment is a parse error in socket.io-parser
      s.ws.send(frame === '' ? new Uint8Array([1, 2, 3]) : frame);
      const close = await s.closed;
      expect(close.code, close.reason).to.equal(1002);
      await waitUntil(() => m.connections() === 1, 'only the bystander left', { timeout: 10000 });
      // The server is unharmed: the other client still gets answers, new clients get in.
      expect(bystander.connected).to.equal(true);
      const hb = await request(bystander, 'hb', { t: 1 });
      expect(hb).to.include({ ok: true, instanceId: 'chat-1' });
      const fresh = await connect(url);
      expect((await request(fresh, 'hb', { t: 2 })).ok).to.equal(true);
    });
  }

  it('answers an ack for an EVENT framed by hand, with the id it was given', async () => {
    const m = await mock();
    const s = await connected(m.urls.chat['chat-1']!);
    s.ws.send('4217' + JSON.stringify(['hb', { t: 5 }]));
    await waitUntil(() => s.frames.some((f) => f.startsWith('4317[')), 'the ack', {
      timeout: 10000,
    });
    const ack = s.frames.find((f) => f.startsWith('4317['))!;
    expect((JSON.parse(ack.slice(4)) as unknown[])[0]).to.include({ ok: true });
    s.ws.close();
  });

  it('reassembles binary attachments (and the protocol refuses binary payloads as bad requests)', async () => {
    const m = await mock();
    const socket = await connect(m.urls.chat['chat-1']!);
    const a = await request(socket, 'join', { sessionId: new Uint8Array([1, 2, 3]), afterSeq: 0 });
    expect(errorAnswer(a).ok, JSON.stringify(a)).to.equal(true);
    expect((a.error as { code: string }).code).to.equal('bad-request');
    expect((await request(socket, 'hb', { t: 1 })).ok).to.equal(true);
  });
});
