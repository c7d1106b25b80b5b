import { expect } from '@open-wc/testing';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { HttpError, fetchJson } from '../../src/core/http.js';
import { nodeStatus } from '../../src/protocol/wire.js';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(
  respond: (call: Call) => Response | Promise<Response>,
  calls: Call[] = [],
): typeof fetch {
  return ((url: string, init: RequestInit) => {
    const call = { url, init };
    calls.push(call);
    return Promise.resolve(respond(call));
  }) as typeof fetch;
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const status = { nodeId: 'n1', role: 'primary', epoch: 3, leaseUntil: 10 };

async function failure(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).to.be.instanceOf(HttpError);
  return e as HttpError;
}

describe('fetchJson', () => {
  it('sends the token as a Bearer header, never in the URL, and busts caches on GET', async () => {
    const calls: Call[] = [];
    const fetchImpl = fakeFetch(() => json(status), calls);
    const value = await firstValueFrom(
      fetchJson('https://pcs/status?x=1', nodeStatus, { token: 'tok-123', fetchImpl }),
    );
    expect(value).to.deep.equal(status);
    await firstValueFrom(
      fetchJson('https://pcs/status?x=1', nodeStatus, { token: 'tok-123', fetchImpl }),
    );
    const [first, second] = calls;
    expect((first!.init.headers as Record<string, string>).Authorization).to.equal(
      'Bearer tok-123',
    );
    expect(first!.url).to.not.contain('tok-123');
    expect(first!.url).to.match(/^https:\/\/pcs\/status\?x=1&_=\w+$/);
    expect(first!.url).to.not.equal(second!.url);
    expect(first!.init.method).to.equal('GET');
  });

  it('POSTs JSON without a cache-buster', async () => {
    const calls: Call[] = [];
    await firstValueFrom(
      fetchJson('https://pcs/survey-requests', nodeStatus, {
        method: 'POST',
        body: { a: 1 },
        fetchImpl: fakeFetch(() => json(status), calls),
      }),
    );
    expect(calls[0]!.url).to.equal('https://pcs/survey-requests');
    expect(calls[0]!.init.body).to.equal('{"a":1}');
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).to.equal(
      'application/json',
    );
  });

  it('turns { ok: false } error bodies into HttpError with the server code', async () => {
    const e = await failure(
      lastValueFrom(
        fetchJson('https://pcs/x', nodeStatus, {
          fetchImpl: fakeFetch(() =>
            json({ ok: false, error: { code: 'not-primary', message: 'standby' } }, 503),
          ),
        }),
      ),
    );
    expect(e.status).to.equal(503);
    expect(e.serverCode).to.equal('not-primary');
  });

  it('rejects invalid JSON and invalid shapes as bad-response (status 0)', async () => {
    const notJson = await failure(
      lastValueFrom(
        fetchJson('https://pcs/x', nodeStatus, {
          fetchImpl: fakeFetch(() => new Response('<html>', { status: 200 })),
        }),
      ),
    );
    expect([notJson.status, notJson.serverCode]).to.deep.equal([0, 'bad-response']);
    const wrong = await failure(
      lastValueFrom(
        fetchJson('https://pcs/x', nodeStatus, {
          fetchImpl: fakeFetch(() => json({ ...status, role: 'boss' })),
        }),
      ),
    );
    expect([wrong.status, wrong.serverCode]).to.deep.equal([0, 'bad-response']);
    expect(wrong.message).to.contain('role');
  });

  it('reports network failures as unreachable', async () => {
    const e = await failure(
      lastValueFrom(
        fetchJson('https://pcs/x', nodeStatus, {
          fetchImpl: (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
        }),
      ),
    );
    expect([e.status, e.serverCode]).to.deep.equal([0, 'unreachable']);
  });

  it('aborts the request on unsubscribe and on timeout', async () => {
    const signals: AbortSignal[] = [];
    const hanging = ((_url: string, init: RequestInit) => {
      signals.push(init.signal!);
      return new Promise<Response>(() => {});
    }) as typeof fetch;
    fetchJson('https://pcs/x', nodeStatus, { fetchImpl: hanging }).subscribe().unsubscribe();
    expect(signals[0]!.aborted).to.equal(true);

    const e = await failure(
      lastValueFrom(fetchJson('https://pcs/x', nodeStatus, { fetchImpl: hanging, timeoutMs: 20 })),
    );
    expect([e.status, e.serverCode]).to.deep.equal([0, 'timeout']);
    expect(signals[1]!.aborted).to.equal(true);
  });
});
