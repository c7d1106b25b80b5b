// PCS failover: the primary killed between the request and the transfer (shared store and
// re-submit paths), split brain, both nodes down.
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  button,
  collectErrors,
  mount,
  primaryOf,
  ready,
  startMock,
  stopMock,
  text,
} from './helpers.js';

describe('ag-survey-transfer PCS failover', () => {
  let mock: MockBackend | undefined;

  afterEach(async () => {
    await stopMock(mock);
    mock = undefined;
  });

  for (const pcsSharedStore of [true, false]) {
    it(`kills the primary between request and transfer; the survey still happens (shared store: ${pcsSharedStore})`, async () => {
      mock = await startMock({ pcsSharedStore });
      const m = mock;
      const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
      const el = await mount(m, { mode: 'transfer' });
      await ready(el);
      const primary = await primaryOf(m);
      expect(el.endpoint).to.equal(primary);

      const changes: { state: string; reason?: string; endpoint?: string }[] = [];
      el.addEventListener('ag-connection-change', (e) => changes.push(e.detail));
      // the moment PCS has answered, before the variables and the transfer: kill the primary
      el.addEventListener('ag-survey-requested', () => m.pcs.kill(primary), { once: true });
      const relocated = oneEvent(el, 'ag-relocated');
      const transferred = oneEvent(el, 'ag-survey-transferred');
      button(el).click();
      await transferred;
      const { detail } = await relocated;
      expect(detail.from).to.equal(primary);
      expect(detail.to).to.not.equal(primary);
      expect(el.endpoint).to.equal(detail.to);
      expect(
        changes.some((c) => c.state === 'reconnecting'),
        'reconnecting reported',
      ).to.be.true;
      expect(changes[changes.length - 1]).to.include({ state: 'connected', endpoint: detail.to });

      await waitUntil(
        () => el.surveyStatus === 'completed',
        'survey completed after the failover',
        { timeout: 10000 },
      );
      expect(text(el, 'status')).to.match(/^Survey completed, score \d+$/);

      // one request for this call per store, never two: with a shared store that is one in
      // all; without it the new primary got it again under the same key (re-submit path)
      const ours = m.pcs.requests().filter((r) => r.idempotencyKey === `${dialogId}:srv-8000`);
      expect(ours).to.have.length(pcsSharedStore ? 1 : 2);
      expect(new Set(ours.map((r) => r.nodeId)).size).to.equal(ours.length);
      expect(ours.filter((r) => r.status === 'completed')).to.have.length(1);
      expect(m.finesse.transfers().filter((t) => t.dialogId === dialogId)).to.have.length(1);
    });
  }

  it('hangup without a shared store: the armed call is re-marked with the re-created request before hang-up', async () => {
    mock = await startMock({ pcsSharedStore: false });
    const m = mock;
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(m, { mode: 'hangup' });
    await ready(el);
    const primary = await primaryOf(m);
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 5000 });
    const firstId = m.finesse.dialog(dialogId)!.callVariables['user.pcs.requestId'];
    expect(firstId).to.be.a('string');

    const relocated = oneEvent(el, 'ag-relocated');
    m.pcs.kill(primary);
    await relocated;
    // the new primary got the request again (same key) under its own id, and the call names it
    await waitUntil(
      () => {
        const named = m.finesse.dialog(dialogId)!.callVariables['user.pcs.requestId'];
        return (
          named !== firstId &&
          m.pcs.requests().some((r) => r.requestId === named && r.nodeId !== primary)
        );
      },
      're-marked with the new request id',
      { timeout: 8000 },
    );
    m.finesse.endCall(dialogId);
    await waitUntil(() => el.surveyStatus === 'completed', 'the survey plays after hang-up', {
      timeout: 8000,
    });
  });

  it('through one virtual-IP URL: the node behind it changes, the gadget fails over with it', async () => {
    mock = await startMock();
    const m = mock;
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(m, { mode: 'transfer', nodes: [m.urls.pcsVip] });
    await ready(el);
    const primary = await primaryOf(m);
    expect(el.endpoint, 'the VIP endpoint is named after the node behind it').to.equal(primary);

    el.addEventListener('ag-survey-requested', () => m.pcs.kill(primary), { once: true });
    const relocated = oneEvent(el, 'ag-relocated');
    button(el).click();
    const { detail } = await relocated;
    expect(detail.from).to.equal(primary);
    await waitUntil(() => el.surveyStatus === 'completed', 'completed behind the VIP', {
      timeout: 10000,
    });
    expect(
      m.pcs.requests().filter((r) => r.idempotencyKey === `${dialogId}:srv-8000`),
    ).to.have.length(1);
  });

  it('follows the higher epoch in a split brain', async () => {
    mock = await startMock();
    const m = mock;
    m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(m, { mode: 'hangup' });
    await ready(el);
    const before = el.endpoint;

    m.pcs.splitBrain();
    const claimants = m.pcs.nodes().filter((n) => n.role === 'primary');
    expect(claimants.length, 'both nodes claim primary').to.equal(2);
    const winner = [...claimants].sort((a, b) => b.epoch - a.epoch)[0]!;
    expect(winner.epoch).to.be.greaterThan(claimants.find((n) => n !== winner)!.epoch);

    await waitUntil(
      () => el.endpoint === winner.id && el.connectionState === 'connected',
      `follows ${winner.id}`,
      {
        timeout: 8000,
      },
    );
    if (before !== winner.id) expect(el.endpoint).to.not.equal(before);

    // and it works there: the request is made on the winner
    button(el).click();
    await waitUntil(() => el.surveyStatus === 'armed', 'armed on the winner', { timeout: 5000 });
    const ours = m.pcs.requests();
    expect(ours).to.have.length(1);
  });

  it('both nodes down: clear state, keeps the pending request, recovers after revive', async () => {
    mock = await startMock();
    const m = mock;
    const { dialogId } = m.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(m, { mode: 'transfer' });
    await ready(el);
    const errors = collectErrors(el);
    const ids = Object.keys(m.urls.pcs);

    // PCS dies completely right after accepting the request: the 'transferred' report is pending
    el.addEventListener('ag-survey-requested', () => ids.forEach((id) => m.pcs.kill(id)), {
      once: true,
    });
    button(el).click();
    await waitUntil(
      () => text(el, 'connection') === 'PCS unreachable, retrying',
      'unreachable shown',
      { timeout: 8000 },
    );
    expect(errors).to.include('pcs-unreachable');
    expect(el.surveyStatus).to.equal('transferred');
    expect(m.finesse.transfers().filter((t) => t.dialogId === dialogId)).to.have.length(1);

    ids.forEach((id) => m.pcs.revive(id));
    await waitUntil(() => el.surveyStatus === 'completed', 'completed after revive', {
      timeout: 12000,
    });
    await waitUntil(() => /^PCS connected/.test(text(el, 'connection')), 'connected again', {
      timeout: 8000,
    });
    expect(
      m.pcs.requests().filter((r) => r.idempotencyKey === `${dialogId}:srv-8000`),
    ).to.have.length(1);
  });
});
