import { Observable, asyncScheduler, throwError, timeout, type SchedulerLike } from 'rxjs';
import { errorAnswer } from '../protocol/wire.js';
import type { Validator } from '../protocol/validate.js';

/**
 * A failed HTTP exchange. `status` is the HTTP status, or 0 when there was no usable answer;
 * `serverCode` is the server's `{ ok: false, error: { code } }`, or one of ours for status 0:
 * `unreachable` (network error), `timeout`, `bad-response` (not JSON / failed validation).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly serverCode?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface FetchJsonInit {
  method?: 'GET' | 'POST';
  /** sent as JSON */
  body?: unknown;
  /** sent as `Authorization: Bearer <token>`; never in the URL (URLs end up in logs and caches) */
  token?: string;
  /** default 5000 ms */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  scheduler?: SchedulerLike;
}

let busterCounter = 0;

/** Adds a cache-buster query parameter: Shindig's proxy and some browsers cache GETs. */
function withCacheBuster(url: string, now: number): string {
  const hashAt = url.indexOf('#');
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  return `${base}${base.includes('?') ? '&' : '?'}_=${now.toString(36)}${(busterCounter++).toString(36)}${hash}`;
}

/**
 * GET/POST JSON, validated. Cold: one request per subscription; unsubscribing aborts it
 * (AbortController), so a poll that is superseded or torn down leaves nothing running.
 * Errors are always {@link HttpError}.
 */
export function fetchJson<T>(
  url: string,
  validator: Validator<T>,
  init: FetchJsonInit = {},
): Observable<T> {
  const method = init.method ?? 'GET';
  const scheduler = init.scheduler ?? asyncScheduler;
  const timeoutMs = init.timeoutMs ?? 5000;
  const request$ = new Observable<T>((subscriber) => {
    const fetchImpl = init.fetchImpl ?? globalThis.fetch;
    const controller = new AbortController();
    let settled = false;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const target = method === 'GET' ? withCacheBuster(url, scheduler.now()) : url;
    const run = async (): Promise<T> => {
      let response: Response;
      try {
        response = await fetchImpl(target, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: controller.signal,
          cache: 'no-store',
          // the token travels in the header; cookies are not ours to send
          credentials: 'omit',
        });
      } catch (e) {
        throw new HttpError(
          0,
          `${method} ${url}: ${e instanceof Error ? e.message : String(e)}`,
          'unreachable',
        );
      }
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        if (!response.ok)
          throw new HttpError(response.status, `${method} ${url}: HTTP ${response.status}`);
        throw new HttpError(0, `${method} ${url}: response is not JSON`, 'bad-response');
      }
      if (!response.ok) {
        const answer = errorAnswer(json);
        throw answer.ok
          ? new HttpError(
              response.status,
              answer.value.error.message ?? answer.value.error.code,
              answer.value.error.code,
            )
          : new HttpError(response.status, `${method} ${url}: HTTP ${response.status}`);
      }
      const result = validator(json);
      if (!result.ok) throw new HttpError(0, `${method} ${url}: ${result.error}`, 'bad-response');
      return result.value;
    };
    run().then(
      (value) => {
        settled = true;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        settled = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!settled) controller.abort();
    };
  });
  return request$.pipe(
    timeout({
      first: timeoutMs,
      scheduler,
      with: () =>
        throwError(
          () => new HttpError(0, `${method} ${url}: no answer within ${timeoutMs} ms`, 'timeout'),
        ),
    }),
  );
}
