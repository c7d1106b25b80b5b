/**
 * Wire protocol shared by the clients (src/core, src/chat, src/survey), the mocked back end
 * (src/mocks) and the reference cluster (cluster/). This file is the source of truth; the
 * protocol outline in DESIGN.md summarises it.
 *
 * Everything a client receives goes through one of the validators below before use.
 * Payloads a server receives are validated with the same validators (see `parse*`).
 */
import { Limits } from './limits.js';
import {
  array,
  boolean,
  literal,
  nullable,
  number,
  object,
  optional,
  record,
  string,
  union,
  isPlainObject,
  type Infer,
  type Result,
} from './validate.js';

const id = string({ min: 1, max: Limits.maxIdLength });
/** Versions are safe integers: past 2^53 `v + 1 === v` and the ordering means nothing. */
const version = number({ min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
const seq = number({ min: 0, integer: true });

/** `{ ok: false, error }` answer shape, used by every ack and HTTP error body. */
export const serverError = object({
  code: string({ min: 1, max: 64 }),
  message: optional(string({ max: 1000 })),
});
export type ServerError = Infer<typeof serverError>;
export const errorAnswer = object({ ok: literal(false), error: serverError });
export type ErrorAnswer = Infer<typeof errorAnswer>;

// ---------------------------------------------------------------------------------------------
// Interaction server (socket.io, default namespace)
// ---------------------------------------------------------------------------------------------

export const InteractionEvents = {
  /** client -> server, ack: WatchAnswer | ErrorAnswer */
  watch: 'watch',
  /** client -> server, ack: { ok: true } */
  unwatch: 'unwatch',
  /** server -> client: PropertiesDelta */
  properties: 'properties',
  /** client -> server, ack: { ok: true, t } — application heartbeat */
  heartbeat: 'hb',
} as const;

/** Property values are flat scalars; `unset` removes keys. */
export const propertyValue = union(string({ max: Limits.maxPropertyLength }), number(), boolean());
export type PropertyValue = Infer<typeof propertyValue>;
export const properties = record(propertyValue, {
  max: Limits.maxPropertiesPerUpdate,
  key: string({ min: 1, max: 128 }),
});
export type Properties = Record<string, PropertyValue>;

export const watchRequest = object({
  interactionId: id,
  sinceVersion: optional(version),
});
export type WatchRequest = Infer<typeof watchRequest>;

/** Ack of `watch`: a full snapshot at `version`. Deltas after it arrive as `properties`. */
export const watchAnswer = object({
  ok: literal(true),
  interactionId: id,
  version,
  properties,
});
export type WatchAnswer = Infer<typeof watchAnswer>;

/** A delta. Versions are monotonic per interaction and increase by exactly 1 per delta. */
export const propertiesDelta = object({
  interactionId: id,
  version,
  set: properties,
  unset: array(string({ min: 1, max: 128 }), { max: Limits.maxPropertiesPerUpdate }),
});
export type PropertiesDelta = Infer<typeof propertiesDelta>;

/** Well-known property names. */
export const Props = {
  chatInstanceId: 'chat.instanceId',
  chatUrl: 'chat.url',
  chatSessionId: 'chat.sessionId',
  chatState: 'chat.state',
  chatEpoch: 'chat.epoch',
  voiceDialogId: 'voice.dialogId',
  voiceAni: 'voice.ani',
  voiceDialedNumber: 'voice.dialedNumber',
  voiceState: 'voice.state',
  surveyRequestId: 'survey.requestId',
  surveyStatus: 'survey.status',
} as const;

/** `chat.state` values. */
export type ChatState = 'active' | 'restoring' | 'closed';

/** A property the client did not keep, and why (for one `invalid-properties` report). */
export interface DroppedProperty {
  readonly key: string;
  readonly reason: string;
}

/** Properties as read key by key: the usable ones, and the ones dropped. */
export interface TolerantProperties {
  readonly properties: Properties;
  readonly dropped: readonly DroppedProperty[];
}

/** Names that would reach an object's prototype machinery if ever assigned with `[]=`. */
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);
const wellKnown = new Set<string>(Object.values(Props));

/**
 * Reads a `properties` object key by key. Interaction servers carry user data nobody here chose
 * (long notes, odd keys): a bad key is dropped and named in `dropped`, and the rest is kept, so
 * an unused property can never hide a relocation. Limits stay: values longer than
 * `maxPropertyLength`, keys longer than `maxPropertyKeyLength`, prototype names, and keys past
 * `maxPropertiesPerUpdate` (well-known keys are kept first) are dropped. Only a value that is
 * not an object at all fails.
 */
export function readProperties(raw: unknown, path = 'properties'): Result<TolerantProperties> {
  if (!isPlainObject(raw)) return properties(raw, path) as Result<never>;
  const out: Properties = Object.create(null) as Properties;
  const dropped: DroppedProperty[] = [];
  const keys = Object.keys(raw);
  // well-known keys first, so a flood of user data cannot push chat.url past the limit
  keys.sort((a, b) => Number(wellKnown.has(b)) - Number(wellKnown.has(a)));
  let kept = 0;
  for (const key of keys) {
    let reason: string | undefined;
    if (key.length < 1 || key.length > Limits.maxPropertyKeyLength)
      reason = `name longer than ${Limits.maxPropertyKeyLength}`;
    else if (prototypeKeys.has(key)) reason = 'reserved name';
    else if (kept >= Limits.maxPropertiesPerUpdate)
      reason = `over ${Limits.maxPropertiesPerUpdate} properties in one update`;
    else {
      const r = propertyValue(raw[key], key);
      if (!r.ok) reason = r.error;
      else {
        out[key] = r.value;
        kept++;
      }
    }
    if (reason) dropped.push({ key, reason });
  }
  return { ok: true, value: { properties: out, dropped } };
}

/** A watch answer read key by key (see {@link readProperties}). */
export interface TolerantWatchAnswer {
  readonly answer: WatchAnswer;
  readonly dropped: readonly DroppedProperty[];
}

const watchAnswerHead = object({ ok: literal(true), interactionId: id, version });

export function readWatchAnswer(raw: unknown): Result<TolerantWatchAnswer> {
  const head = watchAnswerHead(raw);
  if (!head.ok) return head;
  const props = readProperties((raw as Record<string, unknown>)['properties']);
  if (!props.ok) return props;
  return {
    ok: true,
    value: {
      answer: { ...head.value, properties: props.value.properties },
      dropped: props.value.dropped,
    },
  };
}

/** A delta read key by key (see {@link readProperties}); `unset` names that are not property
 *  names are dropped too. */
export interface TolerantDelta {
  readonly delta: PropertiesDelta;
  readonly dropped: readonly DroppedProperty[];
}

const deltaHead = object({ interactionId: id, version });

export function readDelta(raw: unknown): Result<TolerantDelta> {
  const head = deltaHead(raw);
  if (!head.ok) return head;
  const r = raw as Record<string, unknown>;
  const rawUnset = r['unset'] ?? [];
  if (!Array.isArray(rawUnset) || rawUnset.length > Limits.maxPropertiesPerUpdate)
    return {
      ok: false,
      error: `unset: expected array of at most ${Limits.maxPropertiesPerUpdate} items`,
    };
  const set = readProperties(r['set'] ?? {}, 'set');
  if (!set.ok) return set;
  const dropped = [...set.value.dropped];
  const unset: string[] = [];
  for (const key of rawUnset as unknown[]) {
    if (typeof key === 'string' && key.length >= 1 && key.length <= Limits.maxPropertyKeyLength)
      unset.push(key);
    else
      dropped.push({ key: String(key), reason: 'unset of something that is not a property name' });
  }
  return {
    ok: true,
    value: {
      delta: {
        interactionId: head.value.interactionId,
        version: head.value.version,
        set: set.value.properties,
        unset,
      },
      dropped,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Chat instance (socket.io, default namespace; auth in the handshake: { token, agentId })
// ---------------------------------------------------------------------------------------------

export const ChatEvents = {
  /** client -> server: JoinRequest, ack: JoinAnswer | ErrorAnswer */
  join: 'join',
  /** client -> server: SendRequest, ack: SendAnswer | ErrorAnswer (idempotent on clientMsgId) */
  send: 'send',
  /** client -> server: TypingRequest (no ack) */
  typingOut: 'typing',
  /** server -> client */
  message: 'message',
  participant: 'participant',
  typing: 'typing',
  notice: 'notice',
  sessionClosed: 'session-closed',
  /** client -> server, ack: HeartbeatAnswer — the client times it */
  heartbeat: 'hb',
} as const;

export const participantRole = literal('agent', 'customer', 'system', 'supervisor');
export const participant = object({
  id,
  name: string({ max: 200 }),
  role: participantRole,
});
export type Participant = Infer<typeof participant>;

export const chatMessage = object({
  seq,
  id,
  clientMsgId: optional(id),
  sessionId: optional(id),
  from: participant,
  text: string({ max: Limits.maxMessageLength }),
  ts: number({ min: 0 }),
});
export type ChatMessage = Infer<typeof chatMessage>;

export const joinRequest = object({ sessionId: id, afterSeq: optional(seq) });
export type JoinRequest = Infer<typeof joinRequest>;

/** Ack of `join`: the transcript after `afterSeq` (all of it when omitted), ordered by seq. */
export const joinAnswer = object({
  ok: literal(true),
  instanceId: id,
  sessionId: id,
  transcript: array(chatMessage, { max: Limits.maxTranscriptPage }),
  participants: array(participant, { max: 100 }),
  lastSeq: seq,
  state: optional(literal('active', 'closed')),
});
export type JoinAnswer = Infer<typeof joinAnswer>;

export const sendRequest = object({
  sessionId: id,
  clientMsgId: id,
  text: string({ min: 1, max: Limits.maxMessageLength }),
});
export type SendRequest = Infer<typeof sendRequest>;

export const sendAnswer = object({ ok: literal(true), seq, id });
export type SendAnswer = Infer<typeof sendAnswer>;

export const typingRequest = object({ sessionId: id, typing: boolean() });
export type TypingRequest = Infer<typeof typingRequest>;

export const participantEvent = object({
  sessionId: id,
  participant,
  action: literal('joined', 'left'),
});
export type ParticipantEvent = Infer<typeof participantEvent>;

export const typingEvent = object({ sessionId: id, from: id, typing: boolean() });
export type TypingEvent = Infer<typeof typingEvent>;

/** Server notices, e.g. `transcript-save-failed`, `restored`, `draining`. */
export const noticeEvent = object({
  sessionId: id,
  code: string({ min: 1, max: 64 }),
  text: string({ max: 1000 }),
});
export type NoticeEvent = Infer<typeof noticeEvent>;

export const sessionClosedEvent = object({
  sessionId: id,
  reason: string({ min: 1, max: 200 }),
});
export type SessionClosedEvent = Infer<typeof sessionClosedEvent>;

export const heartbeatRequest = object({ t: number() });
export const heartbeatAnswer = object({ ok: literal(true), t: number(), instanceId: optional(id) });
export type HeartbeatAnswer = Infer<typeof heartbeatAnswer>;

// ---------------------------------------------------------------------------------------------
// PCS node (HTTP JSON + socket.io stream; auth: `Authorization: Bearer` / handshake auth)
// ---------------------------------------------------------------------------------------------

export const PcsPaths = {
  /** GET -> NodeStatus */
  status: '/status',
  /** GET ?dialedNumber= -> SurveyLookup */
  surveys: '/surveys',
  /** POST SurveyRequestBody -> SurveyRequestAnswer (same answer for the same idempotencyKey);
   * a standby answers 503 { ok: false, error: { code: 'not-primary' } } */
  surveyRequests: '/survey-requests',
  /** GET /survey-requests/:requestId -> SurveyRequestAnswer | 404;
   *  POST /survey-requests/:requestId/events { event } -> SurveyRequestAnswer */
} as const;

export const PcsEvents = {
  /** client -> server: { requestIds }, ack { ok: true, requests: SurveyRequestAnswer[] } */
  subscribe: 'subscribe',
  /** server -> client: SurveyStatusEvent */
  status: 'survey-status',
  heartbeat: 'hb',
} as const;

export const nodeRole = literal('primary', 'standby');
export const nodeStatus = object({
  nodeId: id,
  role: nodeRole,
  epoch: number({ min: 0, integer: true }),
  /** epoch ms until which the primary's lease is valid */
  leaseUntil: number({ min: 0 }),
});
export type NodeStatus = Infer<typeof nodeStatus>;

export const surveyChannel = literal('ivr', 'sms', 'web');
export type SurveyChannel = Infer<typeof surveyChannel>;

export const survey = object({
  id,
  name: string({ min: 1, max: 200 }),
  dialedNumber: string({ min: 1, max: 32 }),
  /** the survey IVR's route point / DN the call is transferred to */
  surveyDn: string({ min: 1, max: 32 }),
  channels: array(surveyChannel, { max: 3 }),
  languages: array(string({ min: 2, max: 16 }), { max: 50 }),
});
export type Survey = Infer<typeof survey>;

export const surveyLookup = object({ survey: nullable(survey) });
export type SurveyLookup = Infer<typeof surveyLookup>;

export const surveyMode = literal('transfer', 'hangup');
export type SurveyMode = Infer<typeof surveyMode>;

export const surveyRequestBody = object({
  idempotencyKey: id,
  dialogId: id,
  ani: string({ min: 1, max: 32 }),
  dialedNumber: string({ min: 1, max: 32 }),
  agentId: id,
  surveyId: id,
  channel: surveyChannel,
  language: string({ min: 2, max: 16 }),
  mode: surveyMode,
  /** for the sms channel: 10-15 digits, optional leading + */
  smsNumber: optional(string({ pattern: /^\+?[0-9]{10,15}$/ })),
});
export type SurveyRequestBody = Infer<typeof surveyRequestBody>;

export const surveyStatus = literal(
  'requested',
  'transferred',
  'armed',
  'offered',
  'in-progress',
  'completed',
  'failed',
  'cancelled',
);
export type SurveyStatus = Infer<typeof surveyStatus>;

/** Call variables are Finesse's callVariable1..10 and ECC `user.*` names. */
export const callVariables = record(string({ max: 210 }), { max: 40 });

export const surveyRequestAnswer = object({
  requestId: id,
  idempotencyKey: id,
  status: surveyStatus,
  score: optional(number()),
  transfer: object({ dn: string({ min: 1, max: 32 }), callVariables }),
});
export type SurveyRequestAnswer = Infer<typeof surveyRequestAnswer>;

/** Events the gadget reports on a request. */
export const surveyRequestEvent = object({ event: literal('transferred', 'armed', 'cancelled') });
export type SurveyRequestEvent = Infer<typeof surveyRequestEvent>;

export const pcsSubscribe = object({ requestIds: array(id, { max: 50 }) });
export const pcsSubscribeAnswer = object({
  ok: literal(true),
  requests: array(surveyRequestAnswer, { max: 50 }),
});

export const surveyStatusEvent = object({
  requestId: id,
  status: surveyStatus,
  score: optional(number()),
  nodeId: optional(id),
  epoch: optional(number({ min: 0, integer: true })),
});
export type SurveyStatusEvent = Infer<typeof surveyStatusEvent>;

/** Handshake `auth` object for every socket.io connection (never a URL query). */
export interface HandshakeAuth {
  token?: string;
  agentId?: string;
}
