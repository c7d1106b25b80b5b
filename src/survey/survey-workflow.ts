/**
 * The survey workflow's pure decisions: what a request looks like, which call variables it
 * sets, whether the call is still there, whether the host allows the action, which status the
 * agent sees. No state, no I/O: SurveySession composes them.
 */
import type { CallInfo } from '../hosts/host.js';
import type { SurveyMode, SurveyStatus } from '../protocol/wire.js';
import { statusRank } from './pcs-client.js';

/** The ECC variable Cisco CVP's survey routing reads when the agent hangs up. */
export const POST_CALL_SURVEY_VARIABLE = 'user.microapp.isPostCallSurvey';

/** 10-15 digits, optional leading +; spaces, dashes, dots and parentheses are ignored. */
export function normaliseSmsNumber(input: string): string | null {
  const compact = input.replace(/[\s\-().]/g, '');
  return /^\+?[0-9]{10,15}$/.test(compact) ? compact : null;
}

/** The variables to set on the call: PCS's, plus the hang-up marker in hangup mode. */
export function surveyVariables(
  mode: SurveyMode,
  fromPcs: Readonly<Record<string, string>>,
): Record<string, string> {
  const vars: Record<string, string> = { ...fromPcs };
  if (mode === 'hangup' && vars[POST_CALL_SURVEY_VARIABLE] === undefined)
    vars[POST_CALL_SURVEY_VARIABLE] = 'y';
  return vars;
}

/** The call `dialogId` is over (or no longer the agent's current call). */
export function callGone(call: CallInfo | null, dialogId: string): boolean {
  return !call || call.dialogId !== dialogId || call.state === 'DROPPED' || call.state === 'FAILED';
}

/**
 * Whether the agent's leg allows the transfer: single-step needs Finesse's `TRANSFER_SST`,
 * a consult transfer `CONSULT_CALL`. An empty list means the host does not say (a plain page,
 * older data): then the transfer is offered and the host's answer decides.
 */
export function transferAllowed(call: CallInfo, consult: boolean): boolean {
  if (!call.actions.length) return true;
  return call.actions.includes(consult ? 'CONSULT_CALL' : 'TRANSFER_SST');
}

/** The status shown to the agent: PCS's, or what the gadget did itself if PCS has not caught up. */
export function shownStatus(
  remote: SurveyStatus | undefined,
  local: SurveyStatus | undefined,
): SurveyStatus | undefined {
  if (!remote) return local;
  return local && statusRank[local] > statusRank[remote] ? local : remote;
}
