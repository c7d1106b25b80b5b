/**
 * One interface for a back end the SDK can be run against: the mocked one in the page
 * (src/mocks, adapted by `asBackend`) and the reference cluster of real processes (cluster/,
 * adapted by `clusterBackend` over its control API). The conformance suite, the bench and the
 * demo drive both through it, so a verb means the same thing on either.
 *
 * `BackendVerbs` are the fault-injection and inspection verbs, shaped like the mock's control
 * object; `Backend.control` has every one of them async, because on the cluster each is an HTTP
 * call. Types only: nothing here runs.
 */
import type {
  ChatMessage,
  Properties,
  Survey,
  SurveyRequestAnswer,
  SurveyRequestBody,
} from '../protocol/wire.js';

/** Where the gadgets connect. */
export interface BackendUrls {
  interactions: string;
  /** a second interaction server over the same store (primary/backup lists) */
  interactionsBackup: string;
  chat: Record<string, string>;
  pcs: Record<string, string>;
  /** the PCS virtual IP (absent when the cluster runs with --no-vip) */
  pcsVip?: string;
}

/** What the reference cluster reports once everything listens (IPC message, `cluster.info`). */
export interface ClusterReport {
  controlUrl: string;
  urls: BackendUrls;
  pids: Record<string, number | undefined>;
}

export interface ChatStart {
  interactionId: string;
  sessionId: string;
  instanceId: string;
}

export interface ChatInstanceInfo {
  id: string;
  url: string;
  alive: boolean;
  frozen: boolean;
  draining: boolean;
  sessions: number;
  connections: number;
}

export interface InteractionServerInfo {
  id: string;
  url: string;
  alive: boolean;
  frozen: boolean;
  connections: number;
}

export interface PcsNodeInfo {
  id: string;
  url: string;
  role: 'primary' | 'standby';
  epoch: number;
  leaseUntil: number;
  alive: boolean;
  frozen: boolean;
}

/** A PCS node answering badly on purpose: unparsable bodies, or 5xx to everything. */
export type Misbehaviour = 'garbage' | '5xx' | null;

/** What `pcs.requests()` returns: the answer, the request body and where/when it was made. */
export type SurveyRequestRecord = SurveyRequestAnswer &
  SurveyRequestBody & { nodeId: string; epoch: number; createdAt: number; updatedAt: number };

/** The verbs both back ends offer, as the mock (synchronous where it can be) defines them. */
export interface BackendVerbs {
  interactions: {
    startChat(o?: { customerName?: string; instanceId?: string }): Promise<ChatStart>;
    get(interactionId: string): { version: number; properties: Properties };
    setProperties(interactionId: string, set: Properties, unset?: string[]): void;
    emitRaw(interactionId: string, payload: unknown): void;
    /** the next watch of the interaction on server `server` (default the primary) is answered
     *  with these fields in place of the genuine ones, once (e.g. `{ version: 1e15 }`) */
    overrideNextWatch(
      interactionId: string,
      patch: { version?: unknown; properties?: unknown },
      server?: string,
    ): void;
    /** interaction server faults; id 'interactions' (default) or 'interactions-b' */
    kill(id?: string): void;
    revive(id?: string): void;
    freeze(id?: string): void;
    unfreeze(id?: string): void;
    servers(): InteractionServerInfo[];
  };
  customer: {
    /** the customer says `text`; resolves with the message as stored */
    send(interactionId: string, text: string): Promise<ChatMessage>;
    typing(interactionId: string, typing: boolean): void;
  };
  chat: {
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
  pcs: {
    kill(id: string): void;
    revive(id: string): void;
    freeze(id: string): void;
    unfreeze(id: string): void;
    /** both nodes claim primary; the stale one keeps its lower epoch */
    splitBrain(): PcsNodeInfo[];
    /** ends a split brain: the stale side steps down */
    heal(): PcsNodeInfo[];
    requests(): SurveyRequestRecord[];
    nodes(): PcsNodeInfo[];
    misbehave(id: string, mode: Misbehaviour): void;
    surveys(): Survey[];
    /** the simulated IVR takes one step for this request now (requested -> offered -> …) */
    ivr(requestId: string): SurveyRequestRecord;
  };
}

/** Every method of `T`, returning a promise of what it returned. */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export type BackendControl = { [G in keyof BackendVerbs]: Async<BackendVerbs[G]> };

export interface Backend {
  readonly kind: 'mock' | 'cluster';
  readonly urls: BackendUrls;
  readonly control: BackendControl;
  /** has calls that hang up (the mock's fake Finesse); without, an armed call counts as hung up */
  readonly telephony: boolean;
  /** open sockets across the back end (leak checks) */
  connections(): Promise<number>;
  /** stops what the adapter started (the mock; the cluster when the adapter owns it) */
  stop(): Promise<void>;
}
