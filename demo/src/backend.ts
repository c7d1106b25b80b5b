/**
 * The demo talks to one of two back ends through the same small surface:
 * - `mock` (default): the in-page virtual cluster from src/mocks (msw), driven directly;
 * - `cluster`: the reference cluster of real processes (cluster/), driven through its HTTP control
 *   API (proxied by the dev server at /__ag/control), where `kill` is a real SIGKILL.
 * The fault panel only knows verbs, so both back ends get the same buttons.
 */
import { controlClient } from '../../src/backend/control-client.js';
import type { ChatMessage, Properties } from '../../src/protocol/wire.js';

export interface ChatInstanceView {
  readonly id: string;
  readonly url: string;
  readonly alive: boolean;
  readonly frozen: boolean;
  readonly draining: boolean;
  readonly sessions: number;
  readonly connections: number;
}
export interface InteractionServerView {
  readonly id: string;
  readonly url: string;
  readonly alive: boolean;
  readonly frozen: boolean;
  readonly connections: number;
}
export interface PcsNodeView {
  readonly id: string;
  readonly role: string;
  readonly epoch: number;
  readonly alive: boolean;
  readonly frozen: boolean;
}
export interface StartedChat {
  readonly interactionId: string;
  readonly sessionId: string;
  readonly instanceId: string;
}
export interface StartedCall {
  readonly dialogId: string;
  readonly interactionId: string;
}

/** The subset of src/mocks' MockEvent the demo shows (by `type`; other fields as they come). */
export interface BackendEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

export type ChatVerb = 'kill' | 'revive' | 'freeze' | 'unfreeze' | 'drain';
export type PcsVerb = 'kill' | 'revive' | 'freeze' | 'unfreeze';
export type InteractionsVerb = 'kill' | 'revive' | 'freeze' | 'unfreeze';

export interface DemoBackend {
  readonly kind: 'mock' | 'cluster';
  /** primary, then backup interaction server (the panel's `interactions-url` list) */
  readonly interactionsUrls: readonly string[];
  /** origins the chat panel may follow a session to */
  readonly chatOrigins: readonly string[];
  /** PCS base URLs for the survey gadget (node list) */
  readonly pcsNodes: readonly string[];
  /** true when a fake Finesse is installed in the page (the survey gadget then uses host="finesse") */
  readonly finesse: boolean;
  startChat(customerName: string): Promise<StartedChat>;
  customerSend(interactionId: string, text: string): Promise<void>;
  customerTyping(interactionId: string, typing: boolean): Promise<void>;
  transcript(interactionId: string): Promise<readonly ChatMessage[]>;
  properties(interactionId: string): Promise<Properties>;
  instances(): Promise<readonly ChatInstanceView[]>;
  servers(): Promise<readonly InteractionServerView[]>;
  interactions(verb: InteractionsVerb, serverId: string): Promise<void>;
  nodes(): Promise<readonly PcsNodeView[]>;
  chat(verb: ChatVerb, instanceId: string): Promise<void>;
  relocate(interactionId: string): Promise<void>;
  failTranscriptSave(interactionId: string, mode: 'notice' | 'close'): Promise<void>;
  pcs(verb: PcsVerb, nodeId: string): Promise<void>;
  splitBrain(): Promise<void>;
  /** ends a split brain: the stale primary steps down */
  heal(): Promise<void>;
  startCall(ani: string, dialedNumber: string): Promise<StartedCall>;
  endCall(dialogId: string): Promise<void>;
  /** cluster activity, when the back end reports it (the mock's events$); returns an unsubscribe */
  onEvent?(listener: (e: BackendEvent) => void): () => void;
  /** the mock's control object (window.agentGadgetsMock), when the back end is the mock */
  readonly mock?: unknown;
}

/** The part of src/mocks' MockBackend the demo uses (see the mocked back end's API). */
interface MockLike {
  urls: {
    interactions: string;
    interactionsBackup?: string;
    chat: Record<string, string>;
    pcs: Record<string, string>;
    pcsVip: string;
  };
  interactions: Record<InteractionsVerb, (id: string) => void> & {
    servers(): InteractionServerView[];
    startChat(o?: { customerName?: string }): Promise<StartedChat>;
    get(interactionId: string): { version: number; properties: Properties };
  };
  customer: {
    send(interactionId: string, text: string): Promise<unknown>;
    typing(interactionId: string, typing: boolean): void;
  };
  chat: Record<ChatVerb, (id: string) => void> & {
    relocate(interactionId: string, toId?: string): void;
    failTranscriptSave(interactionId: string, mode?: 'notice' | 'close'): void;
    transcript(interactionId: string): ChatMessage[];
    instances(): ChatInstanceView[];
  };
  pcs: Record<PcsVerb, (id: string) => void> & {
    splitBrain(): unknown;
    heal(): unknown;
    nodes(): PcsNodeView[];
  };
  finesse: {
    startCall(o: { ani: string; dialedNumber: string }): StartedCall;
    endCall(dialogId: string): void;
  };
  events$: { subscribe(fn: (e: BackendEvent) => void): { unsubscribe(): void } };
}

