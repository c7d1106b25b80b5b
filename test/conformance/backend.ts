/**
 * The one interface the conformance suite drives: the mocked back end (in the page, msw) and
 * the reference cluster (real processes) both adapt to it, so the same test bodies prove that
 * they speak the same protocol and answer the same control verbs the same way.
 *
 * `control` mirrors the mock's control object (src/mocks/index.ts) with every verb async,
 * because for the cluster each one is an HTTP call to its control API.
 */
import type { MockBackend } from '../../src/mocks/index.js';

type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export interface ConformanceControl {
  interactions: Async<MockBackend['interactions']>;
  customer: Async<Omit<MockBackend['customer'], 'autoTalk'>>;
  chat: Async<MockBackend['chat']>;
  pcs: Async<MockBackend['pcs']>;
}

export interface ConformanceBackend {
  readonly name: string;
  readonly urls: MockBackend['urls'];
  /** has calls that hang up (the mock's fake Finesse); without, an armed call counts as hung up */
  readonly telephony: boolean;
  readonly control: ConformanceControl;
  stop(): Promise<void>;
}

/** What both back ends are started with, so timings match. */
export const conformanceOptions = {
  chatInstances: 3,
  restoreDelayMs: 100,
  ivrStepMs: 100,
  pcsLeaseMs: 1500,
} as const;

export type StartBackend = () => Promise<ConformanceBackend>;
