/**
 * Tokens inside Finesse without a token in any URL or pref: the integrator's token endpoint is
 * asked through the container's proxy (`gadgets.io.makeRequest`, POST, never cached) with the
 * agent's own Finesse `Authorization`; it checks those credentials against Finesse and answers
 * `{ "token": "…", "expiresInSec": 300 }`. The provider caches the token until `marginSec`
 * before it expires. Hand it to an element as `tokenProvider`.
 */
import { HostActionError } from './host.js';
import { ensureFinesseConfig, finesseAuthHeader } from './finesse-page.js';
import { finesseGlobal, gadgetsGlobal, type FinesseGlobal } from './finesse-types.js';

export interface FinesseTokenProviderOptions {
  readonly finesse?: FinesseGlobal;
  /** renew this long before expiry; default 30 */
  readonly marginSec?: number;
  /** the clock (injected for tests); default Date.now */
  readonly now?: () => number;
}

export function finesseTokenProvider(
  url: string,
  options: FinesseTokenProviderOptions = {},
): () => Promise<string> {
  const now = options.now ?? (() => Date.now());
  const margin = (options.marginSec ?? 30) * 1000;
  let cached: { token: string; until: number } | undefined;
  return () => {
    if (cached && cached.until > now()) return Promise.resolve(cached.token);
    const fin = options.finesse ?? finesseGlobal();
    const io = gadgetsGlobal()?.io;
    const config = fin ? ensureFinesseConfig(fin) : undefined;
    if (!fin || !io?.makeRequest || !config)
      return Promise.reject(
        new HostActionError('bad-config', 'No Finesse container to ask for a token'),
      );
    const P = io.RequestParameters ?? {};
    return new Promise<string>((resolve, reject) => {
      io.makeRequest!(
        url,
        (rsp) => {
          let body: { token?: unknown; expiresInSec?: unknown } | undefined;
          try {
            body = JSON.parse(String(rsp?.text ?? '')) as typeof body;
          } catch {
            body = undefined;
          }
          if (rsp?.rc !== 200 || typeof body?.token !== 'string' || !body.token) {
            reject(
              new HostActionError(
                rsp?.rc === 401 || rsp?.rc === 403 ? 'unauthorized' : 'bad-config',
                `The token service answered ${String(rsp?.rc)}`,
                rsp?.rc,
              ),
            );
            return;
          }
          const ttl = typeof body.expiresInSec === 'number' ? body.expiresInSec * 1000 : 60_000;
          cached = { token: body.token, until: now() + Math.max(0, ttl - margin) };
          resolve(body.token);
        },
        {
          [P.METHOD ?? 'METHOD']: io.MethodType?.POST ?? 'POST',
          [P.CONTENT_TYPE ?? 'CONTENT_TYPE']: io.ContentType?.TEXT ?? 'TEXT',
          [P.HEADERS ?? 'HEADERS']: {
            Authorization: finesseAuthHeader(fin, config),
            'Content-Type': 'application/json',
          },
          [P.POST_DATA ?? 'POST_DATA']: '{}',
          [P.REFRESH_INTERVAL ?? 'REFRESH_INTERVAL']: 0,
        },
      );
    });
  };
}
