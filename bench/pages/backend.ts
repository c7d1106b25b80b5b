/**
 * One control surface over the two back ends the browser benchmarks run against: the msw mock
 * in this page, or the reference cluster (whose HTTP control API the bench process calls for
 * us through the exposed `agControl` binding: the page's origin is not the cluster's).
 */
export interface ChatStart {
  interactionId: string;
  sessionId: string;
  instanceId: string;
}
export interface InstanceInfo {
  id: string;
  alive: boolean;
  frozen?: boolean;
  sessions?: number;
  connections?: number;
}
export interface BackendUrls {
  interactions: string;
  chat: Record<string, string>;
}
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

/** The subset of MockBackend (/tmp/team/MOCK-API.md) the benchmarks use. */
interface MockBackendLike {
  urls: BackendUrls;
  interactions: {
    startChat(o?: { customerName?: string; instanceId?: string }): Promise<ChatStart>;
  };
  customer: { send(interactionId: string, text: string): Promise<unknown> };
  chat: {
    kill(id: string): unknown;
    revive(id: string): unknown;
    freeze(id: string): unknown;
    unfreeze(id: string): unknown;
    relocate(interactionId: string, toId?: string): unknown;
    instances(): InstanceInfo[];
  };
  connections(): number;
  stop(): Promise<void>;
}

// Paths in variables: tsc does not resolve them (the modules may not have landed yet) and Vite
// serves and transpiles them on request.
const mocksModule = '/src/mocks/index.ts';

export async function mockBackend(options: Record<string, unknown> = {}): Promise<Backend> {
  const { startMockBackend } = (await import(/* @vite-ignore */ mocksModule)) as {
    startMockBackend(o?: Record<string, unknown>): Promise<MockBackendLike>;
  };
  const m = await startMockBackend(options);
  return {
    kind: 'mock',
    urls: m.urls,
    startChat: (o) => m.interactions.startChat(o),
    say: (id, text) => m.customer.send(id, text),
    kill: async (id) => m.chat.kill(id),
    revive: async (id) => m.chat.revive(id),
    freeze: async (id) => m.chat.freeze(id),
    unfreeze: async (id) => m.chat.unfreeze(id),
    relocate: async (iid, to) => m.chat.relocate(iid, to),
    instances: async () => m.chat.instances(),
    connections: async () => m.connections(),
    stop: () => m.stop(),
  };
}

declare global {
  interface Window {
    agControl?: (group: string, verb: string, body: unknown) => Promise<unknown>;
  }
}

export function clusterBackend(urls: BackendUrls): Backend {
  const control = (group: string, verb: string, body: unknown = {}) => {
    if (!window.agControl) throw new Error('agControl binding missing');
    return window.agControl(group, verb, body);
  };
  return {
    kind: 'cluster',
    urls,
    startChat: (o) => control('interactions', 'startChat', o) as Promise<ChatStart>,
    say: (interactionId, text) => control('customer', 'send', { interactionId, text }),
    kill: (id) => control('chat', 'kill', { id }),
    revive: (id) => control('chat', 'revive', { id }),
    freeze: (id) => control('chat', 'freeze', { id }),
    unfreeze: (id) => control('chat', 'unfreeze', { id }),
    relocate: (interactionId, toId) => control('chat', 'relocate', { interactionId, toId }),
    instances: () => control('chat', 'instances') as Promise<InstanceInfo[]>,
    // every live process's open sockets (interaction server and chat instances)
    connections: async () => Number(await control('cluster', 'connections')),
    stop: async () => {},
  };
}
