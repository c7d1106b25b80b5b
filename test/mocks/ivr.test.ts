import { expect, waitUntil } from '@open-wc/testing';
import { cleanup, mock } from './helpers.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { surveyRequestBody } from '../support/survey-request.js';

const headers = { Authorization: 'Bearer t', 'Content-Type': 'application/json' };

async function requestSurvey(m: MockBackend, dialogId: string, mode: 'transfer' | 'hangup') {
  const r = await fetch(`${m.urls.pcsVip}/survey-requests`, {
    method: 'POST',
    headers,
    body: JSON.stringify(
      surveyRequestBody({ idempotencyKey: `k-${dialogId}`, dialogId, ani: '5551234', mode }),
    ),
  });
  return (await r.json()) as {
    requestId: string;
    transfer: { dn: string; callVariables: Record<string, string> };
  };
}

/** What a gadget does first: ClientServices.init with the fake's finesse.gadget.Config. */
function initClientServices(): void {
  const fin = (
    globalThis as unknown as {
      finesse: {
        gadget: { Config: unknown };
        clientservices: { ClientServices: { init(c: unknown): void } };
      };
    }
  ).finesse;
  fin.clientservices.ClientServices.init(fin.gadget.Config);
}

/** The finesse.js dialog object for `dialogId`, through the fake's public globals. */
function dialogOf(dialogId: string): Promise<Record<string, (...a: unknown[]) => void>> {
  const fin = (
    globalThis as unknown as { finesse: { restservices: { User: new (o: object) => unknown } } }
  ).finesse;
  return new Promise((resolve) => {
    new fin.restservices.User({
      id: 'agent1',
      onLoad: (u: { getDialogs(h: object): unknown }) =>
        u.getDialogs({
          onLoad: (c: {
            getCollection(): Record<string, Record<string, (...a: unknown[]) => void>>;
          }) => resolve(c.getCollection()[dialogId]!),
        }),
    });
  });
}

describe('mock IVR driven by the fake Finesse', () => {
  afterEach(cleanup);

  it('a transfer to the survey DN plays the survey to completion', async () => {
    const m = await mock({ finesse: true, ivrStepMs: 20 });
    initClientServices();
    const { dialogId, interactionId } = m.finesse.startCall({
      ani: '5551234',
      dialedNumber: '8000',
    });
    const answer = await requestSurvey(m, dialogId, 'transfer');
    const dialog = await dialogOf(dialogId);
    await new Promise((resolve, reject) =>
      dialog.updateCallVariables!(answer.transfer.callVariables, {
        success: resolve,
        error: reject,
      }),
    );
    await waitUntil(
      () => m.finesse.dialog(dialogId)?.callVariables['user.pcs.requestId'] === answer.requestId,
      'variables set',
      { timeout: 5000 },
    );
    await new Promise((resolve, reject) =>
      dialog.initiateDirectTransfer!('1001', answer.transfer.dn, {
        success: resolve,
        error: reject,
      }),
    );
    await waitUntil(() => m.pcs.requests()[0]?.status === 'completed', 'survey completed', {
      timeout: 5000,
    });
    expect(m.pcs.requests()[0]!.score).to.be.within(1, 5);
    expect(m.interactions.get(interactionId).properties).to.include({
      'survey.requestId': answer.requestId,
      'survey.status': 'completed',
      'voice.state': 'DROPPED',
    });
  });

  it('hanging up a call marked for the survey plays it; an unmarked call does not', async () => {
    const m = await mock({ finesse: true, ivrStepMs: 20 });
    initClientServices();
    const marked = m.finesse.startCall({ ani: '5551234', dialedNumber: '8000' });
    const plain = m.finesse.startCall({ ani: '5550000', dialedNumber: '8000' });
    const a = await requestSurvey(m, marked.dialogId, 'hangup');
    await requestSurvey(m, plain.dialogId, 'hangup');
    const dialog = await dialogOf(marked.dialogId);
    await new Promise((resolve, reject) =>
      dialog.updateCallVariables!(a.transfer.callVariables, { success: resolve, error: reject }),
    );
    const armed = await fetch(`${m.urls.pcsVip}/survey-requests/${a.requestId}/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ event: 'armed' }),
    });
    expect(((await armed.json()) as { status: string }).status).to.equal('armed');
    // armed only marks the call: nothing plays while the agent is still talking
    await new Promise((r) => setTimeout(r, 100));
    expect(m.pcs.requests().find((r) => r.requestId === a.requestId)!.status).to.equal('armed');
    m.finesse.endCall(marked.dialogId);
    m.finesse.endCall(plain.dialogId);
    await waitUntil(
      () => m.pcs.requests().find((r) => r.requestId === a.requestId)?.status === 'completed',
      'survey completed',
      { timeout: 5000 },
    );
    expect(m.pcs.requests().find((r) => r.dialogId === plain.dialogId)!.status).to.equal(
      'requested',
    );
  });
});
