/** Conformance adapter for the mocked back end (msw, in the page): its verbs, made async. */
import { startMockBackend } from '../../src/mocks/index.js';
import { conformanceOptions, type ConformanceBackend, type ConformanceControl } from './backend.js';

const asyncGroup = (target: object) =>
  new Proxy(target, {
    get: (t, verb: string) => {
      const fn = (t as Record<string, unknown>)[verb];
      return typeof fn === 'function' ? async (...args: unknown[]) => fn.apply(t, args) : fn;
    },
  });

export async function startMock(): Promise<ConformanceBackend> {
  const mock = await startMockBackend(conformanceOptions);
  return {
    name: 'mocked back end',
    urls: mock.urls,
    telephony: true,
    control: {
      interactions: asyncGroup(mock.interactions),
      customer: asyncGroup(mock.customer),
      chat: asyncGroup(mock.chat),
      pcs: asyncGroup(mock.pcs),
    } as ConformanceControl,
    stop: () => mock.stop(),
  };
}
