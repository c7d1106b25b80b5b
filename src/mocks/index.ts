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
import type { AnyHandler } from 'msw';
import { Observable, Subject } from 'rxjs';
import type { BackendUrls, BackendVerbs } from '../backend/backend.js';
import { ChatCluster } from './chat-cluster.js';
import { defaultValidToken } from './common.js';
import type { SioEndpoint } from './endpoint.js';
import type { MockEvent } from './events.js';
import { InteractionServer } from './interaction-server.js';
import { surveysCopy } from '../backend/rules.js';
import { PcsCluster } from './pcs-cluster.js';
import { httpHandlers, probeHandler, socketIoHandlers, startWorker } from './msw-glue.js';
import { pinWebSocket, unpinWebSocket } from './pin-websocket.js';
import { Timers } from './timers.js';
import { VoiceCalls } from './voice.js';

export type { MockEvent, MockEventType } from './events.js';
export type { ChatInstanceInfo } from './chat-cluster.js';
export type { PcsNodeInfo, SurveyRequestRecord, Misbehaviour } from './pcs-cluster.js';
export { MockFault } from './common.js';
export { asBackend } from './as-backend.js';
export type { Backend, BackendControl, BackendUrls, BackendVerbs } from '../backend/backend.js';
export {
  installFakeFinesse,
  type FakeFinesse,
  type FakeFinesseOptions,
  type FakeCall,
  type FakeTransfer,
} from './finesse/fake-finesse.js';

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
  finesse?:
    | boolean
    | {
        agentId?: string;
        extension?: string;
        version?: string;
        /** the agent's locale, e.g. 'de_DE' (default 'en_US') */
        locale?: string;
      };
  /** default: any non-empty token except 'bad-token' */
  validToken?: (token: string | undefined) => boolean;
  /** msw worker script URL; default '/mockServiceWorker.js' */
  serviceWorkerUrl?: string;
}

/** The mock's control object: the verbs every back end offers (src/backend/backend.ts), the
 *  fake Finesse's, and a few only an in-page mock can have. */
export interface MockBackend {
  readonly urls: BackendUrls & { pcsVip: string };
  readonly interactions: BackendVerbs['interactions'];
  readonly customer: BackendVerbs['customer'] & {
    /** The customer says something every `everyMs`; returns a function that stops it. */
    autoTalk(interactionId: string, everyMs: number): () => void;
  };
  readonly chat: BackendVerbs['chat'];
  readonly pcs: BackendVerbs['pcs'];
  readonly finesse: {
    startCall(o: {
      ani: string;
      dialedNumber: string;
      callVariables?: Record<string, string>;
      state?: 'ALERTING' | 'ACTIVE';
    }): {
      dialogId: string;
      interactionId: string;
    };
    answer(dialogId: string): void;
    endCall(dialogId: string): void;
    transfers(): {
      dialogId: string;
      to: string;
      kind: 'sst' | 'consult';
      callVariables: Record<string, string>;
    }[];
    dialog(dialogId: string): { state: string; callVariables: Record<string, string> } | undefined;
    rejectNextTransfer(e?: { status?: number; errorType?: string; errorMessage?: string }): void;
    rejectNextCallVariables(e?: {
      status?: number;
      errorType?: string;
      errorMessage?: string;
    }): void;
    disconnect(): void;
    reconnect(): void;
    /** the agent switched to the gadget's tab (ContainerServices ACTIVE_TAB) */
    activateTab(): void;
    /** gadgets.window.adjustHeight calls so far */
    heights(): { calls: number; last?: number };
  };
  /** open mocked sockets across the whole cluster (leak checks) */
  connections(): number;
  /** cluster activity (kills, restores, relocations, primary changes) for live views */
  readonly events$: Observable<MockEvent>;
  stop(): Promise<void>;
}

/** One mock per page at a time: msw has one worker and one WebSocket interceptor. */
let running: Promise<MockBackend> | undefined;

/**
 * Starts the mocked cluster. A mock still running in the page (a test that failed before its
 * cleanup) is stopped first, with a warning, so one failure does not cascade into the next test.
 */
