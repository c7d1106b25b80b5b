import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import { connectedPanel, essence, renderedRows, startMock, stopMock, typeAndEnter, untilInSync } from './helpers.js';

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
    expect(el.messages.map(essence)).to.deep.equal(mock.chat.transcript(interactionId).map(essence));
    expect(el.messages.map((m) => m.text)).to.deep.equal(['hello before the agent', 'are you there?', 'yes, hi Dana']);
    await el.updateComplete;
    expect(renderedRows(el).map((r) => r.seq)).to.deep.equal([1, 2, 3]);
    // the agent's own message is shown once (echo and ack matched by clientMsgId) and marked sent
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part="pending-message"]').length === 0);
    const own = el.shadowRoot!.querySelector('[part="message"][data-seq="3"] [part="delivery"]');
    expect(own?.textContent).to.equal('Sent');
    expect(el.shadowRoot!.querySelector('textarea')!.value).to.equal('');
  });
});
