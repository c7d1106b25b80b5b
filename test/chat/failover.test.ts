import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { AgRelocatedEvent } from '../../src/events.js';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  agentId,
  connectedPanel,
  essence,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
  type AgChatPanel,
} from './helpers.js';

/** Every agent text the server holds, in order; each must be there exactly once. */
const agentTexts = (mock: MockBackend, interactionId: string) =>
  mock.chat
    .transcript(interactionId)
    .filter((m) => m.from.id === agentId)
    .map((m) => m.text);

/** Collects what the polite live region says, to check relocations add no join/leave noise. */
function recordAnnouncements(el: AgChatPanel): string[] {
  const said: string[] = [];
  const region = el.shadowRoot!.querySelector('[role="status"]')!;
  new MutationObserver(() => said.push(region.textContent ?? '')).observe(region, {
    childList: true,
    characterData: true,
    subtree: true,
  });
  return said;
}

describe('<ag-chat-panel> failover', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('kill mid-conversation: the transcript equals the server transcript, no gap, no duplicate', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Kim',
      instanceId: 'chat-1',
    });
    const el = await connectedPanel(mock, interactionId);
    const stopCustomer = mock.customer.autoTalk(interactionId, 40);
    const sent: string[] = [];
    const say = (text: string) => {
      typeAndEnter(el, text);
      sent.push(text);
    };
    for (let i = 1; i <= 5; i++) {
      say(`agent before ${i}`);
      await aTimeout(30);
    }
    const relocated = new Promise<AgRelocatedEvent>((resolve) =>
      el.addEventListener('ag-relocated', resolve, { once: true }),
    );
    const killedAt = Date.now();
    mock.chat.kill('chat-1');
    // the agent keeps typing while the session is being restored: held, then delivered once
    for (let i = 1; i <= 5; i++) {
      say(`agent during ${i}`);
      await aTimeout(30);
    }
    const moved = await relocated;
    const killToRelocatedMs = Date.now() - killedAt;
    expect(moved.detail.from).to.equal('chat-1');
    expect(moved.detail.to).to.not.equal('chat-1');
    // The client lost chat-1 after the kill and was back on another instance before the event,
    // and the restore (restoreDelayMs) plus a reconnect lie in between: the gap is real time
    // inside that window, not 0 and not a timestamp.
    expect(moved.detail.gapMs).to.be.a('number').and.above(0).and.at.most(killToRelocatedMs);
    for (let i = 1; i <= 5; i++) {
      say(`agent after ${i}`);
      await aTimeout(30);
    }
    stopCustomer();
    await waitUntil(
      () => agentTexts(mock, interactionId).length === sent.length,
      'not every agent message arrived',
      { timeout: 10000 },
    );
    const total = mock.chat.transcript(interactionId).length;
    await untilInSync(el, mock, interactionId, total);

    expect(agentTexts(mock, interactionId)).to.deep.equal(sent);
    expect(el.messages.map(essence)).to.deep.equal(
      mock.chat.transcript(interactionId).map(essence),
    );
    const seqs = el.messages.map((m) => m.seq);
    expect(seqs).to.deep.equal(seqs.map((_, i) => i + 1));
    expect(new Set(el.messages.map((m) => m.id)).size).to.equal(el.messages.length);
    expect(el.messages.some((m) => m.from.role === 'customer')).to.equal(true);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part="message"]').length).to.equal(total);
    expect(el.shadowRoot!.querySelectorAll('[part="pending-message"]').length).to.equal(0);
  });

  it('20 relocations in a row (relocate, drain, kill + revive) lose no message and duplicate none', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Lee',
      instanceId: 'chat-1',
    });
    const el = await connectedPanel(mock, interactionId);
    const said = recordAnnouncements(el);
    const statusLines: string[] = [];
    const status = el.shadowRoot!.querySelector('[part="status"]')!;
    new MutationObserver(() => statusLines.push(status.textContent ?? '')).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    const moves: { from: string; to: string }[] = [];
    el.addEventListener('ag-relocated', (e) =>
      moves.push({ from: e.detail.from, to: e.detail.to }),
    );
    const sent: string[] = [];
    let customerCount = 0;

    for (let round = 0; round < 20; round++) {
      const from = el.endpoint!;
      await mock.customer.send(interactionId, `customer ${round}`).then(() => customerCount++);
      typeAndEnter(el, `agent ${round} a`);
      sent.push(`agent ${round} a`);
      const kind = round % 3;
      if (kind === 0) mock.chat.relocate(interactionId);
      else if (kind === 1) mock.chat.drain(from);
      else mock.chat.kill(from);
      // typed while the move is under way
      typeAndEnter(el, `agent ${round} b`);
      sent.push(`agent ${round} b`);
      await waitUntil(
        () => el.connectionState === 'connected' && el.endpoint !== from,
        `round ${round}: no move`,
        {
          timeout: 8000,
        },
      );
      if (kind !== 0) mock.chat.revive(from);
    }

    await waitUntil(
      () => agentTexts(mock, interactionId).length === sent.length,
      'not every agent message arrived',
      { timeout: 10000 },
    );
    const total = mock.chat.transcript(interactionId).length;
    expect(total).to.equal(sent.length + customerCount);
    await untilInSync(el, mock, interactionId, total);
    expect(agentTexts(mock, interactionId)).to.deep.equal(sent);
    expect(el.messages.map(essence)).to.deep.equal(
      mock.chat.transcript(interactionId).map(essence),
    );
    expect(moves).to.have.length(20);
    for (const m of moves) expect(m.to).to.not.equal(m.from);
    // the one status line said where it went
    expect(statusLines.some((t) => /^Reconnecting — moved to instance chat-\d$/.test(t))).to.equal(
      true,
    );
    // a move is not a departure: nobody "left" or "joined"
    expect(said.filter((s) => / (joined|left) the chat$/.test(s))).to.deep.equal([]);
  });

  it('rejoins at once when chat.epoch is bumped on the same instance (a restore in place)', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const changes: { state: string; reason?: string; endpoint?: string }[] = [];
    el.addEventListener('ag-connection-change', (e) => changes.push(e.detail));
    let relocated = 0;
    el.addEventListener('ag-relocated', () => relocated++);

    const epoch = mock.interactions.get(interactionId).properties['chat.epoch'] as number;
    mock.interactions.setProperties(interactionId, { 'chat.epoch': epoch + 1 });
    await waitUntil(() => changes.some((c) => c.state === 'connected'), 'did not rejoin');
    expect(changes[0]).to.deep.include({
      state: 'reconnecting',
      reason: 'relocated',
      endpoint: 'chat-1',
    });
    expect(el.endpoint).to.equal('chat-1');
    expect(relocated).to.equal(0); // same instance: not a relocation
    typeAndEnter(el, 'after the rejoin');
    await untilInSync(el, mock, interactionId, 1);
  });

  it('notices a silent freeze and recovers on another instance', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId, { heartbeatMs: 300 });
    const states: string[] = [];
    el.addEventListener('ag-connection-change', (e) => states.push(e.detail.state));

    mock.chat.freeze('chat-1');
    // nothing closed the socket: only the heartbeat can tell
    await waitUntil(() => el.connectionState === 'reconnecting', 'the freeze went unnoticed', {
      timeout: 8000,
    });
    typeAndEnter(el, 'typed while frozen');
    // the HA layer restores the session elsewhere; the panel follows at once
    mock.chat.relocate(interactionId);
    await waitUntil(() => el.connectionState === 'connected', 'no recovery', { timeout: 8000 });
    expect(el.endpoint).to.not.equal('chat-1');
    expect(states).to.include('reconnecting');
    expect(states[states.length - 1]).to.equal('connected');
    await untilInSync(el, mock, interactionId, 1);
    expect(el.messages[0]!.text).to.equal('typed while frozen');
  });
});
