// The gadget as the Host interface sees it (a test Host, the mocked PCS): actions succeed only
// when the host confirms them, a host failover disables them and forgets a call that ended
// inside it, and the transfer is offered only when the agent's leg allows it.
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import { HostActionError } from '../../src/hosts/host.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';
import { FakeHost, call } from './fakes.js';
import { button, mount, ready, startMock, stopMock, text } from './helpers.js';

function errorsOf(el: AgSurveyTransfer): AgErrorInfo[] {
  const errors: AgErrorInfo[] = [];
  el.addEventListener('ag-error', (e) => errors.push(e.detail));
  return errors;
}

describe('ag-survey-transfer and its Host', () => {
  let mock: MockBackend;
  let host: FakeHost;

  beforeEach(async () => {
    mock = await startMock({ finesse: false });
    host = new FakeHost();
  });
  afterEach(async () => {
    await stopMock(mock);
  });

  async function mounted(mode: 'transfer' | 'hangup' = 'transfer') {
    host.calls.next(call({ actions: ['TRANSFER_SST', 'RELEASE'] }));
    const el = await mount(mock, { mode, hostAdapter: host });
    await ready(el);
    return el;
  }

  it('a transfer the host rejects: its code and words, PCS never hears transferred, a retry works', async () => {
    const el = await mounted();
    const errors = errorsOf(el);
    let transferredEvents = 0;
    el.addEventListener('ag-survey-transferred', () => transferredEvents++);
    button(el).click();
    await waitUntil(() => host.actions.length === 1, 'variables asked');
    host.actions[0]!.answer.resolve();
    await waitUntil(() => host.actions.length === 2, 'transfer asked');
    await el.updateComplete;
    expect(text(el, 'status')).to.equal('Transferring the caller…');
    expect(button(el).disabled).to.be.true;
    // Finesse answered 202, then the CTI server refused: the host's promise rejects
    host.actions[1]!.answer.reject(
      new HostActionError('transfer-rejected', 'The CTI server refused the transfer', 400),
    );
    await waitUntil(() => errors.length > 0, 'ag-error');
    expect(errors).to.deep.equal([
      { code: 'transfer-rejected', message: 'The CTI server refused the transfer' },
    ]);
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('The CTI server refused the transfer');
    expect(text(el, 'status')).to.not.match(/set up|transferred/i);
    expect(transferredEvents).to.equal(0);
    const [record] = mock.pcs.requests();
    expect(record!.status).to.equal('requested');
    expect(button(el).disabled).to.be.false; // the button is back

    host.autoConfirm = true;
    const transferred = oneEvent(el, 'ag-survey-transferred');
    button(el).click();
    await transferred;
    expect(transferredEvents).to.equal(1);
    await waitUntil(
      () => mock.pcs.requests()[0]!.status !== 'requested',
      'PCS told after the confirmed transfer',
    );
    expect(mock.pcs.requests()).to.have.length(1);
    expect(host.actions.filter((a) => a.kind === 'transfer')).to.have.length(2);
  });

  it('a variable update the host rejects: call-variables-rejected, nothing transferred, retry possible', async () => {
    const el = await mounted('hangup');
    const errors = errorsOf(el);
    button(el).click();
    await waitUntil(() => host.actions.length === 1, 'variables asked');
    host.actions[0]!.answer.reject(
      new HostActionError('call-variables-rejected', 'Finesse did not confirm the call data'),
    );
    await waitUntil(() => errors.length > 0, 'ag-error');
    expect(errors[0]).to.deep.equal({
      code: 'call-variables-rejected',
      message: 'Finesse did not confirm the call data',
    });
    await el.updateComplete;
    expect(el.surveyStatus).to.equal('requested');
    expect(button(el).disabled).to.be.false;
    host.autoConfirm = true;
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed after the retry', { timeout: 8000 });
    expect(mock.pcs.requests()).to.have.length(1);
  });

  it('Finesse reconnecting: actions disabled with the reason; after recovery the same call goes on', async () => {
    const el = await mounted();
    host.autoConfirm = true;
    const errors = errorsOf(el);
    host.connected.next(false);
    await el.updateComplete;
    expect(button(el).disabled).to.be.true;
    expect(text(el, 'reason')).to.equal('Finesse is reconnecting');
    expect(text(el, 'connection')).to.equal('Finesse reconnecting');
    expect(errors.map((e) => e.code)).to.deep.equal(['host-disconnected']);
    host.connected.next(true);
    host.calls.next(call({ actions: ['TRANSFER_SST'] })); // re-read after recovery
    await ready(el);
    const transferred = oneEvent(el, 'ag-survey-transferred');
    button(el).click();
    await transferred;
  });

  it('a pending request survives the failover, and a call that ended inside it is forgotten', async () => {
    const el = await mounted();
    host.autoConfirm = true;
    const errors = errorsOf(el);
    const requested = oneEvent(el, 'ag-survey-requested');
    button(el).click();
    host.connected.next(false); // before PCS answered
    await requested;
    // PCS answered during the failover: the request is kept, Finesse is not asked anything
    expect(mock.pcs.requests()).to.have.length(1);
    expect(host.actions).to.have.length(0);
    // recovery: Finesse re-read the dialogs, the call is gone
    host.calls.next(null);
    host.connected.next(true);
    await waitUntil(() => text(el, 'reason') === 'No call', 'the ended call is forgotten');
    expect(host.actions).to.have.length(0);
    expect(errors.map((e) => e.code)).to.include('call-dropped');
    await waitUntil(
      () => mock.pcs.requests()[0]!.status === 'cancelled',
      'the request of the ended call is cancelled on PCS',
    );
    expect(mock.pcs.requests()).to.have.length(1);
  });

  it('transfer offered only when the leg allows TRANSFER_SST (unknown actions: offered)', async () => {
    const el = await mounted();
    host.calls.next(call({ actions: ['HOLD', 'RELEASE'] }));
    await el.updateComplete;
    expect(button(el).disabled).to.be.true;
    expect(text(el, 'reason')).to.equal('Finesse does not allow a transfer on this call right now');
    host.calls.next(call({ actions: [] }));
    await el.updateComplete;
    expect(button(el).disabled).to.be.false;
    host.calls.next(call({ actions: ['TRANSFER_SST'] }));
    await el.updateComplete;
    expect(button(el).disabled).to.be.false;
  });

  it('hangup mode does not need TRANSFER_SST', async () => {
    host.calls.next(call({ actions: ['RELEASE', 'UPDATE_CALL_DATA'] }));
    const el = await mount(mock, { mode: 'hangup', hostAdapter: host });
    await ready(el);
    expect(button(el).disabled).to.be.false;
  });
});
