// Issue 12's repros on the mocked cluster: inputs that used to leave the panel "Connected" to an
// instance that no longer serves the session. Each ends with a genuine relocation: the panel is
// on the new instance, the agent message queued around the move is delivered once, and the
// customer's messages arrive.
import { expect, waitUntil } from '@open-wc/testing';
import type { AgErrorEvent } from '../../src/events.js';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  connectionStates,
  panel,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
  type AgChatPanel,
} from './helpers.js';

interface Reported {
  code: string;
  message: string;
}

function errors(el: AgChatPanel): Reported[] {
  const out: Reported[] = [];
  el.addEventListener('ag-error', (e: AgErrorEvent) => out.push({ ...e.detail }));
  return out;
}

/** A panel watching the primary and the backup interaction server. */
const haPanel = (mock: MockBackend, interactionId: string): Promise<AgChatPanel> =>
  connectedPanel(mock, interactionId, { heartbeatMs: 500, backup: true });

/**
 * A genuine relocation to `to`, with an agent message typed right after it: the panel gets
 * there, the message is in the server's transcript exactly once, a customer message arrives.
 */
async function genuineMove(
  el: AgChatPanel,
  mock: MockBackend,
  interactionId: string,
  to: string,
  label: string,
): Promise<void> {
  mock.chat.relocate(interactionId, to);
  typeAndEnter(el, `agent ${label}`);
  await waitUntil(
    () => el.connectionState === 'connected' && el.endpoint === to,
    `panel did not reach ${to}`,
    { timeout: 10000 },
  );
  await mock.customer.send(interactionId, `customer ${label}`);
  const count = mock.chat.transcript(interactionId).length;
  await untilInSync(el, mock, interactionId, count);
  const server = mock.chat.transcript(interactionId);
  expect(server.filter((m) => m.text === `agent ${label}`)).to.have.length(1);
  expect(el.messages.some((m) => m.text === `customer ${label}`)).to.equal(true);
  expect(el.shadowRoot!.querySelectorAll('[data-state="failed-will-retry"]')).to.have.length(0);
}

