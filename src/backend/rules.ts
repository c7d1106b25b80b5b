/**
 * What a back end does, as data and pure functions: the one copy both back ends use — the
 * mocked one (src/mocks/, in the page) and the reference cluster (cluster/, which bundles this
 * with src/protocol at start-up). A rule written twice drifts; the conformance suite
 * (test/conformance/) checks every rule here against both back ends.
 *
 * No DOM, no Node, no clock: callers pass `now`.
 */
import type { ServerErrorCode } from '../protocol/errors.js';
import type { Survey, SurveyStatus } from '../protocol/wire.js';

// ---- seed data ------------------------------------------------------------------------------

/** One active survey per service (dialed number); '8001' has none. */
export const seededSurveys: readonly Survey[] = Object.freeze([
  Object.freeze({
    id: 'srv-8000',
    name: 'Customer satisfaction',
    dialedNumber: '8000',
    surveyDn: '9100',
    channels: Object.freeze(['ivr', 'sms']),
    languages: Object.freeze(['en', 'es', 'fr']),
  }) as Survey,
]);

/** A fresh, mutable copy of the seed (for a control answer a caller may change). */
export const surveysCopy = (): Survey[] =>
  seededSurveys.map((s) => ({ ...s, channels: [...s.channels], languages: [...s.languages] }));

/** A stable 1..5 score per request, so tests can compare both back ends' records. */
export function scoreFor(requestId: string): number {
  let h = 0;
  for (const c of requestId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 1 + (h % 5);
}

// ---- the simulated survey IVR ---------------------------------------------------------------

const ivrNext: Partial<Record<SurveyStatus, SurveyStatus>> = {
  // Only a step by hand (`pcs.ivr`) moves a `requested` one: the automatic IVR waits for the
  // call to reach it (a transfer, or a hang-up on an armed call).
  requested: 'offered',
  transferred: 'offered',
  armed: 'offered',
  offered: 'in-progress',
  'in-progress': 'completed',
};

export const terminalStatuses: readonly SurveyStatus[] = ['completed', 'failed', 'cancelled'];

/** One IVR step from `status`: the next status (`completed` carries `scoreFor`), or none. */
export function ivrStep(status: SurveyStatus): SurveyStatus | undefined {
  return ivrNext[status];
}

/** When the IVR takes its next step, after a step to `status` at `now`; null: no more steps. */
export const nextStepAfterStep = (status: SurveyStatus, now: number, stepMs: number) =>
  status === 'completed' ? null : now + stepMs;

export type GadgetSurveyEvent = 'transferred' | 'armed' | 'cancelled';

/**
 * What a gadget event (POST …/events) does to a request: the new status and what happens to
 * the IVR's next step — `start` after a transfer (the call is at the IVR), `stop` on a cancel.
 * `armed` only marks the call, so the survey plays when the agent hangs up: a back end with
 * calls (`telephony`, the mock's fake Finesse) `keep`s waiting for that hang-up; one without
 * (the reference cluster) treats it as hung up at once and starts the IVR.
 * Undefined: the event is ignored (a terminal request, a repeat, or a late `armed` after the
 * IVR picked the call up, which must not rewind it).
 */
export function gadgetEvent(
  status: SurveyStatus,
  event: GadgetSurveyEvent,
  telephony: boolean,
): { status: SurveyStatus; nextStep: 'start' | 'stop' | 'keep' } | undefined {
  if (terminalStatuses.includes(status) || status === event) return undefined;
  if (event !== 'cancelled' && !['requested', 'transferred', 'armed'].includes(status))
    return undefined;
  const nextStep =
    event === 'cancelled' ? 'stop' : event === 'armed' && telephony ? 'keep' : 'start';
  return { status: event, nextStep };
}

// ---- chat restore ---------------------------------------------------------------------------

/** Genesys: "Restore times out after 60 s"; the sessions then stay `restoring`. */
export const restoreGiveUpMs = 60_000;

/**
 * What a back end does when a killed chat instance's restore timer fires, `elapsedMs` after the
 * kill: `move` its sessions to another usable instance (the least loaded), even when the killed
 * one was revived meanwhile (a revived process starts empty, as a restarted one would);
 * `move-back` to the revived instance when it is the only usable one; `retry` after the delay
 * while none can take them, until restoreGiveUpMs; `nothing` when there is nothing (left) to do.
 * Either move bumps `chat.epoch` and sets `chat.state` back to `active`.
 */
export function restoreStep(s: {
  shuttingDown?: boolean;
  sessions: number;
  /** the killed instance is alive and unfrozen again */
  fromUsable: boolean;
  /** another instance (alive, unfrozen, not draining) can take the sessions */
  hasOtherTarget: boolean;
  elapsedMs: number;
}): 'nothing' | 'retry' | 'move' | 'move-back' {
  if (s.shuttingDown || s.sessions === 0) return 'nothing';
  if (s.hasOtherTarget) return 'move';
  if (s.fromUsable) return 'move-back';
  return s.elapsedMs < restoreGiveUpMs ? 'retry' : 'nothing';
}

/** After a move that failed (the target died under it): retry while within the window. */
export const retryRestoreAfterFailure = (elapsedMs: number): boolean => elapsedMs < restoreGiveUpMs;

// ---- errors ---------------------------------------------------------------------------------

const httpStatus: Record<ServerErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  'not-found': 404,
  'unknown-session': 404,
  'unknown-interaction': 404,
  'too-large': 413,
  closed: 409,
  'not-primary': 503,
  internal: 500,
};

/** The HTTP status of an error answer with this code; an unknown code is a 500. */
export const httpStatusFor = (code: string): number =>
  Object.hasOwn(httpStatus, code) ? httpStatus[code as ServerErrorCode] : 500;

/** A code a back end may put in an answer as it is; anything else becomes `internal`. */
export const answerCode = (code: unknown): ServerErrorCode =>
  typeof code === 'string' && Object.hasOwn(httpStatus, code)
    ? (code as ServerErrorCode)
    : 'internal';

/** Error-answer messages are cut to this many characters (they may echo client input). */
export const maxErrorMessageChars = 500;

export const truncateErrorMessage = (message: string): string =>
  message.length > maxErrorMessageChars ? message.slice(0, maxErrorMessageChars) : message;

/** The message of anything thrown, truncated for an error answer. */
export const errorMessageOf = (e: unknown): string =>
  truncateErrorMessage(String((e as Error | undefined)?.message ?? e));

// ---- credentials ----------------------------------------------------------------------------

/** Longer tokens are refused before any other check (a header or handshake of any size). */
export const maxTokenChars = 4096;

/** The one token both back ends refuse, so tests can exercise a rejected credential. */
export const rejectedToken = 'bad-token';

/** The default token rule: any non-empty string up to maxTokenChars except rejectedToken. */
export const validToken = (token: unknown): boolean =>
  typeof token === 'string' &&
  token.length > 0 &&
  token.length <= maxTokenChars &&
  token !== rejectedToken;

// ---- limits ---------------------------------------------------------------------------------

/** Rooms (watched interactions, joined sessions, subscribed requests) one socket may hold. */
export const maxRoomsPerSocket = 1000;

/** Control API request bodies (the cluster's HTTP control; the mock takes arguments). */
export const maxControlBodyBytes = 1024 * 1024;
