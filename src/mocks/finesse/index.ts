export {
  installFakeFinesse,
  type FakeFinesse,
  type FakeFinesseOptions,
  type FakeFinesseHooks,
  type FakeCall,
  type FakeTransfer,
  type FakeDialogSnapshot,
} from './fake-finesse.js';
