import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  essence,
  renderedRows,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
} from './helpers.js';

describe('<ag-chat-panel>', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('shows the transcript, live customer messages and sends with Enter exactly once', async () => {
    const { interactionId } = await mock.interactions.startChat({ customerName: 'Dana' });
    await mock.customer.send(interactionId, 'hello before the agent');
    const el = await connectedPanel(mock, interactionId);
    expect(el.endpoint).to.equal('chat-1');
    expect(el.messages.map((m) => m.text)).to.deep.equal(['hello before the agent']);

    const incoming = oneEvent(el, 'ag-message');
    await mock.customer.send(interactionId, 'are you there?');
    expect((await incoming).detail.message.text).to.equal('are you there?');

    typeAndEnter(el, 'yes, hi Dana');
    await untilInSync(el, mock, interactionId, 3);
    expect(el.messages.map(essence)).to.deep.equal(
      mock.chat.transcript(interactionId).map(essence),
    );
    expect(el.messages.map((m) => m.text)).to.deep.equal([
      'hello before the agent',
      'are you there?',
      'yes, hi Dana',
    ]);
    await el.updateComplete;
    expect(renderedRows(el).map((r) => r.seq)).to.deep.equal([1, 2, 3]);
    // the agent's own message is shown once (echo and ack matched by clientMsgId) and marked sent
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part="pending-message"]').length === 0);
    const own = el.shadowRoot!.querySelector('[part="message"][data-seq="3"] [part="delivery"]');
    expect(own?.textContent).to.equal('Sent');
    expect(el.shadowRoot!.querySelector('textarea')!.value).to.equal('');
  });
});

describe('<ag-chat-panel> presence and long transcripts', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('shows typing both ways and real arrivals, not rejoins', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Dana',
      instanceId: 'chat-1',
    });
    const agent = await connectedPanel(mock, interactionId);
    const typingLine = (el: typeof agent) =>
      el.shadowRoot!.querySelector('[part="typing"]')!.textContent;
    const live = (el: typeof agent) => el.shadowRoot!.querySelector('[role="status"]')!.textContent;

    mock.customer.typing(interactionId, true);
    await waitUntil(() => typingLine(agent) === 'Dana is typing…', 'customer typing not shown');
    mock.customer.typing(interactionId, false);
    await waitUntil(() => typingLine(agent) === '', 'customer typing not cleared');

    // a supervisor's panel on the same chat sees the agent type, and the agent sees them arrive
    const supervisor = await connectedPanel(mock, interactionId, { agentId: 'sup1' });
    await waitUntil(() => live(agent) === 'sup1 joined the chat', 'arrival not announced');
    await agent.updateComplete;
    expect(agent.shadowRoot!.querySelector('[part="activity"]')!.textContent).to.equal(
      'sup1 joined the chat',
    );
    const input = agent.shadowRoot!.querySelector('textarea')!;
    input.value = 'I am typ';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await waitUntil(() => typingLine(supervisor) === 'agent1 is typing…', 'agent typing not sent');
    typeAndEnter(agent, 'I am typing no more');
    await waitUntil(() => typingLine(supervisor) === '', 'sending did not end typing');

    // the supervisor's panel moves with the session: the agent is not told they left and came back
    mock.chat.relocate(interactionId, 'chat-2');
    await waitUntil(
      () => agent.endpoint === 'chat-2' && supervisor.endpoint === 'chat-2',
      'not moved',
    );
    await mock.customer.send(interactionId, 'after the move');
    await untilInSync(agent, mock, interactionId, 2);
    expect(live(agent)).to.equal('Dana: after the move');
    expect(agent.shadowRoot!.querySelector('[part="activity"]')!.textContent).to.equal(
      'sup1 joined the chat',
    );
  });

  it('renders 10,000 messages windowed, complete and in order, and grows the window on scroll', async () => {
    const { interactionId } = await mock.interactions.startChat({
      customerName: 'Long',
      instanceId: 'chat-1',
    });
    for (let i = 1; i <= 10000; i++) await mock.customer.send(interactionId, `message ${i}`);
    const el = await connectedPanel(mock, interactionId);
    expect(el.messages).to.have.length(10000);
    await el.updateComplete;
    let rows = renderedRows(el);
    // only a window of the latest messages is in the DOM, in order, ending with the newest
    expect(rows.length).to.be.within(1, 400);
    expect(rows[rows.length - 1]!.seq).to.equal(10000);
    expect(rows.every((r, i) => i === 0 || r.seq === rows[i - 1]!.seq + 1)).to.equal(true);

    const scroller = el.shadowRoot!.querySelector<HTMLElement>('[part="transcript"]')!;
    const before = rows.length;
    scroller.scrollTop = 0;
    scroller.dispatchEvent(new Event('scroll'));
    await waitUntil(
      () => renderedRows(el).length > before,
      'scrolling to the top did not show earlier messages',
    );
    rows = renderedRows(el);
    expect(rows[rows.length - 1]!.seq).to.equal(10000);
    expect(rows.length).to.be.at.most(1000);

    // still responsive: a live message lands at the end
    await mock.customer.send(interactionId, 'the newest');
    await untilInSync(el, mock, interactionId, 10001);
  });
});
