// StandaloneHost: the call from attributes, or from the interaction's voice.* properties.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { filter, firstValueFrom } from 'rxjs';
import type { MockBackend } from '../../src/mocks/index.js';
import { StandaloneHost, voiceState } from '../../src/hosts/standalone-host.js';
import type { CallInfo } from '../../src/hosts/host.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import { button, ready, startMock, stopMock, text } from '../survey/helpers.js';

function callWhere(
  host: StandaloneHost,
  pred: (c: CallInfo | null) => boolean,
): Promise<CallInfo | null> {
  return firstValueFrom(host.call$.pipe(filter(pred)));
}

describe('StandaloneHost', () => {
  let mock: MockBackend | undefined;
  let host: StandaloneHost | undefined;

  afterEach(async () => {
    host?.dispose();
    host = undefined;
    await stopMock(mock);
    mock = undefined;
  });

  it('maps voice.state onto Finesse states', () => {
    expect(voiceState('ACTIVE')).to.equal('ACTIVE');
    expect(voiceState('talking')).to.equal('ACTIVE');
    expect(voiceState('ended')).to.equal('DROPPED');
    expect(voiceState('DROPPED')).to.equal('DROPPED');
    expect(voiceState('ringing')).to.equal('ALERTING');
    expect(voiceState(undefined)).to.equal('ACTIVE');
  });

  it('follows the call through the voice.* interaction properties, and closes its socket on dispose', async () => {
    mock = await startMock();
    const { dialogId, interactionId } = mock.finesse.startCall({
      ani: '5551234567',
      dialedNumber: '8000',
    });
    host = new StandaloneHost({
      interactionId,
      interactionsUrls: [mock.urls.interactions],
      auth: () => ({ token: 't' }),
    });
    host.start();
    const call = (await callWhere(host, (c) => c !== null))!;
    expect(call).to.include({ dialogId, ani: '5551234567', dialedNumber: '8000', state: 'ACTIVE' });

    mock.finesse.endCall(dialogId);
    await callWhere(host, (c) => c?.state === 'DROPPED');
    expect(mock.connections()).to.be.greaterThan(0);
    host.dispose();
    await waitUntil(() => mock!.connections() === 0, 'interaction socket closed');
  });

  it('disposed before the interaction stream code has arrived (a chunk of its own), it opens no socket', async () => {
    mock = await startMock();
    const { dialogId, interactionId } = mock.finesse.startCall({ ani: '1', dialedNumber: '8000' });
    const options = {
      interactionId,
      interactionsUrls: [mock.urls.interactions],
      auth: () => ({ token: 't' }),
    };
    const gone = new StandaloneHost(options);
    gone.start();
    gone.dispose();
    // a second host started at the same moment is the control: once it has the call, the first
    // would have connected too had dispose() not reached it
    host = new StandaloneHost(options);
    host.start();
    expect((await callWhere(host, (c) => c !== null))!.dialogId).to.equal(dialogId);
    expect(mock.connections()).to.equal(1);
  });

  it('keeps call variables locally and hands actions to the page', async () => {
    const transfers: string[] = [];
    host = new StandaloneHost({
      call: { dialogId: 'd1', ani: '5551234567', dialedNumber: '8000' },
      actions: { transfer: async (_d, dn) => void transfers.push(dn) },
    });
    host.start();
    await host.updateCallVariables('d1', { 'user.microapp.isPostCallSurvey': 'y' });
    const marked = (await callWhere(
      host,
      (c) => c?.callVariables['user.microapp.isPostCallSurvey'] === 'y',
    ))!;
    expect(marked.state).to.equal('ACTIVE');
    await host.transfer('d1', '9100');
    expect(transfers).to.deep.equal(['9100']);
    // the caller has left the agent
    await callWhere(host, (c) => c?.state === 'DROPPED');
  });

  it('drives <ag-survey-transfer> from interaction properties (no Finesse: the gadget reports the transfer)', async () => {
    mock = await startMock();
    const { interactionId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await fixture<AgSurveyTransfer>(
      html`<ag-survey-transfer
        host="standalone"
        mode="transfer"
        agent-id="agent1"
        poll-ms="150"
        interaction-id=${interactionId}
        interactions-url=${mock.urls.interactions}
        pcs-nodes=${Object.values(mock.urls.pcs).join(' ')}
        .token=${'agent1-token'}
      ></ag-survey-transfer>`,
    );
    await ready(el);
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'completed', 'completed', { timeout: 8000 });
    expect(text(el, 'status')).to.match(/^Survey completed, score \d+$/);
    expect(mock.pcs.requests()[0]!.agentId).to.equal('agent1');
  });

  it('takes the call from attributes and follows their changes', async () => {
    mock = await startMock({ finesse: false });
    const el = await fixture<AgSurveyTransfer>(
      html`<ag-survey-transfer
        host="standalone"
        agent-id="agent7"
        poll-ms="150"
        dialog-id="d-attr"
        ani="5551234567"
        dialed-number="8000"
        pcs-nodes=${Object.values(mock.urls.pcs).join(' ')}
        .token=${'agent7-token'}
      ></ag-survey-transfer>`,
    );
    await ready(el);
    el.setAttribute('dialed-number', '8001');
    await waitUntil(() => text(el, 'reason') === 'No survey for 8001', 'follows the attribute', {
      timeout: 8000,
    });
    el.removeAttribute('dialog-id');
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call without dialog-id');
  });
});
