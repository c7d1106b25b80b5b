// The protocol conformance suite against the mocked back end (msw in the page).
import { asBackend, startMockBackend } from '../../src/mocks/index.js';
import { conformanceOptions } from './backend.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('mocked back end', async () =>
  asBackend(await startMockBackend(conformanceOptions)),
);
