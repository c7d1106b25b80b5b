// Bad input: PCS garbage and 5xx, the call dropped mid-request, Finesse refusing the transfer,
// an invalid SMS number. Each gives a clear state and a stable ag-error code.
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import type { AgErrorEvent } from '../../src/events.js';
import {
  button,
  collectErrors,
  mount,
  part,
  primaryOf,
  ready,
  startMock,
  stopMock,
  text,
} from './helpers.js';

describe('ag-survey-transfer bad input', () => {
  let mock: MockBackend;

  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(async () => {
    await stopMock(mock);
  });

  for (const mode of ['garbage', '5xx'] as const) {
    it(`PCS answering ${mode}: pcs-bad-response, the request is retried and goes through once PCS behaves`, async () => {
      const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const el = await mount(mock, { mode: 'hangup' });
      await ready(el);
      const errors = collectErrors(el);
      const primary = await primaryOf(mock);

      mock.pcs.misbehave(primary, mode);
      button(el).click();
      await waitUntil(() => errors.includes('pcs-bad-response'), 'pcs-bad-response reported', {
        timeout: 8000,
      });
      await waitUntil(
        () => /PCS (sent an invalid answer|unreachable), retrying/.test(text(el, 'connection')),
        'problem shown',
      );
      expect(text(el, 'status')).to.match(/the request is kept and retried/);
      expect(el.surveyStatus).to.equal(null);

      mock.pcs.misbehave(primary, null);
      await waitUntil(() => el.surveyStatus === 'armed', 'armed once PCS behaves', {
        timeout: 10000,
      });
      expect(
        mock.finesse.dialog(dialogId)!.callVariables['user.microapp.isPostCallSurvey'],
      ).to.equal('y');
      expect(mock.pcs.requests()).to.have.length(1);
    });
  }

  it('call dropped while PCS is still answering: call-dropped, nothing set on the call, the late request cancelled', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'hangup' });
    await ready(el);
    const errors = collectErrors(el);
    const primary = await primaryOf(mock);

    mock.pcs.freeze(primary); // requests hang: the agent's click is in flight
    button(el).click();
    await waitUntil(() => text(el, 'status') !== '', 'requesting shown');
    mock.finesse.endCall(dialogId);
    await waitUntil(() => errors.includes('call-dropped'), 'call-dropped', { timeout: 5000 });
    expect(part(el, 'error')!.textContent).to.contain(
      'The call ended before the survey was set up',
    );
    expect(text(el, 'reason')).to.equal('No call');

    mock.pcs.unfreeze(primary);
    // PCS creates the request once it answers again; the gadget cancels it at once
    await waitUntil(
      () => mock.pcs.requests().length === 1 && mock.pcs.requests()[0]!.status === 'cancelled',
      'the late request is cancelled',
      { timeout: 10000 },
    );
    expect(mock.finesse.dialog(dialogId)!.callVariables).to.deep.equal({});
    expect(mock.finesse.transfers()).to.have.length(0);
  });

  it("Finesse refuses the transfer: Finesse's own error text and transfer-rejected", async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'transfer' });
    await ready(el);
    // Finesse's text is shown as text, never as markup
    const finesseText = 'Dialog is <b>not</b> in a transferable state <img src=x>';
    mock.finesse.rejectNextTransfer({
      status: 400,
      errorType: 'Invalid State',
      errorMessage: finesseText,
    });
    const errors: { code: string; message: string }[] = [];
    el.addEventListener('ag-error', (e) => errors.push(e.detail));
    button(el).click();
    await waitUntil(() => errors.some((e) => e.code === 'transfer-rejected'), 'transfer-rejected', {
      timeout: 5000,
    });
    expect(errors.find((e) => e.code === 'transfer-rejected')!.message).to.equal(finesseText);
    await el.updateComplete;
    expect(text(el, 'error')).to.equal(finesseText);
    expect(part(el, 'error')!.querySelector('b, img')).to.equal(null);
    expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
    expect(mock.finesse.transfers().filter((t) => t.dialogId === dialogId)).to.have.length(0);
    // the agent can try again: the same request is reused (same idempotency key)
    expect(button(el).disabled).to.be.false;
    const transferred = oneEvent(el, 'ag-survey-transferred');
    button(el).click();
    await transferred;
    expect(mock.pcs.requests()).to.have.length(1);
  });

  it('invalid SMS number: invalid-sms-number, the field is marked, nothing is requested', async () => {
    mock.finesse.startCall({ ani: '12345', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'hangup' });
    await ready(el);
    const sms = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="radio"][value="sms"]')!;
    sms.click();
    await el.updateComplete;
    const input = part<HTMLInputElement>(el, 'sms-input')!;
    expect(input.value).to.equal('12345'); // prefilled with the caller's number
    const errors = collectErrors(el);
    button(el).click();
    await waitUntil(() => errors.includes('invalid-sms-number'), 'invalid-sms-number');
    await el.updateComplete;
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(part(el, 'error')!.textContent).to.contain('10 to 15 digits');
    expect(mock.pcs.requests()).to.have.length(0);

    input.value = '+44 7700 900123';
    input.dispatchEvent(new Event('input'));
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed with a valid number', {
      timeout: 5000,
    });
    expect(mock.pcs.requests()[0]!.smsNumber).to.equal('+447700900123');
  });

  it('PCS unreachable before any request: disabled with the reason, enabled again after revive', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock, { mode: 'transfer' });
    await ready(el);
    const errors = collectErrors(el);
    const ids = Object.keys(mock.urls.pcs);
    ids.forEach((id) => mock.pcs.kill(id));
    await waitUntil(() => text(el, 'reason') === 'PCS unreachable', 'unreachable reason', {
      timeout: 8000,
    });
    expect(button(el).disabled).to.be.true;
    expect(errors).to.include('pcs-unreachable');
    expect(el.connectionState).to.equal('reconnecting');
    ids.forEach((id) => mock.pcs.revive(id));
    await ready(el);
    expect(el.connectionState).to.equal('connected');
  });

  it('a refused token: unauthorized, and the reason says PCS refused it (no endless "looking up")', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    // listen before mounting: the refusal may come at once (events bubble and are composed)
    const errors: string[] = [];
    const onError = (e: Event) => errors.push((e as AgErrorEvent).detail.code);
    document.addEventListener('ag-error', onError);
    try {
      const el = await mount(mock, { token: 'bad-token' });
      await waitUntil(() => text(el, 'reason').startsWith('PCS: '), 'refusal shown', {
        timeout: 8000,
      });
      expect(text(el, 'reason')).to.equal('PCS: sign-in refused');
      expect(part(el, 'reason')!.getAttribute('title')).to.match(/credentials/);
      expect(button(el).disabled).to.be.true;
      expect(errors).to.include('unauthorized');
    } finally {
      document.removeEventListener('ag-error', onError);
    }
  });

  it('no survey for the dialed number: disabled with the reason', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8001' });
    const el = await mount(mock, { mode: 'transfer' });
    await waitUntil(() => text(el, 'reason') === 'No survey for 8001', 'no-survey reason', {
      timeout: 8000,
    });
    expect(button(el).disabled).to.be.true;
    expect(button(el).getAttribute('aria-describedby')).to.equal('reason');
  });

  for (const [label, nodes, reason] of [
    ['empty', '', 'Set pcs-nodes to the PCS address'],
    ['missing', null, 'Set pcs-nodes to the PCS address'],
    ['not a URL', 'pcs-a.mock.test', 'The gadget is not set up correctly'],
  ] as const) {
    it(`pcs-nodes ${label}: failed with bad-config, like the chat panel, and no request`, async () => {
      mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const el = document.createElement('ag-survey-transfer');
      el.setAttribute('host', 'finesse');
      if (nodes !== null) el.setAttribute('pcs-nodes', nodes);
      const errors = collectErrors(el);
      const states: string[] = [];
      el.addEventListener('ag-connection-change', (e) => states.push(e.detail.state));
      document.body.append(el);
      try {
        await el.updateComplete;
        expect(el.connectionState).to.equal('failed');
        expect(errors).to.deep.equal(['bad-config']);
        expect(states).to.deep.equal(['failed']);
        expect(text(el, 'connection')).to.equal('PCS not configured');
        expect(text(el, 'error')).to.match(/pcs-nodes/);
        expect(button(el).disabled).to.be.true;
        expect(text(el, 'reason')).to.equal(reason);
        if (nodes) expect(part(el, 'reason')!.getAttribute('title')).to.match(/pcs-nodes/);
        // fixing the attribute starts the gadget: the failure is not sticky
        el.setAttribute('pcs-nodes', Object.values(mock.urls.pcs).join(' '));
        el.token = 'agent1-token';
        await ready(el);
        expect(el.connectionState).to.not.equal('failed');
        expect(mock.pcs.requests()).to.have.length(0);
      } finally {
        el.remove();
      }
    });
  }
});
