export * from './wire.js';
export * from './errors.js';
export * from './limits.js';
export * as v from './validate.js';
export type { Validator, Result, Infer } from './validate.js';
