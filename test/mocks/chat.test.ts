import { expect, waitUntil } from '@open-wc/testing';
import type { Socket } from 'socket.io-client';
import {
  cleanup,
  connect,
  disconnected,
  mock,
  next,
  request,
  sleep,
  tryConnect,
} from './helpers.js';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  joinAnswer,
  sendAnswer,
  watchAnswer,
  propertiesDelta,
  chatMessage,
  errorAnswer,
} from '../../src/protocol/wire.js';

async function joined(
  m: MockBackend,
  interactionId: string,
  afterSeq = 0,
): Promise<{ socket: Socket; answer: Record<string, unknown> }> {
  const { properties } = m.interactions.get(interactionId);
  const socket = await connect(String(properties['chat.url']));
  const answer = await request(socket, 'join', {
    sessionId: properties['chat.sessionId'],
    afterSeq,
  });
  return { socket, answer };
}

describe('mock chat instances', () => {
  afterEach(cleanup);

  it('joins, sends idempotently and broadcasts to the session', async () => {
    const m = await mock();
    const { interactionId, sessionId, instanceId } = await m.interactions.startChat({
      customerName: 'Carla',
    });
    const { socket, answer } = await joined(m, interactionId);
    expect(joinAnswer(answer).ok).to.equal(true);
    expect(answer).to.include({ ok: true, instanceId, sessionId, lastSeq: 0 });

    const { socket: other } = await joined(m, interactionId);
    const seen = next(other, 'message');
    const first = await request(socket, 'send', { sessionId, clientMsgId: 'c-1', text: 'hello' });
    expect(sendAnswer(first).ok).to.equal(true);
    expect(chatMessage(await seen).ok).to.equal(true);
    const again = await request(socket, 'send', { sessionId, clientMsgId: 'c-1', text: 'hello' });
    expect(again).to.deep.equal(first);
    expect(m.chat.transcript(interactionId)).to.have.length(1);

    const customer = await m.customer.send(interactionId, 'hi there');
    expect(customer.seq).to.equal(2);
    const replay = await request(socket, 'join', { sessionId, afterSeq: 1 });
    expect((replay.transcript as { seq: number }[]).map((x) => x.seq)).to.deep.equal([2]);
  });

  it('kill -> restore -> property delta -> join on the new instance returns the full transcript', async () => {
    const m = await mock({ restoreDelayMs: 50 });
    const { interactionId, sessionId, instanceId } = await m.interactions.startChat();
    const watcher = await connect(m.urls.interactions);
    const snap = await request(watcher, 'watch', { interactionId });
    expect(watchAnswer(snap).ok).to.equal(true);
    const { socket } = await joined(m, interactionId);
    await request(socket, 'send', { sessionId, clientMsgId: 'a', text: 'one' });
    await m.customer.send(interactionId, 'two');

    const deltas: Record<string, unknown>[] = [];
    watcher.on('properties', (d: Record<string, unknown>) => deltas.push(d));
    const events: string[] = [];
    m.events$.subscribe((e) => events.push(e.type));
    const dropped = disconnected(socket);
    m.chat.kill(instanceId);
    expect(await dropped).to.equal('transport close');
    expect(await tryConnect(m.urls.chat[instanceId]!)).to.be.instanceOf(Error);

    await waitUntil(
      () => deltas.some((d) => (d.set as Record<string, unknown>)['chat.state'] === 'active'),
      'restored',
      { timeout: 5000 },
    );
    for (const d of deltas) expect(propertiesDelta(d).ok).to.equal(true);
    expect(deltas.map((d) => d.version)).to.deep.equal([
      (snap.version as number) + 1,
      (snap.version as number) + 2,
    ]);
    const props = m.interactions.get(interactionId).properties;
    expect(props['chat.instanceId']).to.not.equal(instanceId);
    expect(props['chat.epoch']).to.equal(2);

    const { answer } = await joined(m, interactionId);
    expect(answer.instanceId).to.equal(props['chat.instanceId']);
    expect((answer.transcript as { text: string }[]).map((x) => x.text)).to.deep.equal([
      'one',
      'two',
    ]);
    expect(m.chat.instances().find((i) => i.id === instanceId)).to.include({
      alive: false,
      sessions: 0,
    });
    expect(events).to.deep.equal(['chat-killed', 'chat-restored']);
  });

  it('answers hostile input with errors and keeps serving', async () => {
    const m = await mock();
    const { interactionId, sessionId } = await m.interactions.startChat();
    const { socket } = await joined(m, interactionId);
    const bad = async (event: string, payload: unknown, code: string) => {
      const a = await request(socket, event, payload);
      expect(errorAnswer(a).ok, JSON.stringify(a)).to.equal(true);
      expect((a.error as { code: string }).code).to.equal(code);
    };
    await bad('join', { sessionId: 'nope' }, 'unknown-session');
    await bad('join', { sessionId: 'x'.repeat(500) }, 'bad-request');
    await bad('join', null, 'bad-request');
    await bad('join', 'string', 'bad-request');
    await bad('send', { sessionId, clientMsgId: 'c', text: 'x'.repeat(5000) }, 'too-large');
    await bad('send', { sessionId, clientMsgId: 'c', text: '' }, 'bad-request');
    await bad('send', { sessionId, text: 'no id' }, 'bad-request');
    await bad('send', { sessionId: 'other', clientMsgId: 'c', text: 'hi' }, 'unknown-session');
    await bad('no-such-event', {}, 'bad-request');
    await bad('__proto__', { a: 1 }, 'bad-request');
    socket.emit('typing', { nonsense: true });
    socket.emit('join'); // no ack asked: nothing to answer, nothing to break
    const hb = await request(socket, 'hb', { t: 1 });
    expect(hb).to.include({
      ok: true,
      instanceId: m.interactions.get(interactionId).properties['chat.instanceId'],
    });
    const ok = await request(socket, 'send', {
      sessionId,
      clientMsgId: 'fine',
      text: 'still here',
    });
    expect(ok.ok).to.equal(true);
  });

  it('refuses a bad token in the handshake', async () => {
    const m = await mock();
    const e = await tryConnect(m.urls.chat['chat-1']!, { token: 'bad-token' });
    expect(e).to.be.instanceOf(Error);
    expect((e as Error).message).to.equal('unauthorized');
    expect(await tryConnect(m.urls.chat['chat-1']!, {})).to.be.instanceOf(Error);
  });

  it('connections() returns to 0 after clients disconnect', async () => {
    const m = await mock();
    const a = await connect(m.urls.chat['chat-1']!);
    const b = await connect(m.urls.interactions);
    expect(m.connections()).to.equal(2);
    a.disconnect();
    b.disconnect();
    await waitUntil(() => m.connections() === 0, 'all sockets closed', { timeout: 5000 });
  });

  it('works again after a stop and a second start in the same page', async () => {
    const m1 = await mock();
    await m1.stop();
    const m2 = await mock();
    const { interactionId } = await m2.interactions.startChat();
    const { answer } = await joined(m2, interactionId);
    expect(answer.ok).to.equal(true);
    await sleep(0);
  });
});
