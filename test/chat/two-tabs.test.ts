// Two panels of one agent on one interaction (two gadgets, or a framework rendering it twice):
// every message exactly once, one owner of what is held at a time, and each panel shows the
// other's pending messages. (Two real tabs: test/e2e/lifecycle.test.mjs.)
import { expect, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import { connectedPanel, startMock, stopMock, typeAndEnter, type AgChatPanel } from './helpers.js';

const pendingTexts = (el: AgChatPanel) =>
  [...el.shadowRoot!.querySelectorAll('[part="pending-message"] .text')].map((n) => n.textContent);

describe('<ag-chat-panel> twice on one interaction', function () {
  this.timeout(30000);
  let mock: MockBackend;
  beforeEach(async () => {
    sessionStorage.clear();
    mock = await startMock();
  });
  afterEach(async () => {
    await stopMock();
    sessionStorage.clear();
  });

  it('both type while the instance is silent: both show everything pending, the owner leaves, every message arrives once', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const a = await connectedPanel(mock, interactionId, { heartbeatMs: 400 });
    const b = await connectedPanel(mock, interactionId, { heartbeatMs: 400 });
    mock.chat.freeze('chat-1');
    typeAndEnter(a, 'a1');
    typeAndEnter(b, 'b1');
    typeAndEnter(a, 'a2');
    const all = ['a1', 'a2', 'b1'];
    await waitUntil(
      () =>
        JSON.stringify(pendingTexts(a).sort()) === JSON.stringify(all) &&
        JSON.stringify(pendingTexts(b).sort()) === JSON.stringify(all),
      'the panels do not show each other pending messages',
    );

    // the first panel (the owner of what is held) goes away for good; the other takes over
    a.remove();
    mock.chat.unfreeze('chat-1');
    const agentTexts = () =>
      mock.chat
        .transcript(interactionId)
        .filter((m) => m.from.role === 'agent')
        .map((m) => m.text);
    await waitUntil(
      () => agentTexts().length >= 3 && pendingTexts(b).length === 0,
      `not delivered: server ${agentTexts().join(',')}, pending ${pendingTexts(b).join(',')}`,
      { timeout: 20000 },
    );
    expect([...agentTexts()].sort()).to.deep.equal(all);
    expect(agentTexts().indexOf('a1')).to.be.lessThan(agentTexts().indexOf('a2'));
    const server = mock.chat.transcript(interactionId);
    await waitUntil(() => b.messages.length === server.length);
    expect(b.messages.map((m) => m.id)).to.deep.equal(server.map((m) => m.id));
  });

  it('both connected: each message typed in either panel is in both transcripts once', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const a = await connectedPanel(mock, interactionId);
    const b = await connectedPanel(mock, interactionId);
    for (let i = 0; i < 5; i++) {
      typeAndEnter(a, `from a ${i}`);
      typeAndEnter(b, `from b ${i}`);
    }
    await waitUntil(
      () => a.messages.length === 10 && b.messages.length === 10,
      'messages missing',
      { timeout: 15000 },
    );
    const server = mock.chat.transcript(interactionId);
    expect(server).to.have.length(10);
    expect(a.messages.map((m) => m.id)).to.deep.equal(server.map((m) => m.id));
    expect(b.messages.map((m) => m.id)).to.deep.equal(server.map((m) => m.id));
    await waitUntil(() => pendingTexts(a).length === 0 && pendingTexts(b).length === 0);
  });
});
