// The protocol conformance suite against the mocked back end (msw in the page).
import { conformanceSuite } from './suite.js';
import { startMock } from './mock-backend.js';

conformanceSuite('mocked back end', startMock);
