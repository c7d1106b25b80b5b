// The library entry (`agent-gadgets`): classes, types and helpers, with NO side effect. Nothing
// here registers a custom element: import `agent-gadgets/define/chat-panel.js` (or
// survey-transfer.js) for that, or call `customElements.define` with your own tag name.

// Elements
export { AgChatPanel } from './chat/chat-panel.js';
export { AgSurveyTransfer } from './survey/survey-transfer.js';

// Public events (all bubble and are composed)
export * from './events.js';

// Chat: the DOM-free session client and the Lit controller the panel is built on
export {
  ChatSession,
  type ChatSessionOptions,
  type ChatView,
  type PendingMessage,
  type ParticipantChange,
  type RelocationInfo,
  type TokenSource,
} from './chat/chat-session.js';
export { ChatSessionController, type ChatSessionHost } from './chat/chat-session-controller.js';

// Survey: the PCS client (node list or virtual IP) and the idempotency key it derives
export {
  PcsClient,
  idempotencyKey,
  type PcsClientOptions,
  type PcsHealth,
  type TokenProvider,
  type TrackedRequest,
} from './survey/pcs-client.js';
export { POST_CALL_SURVEY_VARIABLE, normaliseSmsNumber } from './survey/survey-workflow.js';
// Survey: the DOM-free session (the workflow) and the Lit controller the gadget is built on
export {
  SurveySession,
  type Phase,
  type SurveyForm,
  type SurveyPcs,
  type SurveySessionOptions,
  type SurveyTransferredInfo,
  type SurveyView,
} from './survey/survey-session.js';
export { SurveyController, type SurveyConfig } from './survey/survey-controller.js';

// Hosts: Finesse (finesse.js) or any agent desktop
export {
  FinesseChatSource,
  FinesseHost,
  HostActionError,
  StandaloneHost,
  detectHostKind,
  ensureFinesseConfig,
  finesseTokenProvider,
  isFinessePresent,
  type CallInfo,
  type CallState,
  type FinesseChatSourceOptions,
  type FinesseHostOptions,
  type FinesseTokenProviderOptions,
  type Host,
  type StandaloneActions,
  type StandaloneCall,
  type StandaloneHostOptions,
  type TransferOptions,
} from './hosts/index.js';

// The connection core (no DOM) and the wire protocol (types, validators, stable error codes)
export * from './core/index.js';
export * from './protocol/index.js';
