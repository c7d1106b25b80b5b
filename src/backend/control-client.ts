/**
 * The one client of the reference cluster's control API (`POST {controlUrl}/<group>/<verb>`,
 * answers `{ ok: true, result }` or `{ ok: false, error }`), for the conformance suite, the
 * bench and the Node tests. The mock's control object takes positional arguments; `bodyFor`
 * maps them to the JSON fields the control API reads, so one adapter serves both.
 *
 * Browser and Node alike (fetch only). Node scripts get it from the cluster's bundle
 * (cluster/lib/rules.mjs exports `controlClient`).
 */

/** A control verb failed: its error code and the HTTP status it came with. */
export class ControlError extends Error {
  constructor(
    readonly verb: string,
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(`${verb}: ${message}`);
    this.name = 'ControlError';
  }
}

/** Positional arguments of a mock-style verb -> the JSON body fields the control API reads. */
const argNames: Record<string, readonly string[]> = {
  'interactions.startChat': ['...'],
  'interactions.get': ['interactionId'],
  'interactions.setProperties': ['interactionId', 'set', 'unset'],
  'interactions.emitRaw': ['interactionId', 'payload'],
  'interactions.overrideNextWatch': ['interactionId', 'patch', 'id'],
  'customer.send': ['interactionId', 'text'],
  'customer.typing': ['interactionId', 'typing'],
  'chat.relocate': ['interactionId', 'toId'],
  'chat.failTranscriptSave': ['interactionId', 'mode'],
  'chat.transcript': ['interactionId'],
  'chat.emitRaw': ['interactionId', 'event', 'payload'],
  'pcs.misbehave': ['id', 'mode'],
  'pcs.ivr': ['requestId'],
};

/** The request body for a verb called with the mock's positional arguments. */
export function bodyFor(verb: string, args: readonly unknown[]): Record<string, unknown> {
  const names = argNames[verb] ?? ['id'];
  if (names[0] === '...') return { ...(args[0] as object | undefined) };
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (args[i] !== undefined) out[name] = args[i];
  });
  return out;
}

export type ControlCall = (verb: string, body?: object) => Promise<unknown>;

/**
 * Calls `verb` ('group.verb') with a JSON body; resolves with `result`, rejects with a
 * ControlError (the answer's code, or 'internal' for an answer that is not the envelope).
 */
export function controlClient(
  controlUrl: string,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): ControlCall {
  return async (verb, body = {}) => {
    const res = await fetchImpl(`${controlUrl}/${verb.replace('.', '/')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let answer: { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      throw new ControlError(verb, 'internal', res.status, `not JSON: ${text.slice(0, 200)}`);
    }
    if (answer?.ok === true) return answer.result;
    throw new ControlError(
      verb,
      typeof answer?.error?.code === 'string' ? answer.error.code : 'internal',
      res.status,
      typeof answer?.error?.message === 'string' ? answer.error.message : text.slice(0, 200),
    );
  };
}
