/**
 * The mocked contact-center back end (`agent-gadgets/mocks`): a virtual cluster that runs in the
 * page through msw — HTTP through the service worker, socket.io through msw's WebSocket
 * interception — with fault-injection verbs, so the gadgets can be developed, demonstrated and
 * tested with no contact-center servers at all.
 *
 * ```ts
 * const mock = await startMockBackend({ chatInstances: 3 });
 * const { interactionId } = await mock.interactions.startChat();
 * mock.chat.kill('chat-1'); // sessions come back on another instance after restoreDelayMs
 * await mock.stop();
 * ```
 *
 * Browser only; the msw worker must be served at `/mockServiceWorker.js` (`npx msw init`).
 * socket.io clients of the mock must use `transports: ['websocket']`.
 */
import { setupWorker } from 'msw/browser';
import { ws, type AnyHandler } from 'msw';
import { Observable, Subject } from 'rxjs';
import type { ChatMessage, Properties } from '../protocol/wire.js';
import { ChatCluster, type ChatInstanceInfo } from './chat-cluster.js';
import { defaultValidToken } from './common.js';
import type { SioEndpoint } from './endpoint.js';
import type { MockEvent } from './events.js';
import { InteractionServer } from './interaction-server.js';
import { pinWebSocket, unpinWebSocket } from './pin-websocket.js';
import type { RawClientConnection } from './sio-server.js';
import { Timers } from './timers.js';

export type { MockEvent, MockEventType } from './events.js';
export type { ChatInstanceInfo } from './chat-cluster.js';
export { MockFault } from './common.js';

export interface MockBackendOptions {
  /** default 3: 'chat-1'..'chat-3' */
  chatInstances?: number;
  /** default 300: after chat.kill, sessions are restored elsewhere after this */
  restoreDelayMs?: number;
  /** default 200: simulated IVR survey progress step (offered -> in-progress -> completed) */
  ivrStepMs?: number;
  /** default 1500: primary lease; the standby takes over after expiry when the primary is dead/frozen */
  pcsLeaseMs?: number;
  /** default true: PCS nodes share one request store (the seed's shared MS SQL) */
  pcsSharedStore?: boolean;
  /** install fake `finesse` / `gadgets` globals */
  finesse?: boolean | { agentId?: string; extension?: string; version?: string };
  /** default: any non-empty token except 'bad-token' */
  validToken?: (token: string | undefined) => boolean;
  /** msw worker script URL; default '/mockServiceWorker.js' */
  serviceWorkerUrl?: string;
}

export interface MockBackend {
  readonly urls: {
    interactions: string;
    chat: Record<string, string>;
    pcs: Record<string, string>;
    pcsVip: string;
  };
  readonly interactions: {
    startChat(o?: { customerName?: string; instanceId?: string }): Promise<{ interactionId: string; sessionId: string; instanceId: string }>;
    get(interactionId: string): { version: number; properties: Properties };
    setProperties(interactionId: string, set: Properties, unset?: string[]): void;
    emitRaw(interactionId: string, payload: unknown): void;
  };
  readonly customer: {
    send(interactionId: string, text: string): Promise<ChatMessage>;
    typing(interactionId: string, typing: boolean): void;
    /** The customer says something every `everyMs`; returns a function that stops it. */
    autoTalk(interactionId: string, everyMs: number): () => void;
  };
  readonly chat: {
    kill(id: string): void;
    revive(id: string): void;
    freeze(id: string): void;
    unfreeze(id: string): void;
    drain(id: string): void;
    relocate(interactionId: string, toId?: string): void;
    failTranscriptSave(interactionId: string, mode?: 'notice' | 'close'): void;
    transcript(interactionId: string): ChatMessage[];
    instances(): ChatInstanceInfo[];
    emitRaw(interactionId: string, event: string, payload: unknown): void;
  };
  /** open mocked sockets across the whole cluster (leak checks) */
  connections(): number;
  /** cluster activity (kills, restores, relocations, primary changes) for live views */
  readonly events$: Observable<MockEvent>;
  stop(): Promise<void>;
}

/** One mock per page at a time: msw has one worker and one WebSocket interceptor. */
let running: Promise<unknown> | undefined;

