// What the agent typed survives what frameworks and hosts do to an element: a move to another
// parent, removal and re-insertion, a configuration change, and a new element on the same
// interaction (a gadget reload). Held messages are delivered once, with the ids they got first.
import { expect, waitUntil } from '@open-wc/testing';
import type { AgOutboxKeptEvent } from '../../src/events.js';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  panel,
  startMock,
  stopMock,
  typeAndEnter,
  type AgChatPanel,
} from './helpers.js';

const pendingIds = (el: AgChatPanel) =>
  [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part="pending-message"]')].map(
    (li) => li.dataset['clientMsgId']!,
  );
const agentTexts = (mock: MockBackend, interactionId: string) =>
  mock.chat
    .transcript(interactionId)
    .filter((m) => m.from.role === 'agent')
    .map((m) => m.text);

describe('<ag-chat-panel> re-rendered with messages on their way', function () {
  this.timeout(30000);
  let mock: MockBackend;
  const parks: HTMLElement[] = [];
  beforeEach(async () => {
    sessionStorage.clear();
    mock = await startMock();
  });
  afterEach(async () => {
    for (const p of parks.splice(0)) p.remove();
    await stopMock();
    sessionStorage.clear();
  });

  it('moved, removed and re-inserted, re-configured: every queued message is delivered once, same ids', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId, { heartbeatMs: 400 });
    mock.chat.freeze('chat-1');
    typeAndEnter(el, 'held one');
    await el.updateComplete;
    const [first] = pendingIds(el);
    expect(first).to.be.a('string');

    // a move: the session (and its socket) carries on, nothing is re-created
    const states: string[] = [];
    el.addEventListener('ag-connection-change', (e) => states.push(e.detail.state));
    const elsewhere = document.createElement('section');
    parks.push(elsewhere);
    document.body.append(elsewhere);
    elsewhere.append(el);
    await el.updateComplete;
    expect(states).to.not.include('connecting');

    // removed for good (for now): it says what it keeps
    typeAndEnter(el, 'held two');
    await el.updateComplete;
    const kept = new Promise<AgOutboxKeptEvent>((resolve) =>
      el.addEventListener('ag-outbox-kept', resolve, { once: true }),
    );
    el.remove();
    const event = await kept;
    expect(event.detail).to.deep.equal({ interactionId, pending: 2 });
    await waitUntil(() => el.connectionState === 'idle' || !el.isConnected);

    // back on the page, then re-configured while still held
    elsewhere.append(el);
    await waitUntil(() => pendingIds(el).length === 2, 'held messages not shown again');
    expect(pendingIds(el)[0]).to.equal(first);
    typeAndEnter(el, 'held three');
    el.heartbeatMs = 600;
    el.restoreSpreadMs = 0;
    await el.updateComplete;
    await waitUntil(() => pendingIds(el).length === 3, 're-configuration dropped a message');

    mock.chat.unfreeze('chat-1');
    await waitUntil(
      () => agentTexts(mock, interactionId).length >= 3 && pendingIds(el).length === 0,
      'held messages were not delivered',
      { timeout: 20000 },
    );
    expect(agentTexts(mock, interactionId)).to.deep.equal(['held one', 'held two', 'held three']);
    const server = mock.chat.transcript(interactionId);
    expect(server[0]!.clientMsgId).to.equal(first);
    await waitUntil(() => el.messages.length === server.length);
    expect(el.messages.map((m) => m.id)).to.deep.equal(server.map((m) => m.id));
    // nothing left in the store once everything is acknowledged
    const records = () =>
      Object.keys(sessionStorage).filter((k) => k.startsWith('ag-chat:') && !k.endsWith(':tab'));
    await waitUntil(() => records().length === 0, `records left: ${records().join(', ')}`);
  });

  it('a new element on the same interaction (a gadget reload) sends what the old one held and restores the draft', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId, { heartbeatMs: 400 });
    mock.chat.freeze('chat-1');
    typeAndEnter(el, 'typed before the reload');
    const input = el.shadowRoot!.querySelector('textarea')!;
    input.value = 'half a thought';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    el.remove();
    mock.chat.unfreeze('chat-1');

    const reloaded = await panel(mock, interactionId, { heartbeatMs: 400 });
    await waitUntil(
      () => agentTexts(mock, interactionId).length === 1 && reloaded.messages.length === 1,
      'held message not delivered by the new element',
      { timeout: 15000 },
    );
    expect(agentTexts(mock, interactionId)).to.deep.equal(['typed before the reload']);
    expect(reloaded.shadowRoot!.querySelector('textarea')!.value).to.equal('half a thought');
    await waitUntil(() => pendingIds(reloaded).length === 0);
  });

  it('switched to another interaction with a message held: kept (ag-outbox-kept), delivered when the first is opened again', async () => {
    const first = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const second = await mock.interactions.startChat({ instanceId: 'chat-2' });
    const el = await connectedPanel(mock, first.interactionId, { heartbeatMs: 400 });
    mock.chat.freeze('chat-1');
    typeAndEnter(el, 'for the first chat');
    await el.updateComplete;
    const kept = new Promise<AgOutboxKeptEvent>((resolve) =>
      el.addEventListener('ag-outbox-kept', resolve, { once: true }),
    );
    el.interactionId = second.interactionId;
    expect((await kept).detail).to.deep.equal({
      interactionId: first.interactionId,
      pending: 1,
    });
    await waitUntil(() => el.connectionState === 'connected' && el.endpoint === 'chat-2');
    expect(pendingIds(el)).to.deep.equal([]);
    mock.chat.unfreeze('chat-1');
    el.interactionId = first.interactionId;
    await waitUntil(
      () => agentTexts(mock, first.interactionId).length === 1 && pendingIds(el).length === 0,
      'the kept message was not delivered',
      { timeout: 15000 },
    );
    expect(agentTexts(mock, first.interactionId)).to.deep.equal(['for the first chat']);
    expect(agentTexts(mock, second.interactionId)).to.deep.equal([]);
  });
});
