// The protocol conformance suite against the reference cluster (real processes, real SIGKILL).
import { conformanceSuite } from './suite.js';
import { startClusterBackend } from './cluster-backend.js';

conformanceSuite('reference cluster', startClusterBackend);
