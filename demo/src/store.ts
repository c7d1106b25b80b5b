/**
 * The demo desktop's state, in one place: what the back end reported (polled), what the demo
 * started (chat, call), the activity list, and the render scheduler every change goes through.
 * The views read it; the actions (actions.ts) change it and call update().
 */
import type {
  ChatInstanceView,
  DemoBackend,
  InteractionServerView,
  PcsNodeView,
  StartedCall,
  StartedChat,
} from './backend.js';
import type { ChatMessage, Properties } from '../../src/protocol/wire.js';
import type { ConnectionState } from '../../src/core/state.js';

/** What the demo reads from the elements (their public read-only properties). */
export interface GadgetLike extends HTMLElement {
  readonly connectionState?: ConnectionState;
  readonly endpoint?: string | null;
  readonly surveyStatus?: string | null;
}

export interface ActivityItem {
  readonly t: number;
  readonly text: string;
  readonly kind: 'action' | 'error' | 'event';
}

export const state = {
  backend: undefined as DemoBackend | undefined,
  bootError: undefined as string | undefined,
  missing: [] as string[],
  chat: undefined as StartedChat | undefined,
  call: undefined as
    (StartedCall & { ani: string; dialedNumber: string; ended: boolean }) | undefined,
  surveyMode: 'transfer' as 'transfer' | 'hangup',
  instances: [] as readonly ChatInstanceView[],
  servers: [] as readonly InteractionServerView[],
  nodes: [] as readonly PcsNodeView[],
  transcript: [] as readonly ChatMessage[],
  properties: {} as Properties,
  autoTalk: true,
  nextLine: 0,
  activity: [] as ActivityItem[],
  pollError: undefined as string | undefined,
  ready: false,
};
export const started = performance.now();

// ------------------------------------------------------------------------------------------
// Rendering: every change asks for one render in the next animation frame
// ------------------------------------------------------------------------------------------
let renderer = () => {};
/** The desktop's renderer (main.ts). */
export function setRenderer(render: () => void) {
  renderer = render;
}

let scheduled = false;
export function update() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderer();
  });
}

export const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
export const seconds = (t: number) => `${((t - started) / 1000).toFixed(1)}s`;

// ------------------------------------------------------------------------------------------
// The activity list, and act(): every fault-panel and scenario button ends up there
// ------------------------------------------------------------------------------------------
export function log(text: string, kind: ActivityItem['kind'] = 'action') {
  state.activity = [{ t: performance.now(), text, kind }, ...state.activity].slice(0, 40);
  update();
}

export async function act(label: string, fn: () => Promise<unknown>) {
  log(label);
  try {
    await fn();
  } catch (e) {
    log(`${label} failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
  void poll();
}

// ------------------------------------------------------------------------------------------
// Live view: the cluster's state, polled (cheap: the mock answers synchronously)
// ------------------------------------------------------------------------------------------
let polling = false;
export async function poll() {
  const backend = state.backend;
  if (!backend || polling) return;
  polling = true;
  try {
    const [instances, nodes, servers] = await Promise.all([
      backend.instances(),
      backend.nodes(),
      backend.servers(),
    ]);
    state.instances = instances;
    state.nodes = nodes;
    state.servers = servers;
    if (state.chat) {
      const [transcript, properties] = await Promise.all([
        backend.transcript(state.chat.interactionId),
        backend.properties(state.chat.interactionId),
      ]);
      state.transcript = transcript;
      state.properties = properties;
    }
    state.pollError = undefined;
  } catch (e) {
    state.pollError = e instanceof Error ? e.message : String(e);
  } finally {
    polling = false;
  }
  update();
}
