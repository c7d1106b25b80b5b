// A gadget reload (the element removed and created again on the same page, as Finesse does at
// a desktop failover or the agent's F5) re-attaches to the pending survey request by its
// idempotency key: never a second request.
import { expect, waitUntil } from '@open-wc/testing';
import type { CallInfo } from '../../src/hosts/host.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { pendingStorageKey } from '../../src/survey/pending-requests.js';
import { FakeHost, call } from './fakes.js';
import { button, mount, ready, startMock, stopMock, text } from './helpers.js';

const stored = () => JSON.parse(sessionStorage.getItem(pendingStorageKey) ?? '[]') as unknown[];

describe('ag-survey-transfer reload mid-request', () => {
  let mock: MockBackend;

  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(async () => {
    await stopMock(mock);
  });

  it('PCS down when the agent asked, gadget reloaded, PCS back: one request, the call marked', async () => {
    const { dialogId } = mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const first = await mount(mock, { mode: 'hangup' });
    await ready(first);
    button(first).click();
    // PCS goes down before the request could reach it
    for (const n of mock.pcs.nodes()) mock.pcs.kill(n.id);
    await waitUntil(() => text(first, 'status').startsWith('PCS unreachable'), 'request held');
    expect(stored()).to.have.length(1);
    expect(mock.pcs.requests()).to.have.length(0);
    first.remove(); // the reload: the old gadget is gone, with its PCS client

    for (const n of mock.pcs.nodes()) mock.pcs.revive(n.id);
    const second = await mount(mock, { mode: 'hangup' });
    // nobody presses anything: the reloaded gadget takes the request up again
    await waitUntil(() => second.surveyStatus === 'armed', 'armed after the reload', {
      timeout: 10000,
    });
    const ours = mock.pcs.requests().filter((r) => r.dialogId === dialogId);
    expect(ours).to.have.length(1);
    expect(mock.finesse.dialog(dialogId)!.callVariables['user.microapp.isPostCallSurvey']).to.equal(
      'y',
    );
    expect(Object.values(mock.finesse.dialog(dialogId)!.callVariables)).to.include(
      ours[0]!.requestId,
    );
    // the call ends: nothing is kept for it any more
    mock.finesse.endCall(dialogId);
    await waitUntil(() => stored().length === 0, 'forgotten when the call ends');
  });

  it('reloaded after PCS answered, before Finesse confirmed: the same request, transferred once', async () => {
    const host = new FakeHost();
    host.calls.next(call());
    const first = await mount(mock, { mode: 'transfer', hostAdapter: host });
    await ready(first);
    button(first).click();
    await waitUntil(() => host.actions.length === 1, 'variables asked');
    const [request] = mock.pcs.requests();
    first.remove(); // reloaded while Finesse had not answered

    const again = new FakeHost();
    again.autoConfirm = true;
    again.calls.next(call());
    const second = await mount(mock, { mode: 'transfer', hostAdapter: again });
    await waitUntil(() => second.surveyStatus === 'transferred', 'transferred after the reload', {
      timeout: 10000,
    });
    expect(mock.pcs.requests()).to.have.length(1);
    expect(mock.pcs.requests()[0]!.requestId).to.equal(request!.requestId);
    expect(again.actions.map((a) => a.kind)).to.deep.equal(['variables', 'transfer']);
    expect(Object.values(again.actions[0]!.vars!)).to.include(request!.requestId);
  });

  it('reloaded after the call was armed: shows it, asks nothing again', async () => {
    const host = new FakeHost();
    host.autoConfirm = true;
    host.calls.next(call());
    const first = await mount(mock, { mode: 'hangup', hostAdapter: host });
    await ready(first);
    button(first).click();
    await waitUntil(() => first.surveyStatus === 'armed', 'armed');
    first.remove();

    const again = new FakeHost();
    again.calls.next(call());
    const second = await mount(mock, { mode: 'hangup', hostAdapter: again });
    await waitUntil(() => second.surveyStatus !== null, 'status after the reload', {
      timeout: 8000,
    });
    expect(['armed', 'offered', 'in-progress', 'completed']).to.include(second.surveyStatus);
    await waitUntil(
      () => text(second, 'reason') === 'The survey is set up for this call',
      'shown as set up',
    );
    expect(again.actions).to.have.length(0);
    expect(mock.pcs.requests()).to.have.length(1);
  });

  it('reloaded after Finesse refused the transfer: nothing happens by itself, the agent decides', async () => {
    const host = new FakeHost();
    host.calls.next(call({ actions: ['TRANSFER_SST'] }));
    const first = await mount(mock, { mode: 'transfer', hostAdapter: host });
    await ready(first);
    button(first).click();
    await waitUntil(() => host.actions.length === 1, 'variables asked');
    host.actions[0]!.answer.reject(new Error('Finesse refused the call data'));
    await waitUntil(() => text(first, 'error') === 'Finesse refused the call data', 'refused');
    first.remove();

    const again = new FakeHost();
    again.calls.next(call({ actions: ['TRANSFER_SST'] }));
    const second = await mount(mock, { mode: 'transfer', hostAdapter: again });
    await ready(second);
    await waitUntil(() => second.surveyStatus === 'requested', 'the request is followed');
    expect(again.actions).to.have.length(0);
    expect(button(second).disabled).to.be.false;
    again.autoConfirm = true;
    button(second).click();
    await waitUntil(() => second.surveyStatus === 'transferred', 'transferred on the retry');
    expect(mock.pcs.requests()).to.have.length(1);
  });

  const otherCalls: [string, Partial<CallInfo>][] = [
    [
      'another call after the reload: the old record is dropped, nothing is re-attached',
      { dialogId: '20002' },
    ],
    [
      'the same dialog id on another call (a restarted Finesse) is not re-attached',
      { ani: '5550000000' },
    ],
  ];
  for (const [title, other] of otherCalls) {
    it(title, async () => {
      const host = new FakeHost();
      host.calls.next(call());
      const first = await mount(mock, { mode: 'transfer', hostAdapter: host });
      await ready(first);
      button(first).click();
      await waitUntil(() => host.actions.length === 1, 'variables asked');
      first.remove();

      const again = new FakeHost();
      again.calls.next(call(other));
      const second = await mount(mock, { mode: 'transfer', hostAdapter: again });
      await ready(second);
      expect(stored()).to.deep.equal([]);
      expect(again.actions).to.have.length(0);
      expect(second.surveyStatus).to.equal(null);
    });
  }

  it('a damaged record is ignored and removed', async () => {
    sessionStorage.setItem(pendingStorageKey, '{"not":"a list"');
    const host = new FakeHost();
    host.calls.next(call());
    const el = await mount(mock, { mode: 'transfer', hostAdapter: host });
    await ready(el);
    expect(host.actions).to.have.length(0);
    expect(mock.pcs.requests()).to.have.length(0);
    expect(sessionStorage.getItem(pendingStorageKey)).to.equal(null);
  });
});
