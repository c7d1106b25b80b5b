import type { AgErrorInfo } from '../protocol/errors.js';

/** Public connection states (DESIGN.md). */
export type ConnectionState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** Why a connection is `reconnecting` (`offline`: the browser says it has no network). */
export type ReconnectReason = 'lost' | 'relocated' | 'failover' | 'offline';

/** An endpoint a client can connect to: a chat instance, a PCS node, an interaction server. */
export interface Endpoint {
  /** stable id (instance id, node id, or the URL when nothing better is known) */
  readonly id: string;
  /** base URL (http(s)/ws(s)) */
  readonly url: string;
  /** PCS epoch or chat epoch, when the source knows it */
  readonly epoch?: number;
}

/** One transition of a connection state machine. */
export interface ConnectionStatus {
  readonly state: ConnectionState;
  readonly reason?: ReconnectReason;
  readonly endpoint?: string;
  readonly previousEndpoint?: string;
  /** set for `failed` (and `closed` by the server) */
  readonly error?: AgErrorInfo;
}
