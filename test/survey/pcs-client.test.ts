// PcsClient on its own (no element): idempotency, tokens on every connect, refusals, cleanup.
import { expect, waitUntil } from '@open-wc/testing';
import { filter, firstValueFrom } from 'rxjs';
import type { MockBackend } from '../../src/mocks/index.js';
import { PcsClient, idempotencyKey } from '../../src/survey/pcs-client.js';
import type { AgErrorInfo } from '../../src/protocol/errors.js';
import type { SurveyRequestBody } from '../../src/protocol/wire.js';
import { surveyRequestBody } from '../support/survey-request.js';
import { primaryOf, startMock, stopMock } from './helpers.js';

const body = (dialogId: string): SurveyRequestBody =>
  surveyRequestBody({ idempotencyKey: idempotencyKey(dialogId, 'srv-8000'), dialogId });

describe('PcsClient', () => {
  let mock: MockBackend;
  let client: PcsClient | undefined;

  beforeEach(async () => {
    mock = await startMock({ finesse: false });
  });
  afterEach(async () => {
    client?.dispose();
    client = undefined;
    await stopMock(mock);
  });

  it('derives a stable, bounded idempotency key from the dialog and the survey', () => {
    expect(idempotencyKey('12345', 'srv-8000')).to.equal('12345:srv-8000');
    const long = 'd'.repeat(300);
    const key = idempotencyKey(long, 'srv-8000');
    expect(key.length).to.be.at.most(128);
    expect(idempotencyKey(long, 'srv-8000')).to.equal(key);
    expect(idempotencyKey(`${long}x`, 'srv-8000')).to.not.equal(key);
  });

  it('the same key gives the same request, however often it is submitted', async () => {
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: () => 't',
      pollMs: 150,
    });
    client.start();
    const [a, b] = await Promise.all([client.submit(body('d-1')), client.submit(body('d-1'))]);
    const c = await client.submit(body('d-1'));
    expect(a.requestId).to.equal(b.requestId);
    expect(c.requestId).to.equal(a.requestId);
    expect(mock.pcs.requests()).to.have.length(1);
  });

  it('asks the token provider again on every connect: no re-login after a failover', async () => {
    let calls = 0;
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: async () => `token-${++calls}`,
      pollMs: 150,
    });
    client.start();
    await firstValueFrom(client.status$.pipe(filter((s) => s.state === 'connected')));
    const before = calls;
    const primary = await primaryOf(mock);
    mock.pcs.kill(primary);
    const after = await firstValueFrom(
      client.status$.pipe(filter((s) => s.state === 'connected' && s.endpoint !== primary)),
    );
    expect(after.previousEndpoint).to.equal(primary);
    expect(calls).to.be.greaterThan(before);
  });

  it('a refused token is a permanent, typed error (no retry storm)', async () => {
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: () => 'bad-token',
      pollMs: 150,
    });
    const errors: AgErrorInfo[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    client.start();
    let code: string | undefined;
    await client.lookupSurvey('8000').catch((e: AgErrorInfo) => (code = e.code));
    expect(code).to.equal('unauthorized');
    expect(errors.map((e) => e.code)).to.include('unauthorized');
  });

  it('an unknown survey number is null, not an error', async () => {
    client = new PcsClient({ nodes: [mock.urls.pcsVip], tokenProvider: () => 't', pollMs: 150 });
    client.start();
    expect(await client.lookupSurvey('8001')).to.equal(null);
    expect((await client.lookupSurvey('8000'))?.surveyDn).to.equal('9100');
  });

  it('a released request is forgotten once it is over, not before', async () => {
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: () => 't',
      pollMs: 150,
    });
    client.start();
    const key = body('d-5').idempotencyKey;
    await client.submit(body('d-5'));
    client.release(key);
    expect(client.requests.has(key), 'still followed while in flight').to.be.true;
    await client.reportEvent(key, 'transferred');
    await waitUntil(() => !client!.requests.has(key), 'forgotten once completed', {
      timeout: 8000,
    });
    expect(mock.pcs.requests()[0]!.status).to.equal('completed');
  });

  it('after a failover without a shared store, a finished survey is not re-created', async () => {
    await stopMock(mock);
    mock = await startMock({ finesse: false, pcsSharedStore: false });
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: () => 't',
      pollMs: 150,
    });
    client.start();
    const key = body('d-6').idempotencyKey;
    await client.submit(body('d-6'));
    await client.reportEvent(key, 'transferred');
    await firstValueFrom(
      client.request$(key).pipe(filter((t) => t?.answer?.status === 'completed')),
    );
    const primary = await primaryOf(mock);
    mock.pcs.kill(primary);
    await firstValueFrom(
      client.status$.pipe(filter((s) => s.state === 'connected' && s.endpoint !== primary)),
    );
    expect(mock.pcs.requests()).to.have.length(1);
    expect(client.requests.get(key)!.answer!.status).to.equal('completed');
  });

  it('dispose closes the socket and rejects pending work', async () => {
    client = new PcsClient({
      nodes: Object.values(mock.urls.pcs),
      tokenProvider: () => 't',
      pollMs: 150,
    });
    client.start();
    await waitUntil(() => mock.connections() > 0, 'socket open');
    for (const id of Object.keys(mock.urls.pcs)) mock.pcs.kill(id);
    const pending = client.submit(body('d-2')).then(
      () => 'resolved',
      () => 'rejected',
    );
    client.dispose();
    expect(await pending).to.equal('rejected');
    await waitUntil(() => mock.connections() === 0, 'no socket left');
  });
});
