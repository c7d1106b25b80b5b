/**
 * Public events. All bubble and are composed (they cross shadow roots), and are typed in the
 * global HTMLElementEventMap so `el.addEventListener('ag-relocated', e => e.detail.gapMs)` is typed.
 */
import type { ConnectionState, ReconnectReason } from './core/state.js';
import type { AgErrorInfo, ErrorCode } from './protocol/errors.js';
import type { ChatMessage, SurveyStatus } from './protocol/wire.js';

const init = { bubbles: true, composed: true } as const;

export interface ConnectionChangeDetail {
  readonly state: ConnectionState;
  readonly reason?: ReconnectReason;
  readonly endpoint?: string;
  readonly previousEndpoint?: string;
  readonly error?: AgErrorInfo;
}
export class AgConnectionChangeEvent extends Event {
  static readonly type = 'ag-connection-change';
  constructor(readonly detail: ConnectionChangeDetail) {
    super(AgConnectionChangeEvent.type, init);
  }
}

export interface RelocatedDetail {
  readonly from: string;
  readonly to: string;
  /** ms between losing the old endpoint (or learning of the move) and being connected again */
  readonly gapMs: number;
}
export class AgRelocatedEvent extends Event {
  static readonly type = 'ag-relocated';
  constructor(readonly detail: RelocatedDetail) {
    super(AgRelocatedEvent.type, init);
  }
}

export class AgErrorEvent extends Event {
  static readonly type = 'ag-error';
  readonly detail: AgErrorInfo;
  constructor(code: ErrorCode, message: string) {
    super(AgErrorEvent.type, init);
    this.detail = { code, message };
  }
}

export class AgMessageEvent extends Event {
  static readonly type = 'ag-message';
  constructor(readonly detail: { readonly message: ChatMessage }) {
    super(AgMessageEvent.type, init);
  }
}

export class AgSessionClosedEvent extends Event {
  static readonly type = 'ag-session-closed';
  constructor(readonly detail: { readonly reason: string }) {
    super(AgSessionClosedEvent.type, init);
  }
}

export interface OutboxKeptDetail {
  readonly interactionId: string;
  /** agent messages not yet acknowledged by the server */
  readonly pending: number;
}
/**
 * A chat panel left the page (or switched to another interaction) while messages the agent
 * typed were not yet delivered. They are kept in the tab's sessionStorage and sent, once and in
 * order, when a panel opens the same interaction again in this tab. Fired on the panel itself:
 * listen on the element (a removed element is no longer in the document).
 */
export class AgOutboxKeptEvent extends Event {
  static readonly type = 'ag-outbox-kept';
  constructor(readonly detail: OutboxKeptDetail) {
    super(AgOutboxKeptEvent.type, init);
  }
}

export interface SurveyRequestedDetail {
  readonly requestId: string;
  readonly surveyId: string;
  readonly dialogId: string;
  readonly mode: 'transfer' | 'hangup';
}
export class AgSurveyRequestedEvent extends Event {
  static readonly type = 'ag-survey-requested';
  constructor(readonly detail: SurveyRequestedDetail) {
    super(AgSurveyRequestedEvent.type, init);
  }
}

export class AgSurveyTransferredEvent extends Event {
  static readonly type = 'ag-survey-transferred';
  constructor(
    readonly detail: { readonly requestId: string; readonly dialogId: string; readonly dn: string },
  ) {
    super(AgSurveyTransferredEvent.type, init);
  }
}

export interface SurveyStatusDetail {
  readonly requestId: string;
  readonly status: SurveyStatus;
  readonly score?: number;
}
export class AgSurveyStatusEvent extends Event {
  static readonly type = 'ag-survey-status';
  constructor(readonly detail: SurveyStatusDetail) {
    super(AgSurveyStatusEvent.type, init);
  }
}

declare global {
  interface HTMLElementEventMap {
    'ag-connection-change': AgConnectionChangeEvent;
    'ag-relocated': AgRelocatedEvent;
    'ag-error': AgErrorEvent;
    'ag-message': AgMessageEvent;
    'ag-session-closed': AgSessionClosedEvent;
    'ag-outbox-kept': AgOutboxKeptEvent;
    'ag-survey-requested': AgSurveyRequestedEvent;
    'ag-survey-transferred': AgSurveyTransferredEvent;
    'ag-survey-status': AgSurveyStatusEvent;
  }
}
