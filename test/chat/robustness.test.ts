import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { AgConnectionChangeEvent, AgErrorEvent } from '../../src/events.js';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  connectedPanel,
  panel,
  startMock,
  stopMock,
  typeAndEnter,
  untilInSync,
  type AgChatPanel,
} from './helpers.js';

/** Collects the panel's ag-error codes. */
function errorCodes(el: AgChatPanel): string[] {
  const codes: string[] = [];
  el.addEventListener('ag-error', (e: AgErrorEvent) => codes.push(e.detail.code));
  return codes;
}

/** After the abuse: both directions still work. */
async function stillWorks(
  el: AgChatPanel,
  mock: MockBackend,
  interactionId: string,
  count: number,
): Promise<void> {
  await mock.customer.send(interactionId, 'still there?');
  typeAndEnter(el, 'yes, still here');
  await untilInSync(el, mock, interactionId, count);
  expect(el.messages.slice(-2).map((m) => m.text)).to.deep.equal([
    'still there?',
    'yes, still here',
  ]);
  expect(el.connectionState).to.equal('connected');
}

describe('<ag-chat-panel> against hostile or broken input', () => {
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  it('refuses a relocation to an origin off the allowlist and never connects there', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const urls: string[] = [];
    // the injected WebSocket constructor sees every socket the panel opens
    const Recording = new Proxy(WebSocket, {
      construct(target, args: [string, ...unknown[]]) {
        urls.push(String(args[0]));
        return Reflect.construct(globalThis.WebSocket, args, target) as object;
      },
    });
    const el = await connectedPanel(mock, interactionId, { webSocket: Recording });
    expect(urls.some((u) => u.includes('chat-1.mock.test'))).to.equal(true);

    const refused = oneEvent(el, 'ag-error');
    mock.interactions.setProperties(interactionId, {
      'chat.url': 'https://evil.example',
      'chat.instanceId': 'chat-evil',
      'chat.epoch': 99,
    });
    expect((await refused).detail.code).to.equal('relocation-refused');
    await stillWorks(el, mock, interactionId, 2);
    expect(el.endpoint).to.equal('chat-1');
    expect(urls.filter((u) => u.includes('evil'))).to.deep.equal([]);
  });

  it('fails with relocation-refused when the very first instance is off the allowlist', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    mock.interactions.setProperties(interactionId, {
      'chat.url': 'https://evil.example',
      'chat.instanceId': 'chat-evil',
    });
    const el = await panel(mock, interactionId);
    const failed = await new Promise<AgConnectionChangeEvent>((resolve) =>
      el.addEventListener('ag-connection-change', (e) => e.detail.state === 'failed' && resolve(e)),
    );
    expect(failed.detail.error?.code).to.equal('relocation-refused');
    expect(el.connectionState).to.equal('failed');
    await waitUntil(() => mock.connections() === 0, 'a failed panel kept a socket open');
  });

  it('fails with bad-config without an interaction id', async () => {
    const el = await fixture<AgChatPanel>(
      html`<ag-chat-panel interactions-url=${mock.urls.interactions}></ag-chat-panel>`,
    );
    await el.updateComplete;
    expect(el.connectionState).to.equal('failed');
    const status = el.shadowRoot!.querySelector('[part="status"]')!;
    expect(status.textContent).to.equal('Disconnected: the panel is not set up correctly');
    // what exactly is wrong, for whoever supports the agent
    expect(status.getAttribute('title')).to.equal(
      'interaction-id and interactions-url are required',
    );
    expect(mock.connections()).to.equal(0);
  });

  it('asks the token provider on every (re)connect and never puts the token in a URL', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const urls: string[] = [];
    const Recording = new Proxy(WebSocket, {
      construct(target, args: [string, ...unknown[]]) {
        urls.push(String(args[0]));
        return Reflect.construct(globalThis.WebSocket, args, target) as object;
      },
    });
    let issued = 0;
    const el = await connectedPanel(mock, interactionId, {
      webSocket: Recording,
      tokenProvider: async () => `secret-token-${++issued}`,
    });
    const afterConnect = issued;
    expect(afterConnect).to.be.at.least(2); // the interaction server and the chat instance
    mock.chat.kill('chat-1');
    await waitUntil(
      () => el.connectionState === 'connected' && el.endpoint !== 'chat-1',
      'no restore',
      { timeout: 8000 },
    );
    expect(issued).to.be.greaterThan(afterConnect);
    expect(urls.length).to.be.at.least(3);
    expect(urls.filter((u) => u.includes('secret'))).to.deep.equal([]);
  });

  it('drops malformed property updates and server events with typed errors and keeps working', async () => {
    const { interactionId, sessionId } = await mock.interactions.startChat({
      instanceId: 'chat-1',
    });
    const el = await connectedPanel(mock, interactionId);
    const codes = errorCodes(el);

    mock.interactions.emitRaw(interactionId, { interactionId, version: 'nine', set: 'x' });
    mock.interactions.emitRaw(interactionId, null);
    mock.interactions.setProperties(interactionId, { 'chat.instanceId': '', 'chat.url': 42 });
    await waitUntil(
      () => codes.filter((c) => c === 'invalid-properties').length >= 3,
      'malformed properties not reported',
    );

    mock.chat.emitRaw(interactionId, 'message', { seq: -1, id: 'x', text: 5 });
    mock.chat.emitRaw(interactionId, 'message', '<script>');
    mock.chat.emitRaw(interactionId, 'participant', { sessionId, action: 'exploded' });
    mock.chat.emitRaw(interactionId, 'typing', []);
    mock.chat.emitRaw(interactionId, 'notice', { sessionId, code: '', text: 1 });
    mock.chat.emitRaw(interactionId, 'session-closed', { sessionId });
    await waitUntil(
      () => codes.filter((c) => c === 'invalid-message').length >= 6,
      'malformed events not reported',
    );

    expect(el.messages).to.have.length(0);
    await stillWorks(el, mock, interactionId, 2);
    expect(el.endpoint).to.equal('chat-1');
  });

  it('renders markup, scripts and javascript: links as inert literal text', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await connectedPanel(mock, interactionId);
    const w = window as unknown as { __xss?: number };
    delete w.__xss;
    const payloads = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=2</script>',
      '<a href="javascript:window.__xss=3">click me</a>',
      'javascript:window.__xss=4',
      '[docs](javascript:window.__xss=5) <svg onload="window.__xss=6">',
    ];
    for (const p of payloads) await mock.customer.send(interactionId, p);
    typeAndEnter(el, '<b onmouseover="window.__xss=7">agent markup</b>');
    await untilInSync(el, mock, interactionId, payloads.length + 1);
    await el.updateComplete;

    const root = el.shadowRoot!;
    expect(
      root.querySelectorAll('img, script, a, svg, b, iframe, [onerror], [onload], [href]'),
    ).to.have.length(0);
    const texts = [...root.querySelectorAll('[part="message"] .text')].map((n) => n.textContent);
    expect(texts).to.deep.equal([...payloads, '<b onmouseover="window.__xss=7">agent markup</b>']);
    expect(w.__xss).to.equal(undefined);
  });
});
