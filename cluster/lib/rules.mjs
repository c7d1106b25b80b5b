// The back-end rules both back ends share (src/backend/rules.ts: seed surveys, the IVR step
// machine, error codes -> HTTP statuses, the token rule, limits), from the bundle the
// supervisor builds at start-up. Nothing here is a copy: a rule changes in that one file.
import { loadProtocol } from './protocol.mjs';

const bundle = await loadProtocol();

/** @type {typeof import('../../src/backend/rules.ts')} */
export const rules = bundle.rules;

/** The control API's one client (src/backend/control-client.ts), for Node scripts and tests. */
/** @type {typeof import('../../src/backend/control-client.ts').controlClient} */
export const controlClient = bundle.controlClient;