export async function startMockBackend(options: MockBackendOptions = {}): Promise<MockBackend> {
  const previous = running;
  if (previous) {
    console.warn(
      'agent-gadgets/mocks: a mock back end was still running in this page; stopping it first',
    );
    await previous.then((b) => b.stop()).catch(() => undefined);
  }
  const started = start(options);
  running = started;
  try {
    return await started;
  } catch (e) {
    if (running === started) running = undefined;
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

  const voice = new VoiceCalls(interactions);
  const pcs = new PcsCluster({
    timers,
    validToken,
    leaseMs: options.pcsLeaseMs ?? 1500,
    ivrStepMs: options.ivrStepMs ?? 200,
    sharedStore: options.pcsSharedStore ?? true,
    events,
    onRequestChange: (r) => voice.surveyChanged(r),
  });
  if (options.finesse)
    voice.install(typeof options.finesse === 'object' ? options.finesse : {}, pcs);

  const endpoints: SioEndpoint[] = [
    ...interactions.endpoints,
    ...chat.instances.map((i) => i.endpoint),
    ...pcs.nodes.map((n) => n.endpoint),
  ];
  const handlers: AnyHandler[] = [
    ...interactions.endpoints.flatMap((e) => socketIoHandlers(`${e.id}.mock.test`, () => e)),
    ...chat.instances.flatMap((i) => socketIoHandlers(`${i.id}.mock.test`, () => i.endpoint)),
    ...pcs.nodes.flatMap((n) => socketIoHandlers(`${n.id}.mock.test`, () => n.endpoint)),
    // The virtual IP: a stream connects to whichever node holds the address at connect time.
    ...socketIoHandlers('pcs.mock.test', () => pcs.vipTarget()?.endpoint),
    ...pcs.nodes.flatMap((n) =>
      httpHandlers(`${n.id}.mock.test`, (request) => pcs.handle(n, request)),
    ),
    ...httpHandlers('pcs.mock.test', (request) => pcs.handle(pcs.vipTarget(), request)),
    probeHandler(),
  ];

  const worker = setupWorker(...handlers);
  try {
    await startWorker(worker, options.serviceWorkerUrl ?? '/mockServiceWorker.js');
  } catch (e) {
    // No worker, no mock: leave nothing running behind the error.
    timers.stop();
    voice.uninstall();
    events.complete();
    throw e;
  }
  pinWebSocket();

  const talkers = new Set<() => void>();
  let stopped = false;
  const self = running;

  const backend: MockBackend = {
    urls: {
      interactions: 'http://interactions.mock.test',
      interactionsBackup: 'http://interactions-b.mock.test',
      chat: Object.fromEntries(chat.instances.map((i) => [i.id, i.url])),
      pcs: Object.fromEntries(pcs.nodes.map((n) => [n.id, n.url])),
      pcsVip: 'http://pcs.mock.test',
    },
    interactions: {
      startChat: async (o) => chat.startChat(o),
      get: (interactionId) => interactions.get(interactionId),
      setProperties: (interactionId, set, unset) =>
        void interactions.setProperties(interactionId, set, unset),
      emitRaw: (interactionId, payload) => interactions.emitRaw(interactionId, payload),
      overrideNextWatch: (interactionId, patch, server = 'interactions') =>
        interactions.overrideNextWatch(server, interactionId, patch),
      kill: (id = 'interactions') => {
        interactions.endpoint(id).kill();
        events.next({ type: 'interactions-killed', serverId: id });
      },
      revive: (id = 'interactions') => {
        interactions.endpoint(id).revive();
        events.next({ type: 'interactions-revived', serverId: id });
      },
      freeze: (id = 'interactions') => interactions.endpoint(id).freeze(),
      unfreeze: (id = 'interactions') => interactions.endpoint(id).unfreeze(),
      servers: () =>
        interactions.endpoints.map((e) => ({
          id: e.id,
          url: `http://${e.id}.mock.test`,
          alive: e.alive,
          frozen: e.frozen,
          connections: e.connections,
        })),
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
    pcs: {
      kill: (id) => pcs.kill(id),
      revive: (id) => pcs.revive(id),
      freeze: (id) => pcs.freeze(id),
      unfreeze: (id) => pcs.unfreeze(id),
      splitBrain: () => pcs.splitBrain(),
      heal: () => pcs.heal(),
      requests: () => pcs.requests(),
      nodes: () => pcs.info(),
      misbehave: (id, mode) => pcs.misbehave(id, mode),
      surveys: () => surveysCopy(),
      ivr: (requestId) => pcs.ivr(requestId),
    },
    finesse: {
      startCall: (o) => voice.startCall(o),
      answer: (dialogId) => voice.fake.answer(dialogId),
      endCall: (dialogId) => voice.fake.endCall(dialogId),
      transfers: () => voice.fake.transfers(),
      dialog: (dialogId) => voice.fake.dialog(dialogId),
      rejectNextTransfer: (e) => voice.fake.rejectNextTransfer(e),
      rejectNextCallVariables: (e) => voice.fake.rejectNextCallVariables(e),
      disconnect: () => voice.fake.disconnect(),
      reconnect: () => voice.fake.reconnect(),
      activateTab: () => voice.fake.activateTab(),
      heights: () => voice.fake.heights(),
    },
    connections: () => endpoints.reduce((n, e) => n + e.connections, 0),
    events$: events.asObservable(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stopTalking of [...talkers]) stopTalking();
      timers.stop();
      for (const e of endpoints) e.stop();
      pcs.stop();
      voice.uninstall();
      worker.stop();
      unpinWebSocket();
      events.complete();
      if (running === self) running = undefined;
    },
  };
  return backend;
}
