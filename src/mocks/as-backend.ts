/**
 * The mocked back end behind the one `Backend` interface (src/backend/backend.ts), so code
 * written for "a back end" (the conformance suite, the bench, the demo) runs on the mock and on
 * the reference cluster alike. The verbs are the mock's own, made async.
 *
 * ```ts
 * const backend = asBackend(await startMockBackend());
 * await backend.control.chat.kill('chat-1');
 * ```
 */
import type { Async, Backend, BackendControl } from '../backend/backend.js';
import type { MockBackend } from './index.js';

/** `group`'s methods, each returning a promise (a throw becomes a rejection). */
function promisified<T extends object>(group: T): Async<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(group)) {
    if (typeof fn === 'function')
      out[name] = async (...args: unknown[]): Promise<unknown> =>
        (fn as (...a: unknown[]) => unknown).apply(group, args);
  }
  return out as Async<T>;
}

export function asBackend(mock: MockBackend): Backend {
  // Typed as BackendControl: a mock verb that drifts from the shared interface fails to compile.
  const control: BackendControl = {
    interactions: promisified(mock.interactions),
    customer: promisified(mock.customer),
    chat: promisified(mock.chat),
    pcs: promisified(mock.pcs),
  };
  return {
    kind: 'mock',
    urls: mock.urls,
    control,
    telephony: true,
    connections: async () => mock.connections(),
    stop: () => mock.stop(),
  };
}
