import { expect, waitUntil } from '@open-wc/testing';
import { cleanup, connect, mock, request, sleep, tryConnect } from './helpers.js';
import type { MockBackend } from '../../src/mocks/index.js';
import { surveyRequestBody } from '../support/survey-request.js';
import {
  nodeStatus,
  surveyLookup,
  surveyRequestAnswer,
  surveyStatusEvent,
  pcsSubscribeAnswer,
} from '../../src/protocol/wire.js';

const auth = { Authorization: 'Bearer t' };

const body = (key = 'k-1') =>
  surveyRequestBody({ idempotencyKey: key, dialogId: 'd-1', ani: '5551234' });

async function post(
  base: string,
  path: string,
  payload: unknown,
  headers: Record<string, string> = auth,
) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** The rejection of `p` (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function status(m: MockBackend, id: string) {
  const r = await fetch(`${m.urls.pcs[id]}/status`);
  return (await r.json()) as { nodeId: string; role: string; epoch: number };
}

describe('mock PCS nodes', () => {
  afterEach(cleanup);

  it('serves status, surveys and idempotent survey requests; the standby answers 503', async () => {
    const m = await mock();
    const a = await status(m, 'pcs-a');
    expect(nodeStatus(a).ok).to.equal(true);
    expect(a).to.include({ nodeId: 'pcs-a', role: 'primary', epoch: 1 });
    expect(await status(m, 'pcs-b')).to.include({ role: 'standby' });

    const lookup = await (
      await fetch(`${m.urls.pcsVip}/surveys?dialedNumber=8000`, { headers: auth })
    ).json();
    expect(surveyLookup(lookup).ok).to.equal(true);
    expect(lookup.survey.surveyDn).to.equal('9100');
    expect(
      await (await fetch(`${m.urls.pcsVip}/surveys?dialedNumber=8001`, { headers: auth })).json(),
    ).to.deep.equal({ survey: null });
    expect((await fetch(`${m.urls.pcsVip}/surveys?dialedNumber=8000`)).status).to.equal(401);

    const first = await post(m.urls.pcs['pcs-a']!, '/survey-requests', body());
    expect(first.status).to.equal(201);
    expect(surveyRequestAnswer(first.json).ok).to.equal(true);
    const again = await post(m.urls.pcs['pcs-a']!, '/survey-requests', body());
    expect(again.json).to.deep.equal(first.json);
    expect(m.pcs.requests()).to.have.length(1);

    const standby = await post(m.urls.pcs['pcs-b']!, '/survey-requests', body('k-2'));
    expect(standby.status).to.equal(503);
    expect(standby.json).to.deep.equal({
      ok: false,
      error: { code: 'not-primary', message: 'pcs-b is not the primary' },
    });
  });

  it('rejects hostile bodies with coded errors', async () => {
    const m = await mock();
    const base = m.urls.pcs['pcs-a']!;
    expect((await post(base, '/survey-requests', '{not json')).json.error).to.include({
      code: 'bad-request',
    });
    expect((await post(base, '/survey-requests', { ...body(), channel: 'fax' })).status).to.equal(
      400,
    );
    expect((await post(base, '/survey-requests', { ...body(), channel: 'sms' })).status).to.equal(
      400,
    );
    expect((await post(base, '/survey-requests', { ...body(), surveyId: 'nope' })).status).to.equal(
      404,
    );
    expect((await post(base, '/survey-requests', 'x'.repeat(70000))).status).to.equal(413);
    expect((await post(base, '/survey-requests', body(), {})).status).to.equal(401);
    expect(
      (await post(base, '/survey-requests/unknown/events', { event: 'armed' })).status,
    ).to.equal(404);
    expect((await post(base, '/nowhere', {})).status).to.equal(404);
    expect((await status(m, 'pcs-a')).role).to.equal('primary');
  });

  it('streams survey status as the IVR progresses after a transfer event', async () => {
    const m = await mock({ ivrStepMs: 30 });
    const created = await post(m.urls.pcsVip, '/survey-requests', body());
    const requestId = created.json.requestId as string;
    const stream = await connect(m.urls.pcsVip, { token: 't' });
    const sub = await request(stream, 'subscribe', { requestIds: [requestId] });
    expect(pcsSubscribeAnswer(sub).ok).to.equal(true);
    const statuses: Record<string, unknown>[] = [];
    stream.on('survey-status', (e: Record<string, unknown>) => statuses.push(e));
    await post(m.urls.pcsVip, `/survey-requests/${requestId}/events`, { event: 'transferred' });
    await waitUntil(() => statuses.some((s) => s.status === 'completed'), 'completed', {
      timeout: 5000,
    });
    for (const s of statuses) expect(surveyStatusEvent(s).ok).to.equal(true);
    expect(statuses.map((s) => s.status)).to.deep.equal([
      'transferred',
      'offered',
      'in-progress',
      'completed',
    ]);
    expect(statuses.at(-1)!.score).to.be.within(1, 5);
    const bad = await request(stream, 'subscribe', { requestIds: 'all' });
    expect(bad).to.deep.include({ ok: false });
  });

  it('the standby takes over with epoch + 1 after the primary dies, and knows its requests', async () => {
    const m = await mock({ pcsLeaseMs: 600 });
    const created = await post(m.urls.pcsVip, '/survey-requests', body());
    const primaryChanged = new Promise((resolve) =>
      m.events$.subscribe((e) => e.type === 'pcs-primary' && resolve(e)),
    );
    m.pcs.kill('pcs-a');
    expect(await failure(fetch(`${m.urls.pcs['pcs-a']}/status`))).to.be.instanceOf(TypeError);
    expect(await primaryChanged).to.deep.equal({ type: 'pcs-primary', nodeId: 'pcs-b', epoch: 2 });
    expect(await status(m, 'pcs-b')).to.include({ role: 'primary', epoch: 2 });
    const known = await fetch(
      `${m.urls.pcsVip}/survey-requests/${created.json.requestId as string}`,
      { headers: auth },
    );
    expect(known.status).to.equal(200);
    const stream = await connect(m.urls.pcsVip, { token: 't' });
    expect(await request(stream, 'hb', {})).to.include({ instanceId: 'pcs-b' });
    m.pcs.revive('pcs-a');
    expect(await status(m, 'pcs-a')).to.include({ role: 'standby' });
  });

  it('without a shared store the new primary does not know the request', async () => {
    const m = await mock({ pcsLeaseMs: 600, pcsSharedStore: false });
    const created = await post(m.urls.pcsVip, '/survey-requests', body());
    m.pcs.freeze('pcs-a');
    await waitUntil(
      () => m.pcs.nodes().find((n) => n.id === 'pcs-b')?.role === 'primary',
      'takeover',
      { timeout: 5000 },
    );
    const lost = await fetch(
      `${m.urls.pcsVip}/survey-requests/${created.json.requestId as string}`,
      { headers: auth },
    );
    expect(lost.status).to.equal(404);
    const resubmitted = await post(m.urls.pcsVip, '/survey-requests', body());
    expect(resubmitted.status).to.equal(201);
    expect(resubmitted.json.requestId).to.not.equal(created.json.requestId);
    m.pcs.unfreeze('pcs-a');
    expect(await status(m, 'pcs-a')).to.include({ role: 'standby' });
  });

  it('split brain: both claim primary and the fresh one has the higher epoch', async () => {
    const m = await mock();
    m.pcs.splitBrain();
    const [a, b] = [await status(m, 'pcs-a'), await status(m, 'pcs-b')];
    expect(a).to.include({ role: 'primary', epoch: 1 });
    expect(b).to.include({ role: 'primary', epoch: 2 });
    expect((await status(m, 'pcs-b')).nodeId).to.equal('pcs-b');
    const vip = await (await fetch(`${m.urls.pcsVip}/status`)).json();
    expect(vip.nodeId).to.equal('pcs-b');
    m.pcs.heal();
    expect(await status(m, 'pcs-a')).to.include({ role: 'standby' });
  });

  it('misbehaves on demand and recovers', async () => {
    const m = await mock();
    m.pcs.misbehave('pcs-a', 'garbage');
    expect(await failure((await fetch(`${m.urls.pcs['pcs-a']}/status`)).json())).to.be.instanceOf(
      SyntaxError,
    );
    m.pcs.misbehave('pcs-a', '5xx');
    expect((await fetch(`${m.urls.pcs['pcs-a']}/status`)).status).to.equal(500);
    m.pcs.misbehave('pcs-a', null);
    expect((await status(m, 'pcs-a')).role).to.equal('primary');
  });

  it('a frozen node holds requests and stream connections until it resumes', async () => {
    const m = await mock({ pcsLeaseMs: 5000 });
    m.pcs.freeze('pcs-a');
    const pending = fetch(`${m.urls.pcs['pcs-a']}/status`).then((r) => r.json());
    const connecting = tryConnect(m.urls.pcs['pcs-a']!);
    await sleep(100);
    m.pcs.unfreeze('pcs-a');
    expect(await pending).to.include({ nodeId: 'pcs-a' });
    const s = await connecting;
    expect(s).to.not.be.instanceOf(Error);
    const hb = await request(s as Awaited<ReturnType<typeof connect>>, 'hb', { t: 1 });
    expect(hb).to.include({ ok: true, instanceId: 'pcs-a' });
  });
});
