/**
 * Where the chat properties say the session is: a pure reading of `chat.*` properties into an
 * endpoint (the allowlist is checked by `endpointFromProperties`).
 */
import type { Endpoint } from '../core/state.js';
import { Limits } from '../protocol/limits.js';
import { Props, type Properties } from '../protocol/wire.js';

/** The properties an endpoint is read from: a refusal un-applies these. */
export const endpointKeys: readonly string[] = [
  Props.chatInstanceId,
  Props.chatUrl,
  Props.chatEpoch,
  Props.chatSessionId,
];

/**
 * The endpoint named by the chat properties, or null while there is none (e.g. restoring).
 * The epoch rides in the URL fragment (never sent: sockets connect to the origin) so that a
 * restore that keeps the instance id but bumps `chat.epoch` still counts as a move and the
 * connection rejoins at once; the connection compares endpoints by id and url.
 */
export function pickChatEndpoint(p: Properties): (Endpoint & { sessionId: string }) | null {
  const id = p[Props.chatInstanceId];
  const url = p[Props.chatUrl];
  const sessionId = p[Props.chatSessionId];
  const epoch = p[Props.chatEpoch];
  if (id === undefined && url === undefined) return null;
  if (typeof id !== 'string' || !id || typeof url !== 'string' || !url) {
    throw new Error(`${Props.chatInstanceId} and ${Props.chatUrl} must be non-empty strings`);
  }
  if (typeof sessionId !== 'string' || !sessionId || sessionId.length > Limits.maxIdLength) {
    throw new Error(`${Props.chatSessionId} must be a non-empty string`);
  }
  if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0)) {
    throw new Error(`${Props.chatEpoch} must be a non-negative integer`);
  }
  const base = url.split('#')[0]!;
  return {
    id,
    url: epoch === undefined ? base : `${base}#epoch=${epoch}`,
    ...(epoch !== undefined ? { epoch } : {}),
    sessionId,
  };
}
