export * from './wire.js';
export * from './errors.js';
export * from './limits.js';
export * from './version-trust.js';
export * as v from './validate.js';
export type { Validator, Result, Infer } from './validate.js';
