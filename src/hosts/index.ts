export type { CallInfo, CallState, Host, TransferOptions } from './host.js';
export { HostActionError } from './host.js';
export { FinesseHost, type FinesseHostOptions } from './finesse-host.js';
export {
  StandaloneHost,
  type StandaloneActions,
  type StandaloneCall,
  type StandaloneHostOptions,
} from './standalone-host.js';
export { isFinessePresent } from './finesse-types.js';
export { detectHostKind } from './detect.js';
export { FinesseChatSource, type FinesseChatSourceOptions } from './finesse-chat.js';
export { finesseTokenProvider, type FinesseTokenProviderOptions } from './finesse-token.js';
export { ensureFinesseConfig, absoluteFinesseUrl } from './finesse-page.js';
export { normaliseActions, ownLeg, callVariablesFrom, finesseError } from './finesse-normalise.js';