export async function startMockBackend(options: MockBackendOptions = {}): Promise<MockBackend> {
  if (running) {
    throw new Error('agent-gadgets/mocks: a mock back end is already running in this page; stop() it first');
  }
  const started = start(options);
  running = started;
  try {
    return await started;
  } catch (e) {
    running = undefined;
    throw e;
  }
}

async function start(options: MockBackendOptions): Promise<MockBackend> {
  const timers = new Timers();
  const events = new Subject<MockEvent>();
  const validToken = options.validToken ?? defaultValidToken;
  const interactions = new InteractionServer(timers, validToken);
  const chat = new ChatCluster(Math.max(1, options.chatInstances ?? 3), {
    timers,
    validToken,
    interactions,
    restoreDelayMs: options.restoreDelayMs ?? 300,
    events,
  });

  const endpoints: SioEndpoint[] = [interactions.endpoint, ...chat.instances.map((i) => i.endpoint)];
  const handlers: AnyHandler[] = [
    ...socketIoHandlers('interactions.mock.test', () => interactions.endpoint),
    ...chat.instances.flatMap((i) => socketIoHandlers(`${i.id}.mock.test`, () => i.endpoint)),
  ];

  const worker = setupWorker(...handlers);
  await worker.start({
    quiet: true,
    onUnhandledRequest: 'bypass',
    serviceWorker: { url: options.serviceWorkerUrl ?? '/mockServiceWorker.js' },
  });
  pinWebSocket();

  const talkers = new Set<() => void>();
  let stopped = false;

  const backend: MockBackend = {
    urls: {
      interactions: 'http://interactions.mock.test',
      chat: Object.fromEntries(chat.instances.map((i) => [i.id, i.url])),
      pcs: {},
      pcsVip: 'http://pcs.mock.test',
    },
    interactions: {
      startChat: async (o) => chat.startChat(o),
      get: (interactionId) => interactions.get(interactionId),
      setProperties: (interactionId, set, unset) => void interactions.setProperties(interactionId, set, unset),
      emitRaw: (interactionId, payload) => interactions.emitRaw(interactionId, payload),
    },
    customer: {
      send: async (interactionId, text) => chat.customerSend(interactionId, text),
      typing: (interactionId, typing) => chat.customerTyping(interactionId, typing),
      autoTalk: (interactionId, everyMs) => {
        let n = 0;
        const handle = timers.interval(() => {
          try {
            chat.customerSend(interactionId, `Customer message ${++n}`);
          } catch {
            // the instance is down or the session closed: the customer waits, as people do
          }
        }, everyMs);
        const stopTalking = () => {
          timers.clear(handle);
          talkers.delete(stopTalking);
        };
        talkers.add(stopTalking);
        return stopTalking;
      },
    },
    chat: {
      kill: (id) => chat.kill(id),
      revive: (id) => chat.revive(id),
      freeze: (id) => chat.freeze(id),
      unfreeze: (id) => chat.unfreeze(id),
      drain: (id) => chat.drain(id),
      relocate: (interactionId, toId) => void chat.relocate(interactionId, toId),
      failTranscriptSave: (interactionId, mode) => chat.failTranscriptSave(interactionId, mode),
      transcript: (interactionId) => chat.transcript(interactionId),
      instances: () => chat.info(),
      emitRaw: (interactionId, event, payload) => chat.emitRaw(interactionId, event, payload),
    },
    connections: () => endpoints.reduce((n, e) => n + e.connections, 0),
    events$: events.asObservable(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stopTalking of [...talkers]) stopTalking();
      timers.stop();
      for (const e of endpoints) e.stop();
      worker.stop();
      unpinWebSocket();
      events.complete();
      running = undefined;
    },
  };
  return backend;
}

/** ws(s)://host/* -> the endpoint currently answering at that host. */
function socketIoHandlers(host: string, target: () => SioEndpoint | undefined): AnyHandler[] {
  return ['ws', 'wss'].map((scheme) =>
    ws.link(`${scheme}://${host}/*`).addEventListener('connection', ({ client }) => {
      const endpoint = target();
      const raw = client as unknown as RawClientConnection;
      if (!endpoint) raw.close(1006, 'connection refused');
      else endpoint.accept(raw);
    }),
  );
}
