/** The framework-free connection core: rxjs + socket.io-client, no DOM; runs in browsers and Node. */
export type { ConnectionState, ConnectionStatus, Endpoint, ReconnectReason } from './state.js';
export {
  backoffDefaults,
  backoffDelay,
  retryBackoff,
  type BackoffOptions,
  type RetryBackoffOptions,
} from './backoff.js';
export { heartbeat, heartbeatDefaults, type HeartbeatOptions } from './heartbeat.js';
export { HttpError, fetchJson, type FetchJsonInit } from './http.js';
export {
  endpointFromProperties,
  isAllowedOrigin,
  primaryByStatus,
  sameEndpoint,
  virtualIpEndpoint,
  type FromPropertiesOptions,
  type PrimaryByStatusOptions,
  type VirtualIpOptions,
} from './endpoints.js';
export {
  ResilientConnection,
  ServerRejectedError,
  errorCodeForServer,
  requestOn,
  type ConnectionOptions,
  type RequestOptions,
  type SocketFactory,
  type WebSocketCtor,
} from './connection.js';
export {
  PropertyStream,
  applyVersions,
  isResync,
  type PropertySnapshot,
  type PropertyStreamOptions,
  type ResyncRequest,
} from './property-stream.js';
export {
  Outbox,
  defaultClientId,
  type OutboxItem,
  type OutboxOptions,
  type OutboxState,
} from './outbox.js';
export { relocations, type RelocationInfo } from './relocations.js';
export { handshakeAuth, type CredentialSource } from './handshake-auth.js';
