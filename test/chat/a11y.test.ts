import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  panel,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
} from './helpers.js';

describe('<ag-chat-panel> accessibility, keyboard and teardown', () => {
  let mock: MockBackend;
  afterEach(stopMock);

  it('is accessible while connected (light and dark) and while reconnecting', async () => {
    // a slow restore keeps the panel reconnecting long enough to look at it
    mock = await startMock({ restoreDelayMs: 60000 });
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    await mock.customer.send(interactionId, 'Hello, I need help with my order');
    const el = await connectedPanel(mock, interactionId);
    typeAndEnter(el, 'Sure, what is the order number?');
    await untilInSync(el, mock, interactionId, 2);
    await el.updateComplete;
    await expect(el).to.be.accessible();
    el.theme = 'dark';
    await el.updateComplete;
    await expect(el).to.be.accessible();

    mock.chat.kill('chat-1');
    await waitUntil(() => el.connectionState === 'reconnecting', 'not reconnecting');
    typeAndEnter(el, 'held while reconnecting');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.match(/^Reconnecting/);
    const held = el.shadowRoot!.querySelector<HTMLElement>(
      '[part="pending-message"] [part="delivery"]',
    )!;
    expect(held.dataset['state']).to.be.oneOf(['queued', 'failed-will-retry']);
    await expect(el).to.be.accessible();
    // the live region said so
    expect(
      el.shadowRoot!.querySelector('[role="status"][aria-live="polite"]')!.textContent,
    ).to.match(/^Reconnecting/);
  });

  it('follows prefers-color-scheme unless a theme is forced, accessible in both', async () => {
    mock = await startMock();
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    await mock.customer.send(interactionId, 'Hello in the dark');
    const el = await connectedPanel(mock, interactionId);
    const background = () => getComputedStyle(el).backgroundColor;
    try {
      await emulateMedia({ colorScheme: 'light' });
      const light = background();
      await emulateMedia({ colorScheme: 'dark' });
      const dark = background();
      expect(dark).to.not.equal(light);
      await expect(el).to.be.accessible();
      el.theme = 'light';
      await el.updateComplete;
      expect(background()).to.equal(light);
      await emulateMedia({ colorScheme: 'light' });
      el.theme = 'dark';
      await el.updateComplete;
      expect(background()).to.equal(dark);
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('is accessible once closed and once failed', async () => {
    mock = await startMock();
    const { interactionId, sessionId } = await mock.interactions.startChat({
      instanceId: 'chat-1',
    });
    const closed = await connectedPanel(mock, interactionId);
    mock.chat.emitRaw(interactionId, 'session-closed', { sessionId, reason: 'agent-ended' });
    await waitUntil(() => closed.connectionState === 'closed');
    await closed.updateComplete;
    await expect(closed).to.be.accessible();

    const failed = await panel(mock, interactionId, { token: 'bad-token' });
    await waitUntil(() => failed.connectionState === 'failed', 'a refused token did not fail', {
      timeout: 8000,
    });
    await failed.updateComplete;
    expect(failed.shadowRoot!.querySelector('[part="status"]')!.textContent).to.match(
      /^Disconnected/,
    );
    await expect(failed).to.be.accessible();
  });

  it('keyboard: Enter sends, Shift+Enter does not; the textarea and button are labelled', async () => {
    mock = await startMock();
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const input = el.shadowRoot!.querySelector('textarea')!;
    expect(el.shadowRoot!.querySelector(`label[for="${input.id}"]`)!.textContent).to.equal(
      'Message',
    );
    expect(el.shadowRoot!.querySelector('[part="send-button"]')!.textContent).to.equal('Send');

    input.value = 'line one';
    const shiftEnter = new KeyboardEvent('keydown', {
      key: 'Enter',
      shiftKey: true,
      bubbles: true,
      cancelable: true,
    });
    input.dispatchEvent(shiftEnter);
    expect(shiftEnter.defaultPrevented).to.equal(false);
    expect(input.value).to.equal('line one');

    input.value = 'line one\nline two';
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    input.dispatchEvent(enter);
    expect(enter.defaultPrevented).to.equal(true);
    await untilInSync(el, mock, interactionId, 1);
    expect(el.messages[0]!.text).to.equal('line one\nline two');
    expect(input.value).to.equal('');
  });

  it('leaves no socket open once removed', async () => {
    mock = await startMock();
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    expect(mock.connections()).to.be.at.least(2); // interaction server + chat instance
    el.remove();
    await waitUntil(() => mock.connections() === 0, 'sockets left open after removal');
    expect(mock.chat.instances().map((i) => i.connections)).to.deep.equal([0, 0, 0]);

    // put back (e.g. a layout moved it): it connects again and restores the transcript
    await mock.customer.send(interactionId, 'while you were away');
    document.body.append(el);
    await waitUntil(
      () => el.connectionState === 'connected',
      'did not reconnect after re-insertion',
    );
    await untilInSync(el, mock, interactionId, 1);
    el.remove();
    await waitUntil(() => mock.connections() === 0, 'sockets left open after the second removal');
  });
});
