/**
 * The msw side of the mock: route handlers per host, and two workarounds for msw's worker
 * lifecycle in pages that start and stop mocks repeatedly (tests) and concurrently (test files).
 */
import { http, HttpResponse, ws, type AnyHandler } from 'msw';
import type { SetupWorker } from 'msw/browser';
import type { SioEndpoint } from './endpoint.js';
import type { RawClientConnection } from './sio-server.js';

/** ws(s)://host/* -> the endpoint currently answering at that host. */
export function socketIoHandlers(
  host: string,
  target: () => SioEndpoint | undefined,
): AnyHandler[] {
  return ['ws', 'wss'].map((scheme) =>
    ws.link(`${scheme}://${host}/*`).addEventListener('connection', ({ client }) => {
      const endpoint = target();
      const raw = client as unknown as RawClientConnection;
      if (!endpoint) raw.close(1006, 'connection refused');
      else endpoint.accept(raw);
    }),
  );
}

/** http(s)://host/* (any method) -> `handle`. */
export function httpHandlers(
  host: string,
  handle: (request: Request) => Promise<Response>,
): AnyHandler[] {
  return ['http', 'https'].map((scheme) =>
    http.all(`${scheme}://${host}/*`, ({ request }) => handle(request)),
  );
}

/**
 * msw calls `registration.update()` on an existing worker at every start and drops the promise.
 * When several pages of the origin do that at once (test files run concurrently), Chromium
 * rejects some of those background updates with "Not found" although the registration keeps
 * working, and test runners report the unhandled rejection as a bug in the test. During `start`
 * only, give every `update()` promise a handler: callers that await it still see its outcome.
 */
async function withHandledWorkerUpdates<T>(run: () => Promise<T>): Promise<T> {
  const proto =
    typeof ServiceWorkerRegistration === 'undefined'
      ? undefined
      : ServiceWorkerRegistration.prototype;
  const original = proto?.update;
  if (!proto || !original) return run();
  proto.update = function (this: ServiceWorkerRegistration) {
    const p = original.call(this);
    p.catch(() => undefined);
    return p;
  };
  try {
    return await run();
  } finally {
    proto.update = original;
  }
}

/** What our served worker answers with `clients.claim()` (scripts/msw-worker.mjs: keep equal). */
const claimRequest = 'AG_CLAIM_REQUEST';

/**
 * msw reloads the page when the origin has a worker registration but this page is not controlled
 * by it, taking it for a hard reload; and a page controlled by a worker that unregistered itself
 * (msw's worker does when its last page closes) is not intercepted by the registration that
 * replaced it. Both happen with several pages of one origin starting mocks at once (test files
 * run concurrently): a worker claims the pages of its scope once, when it activates, and skips a
 * page whose navigation is still in flight then; a reload would kill the running tests.
 *
 * So, until this page is controlled by the active worker of the registration for `scriptUrl`,
 * ask that worker to claim it (the worker our servers serve does; one written by `npx msw init`
 * ignores the request, and the activation's own claim or msw's reload stays the fallback).
 * Returns at once when there is no such registration (msw registers one and its activation
 * claims the page), and after `timeoutMs` at the latest.
 */
async function untilClaimed(scriptUrl: string, timeoutMs = 5000): Promise<void> {
  const sw = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
  if (!sw) return;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const registration = (await sw.getRegistrations()).find((r) =>
      [r.installing, r.waiting, r.active].some((w) => w?.scriptURL === scriptUrl),
    );
    if (!registration) return;
    const active = registration.active;
    if (active && sw.controller === active) return;
    const left = deadline - performance.now();
    if (left <= 0) return;
    active?.postMessage(claimRequest);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sw.removeEventListener('controllerchange', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(250, left));
      sw.addEventListener('controllerchange', done);
    });
  }
}

/** A URL only the mock answers: proof that this page's requests reach the worker's handlers. */
const probeUrl = 'http://mock-control.mock.test/ready';

export const probeHandler = (): AnyHandler =>
  http.get(probeUrl, () => HttpResponse.json({ ok: true }));

async function intercepting(timeoutMs = 2000): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const r = await fetch(probeUrl, { cache: 'no-store', signal: abort.signal });
    return r.ok && ((await r.json()) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the worker and resolves only once it really intercepts this page's requests. The
 * worker is shared by every page of the origin and may be unregistering (msw's worker removes
 * itself when its last page closes) or replaced while this page starts; msw's `start()` can then
 * resolve although requests still go to the network. A probe request tells, and a restart fixes it.
 */
export async function startWorker(
  worker: SetupWorker,
  workerUrl: string,
  attempts = 3,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await untilClaimed(new URL(workerUrl, location.href).href);
    await withHandledWorkerUpdates(() =>
      worker.start({
        quiet: true,
        onUnhandledRequest: 'bypass',
        serviceWorker: { url: workerUrl },
      }),
    );
    if (await intercepting()) return;
    worker.stop();
    if (attempt >= attempts) {
      throw new Error(
        `agent-gadgets/mocks: the msw worker (${workerUrl}) does not intercept this page's requests`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}
