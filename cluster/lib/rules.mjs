// The back-end rules both back ends share (src/backend/rules.ts: seed surveys, the IVR step
// machine, error codes -> HTTP statuses, the token rule, limits), from the bundle the
// supervisor builds at start-up. Nothing here is a copy: a rule changes in that one file.
import { loadProtocol } from './protocol.mjs';

/** @type {typeof import('../../src/backend/rules.ts')} */
export const rules = (await loadProtocol()).rules;
