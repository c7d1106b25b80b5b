// The protocol conformance suite against the reference cluster (real processes, real SIGKILL).
import { asClusterBackend, startCluster } from '../support/cluster.js';
import { conformanceOptions } from './backend.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('reference cluster', async () =>
  asClusterBackend(await startCluster(conformanceOptions)),
);
