// <ag-survey-transfer> against the reference cluster: real PCS processes over a shared store,
// the primary killed with SIGKILL between the survey request and the transfer.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { useCluster } from '../support/cluster.js';
import '../../src/define/survey-transfer.js';
import { StandaloneHost } from '../../src/hosts/standalone-host.js';
import type { AgSurveyTransfer } from '../../src/survey/survey-transfer.js';

function shadowText(el: AgSurveyTransfer, part: string): string {
  return el.shadowRoot!.querySelector(`[part~="${part}"]`)?.textContent?.trim() ?? '';
}

describe('ag-survey-transfer on the reference cluster', function () {
  this.timeout(60000);
  const cluster = useCluster({ chatInstances: 1, pcsLeaseMs: 1000, ivrStepMs: 150 });

  /** The gadget in transfer mode on the cluster's PCS nodes, with the desktop's host. */
  const mount = (host: StandaloneHost) =>
    fixture<AgSurveyTransfer>(
      html`<ag-survey-transfer
        mode="transfer"
        poll-ms="250"
        agent-id="agent1"
        pcs-nodes=${Object.values(cluster.info.urls.pcs).join(' ')}
        .token=${'agent1-token'}
        .hostAdapter=${host}
      ></ag-survey-transfer>`,
    );

  it('survives a SIGKILL of the primary PCS between the request and the transfer (standalone host)', async () => {
    const nodes = await cluster.control<{ id: string; role: string }[]>('pcs/nodes');
    const primary = nodes.find((n) => n.role === 'primary')!;
    expect(primary, 'a primary PCS node').to.exist;
    const dialogId = `dlg-cluster-${Date.now()}`;
    let killed = false;
    const host = new StandaloneHost({
      call: { dialogId, ani: '5551234567', dialedNumber: '8000' },
      actions: {
        // the desktop's telephony: the primary dies right before the caller is transferred
        transfer: async () => {
          await cluster.control('pcs/kill', { id: primary.id });
          killed = true;
        },
      },
    });
    const el = await mount(host);

    await waitUntil(
      () => el.connectionState === 'connected' && el.endpoint === primary.id,
      'connected to the primary',
      {
        timeout: 10000,
      },
    );
    await waitUntil(
      () => shadowText(el, 'survey-name') === 'Customer satisfaction',
      'survey shown',
      { timeout: 10000 },
    );

    const relocated = oneEvent(el, 'ag-relocated');
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part="action"]')!;
    expect(button.disabled).to.be.false;
    button.click();

    const moved = await relocated;
    expect(killed).to.be.true;
    expect(moved.detail.from).to.equal(primary.id);
    expect(moved.detail.to).to.not.equal(primary.id);

    await waitUntil(() => el.surveyStatus === 'completed', 'survey completed after the failover', {
      timeout: 20000,
    });
    expect(shadowText(el, 'status')).to.match(/Survey completed, score [1-5]/);

    const requests =
      await cluster.control<{ idempotencyKey: string; status: string }[]>('pcs/requests');
    const ours = requests.filter((r) => r.idempotencyKey === `${dialogId}:srv-8000`);
    expect(ours).to.have.length(1);
    expect(ours[0]!.status).to.equal('completed');
  });

  it('a gadget reloaded mid-request, the primary SIGKILLed meanwhile: re-attached, one request', async () => {
    // the previous test may have left a node dead: both up, then the primary
    for (const n of await cluster.control<{ id: string; alive?: boolean }[]>('pcs/nodes'))
      await cluster.control('pcs/revive', { id: n.id }).catch(() => undefined);
    let primary: { id: string; role: string } | undefined;
    await waitUntil(
      async () => {
        const nodes = await cluster.control<{ id: string; role: string }[]>('pcs/nodes');
        primary = nodes.find((n) => n.role === 'primary');
        return !!primary;
      },
      'a primary PCS node',
      { timeout: 15000 },
    );
    const dialogId = `dlg-reload-${Date.now()}`;
    const callInfo = { dialogId, ani: '5551234567', dialedNumber: '8000' };
    let asked = false;
    // Finesse never answers the first gadget: it is reloaded while the variables are pending
    const first = await mount(
      new StandaloneHost({
        call: callInfo,
        actions: {
          updateCallVariables: () => {
            asked = true;
            return new Promise<void>(() => undefined);
          },
        },
      }),
    );
    await waitUntil(
      () => shadowText(first, 'survey-name') === 'Customer satisfaction',
      'survey shown',
      { timeout: 10000 },
    );
    first.shadowRoot!.querySelector<HTMLButtonElement>('[part="action"]')!.click();
    await waitUntil(() => asked, 'PCS answered, Finesse asked', { timeout: 10000 });
    first.remove();
    await cluster.control('pcs/kill', { id: primary!.id });

    let transfers = 0;
    const second = await mount(
      new StandaloneHost({
        call: callInfo,
        actions: {
          transfer: () => {
            transfers++;
            return Promise.resolve();
          },
        },
      }),
    );
    try {
      await waitUntil(
        () => second.surveyStatus === 'completed',
        'the re-attached survey completed',
        {
          timeout: 30000,
        },
      );
      expect(transfers).to.equal(1);
      const requests = await cluster.control<{ idempotencyKey: string }[]>('pcs/requests');
      expect(requests.filter((r) => r.idempotencyKey === `${dialogId}:srv-8000`)).to.have.length(1);
    } finally {
      second.remove();
      sessionStorage.clear();
    }
  });
});
