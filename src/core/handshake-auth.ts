import type { HandshakeAuth } from '../protocol/wire.js';

/** A token, or a function asked for one on every (re)connect and request. */
export type CredentialSource = () => string | undefined | null | Promise<string | undefined | null>;

/**
 * The `auth` function every socket.io connection of a session gets: asks `token` afresh on each
 * (re)connect, so a failover never reuses an expired token, and puts it (and the agent id) in
 * the handshake `auth` object only, never in a URL. Empty values are left out.
 *
 * @example
 * new ResilientConnection({ endpoints, auth: handshakeAuth(() => el.token, 'agent1') });
 */
export function handshakeAuth(
  token: CredentialSource | undefined,
  agentId?: string | null,
): () => Promise<HandshakeAuth> {
  return async () => {
    const t = (await token?.()) ?? undefined;
    return { ...(t ? { token: t } : {}), ...(agentId ? { agentId } : {}) };
  };
}
