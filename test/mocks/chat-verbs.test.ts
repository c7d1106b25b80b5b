import { expect, waitUntil } from '@open-wc/testing';
import type { Socket } from 'socket.io-client';
import { cleanup, connect, disconnected, mock, next, request, sleep } from './helpers.js';
import type { MockBackend, MockEvent } from '../../src/mocks/index.js';
import {
  noticeEvent,
  participantEvent,
  sessionClosedEvent,
  typingEvent,
} from '../../src/protocol/wire.js';

async function join(m: MockBackend, interactionId: string): Promise<Socket> {
  const { properties } = m.interactions.get(interactionId);
  const socket = await connect(String(properties['chat.url']));
  const a = await request(socket, 'join', { sessionId: properties['chat.sessionId'] });
  expect(a.ok, JSON.stringify(a)).to.equal(true);
  return socket;
}

describe('mock chat control verbs', () => {
  afterEach(cleanup);

  it('freeze: the socket stays open and nothing answers; unfreeze answers the backlog', async () => {
    const m = await mock();
    const { interactionId, instanceId } = await m.interactions.startChat();
    const socket = await join(m, interactionId);
    m.chat.freeze(instanceId);
    expect(m.chat.instances().find((i) => i.id === instanceId)).to.include({
      alive: true,
      frozen: true,
    });
    const late = request(socket, 'hb', { t: 1 }, 10000);
    let timedOut = false;
    await request(socket, 'hb', { t: 2 }, 200).catch(() => (timedOut = true));
    expect(timedOut).to.equal(true);
    expect(socket.connected).to.equal(true);
    let customerFailed = false;
    await m.customer.send(interactionId, 'into the void').catch(() => (customerFailed = true));
    expect(customerFailed).to.equal(true);
    m.chat.unfreeze(instanceId);
    expect(await late).to.include({ ok: true, instanceId });
  });

  it('relocate moves the session with a property delta and a notice; the old socket may no longer write', async () => {
    const m = await mock();
    const { interactionId, sessionId, instanceId } = await m.interactions.startChat({
      instanceId: 'chat-1',
    });
    const socket = await join(m, interactionId);
    const notice = next(socket, 'notice');
    const events: MockEvent[] = [];
    m.events$.subscribe((e) => events.push(e));
    m.chat.relocate(interactionId, 'chat-3');
    expect(noticeEvent(await notice).ok).to.equal(true);
    const props = m.interactions.get(interactionId).properties;
    expect(props).to.include({
      'chat.instanceId': 'chat-3',
      'chat.url': 'http://chat-3.mock.test',
      'chat.epoch': 2,
      'chat.state': 'active',
    });
    expect(events).to.deep.include({
      type: 'chat-relocated',
      interactionId,
      sessionId,
      from: instanceId,
      to: 'chat-3',
      epoch: 2,
    });
    const stale = await request(socket, 'send', { sessionId, clientMsgId: 'x', text: 'hi' });
    expect(stale).to.deep.include({ ok: false });
    const moved = await join(m, interactionId);
    expect((await request(moved, 'send', { sessionId, clientMsgId: 'y', text: 'hi' })).ok).to.equal(
      true,
    );
  });

  it('drain moves every session away, refuses new chats there and closes its sockets', async () => {
    const m = await mock({ chatInstances: 2 });
    const a = await m.interactions.startChat({ instanceId: 'chat-1' });
    const socket = await join(m, a.interactionId);
    const gone = disconnected(socket);
    m.chat.drain('chat-1');
    expect(await gone).to.equal('io server disconnect');
    expect(m.interactions.get(a.interactionId).properties['chat.instanceId']).to.equal('chat-2');
    expect(m.chat.instances()[0]).to.include({ draining: true, sessions: 0 });
    expect((await m.interactions.startChat()).instanceId).to.equal('chat-2');
    m.chat.revive('chat-1');
    expect(m.chat.instances()[0]!.draining).to.equal(false);
  });

  it('revive: the instance takes connections again, and the sessions of a killed instance still move on', async () => {
    const m = await mock({ restoreDelayMs: 100 });
    const { interactionId, instanceId } = await m.interactions.startChat();
    m.chat.kill(instanceId);
    expect(m.interactions.get(interactionId).properties['chat.state']).to.equal('restoring');
    m.chat.revive(instanceId);
    expect((await connect(m.urls.chat[instanceId]!)).connected).to.equal(true);
    await waitUntil(
      () => m.interactions.get(interactionId).properties['chat.state'] === 'active',
      'restored',
      { timeout: 5000 },
    );
    expect(m.interactions.get(interactionId).properties['chat.instanceId']).to.not.equal(
      instanceId,
    );
    expect((await join(m, interactionId)).connected).to.equal(true);
  });

  it('a kill with no other instance up restores onto the revived one', async () => {
    const m = await mock({ chatInstances: 1, restoreDelayMs: 50 });
    const { interactionId } = await m.interactions.startChat();
    m.chat.kill('chat-1');
    await sleep(120);
    expect(m.interactions.get(interactionId).properties['chat.state']).to.equal('restoring');
    m.chat.revive('chat-1');
    await waitUntil(
      () => m.interactions.get(interactionId).properties['chat.state'] === 'active',
      'restored',
      { timeout: 5000 },
    );
    expect(m.interactions.get(interactionId).properties).to.include({
      'chat.instanceId': 'chat-1',
      'chat.epoch': 2,
    });
  });

  it('failTranscriptSave: a notice, or the session closes (transcript-save-on-error = close)', async () => {
    const m = await mock();
    const { interactionId, sessionId } = await m.interactions.startChat();
    const socket = await join(m, interactionId);
    m.chat.failTranscriptSave(interactionId, 'notice');
    const notice = next<{ code: string }>(socket, 'notice');
    expect(
      (await request(socket, 'send', { sessionId, clientMsgId: 'a', text: 'one' })).ok,
    ).to.equal(true);
    expect((await notice).code).to.equal('transcript-save-failed');

    m.chat.failTranscriptSave(interactionId, 'close');
    const closed = next(socket, 'session-closed');
    const refused = await request(socket, 'send', { sessionId, clientMsgId: 'b', text: 'two' });
    expect(refused).to.deep.equal({
      ok: false,
      error: {
        code: 'closed',
        message: 'the transcript could not be saved; the session was closed',
      },
    });
    expect(sessionClosedEvent(await closed).ok).to.equal(true);
    expect(m.interactions.get(interactionId).properties['chat.state']).to.equal('closed');
    const rejoin = await request(socket, 'join', { sessionId });
    expect(rejoin).to.include({ ok: true, state: 'closed', lastSeq: 1 });
  });

  it('customer typing, participants, autoTalk and raw events reach the session sockets', async () => {
    const m = await mock();
    const { interactionId, sessionId } = await m.interactions.startChat();
    const socket = await join(m, interactionId);
    const typing = next(socket, 'typing');
    m.customer.typing(interactionId, true);
    expect(typingEvent(await typing).ok).to.equal(true);

    const joined = next(socket, 'participant');
    await connect(m.interactions.get(interactionId).properties['chat.url'] as string, {
      token: 't',
      agentId: 'supervisor1',
    }).then((s) => request(s, 'join', { sessionId }));
    expect(participantEvent(await joined).ok).to.equal(true);

    const stopTalking = m.customer.autoTalk(interactionId, 20);
    await waitUntil(() => m.chat.transcript(interactionId).length >= 2, 'customer talks', {
      timeout: 5000,
    });
    stopTalking();

    const raw = next(socket, 'message');
    m.chat.emitRaw(interactionId, 'message', { seq: 'not a number' });
    expect(await raw).to.deep.equal({ seq: 'not a number' });
    expect(() => m.chat.emitRaw(interactionId, 'disconnect', {})).to.throw('reserved');
  });

  it('the interaction server: sinceVersion, unwatch, hostile watch payloads, raw and hostile properties', async () => {
    const m = await mock();
    const { interactionId } = await m.interactions.startChat();
    const w = await connect(m.urls.interactions);
    expect(await request(w, 'watch', { interactionId: 'nope' })).to.deep.include({ ok: false });
    expect(
      ((await request(w, 'watch', { interactionId: 'nope' })).error as { code: string }).code,
    ).to.equal('unknown-interaction');
    expect(
      ((await request(w, 'watch', { interactionId, sinceVersion: -1 })).error as { code: string })
        .code,
    ).to.equal('bad-request');
    expect(((await request(w, 'watch', [1, 2])).error as { code: string }).code).to.equal(
      'bad-request',
    );
    const snap = await request(w, 'watch', { interactionId, sinceVersion: 1 });
    expect(snap).to.include({ ok: true, version: 1 });

    const hostile = next<{ set: Record<string, unknown>; version: number }>(w, 'properties');
    m.interactions.setProperties(interactionId, { 'chat.url': 'https://evil.example' });
    expect((await hostile).set['chat.url']).to.equal('https://evil.example');
    const raw = next(w, 'properties');
    m.interactions.emitRaw(interactionId, { version: 'x' });
    expect(await raw).to.deep.equal({ version: 'x' });

    expect(await request(w, 'unwatch', { interactionId })).to.deep.equal({ ok: true });
    let heard = false;
    w.on('properties', () => (heard = true));
    m.interactions.setProperties(interactionId, { a: 1 }, ['chat.url']);
    expect(m.interactions.get(interactionId)).to.deep.equal({
      version: 3,
      properties: { ...m.interactions.get(interactionId).properties },
    });
    expect(m.interactions.get(interactionId).properties).to.not.have.property('chat.url');
    expect(await request(w, 'hb', {})).to.include({ ok: true });
    expect(heard).to.equal(false);
  });

  it('primary and backup interaction servers share one store; killing one drops only its watchers', async () => {
    const m = await mock();
    const { interactionId } = await m.interactions.startChat();
    const a = await connect(m.urls.interactions);
    const b = await connect(m.urls.interactionsBackup);
    await request(a, 'watch', { interactionId });
    expect(await request(b, 'watch', { interactionId })).to.include({ ok: true, version: 1 });
    const both = [
      next<{ version: number }>(a, 'properties'),
      next<{ version: number }>(b, 'properties'),
    ];
    m.interactions.setProperties(interactionId, { note: 'x' });
    expect((await Promise.all(both)).map((d) => d.version)).to.deep.equal([2, 2]);
    const gone = disconnected(a);
    m.interactions.kill();
    expect(await gone).to.equal('transport close');
    expect(m.interactions.servers().map((x) => x.alive)).to.deep.equal([false, true]);
    const delta = next<{ version: number }>(b, 'properties');
    m.interactions.setProperties(interactionId, { note: 'y' });
    expect((await delta).version).to.equal(3);
    m.interactions.revive();
    expect(
      await request(await connect(m.urls.interactions), 'watch', {
        interactionId,
        sinceVersion: 2,
      }),
    ).to.include({ version: 3 });
  });

  it('a mock left running by a failed test is stopped by the next start', async () => {
    const forgotten = await mock();
    const socket = await connect(forgotten.urls.interactions);
    const gone = disconnected(socket);
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args[0]);
    const fresh = await mock().finally(() => (console.warn = warn));
    expect(String(warnings[0])).to.contain('still running');
    await gone;
    expect(forgotten.connections()).to.equal(0);
    expect(fresh.connections()).to.equal(0);
  });

  it('every server answers every event with any payload by an ack of the protocol shape', async () => {
    const m = await mock();
    const { interactionId } = await m.interactions.startChat();
    const payloads: unknown[] = [
      undefined,
      null,
      0,
      'x',
      [],
      {},
      { sessionId: {} },
      { sessionId: 'a'.repeat(200), afterSeq: -1 },
      { interactionId: ['a'] },
      { requestIds: [1, 2] },
      { sessionId: 'cs', clientMsgId: 'c', text: 'x'.repeat(4001) },
      JSON.parse('{"__proto__":{"polluted":true},"sessionId":"x"}'),
      { a: { b: { c: { d: { e: {} } } } } },
    ];
    // ('typing' is fire-and-forget on chat instances: no ack, as in the protocol)
    const events = ['watch', 'unwatch', 'join', 'send', 'hb', 'subscribe', 'nope'];
    const urls = [
      m.urls.interactions,
      String(m.interactions.get(interactionId).properties['chat.url']),
      m.urls.pcsVip,
    ];
    for (const url of urls) {
      const socket = await connect(url);
      for (const event of events) {
        for (const payload of payloads) {
          const a = await request(socket, event, payload);
          expect(
            a.ok === true ||
              (a.ok === false && typeof (a.error as { code?: unknown }).code === 'string'),
            `${url} ${event}`,
          ).to.equal(true);
        }
      }
      expect(await request(socket, 'hb', {})).to.include({ ok: true });
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('malformed frames close only that connection; the server keeps serving', async () => {
    const m = await mock();
    const victim = await connect(m.urls.interactions);
    const gone = disconnected(victim);
    // Below socket.io: a frame the parser cannot read (a real server drops the connection too).
    (victim.io.engine as unknown as { write(d: string): void }).write('2["bad json');
    expect(await gone).to.equal('transport close');
    const big = await connect(m.urls.interactions);
    const bigGone = disconnected(big);
    big.emit('watch', { interactionId: 'x'.repeat(70 * 1024) });
    expect(await bigGone).to.equal('transport close');
    const fine = await connect(m.urls.interactions);
    expect(await request(fine, 'hb', {})).to.include({ ok: true });
  });

  it('stop() closes every socket, clears timers and can be followed by a new mock', async () => {
    const m = await mock({ finesse: true });
    const { interactionId } = await m.interactions.startChat();
    const socket = await join(m, interactionId);
    m.customer.autoTalk(interactionId, 10);
    m.chat.kill(m.interactions.get(interactionId).properties['chat.instanceId'] as string);
    const gone = disconnected(socket);
    await m.stop();
    await gone;
    expect(m.connections()).to.equal(0);
    expect('finesse' in globalThis).to.equal(false);
    const again = await mock();
    expect(again.chat.instances().every((i) => i.alive && i.sessions === 0)).to.equal(true);
  });
});
