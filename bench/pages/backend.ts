/**
 * The browser benchmarks run against either back end through the one `Backend` interface
 * (src/backend/backend.ts): the msw mock in this page (`asBackend`), or the reference cluster
 * (`clusterBackend`), whose control API the bench process calls for us through the exposed
 * `agControl` binding (the page's origin is not the cluster's). This file only names the few
 * verbs the benchmarks use.
 */
import type {
  Backend as SharedBackend,
  BackendUrls,
  ChatInstanceInfo,
  ChatStart,
} from '../../src/backend/backend.js';
import { clusterBackend as sharedClusterBackend } from '../../src/backend/cluster-backend.js';

export type { BackendUrls, ChatStart };
export type InstanceInfo = ChatInstanceInfo;

/** What bench-page.ts drives: the shared interface's verbs under the benchmarks' names. */
export interface Backend {
  readonly kind: 'mock' | 'cluster';
  readonly urls: BackendUrls;
  startChat(o: { customerName?: string; instanceId?: string }): Promise<ChatStart>;
  say(interactionId: string, text: string): Promise<unknown>;
  kill(id: string): Promise<unknown>;
  revive(id: string): Promise<unknown>;
  freeze(id: string): Promise<unknown>;
  unfreeze(id: string): Promise<unknown>;
  relocate(interactionId: string, toId: string): Promise<unknown>;
  instances(): Promise<InstanceInfo[]>;
  /** open sockets across the back end (leak checks) */
  connections(): Promise<number>;
  stop(): Promise<void>;
}

function forBench(b: SharedBackend): Backend {
  const { interactions, customer, chat } = b.control;
  return {
    kind: b.kind,
    urls: b.urls,
    startChat: (o) => interactions.startChat(o),
    say: (interactionId, text) => customer.send(interactionId, text),
    kill: (id) => chat.kill(id),
    revive: (id) => chat.revive(id),
    freeze: (id) => chat.freeze(id),
    unfreeze: (id) => chat.unfreeze(id),
    relocate: (interactionId, toId) => chat.relocate(interactionId, toId),
    instances: () => chat.instances(),
    connections: () => b.connections(),
    stop: () => b.stop(),
  };
}

// A path in a variable: Vite serves and transpiles it on request, and the mock (which replaces
// WebSocket) must load before anything evaluates socket.io-client.
const mocksModule = '/src/mocks/index.ts';

export async function mockBackend(options: Record<string, unknown> = {}): Promise<Backend> {
  const { asBackend, startMockBackend } = (await import(
    /* @vite-ignore */ mocksModule
  )) as typeof import('../../src/mocks/index.js');
  return forBench(asBackend(await startMockBackend(options)));
}

declare global {
  interface Window {
    agControl?: (group: string, verb: string, body: unknown) => Promise<unknown>;
  }
}

export function clusterBackend(urls: BackendUrls): Backend {
  return forBench(
    sharedClusterBackend({
      urls,
      control: async (verb, body = {}) => {
        if (!window.agControl) throw new Error('agControl binding missing');
        const dot = verb.indexOf('.');
        return window.agControl(verb.slice(0, dot), verb.slice(dot + 1), body);
      },
      // the bench process owns the cluster and stops it
    }),
  );
}
