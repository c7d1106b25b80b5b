/**
 * The integrator's token endpoint, as the fake container's proxy answers it: the gadget calls
 * it through `gadgets.io.makeRequest` with the agent's own Finesse authorization (never a token
 * in a URL or pref), the endpoint checks those credentials against Finesse and answers a
 * short-lived PCS / interaction-server token as JSON `{ token, expiresInSec }`.
 */
export const MOCK_TOKEN_URL = 'https://tokens.finesse.mock.test/agent-gadgets/token';

export interface TokenRequestRecord {
  readonly method: string;
  readonly authorized: boolean;
  readonly url: string;
}

export interface TokenEndpoint {
  handles(url: string): boolean;
  answer(
    url: string,
    method: string,
    headers: Record<string, string>,
  ): { rc: number; text: string };
  requests(): TokenRequestRecord[];
  /** the next request is refused with this status (e.g. 503 while the token service restarts) */
  failNext(status: number): void;
}

export function createTokenEndpoint(agentId: string, expectedAuth: string): TokenEndpoint {
  const records: TokenRequestRecord[] = [];
  let issued = 0;
  let failNext: number | undefined;
  return {
    handles: (url) => url.split('?')[0] === MOCK_TOKEN_URL,
    answer(url, method, headers) {
      const auth = headers.Authorization ?? headers.authorization ?? '';
      const authorized = auth === `Basic ${expectedAuth}`;
      records.push({ method, authorized, url });
      if (failNext) {
        const rc = failNext;
        failNext = undefined;
        return { rc, text: JSON.stringify({ error: 'token service unavailable' }) };
      }
      if (method !== 'POST') return { rc: 405, text: JSON.stringify({ error: 'POST only' }) };
      if (!authorized)
        return { rc: 401, text: JSON.stringify({ error: 'bad Finesse credentials' }) };
      issued++;
      return {
        rc: 200,
        text: JSON.stringify({ token: `finesse-${agentId}-${issued}`, expiresInSec: 300 }),
      };
    },
    requests: () => records.map((r) => ({ ...r })),
    failNext(status) {
      failNext = status;
    },
  };
}
