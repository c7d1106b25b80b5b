/**
 * The demo talks to one of two back ends through the one `Backend` interface
 * (src/backend/backend.ts), under the small surface the page uses (`DemoBackend`):
 * - `mock` (default): the in-page virtual cluster from src/mocks (msw), via `asBackend`;
 * - `cluster`: the reference cluster of real processes (cluster/), via `clusterBackend` over its
 *   HTTP control API (proxied by the dev server at /__ag/control), where `kill` is a real SIGKILL.
 * The fault panel only knows verbs, so both back ends get the same buttons.
 */
import type { Backend } from '../../src/backend/backend.js';
import { clusterBackend } from '../../src/backend/cluster-backend.js';
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

const originOf = (url: string) => new URL(url).origin;

/** What only the in-page mock offers: its fake Finesse (real calls) and its activity stream. */
interface Telephony {
  mock?: unknown;
  startCall(ani: string, dialedNumber: string): Promise<StartedCall>;
  endCall(dialogId: string): Promise<void>;
  onEvent?(listener: (e: BackendEvent) => void): () => void;
}

/** The demo's surface over the one Backend interface: the same verbs for either back end. */
function demoBackend(b: Backend, telephony: Telephony): DemoBackend {
  const { interactions, customer, chat, pcs } = b.control;
  return {
    ...telephony,
    kind: b.kind,
    interactionsUrls: [b.urls.interactions, b.urls.interactionsBackup].filter(
      (u): u is string => !!u,
    ),
    chatOrigins: Object.values(b.urls.chat).map(originOf),
    pcsNodes: Object.values(b.urls.pcs),
    finesse: b.telephony,
    startChat: (customerName) => interactions.startChat({ customerName }),
    customerSend: async (id, text) => void (await customer.send(id, text)),
    customerTyping: (id, typing) => customer.typing(id, typing),
    transcript: (id) => chat.transcript(id),
    properties: async (id) => (await interactions.get(id)).properties,
    instances: () => chat.instances(),
    servers: () => interactions.servers(),
    interactions: (verb, id) => interactions[verb](id),
    nodes: () => pcs.nodes(),
    chat: (verb, id) => chat[verb](id),
    relocate: (id) => chat.relocate(id),
    failTranscriptSave: (id, mode) => chat.failTranscriptSave(id, mode),
    pcs: (verb, id) => pcs[verb](id),
    splitBrain: async () => void (await pcs.splitBrain()),
    heal: async () => void (await pcs.heal()),
  };
}

async function startMock(): Promise<DemoBackend> {
  // The mock must be running before socket.io-client is first evaluated (it captures WebSocket):
  // main.ts imports the elements only after this resolves.
  const mocks = import.meta.glob<typeof import('../../src/mocks/index.js')>(
    '../../src/mocks/index.ts',
  );
  const loadMocks = mocks['../../src/mocks/index.ts'];
  if (!loadMocks)
    throw new Error('src/mocks/index.ts is missing: the mocked back end is not in this checkout');
  const { asBackend, startMockBackend } = await loadMocks();
  const mock = await startMockBackend({ finesse: true });
  return demoBackend(asBackend(mock), {
    mock,
    startCall: async (ani, dialedNumber) => mock.finesse.startCall({ ani, dialedNumber }),
    endCall: async (dialogId) => mock.finesse.endCall(dialogId),
    onEvent: (listener) => {
      const sub = mock.events$.subscribe(listener);
      return () => sub.unsubscribe();
    },
  });
}

/** What scripts/start-with-cluster.mjs hands the page (GET /__ag/backend.json). */
interface ClusterConfig {
  backend: 'cluster';
  interactions: string;
  interactionsBackup: string;
  chat: Record<string, string>;
  pcs: Record<string, string>;
  finesse?: boolean;
}

function startCluster(config: ClusterConfig): DemoBackend {
  const { interactions, interactionsBackup, chat, pcs } = config;
  // The cluster's control API, through the dev server's proxy.
  const backend = clusterBackend({
    urls: { interactions, interactionsBackup, chat, pcs },
    control: '/__ag/control',
  });
  return demoBackend(backend, {
    // The cluster has no telephony: the demo makes up a call and gives it to the survey gadget
    // through its standalone-host attributes (dialog-id, ani, dialed-number).
    startCall: async () => ({
      dialogId: `dlg-${crypto.randomUUID().slice(0, 8)}`,
      interactionId: '',
    }),
    endCall: async () => {},
  });
}

export async function connectBackend(): Promise<DemoBackend> {
  const res = await fetch('/__ag/backend.json').catch(() => undefined);
  const config = res?.ok ? ((await res.json()) as { backend: string }) : { backend: 'mock' };
  return config.backend === 'cluster' ? startCluster(config as ClusterConfig) : startMock();
}