describe('<ag-chat-panel> is never stranded (mock)', function () {
  this.timeout(40000);
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('repro 1: a refused relocation does not use up its version; the genuine one at that version is followed', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const reported = errors(el);
    const { version } = mock.interactions.get(interactionId);
    const hostile = {
      interactionId,
      version: version + 1,
      set: {
        'chat.url': 'https://evil.example',
        'chat.instanceId': 'chat-evil',
        'chat.epoch': 99,
        // nor may a refused update change the session the panel speaks for
        'chat.sessionId': 'cs-evil',
      },
      unset: [],
    };
    mock.interactions.emitRaw(interactionId, hostile);
    await waitUntil(() => reported.some((e) => e.code === 'relocation-refused'), 'not refused');
    mock.interactions.emitRaw(interactionId, hostile); // the same again is not news
    expect(el.endpoint).to.equal('chat-1');
    await genuineMove(el, mock, interactionId, 'chat-2', 'one');
    expect(reported.filter((e) => e.code === 'relocation-refused')).to.have.length(1);
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
  });

  it('repro 2: a backup answering version 1e15 does not blind the stream; two relocations are followed', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await haPanel(mock, interactionId);
    const reported = errors(el);
    mock.interactions.overrideNextWatch(interactionId, { version: 1e15 }, 'interactions-b');
    mock.interactions.kill('interactions');
    await waitUntil(
      () => mock.interactions.servers().find((s) => s.id === 'interactions-b')!.connections > 0,
      'the property stream never failed over to the backup',
      { timeout: 10000 },
    );
    await genuineMove(el, mock, interactionId, 'chat-2', 'one');
    await genuineMove(el, mock, interactionId, 'chat-3', 'two');
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
  });

  it('repro 3: an over-long value in a property the panel does not use is dropped, named once, and the relocation applies', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await haPanel(mock, interactionId);
    const reported = errors(el);
    mock.interactions.setProperties(interactionId, { 'x.note': 'n'.repeat(5000) });
    await waitUntil(
      () => reported.some((e) => e.code === 'invalid-properties'),
      'the long value was not reported',
    );
    expect(reported[0]!.message).to.contain('x.note');
    await genuineMove(el, mock, interactionId, 'chat-2', 'one');
    // later snapshots (a gap's re-watch, a failover's watch) carry it again: not news
    const { version } = mock.interactions.get(interactionId);
    mock.interactions.emitRaw(interactionId, {
      interactionId,
      version: version + 5,
      set: {},
      unset: [],
    });
    mock.interactions.kill('interactions');
    await genuineMove(el, mock, interactionId, 'chat-3', 'two');
    expect(reported.filter((e) => e.message.includes('x.note'))).to.have.length(1);
  });

  it('a delta unsetting both chat.url and chat.instanceId is reported; the panel stays where it is served', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const reported = errors(el);
    mock.interactions.setProperties(interactionId, {}, ['chat.url', 'chat.instanceId']);
    await waitUntil(
      () => reported.some((e) => e.code === 'invalid-properties' && e.message.includes('chat.url')),
      'the unset was not reported',
    );
    expect(el.connectionState).to.equal('connected');
    expect(el.endpoint).to.equal('chat-1');
    await genuineMove(el, mock, interactionId, 'chat-2', 'one');
  });

  it('liveness: a relocation whose delta was eclipsed is found through the old instance notice and a fresh watch', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const reported = errors(el);
    const states = connectionStates(el);
    // an injected delta takes the version the real relocation will have: the real one then
    // looks like a duplicate and only the old instance's `relocated` notice says anything
    const { version } = mock.interactions.get(interactionId);
    mock.interactions.emitRaw(interactionId, {
      interactionId,
      version: version + 1,
      set: { 'x.harmless': 1 },
      unset: [],
    });
    await waitUntil(() => el.connectionState === 'connected');
    await genuineMove(el, mock, interactionId, 'chat-2', 'one');
    expect(states.at(-1)).to.equal('connected@chat-2');
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
  });

  it('never "connected" while stranded: the old instance let go, the properties cannot be read yet', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const reported = errors(el);
    const states = connectionStates(el);
    // the relocation's delta cannot reach the panel: its interaction server is frozen
    mock.interactions.freeze('interactions');
    mock.chat.relocate(interactionId, 'chat-2');
    typeAndEnter(el, 'agent while stranded');
    await waitUntil(() => el.connectionState === 'reconnecting', 'still "connected" to chat-1', {
      timeout: 8000,
    });
    mock.interactions.unfreeze('interactions');
    await waitUntil(
      () => el.connectionState === 'connected' && el.endpoint === 'chat-2',
      'panel did not reach chat-2',
      { timeout: 15000 },
    );
    await mock.customer.send(interactionId, 'customer after');
    await untilInSync(el, mock, interactionId, mock.chat.transcript(interactionId).length);
    const server = mock.chat.transcript(interactionId);
    expect(server.filter((m) => m.text === 'agent while stranded')).to.have.length(1);
    expect(states.filter((x) => x === 'connected@chat-1')).to.deep.equal([]);
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
  });

  it('an unreachable interaction server raises one unreachable ag-error after a bounded time, and the panel still connects when it returns', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    mock.interactions.kill('interactions');
    const el = await panel(mock, interactionId, { heartbeatMs: 500 });
    const reported = errors(el);
    await waitUntil(() => reported.some((e) => e.code === 'unreachable'), 'no unreachable', {
      timeout: 20000,
    });
    expect(el.connectionState).to.not.equal('connected');
    mock.interactions.revive('interactions');
    await waitUntil(() => el.connectionState === 'connected', 'did not connect after revive', {
      timeout: 15000,
    });
    expect(reported.filter((e) => e.code === 'unreachable')).to.have.length(1);
  });
});
