/**
 * The conformance suite drives a back end through the one `Backend` interface
 * (src/backend/backend.ts): the mocked back end (in the page, msw, via `asBackend`) and the
 * reference cluster (real processes, via `clusterBackend` over its control API), so the same
 * test bodies prove that they speak the same protocol and answer the same verbs the same way.
 */
import type { Backend } from '../../src/backend/backend.js';

/** What both back ends are started with, so timings match. */
export const conformanceOptions = {
  chatInstances: 3,
  restoreDelayMs: 100,
  ivrStepMs: 100,
  pcsLeaseMs: 1500,
} as const;

export type StartBackend = () => Promise<Backend>;
