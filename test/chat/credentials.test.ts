// Credentials that arrive after the element: the documented patterns (attributes now, a
// tokenProvider from a later script or a framework's property binding) never give a false
// `unauthorized`; a panel that never gets any fails clearly, and says so in its properties too.
import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import { agentId, chatOrigins, startMock, stopMock, type AgChatPanel } from './helpers.js';

describe('<ag-chat-panel> credentials set after the element', function () {
  this.timeout(30000);
  let mock: MockBackend;
  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(stopMock);

  const bare = (interactionId: string, timeoutMs?: number) =>
    fixture<AgChatPanel>(html`<ag-chat-panel
      interaction-id=${interactionId}
      interactions-url=${mock.urls.interactions}
      allowed-origins=${chatOrigins(mock)}
      agent-id=${agentId}
      credentials-timeout-ms=${timeoutMs ?? 10000}
    ></ag-chat-panel>`);

  it('waits for a tokenProvider set by a later script: no ag-error, no refused socket', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const errors: string[] = [];
    const el = await bare(interactionId);
    el.addEventListener('ag-error', (e) => errors.push(e.detail.code));
    // the page's own module script runs later (another task)
    await aTimeout(300);
    expect(el.connectionState).to.equal('idle');
    expect(mock.connections()).to.equal(0);
    el.tokenProvider = () => 'late-token';
    await waitUntil(() => el.connectionState === 'connected', 'never connected', {
      timeout: 10000,
    });
    expect(errors).to.deep.equal([]);
  });

  it('without any credentials: failed with bad-config after credentials-timeout-ms, readable afterwards', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const el = await bare(interactionId, 200);
    await waitUntil(() => el.connectionState === 'failed', 'did not give up', { timeout: 5000 });
    // a page that adds its listener late still learns what happened
    expect(el.error?.code).to.equal('bad-config');
    expect(el.error?.message).to.match(/token or tokenProvider/);
    expect(mock.connections()).to.equal(0);
    // credentials arriving after all still connect
    el.token = 'good-token';
    await waitUntil(() => el.connectionState === 'connected', 'never connected', {
      timeout: 10000,
    });
    expect(el.error).to.equal(undefined);
  });

  it('a provider with no token yet (the desktop still signing in) is asked again, not refused', async () => {
    const { interactionId } = await mock.interactions.startChat({ instanceId: 'chat-1' });
    const errors: string[] = [];
    const el = await bare(interactionId);
    el.addEventListener('ag-error', (e) => errors.push(e.detail.code));
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.equal(
      'Waiting for credentials…',
    );
    let token: string | undefined;
    setTimeout(() => (token = 'signed-in'), 400);
    el.tokenProvider = () => token;
    await waitUntil(() => el.connectionState === 'connected', 'never connected', {
      timeout: 10000,
    });
    expect(errors).to.deep.equal([]);
  });
});
