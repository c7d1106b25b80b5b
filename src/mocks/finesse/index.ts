export {
  installFakeFinesse,
  currentFakeFinesse,
  type FakeFinesse,
  type FakeFinesseOptions,
  type FakeFinesseHooks,
  type FakeFinesseRequest,
  type FakeCall,
  type FakeTransfer,
  type FakeDialogSnapshot,
} from './fake-finesse.js';
export { finesseProfile, type FinesseProfile } from './profiles.js';
export { MOCK_TOKEN_URL, type TokenRequestRecord } from './token-endpoint.js';
