// Both modes end to end through the fake Finesse and the mocked PCS, and a Finesse failover.
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import { button, collectErrors, mount, ready, startMock, stopMock, text } from './helpers.js';

describe('ag-survey-transfer modes (fake Finesse)', () => {
  let mock: MockBackend;

  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(async () => {
    await stopMock(mock);
  });

  it('transfer: sets the call variables, transfers to the survey DN, shows the completed score', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'transfer' });
    await ready(el);
    expect(button(el).textContent).to.contain('Transfer to survey');

    const requested = oneEvent(el, 'ag-survey-requested');
    const transferred = oneEvent(el, 'ag-survey-transferred');
    button(el).click();
    const { detail: req } = await requested;
    expect(req.dialogId).to.equal(dialogId);
    expect(req.mode).to.equal('transfer');
    const { detail: tr } = await transferred;
    expect(tr.dn).to.equal('9100');

    const transfers = mock.finesse.transfers().filter((t) => t.dialogId === dialogId);
    expect(transfers).to.have.length(1);
    expect(transfers[0]!.to).to.equal('9100');
    expect(transfers[0]!.kind).to.equal('sst');
    // the variables reached Finesse before the transfer, with the request id PCS gave us
    expect(Object.values(transfers[0]!.callVariables)).to.include(req.requestId);

    await waitUntil(() => el.surveyStatus === 'completed', 'survey completed', { timeout: 8000 });
    expect(text(el, 'status')).to.match(/^Survey completed, score \d+$/);
    const record = mock.pcs.requests().filter((r) => r.requestId === req.requestId);
    expect(record).to.have.length(1);
  });

  it('hangup: marks the call before it ends; the survey plays after hang-up and its score is shown', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'hangup' });
    await ready(el);
    expect(button(el).textContent).to.contain('Play survey after hang-up');

    const requested = oneEvent(el, 'ag-survey-requested');
    button(el).click();
    const { detail: req } = await requested;
    await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 5000 });
    expect(text(el, 'status')).to.equal('Survey armed: it plays when you hang up');

    // set BEFORE the call ends: the survey script reads them when the agent hangs up
    const vars = mock.finesse.dialog(dialogId)!.callVariables;
    expect(vars['user.microapp.isPostCallSurvey']).to.equal('y');
    expect(Object.values(vars)).to.include(req.requestId);
    expect(mock.finesse.transfers()).to.have.length(0);

    const statuses: string[] = [];
    el.addEventListener('ag-survey-status', (e) => statuses.push(e.detail.status));
    mock.finesse.endCall(dialogId);
    await waitUntil(() => el.surveyStatus === 'completed', 'survey completed after hang-up', {
      timeout: 8000,
    });
    expect(text(el, 'status')).to.match(/^Survey completed, score \d+$/);
    expect(statuses).to.include('completed');
    expect(statuses.indexOf('completed')).to.equal(statuses.length - 1);
  });

  it('the next call starts from a clean slate while the previous survey is still followed', async () => {
    const first = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' }).dialogId;
    const el = await mount(mock, { mode: 'hangup' });
    await ready(el);
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 5000 });
    mock.finesse.endCall(first);
    const second = mock.finesse.startCall({ ani: '5559876543', dialedNumber: '8000' }).dialogId;
    await ready(el);
    expect(el.surveyStatus).to.equal(null);
    expect(text(el, 'status')).to.equal('');
    // the first caller's survey still completes on PCS
    await waitUntil(
      () => mock.pcs.requests().find((r) => r.dialogId === first)?.status === 'completed',
      'previous survey completed',
      { timeout: 8000 },
    );
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'second call armed', { timeout: 5000 });
    expect(mock.pcs.requests().filter((r) => r.dialogId === second)).to.have.length(1);
  });

  it('transfer with consult-transfer: consults the survey DN, then completes the transfer', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'transfer' });
    el.toggleAttribute('consult-transfer', true);
    await ready(el);
    const transferred = oneEvent(el, 'ag-survey-transferred');
    button(el).click();
    await transferred;
    const transfers = mock.finesse.transfers().filter((t) => t.dialogId === dialogId);
    expect(transfers).to.have.length(1);
    expect(transfers[0]).to.include({ to: '9100', kind: 'consult' });
    expect(transfers[0]!.callVariables['user.microapp.isPostCallSurvey']).to.equal('y');
    await waitUntil(() => el.surveyStatus === 'completed', 'survey completed', { timeout: 8000 });
  });

  it('asks the container to fit its height when its size changes', async () => {
    const el = await mount(mock, { mode: 'transfer' });
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call');
    const gadgetsWindow = (
      globalThis as unknown as { gadgets: { window: { adjustHeight(): void } } }
    ).gadgets.window;
    let calls = 0;
    const original = gadgetsWindow.adjustHeight;
    gadgetsWindow.adjustHeight = () => {
      calls++;
      original();
    };
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    await ready(el); // the survey, the channel and the language now take room
    await waitUntil(() => calls > 0, 'adjustHeight after growing');
  });

  it('keeps its state through a Finesse failover (disconnect, reconnect)', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'hangup' });
    await ready(el);
    const errors = collectErrors(el);
    const requested = oneEvent(el, 'ag-survey-requested');
    button(el).click();
    const { detail: req } = await requested;
    await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 5000 });
    // collected, and checked below: an expect inside a listener that never runs proves nothing
    const statuses: { requestId: string; status: string }[] = [];
    el.addEventListener('ag-survey-status', (e) => statuses.push(e.detail));

    mock.finesse.disconnect();
    await waitUntil(
      () => text(el, 'connection') === 'Finesse reconnecting',
      'Finesse failover shown',
    );
    expect(errors).to.include('host-disconnected');
    expect(button(el).disabled).to.be.true;
    expect(text(el, 'reason')).to.equal('Finesse is reconnecting');
    expect(text(el, 'survey-name')).to.equal('Customer satisfaction');

    mock.finesse.reconnect();
    await waitUntil(() => text(el, 'connection').startsWith('PCS connected'), 'Finesse back');
    // same request, same progress: nothing was reset or re-requested by the failover
    expect(el.surveyStatus).to.not.equal(null);
    expect(['armed', 'offered', 'in-progress', 'completed']).to.include(el.surveyStatus);
    expect(statuses.map((s) => s.status)).to.not.include('requested');
    expect(text(el, 'reason')).to.equal('The survey is set up for this call');
    expect(mock.pcs.requests()).to.have.length(1);

    mock.finesse.endCall(dialogId);
    await waitUntil(() => el.surveyStatus === 'completed', 'survey completed', { timeout: 8000 });
    // the statuses after the failover really arrived, all for the one request, ending completed
    expect(statuses.length).to.be.greaterThan(0);
    expect(statuses.every((s) => s.requestId === req.requestId)).to.be.true;
    expect(statuses.at(-1)!.status).to.equal('completed');
  });
});
