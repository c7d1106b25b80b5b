// The survey gadget spec (gadgets/AgentGadgetsSurvey.xml) as Finesse runs it, per Finesse
// version profile: the spec's start-up script in the faithful fake container (hub connected only
// after the script ran, finesse.js per version), the real element, the mocked PCS. Each test
// checks what the agent sees, what Finesse received and what PCS received.
import { expect, waitUntil } from '@open-wc/testing';
import type { MockBackend, MockBackendOptions } from '../../src/mocks/index.js';
import {
  MOCK_TOKEN_URL,
  currentFakeFinesse,
  type FakeCall,
  type FakeFinesse,
  type FakeFinesseOptions,
} from '../../src/mocks/finesse/index.js';
import '../../src/define/survey-transfer.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import type { ErrorCode } from '../../src/protocol/errors.js';
import { runGadgetSpec, type RunningGadget } from '../gadgets/finesse-container.js';
import { button, part, primaryOf, ready, startMock, stopMock, text } from './helpers.js';

const SURVEY_DN = '9100';

describe('AgentGadgetsSurvey.xml in the faithful Finesse container', () => {
  let mock: MockBackend | undefined;
  let gadget: RunningGadget<AgSurveyTransfer> | undefined;

  afterEach(async () => {
    gadget?.remove();
    gadget = undefined;
    await stopMock(mock);
    mock = undefined;
  });

  async function start(
    version: string,
    layout: string,
    options: MockBackendOptions = {},
  ): Promise<{ m: MockBackend; fake: FakeFinesse; el: AgSurveyTransfer; errors: ErrorCode[] }> {
    const finesse: FakeFinesseOptions = { version, hub: 'manual' };
    mock = await startMock({ ...options, finesse: finesse as MockBackendOptions['finesse'] });
    const fake = currentFakeFinesse()!;
    expect(fake.version).to.equal(version);
    const pcs = Object.values(mock.urls.pcs).join(',');
    gadget = await runGadgetSpec<AgSurveyTransfer>(
      'AgentGadgetsSurvey.xml',
      `/3rdpartygadget/files/agent-gadgets/AgentGadgetsSurvey.xml?pcs=${pcs}&${layout}`,
      'ag-survey-transfer',
    );
    const errors: ErrorCode[] = [];
    gadget.el.addEventListener('ag-error', (e) => errors.push(e.detail.code));
    // credentials come from the desktop (or the token endpoint), never from the layout URL
    if (!/token-url=/.test(layout)) gadget.el.tokenProvider = () => 'desktop-token';
    return { m: mock, fake, el: gadget.el, errors };
  }

  const startCall = (m: MockBackend, o: FakeCall) =>
    m.finesse.startCall(o as Parameters<MockBackend['finesse']['startCall']>[0]);

  const transfersTo = (fake: FakeFinesse) =>
    fake.requests().filter((r) => r.action === 'TRANSFER_SST');

  for (const version of ['10.5', '11.6', '12.0', '12.6']) {
    const legacy = version !== '12.6';

    it(`${version}, transfer mode: variables, then the transfer, each confirmed by Finesse's events`, async () => {
      const { m, fake, el, errors } = await start(version, 'mode=transfer');
      // started once, after the hub connected, and subscribed to its connection topic (once the
      // Finesse host's code, a chunk of its own, has loaded)
      await waitUntil(() => fake.clientServices().inits > 0, 'ClientServices.init', {
        timeout: 10000,
      });
      expect(fake.clientServices()).to.deep.equal({ inits: 1, subscribed: true });
      expect(el.getAttribute('agent-id')).to.equal('agent1');
      expect(el.hasAttribute('host')).to.equal(false);
      const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      await ready(el);
      button(el).click();
      await waitUntil(
        () => el.surveyStatus === 'transferred' || el.surveyStatus === 'completed',
        'transferred',
        {
          timeout: 10000,
        },
      );
      const reqs = fake.requests();
      expect(reqs.map((r) => [r.action, r.via, r.outcome])).to.deep.equal([
        ['UPDATE_CALL_DATA', legacy ? 'makeRequest' : 'finesse.js', 'accepted'],
        ['TRANSFER_SST', 'finesse.js', 'accepted'],
      ]);
      expect(reqs[1]!.to).to.equal(SURVEY_DN);
      expect(m.finesse.transfers()).to.have.length(1);
      expect(m.finesse.transfers()[0]!.callVariables['user.pcs.requestId']).to.be.a('string');
      await waitUntil(() => el.surveyStatus === 'completed', 'completed', { timeout: 10000 });
      expect(m.pcs.requests()).to.have.length(1);
      expect(m.pcs.requests()[0]).to.include({ dialogId, agentId: 'agent1', status: 'completed' });
      expect(text(el, 'status')).to.match(/^Survey completed/);
      expect(errors).to.deep.equal([]);
    });

    it(`${version}, hangup mode: the call is marked (confirmed by event), the survey plays at hang-up`, async () => {
      const { m, fake, el, errors } = await start(version, 'mode=hangup');
      const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      await ready(el);
      button(el).click();
      await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 10000 });
      expect(m.finesse.dialog(dialogId)!.callVariables['user.microapp.isPostCallSurvey']).to.equal(
        'y',
      );
      expect(fake.requests().map((r) => [r.action, r.outcome])).to.deep.equal([
        ['UPDATE_CALL_DATA', 'accepted'],
      ]);
      expect(text(el, 'reason')).to.equal('The survey is set up for this call');
      m.finesse.endCall(dialogId);
      await waitUntil(() => el.surveyStatus === 'completed', 'completed', { timeout: 10000 });
      expect(m.pcs.requests()).to.have.length(1);
      expect(m.finesse.transfers()).to.deep.equal([]);
      expect(errors).to.deep.equal([]);
    });
  }

  it('11.6: the CTI server rejects the transfer after its 202: the agent is told, the button comes back, PCS hears no "transferred"', async () => {
    const { m, fake, el, errors } = await start('11.6', 'mode=transfer');
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    fake.ctiRejectNextTransfer({ errorMessage: 'CTI: the survey route point is busy' });
    button(el).click();
    await waitUntil(() => errors.includes('transfer-rejected'), 'transfer-rejected', {
      timeout: 10000,
    });
    await waitUntil(() => !button(el).disabled, 'the button comes back', { timeout: 5000 });
    expect(part(el, 'error')?.textContent).to.contain('CTI: the survey route point is busy');
    expect(transfersTo(fake).map((r) => r.outcome)).to.deep.equal(['cti-rejected']);
    expect(m.finesse.transfers()).to.deep.equal([]);
    expect(m.finesse.dialog(dialogId)!.state).to.equal('ACTIVE');
    expect(el.surveyStatus).to.not.equal('transferred');
    expect(m.pcs.requests()[0]!.status).to.equal('requested');
  });

  it('12.6: the CTI server rejects the call variables after their 202: no transfer is attempted', async () => {
    const { m, fake, el, errors } = await start('12.6', 'mode=transfer');
    m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    fake.ctiRejectNextCallVariables({ errorMessage: 'CTI: call data too long' });
    button(el).click();
    await waitUntil(() => errors.includes('call-variables-rejected'), 'call-variables-rejected', {
      timeout: 10000,
    });
    await waitUntil(() => !button(el).disabled, 'the button comes back', { timeout: 5000 });
    expect(part(el, 'error')?.textContent).to.contain('CTI: call data too long');
    expect(transfersTo(fake)).to.deep.equal([]);
  });

  it('10.5: Finesse fails over, the call ends inside it: actions off with a reason, then "No call"', async () => {
    const { m, fake, el } = await start('10.5', 'mode=transfer');
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    fake.disconnect();
    await waitUntil(() => button(el).disabled, 'disabled in the failover', { timeout: 5000 });
    expect(text(el, 'reason')).to.equal('Finesse is reconnecting');
    expect(text(el, 'connection')).to.equal('Finesse reconnecting');
    m.finesse.endCall(dialogId); // no event reaches the gadget now
    fake.reconnect();
    await waitUntil(() => text(el, 'reason') === 'No call', 'the ended call is forgotten', {
      timeout: 5000,
    });
    expect(button(el).disabled).to.equal(true);
    expect(m.pcs.requests()).to.deep.equal([]);
    expect(fake.requests()).to.deep.equal([]);
  });

  it('12.6: Finesse fails over right after PCS answered: the request survives, one press later the call is marked', async () => {
    const { m, fake, el, errors } = await start('12.6', 'mode=hangup');
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    el.addEventListener('ag-survey-requested', () => fake.disconnect(), { once: true });
    button(el).click();
    await waitUntil(() => m.pcs.requests().length === 1, 'PCS has the request', { timeout: 10000 });
    await waitUntil(() => text(el, 'reason') === 'Finesse is reconnecting', 'actions off', {
      timeout: 5000,
    });
    fake.reconnect();
    // the survey session finishes what PCS answered once Finesse is back; if it cannot, the
    // button comes back for one more press
    await waitUntil(
      () => el.surveyStatus === 'armed' || !button(el).disabled,
      'armed, or the button back',
      { timeout: 10000 },
    );
    if (el.surveyStatus !== 'armed') {
      button(el).click();
      await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 10000 });
    }
    expect(m.finesse.dialog(dialogId)!.callVariables['user.microapp.isPostCallSurvey']).to.equal(
      'y',
    );
    // the same request, not a second one
    expect(m.pcs.requests()).to.have.length(1);
    expect(errors).to.include('host-disconnected');
  });

  it('12.0: the PCS primary dies mid-request: exactly one request, and the transfer still happens', async () => {
    const { m, fake, el } = await start('12.0', 'mode=transfer');
    m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    const primary = await primaryOf(m);
    button(el).click();
    m.pcs.kill(primary);
    await waitUntil(
      () => el.surveyStatus === 'transferred' || el.surveyStatus === 'completed',
      'transferred',
      {
        timeout: 15000,
      },
    );
    expect(m.pcs.requests()).to.have.length(1);
    expect(transfersTo(fake).map((r) => r.outcome)).to.deep.equal(['accepted']);
  });

  it("12.6: the agent's leg does not allow TRANSFER_SST: Finesse is never asked to transfer", async () => {
    const { m, fake, el, errors } = await start('12.6', 'mode=transfer');
    startCall(m, {
      ani: '5551234567',
      dialedNumber: '8000',
      actions: ['HOLD', 'DROP', 'UPDATE_CALL_DATA'],
    });
    await waitUntil(() => text(el, 'survey-name') === 'Customer satisfaction', 'survey shown', {
      timeout: 8000,
    });
    // The host refuses before sending anything to Finesse. (Whether the button is offered at
    // all is the survey element's decision: see the report for the survey side.)
    if (!button(el).disabled) {
      button(el).click();
      await waitUntil(() => errors.includes('transfer-rejected'), 'transfer-rejected', {
        timeout: 10000,
      });
    }
    expect(transfersTo(fake)).to.deep.equal([]);
    expect(m.finesse.transfers()).to.deep.equal([]);
    expect(el.surveyStatus).to.not.equal('transferred');
  });

  it('12.6: odd dialogs: no media properties, a single participant object, no agent leg', async () => {
    const { m, fake, el } = await start('12.6', 'mode=hangup');
    // no media properties: the dialed number comes from the dialog's toAddress
    const bare = startCall(m, {
      ani: '5551234567',
      dialedNumber: '8000',
      odd: 'no-media-properties',
    });
    await ready(el);
    m.finesse.endCall(bare.dialogId);
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call', { timeout: 5000 });
    // one participant (finesse.js gives an object, not an array): still the agent's call
    const single = startCall(m, {
      ani: '5551234567',
      dialedNumber: '8000',
      odd: 'single-participant',
    });
    await ready(el);
    m.finesse.endCall(single.dialogId);
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call', { timeout: 5000 });
    // a dialog without the agent's leg is not the agent's call: the next real call is shown,
    // and once it ends there is no call, though the odd dialog is still there
    startCall(m, { ani: '5550000000', dialedNumber: '8000', odd: 'no-agent-leg' });
    const real = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    m.finesse.endCall(real.dialogId);
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call', { timeout: 5000 });
    expect(fake.requests()).to.deep.equal([]);
    expect(m.pcs.requests()).to.deep.equal([]);
  });

  it("12.6: PCS credentials come from the token endpoint, asked with the agent's Finesse authorization", async () => {
    const { m, fake, el, errors } = await start(
      '12.6',
      `mode=hangup&token-url=${encodeURIComponent(MOCK_TOKEN_URL)}`,
      { validToken: (t) => typeof t === 'string' && /^finesse-agent1-\d+$/.test(t) },
    );
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el);
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 10000 });
    m.finesse.endCall(dialogId);
    await waitUntil(() => el.surveyStatus === 'completed', 'completed', { timeout: 10000 });
    const asked = fake.tokenRequests();
    expect(asked.length).to.be.greaterThan(0);
    expect(
      asked.every((r) => r.method === 'POST' && r.authorized && !/token=/.test(r.url)),
    ).to.equal(true);
    expect(errors).to.not.include('unauthorized');
  });
});
