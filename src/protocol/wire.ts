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
  type Infer,
} from './validate.js';
import { id, properties, version } from './properties.js';

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

// Property names and values (properties.ts), and their key-by-key readers (read-properties.ts):
// modules of their own, so a bundle that never reads properties leaves the readers out.
export {
  Props,
  propertyValue,
  properties,
  type PropertyValue,
  type Properties,
} from './properties.js';
export * from './read-properties.js';

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

/** `chat.state` values. */
export type ChatState = 'active' | 'restoring' | 'closed';

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
