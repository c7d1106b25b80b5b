/**
 * Stable error codes. They are public API: `ag-error` events and `failed` states carry them,
 * and integrators switch on them. Add codes; never rename or reuse one. The SDK's own modules
 * write the codes as their string literals (checked against `ErrorCode` by the compiler), so this
 * table is in no element bundle unless an integrator imports it.
 */
export const ErrorCodes = {
  // configuration / auth
  BadConfig: 'bad-config',
  Unauthorized: 'unauthorized',
  // input from servers
  InvalidMessage: 'invalid-message',
  InvalidProperties: 'invalid-properties',
  RelocationRefused: 'relocation-refused',
  // connection
  HeartbeatTimeout: 'heartbeat-timeout',
  RetriesExhausted: 'retries-exhausted',
  RequestTimeout: 'request-timeout',
  /** a request was made while no connection was up (the caller may queue and retry) */
  NotConnected: 'not-connected',
  /** a server answered `{ ok: false }` with a code that has no more specific client code */
  ServerRejected: 'server-rejected',
  /** no server (interaction server or chat instance) has served us for a bounded time; the
   *  client keeps retrying and reports this once per outage */
  Unreachable: 'unreachable',
  // chat
  SessionNotFound: 'session-not-found',
  MessageTooLong: 'message-too-long',
  SendFailed: 'send-failed',
  TranscriptSaveFailed: 'transcript-save-failed',
  SessionClosed: 'session-closed',
  // survey / PCS
  PcsUnreachable: 'pcs-unreachable',
  PcsBadResponse: 'pcs-bad-response',
  NotPrimary: 'not-primary',
  NoSurvey: 'no-survey',
  NoCall: 'no-call',
  CallNotActive: 'call-not-active',
  CallDropped: 'call-dropped',
  TransferRejected: 'transfer-rejected',
  CallVariablesRejected: 'call-variables-rejected',
  InvalidSmsNumber: 'invalid-sms-number',
  HostDisconnected: 'host-disconnected',
  /** Finesse answered the transfer 202 but no dialog event confirmed or rejected it in time */
  TransferTimeout: 'transfer-timeout',
  /** Finesse answered the call-variable update 202 but no dialog event showed the new values in time */
  CallVariablesTimeout: 'call-variables-timeout',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What an `ag-error` event and a `failed` state carry. */
export interface AgErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Error codes a server puts in `{ ok: false, error: { code } }` answers. */
export const ServerErrorCodes = {
  BadRequest: 'bad-request',
  UnknownSession: 'unknown-session',
  UnknownInteraction: 'unknown-interaction',
  TooLarge: 'too-large',
  Unauthorized: 'unauthorized',
  NotPrimary: 'not-primary',
  Closed: 'closed',
  NotFound: 'not-found',
  Internal: 'internal',
} as const;
export type ServerErrorCode = (typeof ServerErrorCodes)[keyof typeof ServerErrorCodes];

/** An Error carrying a stable code, for promise rejections inside the SDK. */
export class AgError extends Error implements AgErrorInfo {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgError';
  }
}
