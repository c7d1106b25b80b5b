/**
 * Pure helpers that turn what finesse.js hands out (shapes differ across Finesse versions and
 * between XML-to-JSON conversions) into plain, predictable values.
 */
import type { FinesseParticipant } from './finesse-types.js';

/** `participant.actions.action` is a string when there is one action, an array otherwise. */
export function normaliseActions(actions: unknown): string[] {
  if (actions === null || actions === undefined) return [];
  const raw =
    typeof actions === 'object' && !Array.isArray(actions)
      ? (actions as { action?: unknown }).action
      : actions;
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.filter((a): a is string => typeof a === 'string' && a.length > 0);
}

/** `getParticipants()` may return an array, one object, or a `{ Participant: … }` wrapper. */
export function normaliseParticipants(value: unknown): FinesseParticipant[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.filter(isObject) as FinesseParticipant[];
  if (isObject(value) && 'Participant' in value) return normaliseParticipants(value.Participant);
  return isObject(value) ? [value as FinesseParticipant] : [];
}

/** The agent's own leg: the participant whose `mediaAddress` is the agent's extension. */
export function ownLeg(
  participants: unknown,
  extension: string | undefined,
): FinesseParticipant | undefined {
  if (!extension) return undefined;
  return normaliseParticipants(participants).find(
    (p) => String(p.mediaAddress ?? '') === extension,
  );
}

/**
 * Call variables from `getMediaProperties()`. finesse.js flattens them into the map
 * (`callVariable1`, `user.x`), but raw data keeps them under `callvariables.CallVariable`
 * (an object when there is just one): accept both.
 */
export function callVariablesFrom(media: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(media)) return out;
  for (const [key, value] of Object.entries(media)) {
    if ((/^callVariable\d+$/.test(key) || key.startsWith('user.')) && isScalar(value)) {
      out[key] = String(value);
    }
  }
  const nested = isObject(media.callvariables) ? media.callvariables.CallVariable : undefined;
  const list = Array.isArray(nested) ? nested : nested ? [nested] : [];
  for (const cv of list) {
    if (isObject(cv) && typeof cv.name === 'string' && isScalar(cv.value))
      out[cv.name] = String(cv.value);
  }
  return out;
}

/** What a Finesse error said, from a finesse.js error handler's `rsp`. */
export interface FinesseErrorInfo {
  status?: number;
  errorType?: string;
  errorMessage?: string;
}

export function finesseError(rsp: unknown): FinesseErrorInfo {
  const info: FinesseErrorInfo = {};
  if (!isObject(rsp)) return info;
  if (typeof rsp.status === 'number') info.status = rsp.status;
  const apiErrors =
    isObject(rsp.object) && isObject(rsp.object.ApiErrors)
      ? rsp.object.ApiErrors.ApiError
      : undefined;
  const first = Array.isArray(apiErrors) ? apiErrors[0] : apiErrors;
  if (isObject(first)) {
    if (typeof first.ErrorType === 'string') info.errorType = first.ErrorType;
    if (typeof first.ErrorMessage === 'string') info.errorMessage = first.ErrorMessage;
  }
  if (!info.errorType && !info.errorMessage && typeof rsp.content === 'string') {
    Object.assign(info, apiErrorFromXml(rsp.content));
  }
  return info;
}

/** Reads ErrorType / ErrorMessage from a Finesse `<ApiErrors>` XML body (no DOM needed). */
export function apiErrorFromXml(xml: string): Pick<FinesseErrorInfo, 'errorType' | 'errorMessage'> {
  const pick = (tag: string) => {
    const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
    return m?.[1] ? unescapeXml(m[1]) : undefined;
  };
  const out: Pick<FinesseErrorInfo, 'errorType' | 'errorMessage'> = {};
  const errorType = pick('ErrorType');
  const errorMessage = pick('ErrorMessage');
  if (errorType) out.errorType = errorType;
  if (errorMessage) out.errorMessage = errorMessage;
  return out;
}

/** The pre-12.5 UPDATE_CALL_DATA body for `PUT dialog.getRestUrl()`. */
export function updateCallDataXml(vars: Readonly<Record<string, string>>): string {
  const items = Object.entries(vars)
    .map(
      ([name, value]) =>
        `<CallVariable><name>${escapeXml(name)}</name><value>${escapeXml(value)}</value></CallVariable>`,
    )
    .join('');
  return (
    '<Dialog><requestedAction>UPDATE_CALL_DATA</requestedAction>' +
    `<mediaProperties><callvariables>${items}</callvariables></mediaProperties></Dialog>`
  );
}

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|apos|quot);/g,
    (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e] ?? '',
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
