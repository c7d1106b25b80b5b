import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
  type AgChatPanel,
} from './helpers.js';

const $ = (el: AgChatPanel, selector: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(selector);

describe('<ag-chat-panel> session end and transcript-save failures', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('session-closed: shows the end, disables the composer and lets the sockets go', async () => {
    const { interactionId, sessionId } = await mock.interactions.startChat({
      instanceId: 'chat-1',
    });
    const el = await connectedPanel(mock, interactionId);
    await mock.customer.send(interactionId, 'bye now');
    await untilInSync(el, mock, interactionId, 1);

    const closed = oneEvent(el, 'ag-session-closed');
    mock.chat.emitRaw(interactionId, 'session-closed', { sessionId, reason: 'customer-left' });
    expect((await closed).detail.reason).to.equal('customer-left');
    await el.updateComplete;
    expect(el.connectionState).to.equal('closed');
    expect($(el, '[part="status"]')!.textContent).to.equal('Chat ended');
    expect($(el, 'textarea')!.hasAttribute('disabled')).to.equal(true);
    expect($(el, '[part="send-button"]')!.hasAttribute('disabled')).to.equal(true);
    // the transcript stays readable
    expect(el.messages.map((m) => m.text)).to.deep.equal(['bye now']);
    await waitUntil(() => mock.connections() === 0, 'a closed panel kept a socket open');
  });

  it('transcript-save-failed (notice mode): warns, reports the code and carries on', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const error = oneEvent(el, 'ag-error');
    mock.chat.failTranscriptSave(interactionId, 'notice');
    await mock.customer.send(interactionId, 'this one may not be saved');
    expect((await error).detail.code).to.equal('transcript-save-failed');
    await el.updateComplete;
    const notice = $(el, '[part="notice"]');
    expect(notice?.dataset['code']).to.equal('transcript-save-failed');
    expect(notice?.textContent).to.match(/saved transcript/);
    typeAndEnter(el, 'noted, carrying on');
    await untilInSync(el, mock, interactionId, 2);
    expect(el.connectionState).to.equal('connected');
  });

  it('transcript-save-failed (close mode): the session ends with that reason and the unsent message says so', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    typeAndEnter(el, 'saved fine');
    await untilInSync(el, mock, interactionId, 1);

    mock.chat.failTranscriptSave(interactionId, 'close');
    const closed = oneEvent(el, 'ag-session-closed');
    typeAndEnter(el, 'this one cannot be saved');
    expect((await closed).detail.reason).to.equal('transcript-save-failed');
    await el.updateComplete;
    expect(el.connectionState).to.equal('closed');
    expect($(el, '[part="status"]')!.textContent).to.equal(
      'Chat ended: the transcript could not be saved',
    );
    expect($(el, 'textarea')!.hasAttribute('disabled')).to.equal(true);
    await waitUntil(
      () => $(el, '[part="pending-message"] [part="delivery"]')?.dataset['state'] === 'rejected',
    );
    expect(mock.chat.transcript(interactionId).map((m) => m.text)).to.deep.equal(['saved fine']);
    expect(el.messages.map((m) => m.text)).to.deep.equal(['saved fine']);
  });
});