const originOf = (url: string) => new URL(url).origin;

async function startMock(): Promise<DemoBackend> {
  // The mock must be running before socket.io-client is first evaluated (it captures WebSocket):
  // main.ts imports the elements only after this resolves.
  const mocks = import.meta.glob<typeof import('../../src/mocks/index.js')>(
    '../../src/mocks/index.ts',
  );
  const loadMocks = mocks['../../src/mocks/index.ts'];
  if (!loadMocks)
    throw new Error('src/mocks/index.ts is missing: the mocked back end is not in this checkout');
  const { startMockBackend } = await loadMocks();
  const mock = (await startMockBackend({ finesse: true })) as unknown as MockLike;
  return {
    kind: 'mock',
    mock,
    interactionsUrls: [mock.urls.interactions, mock.urls.interactionsBackup].filter(
      (u): u is string => !!u,
    ),
    chatOrigins: Object.values(mock.urls.chat).map(originOf),
    pcsNodes: Object.values(mock.urls.pcs),
    finesse: true,
    startChat: (customerName) => mock.interactions.startChat({ customerName }),
    customerSend: async (id, text) => void (await mock.customer.send(id, text)),
    customerTyping: async (id, typing) => mock.customer.typing(id, typing),
    transcript: async (id) => mock.chat.transcript(id),
    properties: async (id) => mock.interactions.get(id).properties,
    instances: async () => mock.chat.instances(),
    servers: async () => mock.interactions.servers(),
    interactions: async (verb, id) => mock.interactions[verb](id),
    nodes: async () => mock.pcs.nodes(),
    chat: async (verb, id) => mock.chat[verb](id),
    relocate: async (id) => mock.chat.relocate(id),
    failTranscriptSave: async (id, mode) => mock.chat.failTranscriptSave(id, mode),
    pcs: async (verb, id) => mock.pcs[verb](id),
    splitBrain: async () => void mock.pcs.splitBrain(),
    heal: async () => void mock.pcs.heal(),
    startCall: async (ani, dialedNumber) => mock.finesse.startCall({ ani, dialedNumber }),
    endCall: async (dialogId) => mock.finesse.endCall(dialogId),
    onEvent: (listener) => {
      const sub = mock.events$.subscribe(listener);
      return () => sub.unsubscribe();
    },
  };
}

/** What scripts/start-with-cluster.mjs hands the page (GET /__ag/backend.json). */
interface ClusterConfig {
  backend: 'cluster';
  interactions: string;
  interactionsBackup?: string;
  chat: Record<string, string>;
  pcs: Record<string, string>;
  finesse?: boolean;
}

/** The cluster's control API (through the dev server's proxy), by the shared client. */
const callControl = controlClient('/__ag/control');

async function control<T>(
  group: string,
  verb: string,
  body: Record<string, unknown> = {},
): Promise<T> {
  return (await callControl(`${group}.${verb}`, body)) as T;
}

function startCluster(config: ClusterConfig): DemoBackend {
  return {
    kind: 'cluster',
    interactionsUrls: [config.interactions, config.interactionsBackup].filter(
      (u): u is string => !!u,
    ),
    chatOrigins: Object.values(config.chat).map(originOf),
    pcsNodes: Object.values(config.pcs),
    finesse: false,
    startChat: (customerName) => control('interactions', 'startChat', { customerName }),
    customerSend: (interactionId, text) => control('customer', 'send', { interactionId, text }),
    customerTyping: (interactionId, typing) =>
      control('customer', 'typing', { interactionId, typing }),
    transcript: (interactionId) => control('chat', 'transcript', { interactionId }),
    properties: async (interactionId) =>
      (await control<{ properties: Properties }>('interactions', 'get', { interactionId }))
        .properties,
    instances: () => control('chat', 'instances'),
    servers: () => control('interactions', 'servers'),
    interactions: (verb, id) => control('interactions', verb, { id }),
    nodes: () => control('pcs', 'nodes'),
    chat: (verb, id) => control('chat', verb, { id }),
    relocate: (interactionId) => control('chat', 'relocate', { interactionId }),
    failTranscriptSave: (interactionId, mode) =>
      control('chat', 'failTranscriptSave', { interactionId, mode }),
    pcs: (verb, id) => control('pcs', verb, { id }),
    splitBrain: () => control('pcs', 'splitBrain'),
    heal: () => control('pcs', 'heal'),
    // The cluster has no telephony: the demo makes up a call and gives it to the survey gadget
    // through its standalone-host attributes (dialog-id, ani, dialed-number).
    startCall: async () => ({
      dialogId: `dlg-${crypto.randomUUID().slice(0, 8)}`,
      interactionId: '',
    }),
    endCall: async () => {},
  };
}

export async function connectBackend(): Promise<DemoBackend> {
  const res = await fetch('/__ag/backend.json').catch(() => undefined);
  const config = res?.ok ? ((await res.json()) as { backend: string }) : { backend: 'mock' };
  return config.backend === 'cluster' ? startCluster(config as ClusterConfig) : startMock();
}
