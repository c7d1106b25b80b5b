/**
 * The bench page: everything timed in the browser is timed here, with performance.now(), and
 * the bench process (bench/benchmarks/*.mjs) only starts routines and collects the numbers.
 * The element and socket.io-client are imported only after the back end is set up: the mock
 * replaces WebSocket, and engine.io-client captures it when first evaluated.
 */
import {
  clusterBackend,
  mockBackend,
  type Backend,
  type BackendUrls,
  type ChatStart,
} from './backend.js';
import { BaselineClient } from './baseline-client.js';

interface PanelMessage {
  seq?: number;
  text: string;
}
/** The public contract of <ag-chat-panel> (DESIGN.md) that the benchmarks rely on. */
interface Panel extends HTMLElement {
  token?: string;
  readonly connectionState: string;
  readonly endpoint?: string;
  readonly messages: readonly PanelMessage[];
  readonly updateComplete: Promise<boolean>;
  send?: (text: string) => unknown;
}

const defineModule = '/src/define/chat-panel.ts';
let backend: Backend | undefined;
let io: typeof import('socket.io-client').io | undefined;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.log('[bench]', ...a);

function need(): Backend {
  if (!backend) throw new Error('setup() first');
  return backend;
}

/**
 * Every WebSocket the page opens, so a leak shows client-side too (the cluster's own counts
 * arrive by IPC and lag), and the arrival time of every interaction-server frame that carries a
 * chat URL: that is "the property update" as the client sees it. Two kinds of frame carry it:
 * a pushed `properties` delta, and the answer to a `watch` the client sent (a re-watch: the
 * chat session re-reads the properties at once when its instance says `relocated`; on the
 * cluster that notice often beats the 20 ms delta push, and the server then skips the delta
 * the answer already contained, so the answer is the only frame naming the new URL). Installed
 * after the back end (the mock replaces WebSocket; we wrap whichever class is there) and before
 * any socket code is loaded. Frames are engine.io `4` + socket.io `2` (event) / `3` (ack) + ack
 * id, namespace `/`.
 */
const pageSockets = new Set<WebSocket>();
type PropertyFrameKind = 'delta' | 'watch answer';
const propertyFrames: { t: number; kind: PropertyFrameKind; text: string }[] = [];
const watchRequest = /^42(\d+)\["watch"/;
const ackFrame = /^43(\d+)\[/;
function trackWebSockets(): void {
  const Native = window.WebSocket;
  class TrackedWebSocket extends Native {
    /** ack ids of this socket's `watch` requests not answered yet */
    private readonly watchAcks = new Set<string>();
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      pageSockets.add(this);
      this.addEventListener('close', () => pageSockets.delete(this));
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const t = now();
        let kind: PropertyFrameKind | undefined;
        if (e.data.startsWith('42["properties"')) kind = 'delta';
        else {
          const ack = ackFrame.exec(e.data)?.[1];
          if (ack !== undefined && this.watchAcks.delete(ack)) kind = 'watch answer';
        }
        if (kind && e.data.includes('chat.url')) {
          propertyFrames.push({ t, kind, text: e.data });
          if (propertyFrames.length > 5000) propertyFrames.splice(0, 1000);
        }
      });
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      const id = typeof data === 'string' ? watchRequest.exec(data)?.[1] : undefined;
      if (id !== undefined) this.watchAcks.add(id);
      super.send(data);
    }
  }
  window.WebSocket = TrackedWebSocket;
}

/**
 * The first frame after `since` that names `interactionId` (and instance `to`, if given) with
 * a chat URL: when it reached the page (NaN if none did) and which kind it was.
 */
function propertyArrival(
  interactionId: string,
  since: number,
  to?: string,
): { t: number; kind: PropertyFrameKind | 'none' } {
  const f = propertyFrames.find(
    (p) =>
      p.t >= since && p.text.includes(`"${interactionId}"`) && (!to || p.text.includes(`"${to}"`)),
  );
  return f ? { t: f.t, kind: f.kind } : { t: NaN, kind: 'none' };
}
const openPageSockets = () =>
  [...pageSockets].filter((s) => s.readyState !== WebSocket.CLOSED).length;

async function setup(
  o:
    | { backend: 'mock'; options?: Record<string, unknown> }
    | { backend: 'cluster'; urls: BackendUrls },
) {
  backend = o.backend === 'mock' ? await mockBackend(o.options) : clusterBackend(o.urls);
  trackWebSockets();
  // The baseline needs only socket.io-client, so it is measured even before the panel lands.
  let panelError: string | undefined;
  try {
    await import(/* @vite-ignore */ defineModule);
    await customElements.whenDefined('ag-chat-panel');
  } catch (e) {
    panelError = `<ag-chat-panel> unavailable: ${(e as Error).message}`;
  }
  io = (await import('socket.io-client')).io;
  return { chatIds: Object.keys(backend.urls.chat), panelError };
}

function mountPanel(chat: ChatStart): Panel {
  const b = need();
  if (!customElements.get('ag-chat-panel'))
    throw new Error('<ag-chat-panel> is not defined (src/define/chat-panel.ts not landed)');
  const el = document.createElement('ag-chat-panel') as Panel;
  el.setAttribute('interaction-id', chat.interactionId);
  el.setAttribute('interactions-url', b.urls.interactions);
  el.setAttribute(
    'allowed-origins',
    [...new Set(Object.values(b.urls.chat).map((u) => new URL(u).origin))].join(' '),
  );
  el.setAttribute('agent-id', 'agent1');
  el.setAttribute('agent-name', 'Bench Agent');
  el.token = 'bench-token';
  document.body.append(el);
  return el;
}

/** Sends through the panel's public API, or through its composer as a user would. */
function panelSend(el: Panel, text: string): void {
  if (typeof el.send === 'function') {
    void el.send(text);
    return;
  }
  const root = el.shadowRoot;
  const field = root?.querySelector<HTMLTextAreaElement | HTMLInputElement>(
    '[part~="composer"] textarea, [part~="composer"] input, textarea',
  );
  if (!field) throw new Error('no send() and no composer field on <ag-chat-panel>');
  field.value = text;
  field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  const form = field.closest('form');
  if (form) form.requestSubmit();
  else
    field.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }),
    );
}

// `messages` holds the transcript only (pending sends are not in it), so a message there has been acked
const isAcked = (m: PanelMessage) => typeof m.seq === 'number';

/**
 * Resolves with performance.now() at the first moment `pred()` holds, then awaits the element's
 * render. Checked every 4 ms (Chromium's timer clamp) and, so that the clamp does not become
 * the resolution, on every ag-* event the element fires and on the next few task turns after it
 * (a MessageChannel post is not clamped): state the event announces may land just after it.
 */
function until(
  el: EventTarget | null,
  pred: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const events = ['ag-connection-change', 'ag-message', 'ag-relocated'];
    const channel = new MessageChannel();
    let burst = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      channel.port1.close();
      for (const e of events) el?.removeEventListener(e, onEvent);
      if (err) reject(err);
      else {
        const rendered =
          el && 'updateComplete' in el ? (el as Panel).updateComplete : Promise.resolve(true);
        void rendered.then(() => resolve(now()));
      }
    };
    const check = () => {
      if (done) return;
      try {
        if (pred()) finish();
      } catch (e) {
        finish(e as Error);
      }
    };
    channel.port1.onmessage = () => {
      check();
      if (!done && burst-- > 0) channel.port2.postMessage(0);
    };
    const onEvent = () => {
      check();
      queueMicrotask(check);
      if (burst <= 0) channel.port2.postMessage(0);
      burst = 20;
    };
    const timer = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    const poll = setInterval(check, 4);
    for (const e of events) el?.addEventListener(e, onEvent);
    check();
  });
}

async function seed(chat: ChatStart, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await need().say(chat.interactionId, `seed ${i}`);
}

async function waitAlive(id: string): Promise<void> {
  const end = now() + 10_000;
  while (now() < end) {
    const inst = (await need().instances()).find((i) => i.id === id);
    if (inst?.alive && !inst.frozen) return;
    await sleep(25);
  }
  throw new Error(`instance ${id} did not come back`);
}

type Mode = 'property' | 'kill';

/** `fromProperty` samples (t1 minus the frame's arrival) and, beside each, which kind of frame started it. */
function propertyTimer() {
  const fromProperty: number[] = [];
  const fromPropertyFrame: (PropertyFrameKind | 'none')[] = [];
  return {
    fromProperty,
    fromPropertyFrame,
    add(t1: number, interactionId: string, since: number, to: string | undefined) {
      const f = propertyArrival(interactionId, since, to);
      fromProperty.push(t1 - f.t);
      fromPropertyFrame.push(f.kind);
    },
  };
}

/** Our panel: relocation latency samples (ms). */
async function relocationOurs(o: {
  mode: Mode;
  samples: number;
  perRound: number;
  seedMessages: number;
}) {
  const b = need();
  const ids = Object.keys(b.urls.chat);
  const out: number[] = [];
  const timer = propertyTimer();
  const failures: string[] = [];
  if (o.mode === 'property') {
    // One panel moved back and forth between two instances.
    const chat = await b.startChat({ customerName: 'reloc', instanceId: ids[0] });
    await seed(chat, o.seedMessages);
    const el = mountPanel(chat);
    let expected = o.seedMessages;
    await until(
      el,
      () => el.connectionState === 'connected' && el.messages.length >= expected,
      10_000,
      'initial connect',
    );
    let at = chat.instanceId;
    // two untimed relocations first: the first one pays for lazily compiled code paths
    for (let i = -2; i < o.samples; i++) {
      const to = ids.find((id) => id !== at)!;
      const text = `q-${i}-${Math.random().toString(36).slice(2, 8)}`;
      expected += 1;
      const t0 = now();
      const moved = b.relocate(chat.interactionId, to);
      panelSend(el, text);
      try {
        const t1 = await until(
          el,
          () =>
            el.connectionState === 'connected' &&
            el.endpoint === to &&
            el.messages.length >= expected &&
            el.messages.some((m) => m.text === text && isAcked(m)),
          10_000,
          `relocation ${i} to ${to}`,
        );
        if (i >= 0) {
          out.push(t1 - t0);
          timer.add(t1, chat.interactionId, t0, to);
        }
      } catch (e) {
        failures.push((e as Error).message);
      }
      await moved;
      at = to;
      if (failures.length >= 3 && out.length === 0) break;
      await sleep(30);
    }
    el.remove();
    return {
      samples: out,
      fromProperty: timer.fromProperty,
      fromPropertyFrame: timer.fromPropertyFrame,
      failures,
    };
  }
  // kill: a round puts `perRound` fresh panels on the victim, kills it, times each panel.
  const victim = ids[0]!;
  while (out.length + failures.length < o.samples) {
    const n = Math.min(o.perRound, o.samples - out.length - failures.length);
    const chats = await Promise.all(
      Array.from({ length: n }, () => b.startChat({ customerName: 'kill', instanceId: victim })),
    );
    await Promise.all(chats.map((c) => seed(c, o.seedMessages)));
    const panels = chats.map(mountPanel);
    await Promise.all(
      panels.map((el) =>
        until(
          el,
          () =>
            el.connectionState === 'connected' &&
            el.endpoint === victim &&
            el.messages.length >= o.seedMessages,
          10_000,
          'connect on victim',
        ),
      ),
    );
    const t0 = now();
    const killed = b.kill(victim);
    const results = await Promise.allSettled(
      panels.map((el, i) => {
        const text = `k-${out.length + i}-${Math.random().toString(36).slice(2, 8)}`;
        panelSend(el, text);
        return until(
          el,
          () =>
            el.connectionState === 'connected' &&
            el.endpoint !== undefined &&
            el.endpoint !== victim &&
            el.messages.length >= o.seedMessages + 1 &&
            el.messages.some((m) => m.text === text && isAcked(m)),
          15_000,
          'connected elsewhere after the kill',
        );
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        out.push(r.value - t0);
        timer.add(r.value, chats[i]!.interactionId, t0, panels[i]!.endpoint);
      } else failures.push(String(r.reason?.message ?? r.reason));
    });
    await killed;
    for (const el of panels) el.remove();
    if (failures.length >= 3 && out.length === 0) break;
    await b.revive(victim);
    await waitAlive(victim);
  }
  return {
    samples: out,
    fromProperty: timer.fromProperty,
    fromPropertyFrame: timer.fromPropertyFrame,
    failures,
  };
}

/** The socket.io baseline, same end condition. Clients run in parallel (their latency is timer-bound). */
async function relocationBaseline(o: {
  mode: Mode;
  samples: number;
  perRound: number;
  seedMessages: number;
}) {
  const b = need();
  const ids = Object.keys(b.urls.chat);
  const victim = ids[0]!;
  const out: number[] = [];
  const timer = propertyTimer();
  const failures: string[] = [];
  while (out.length + failures.length < o.samples) {
    const n = Math.min(o.perRound, o.samples - out.length - failures.length);
    const chats = await Promise.all(
      Array.from({ length: n }, () =>
        b.startChat({ customerName: 'baseline', instanceId: victim }),
      ),
    );
    await Promise.all(chats.map((c) => seed(c, o.seedMessages)));
    const clients = chats.map(
      (c) =>
        new BaselineClient(io!, {
          interactionsUrl: b.urls.interactions,
          interactionId: c.interactionId,
          token: 'bench-token',
        }),
    );
    await Promise.all(clients.map((c) => c.start()));
    await Promise.all(
      clients.map((c) =>
        until(
          null,
          () => c.connected && c.messages.size >= o.seedMessages,
          10_000,
          'baseline connect',
        ),
      ),
    );
    const target = ids[1]!;
    const t0 = now();
    const trigger =
      o.mode === 'kill'
        ? b.kill(victim)
        : Promise.all(chats.map((c) => b.relocate(c.interactionId, target)));
    const results = await Promise.allSettled(
      clients.map((c, i) => {
        const text = `b-${out.length + i}-${Math.random().toString(36).slice(2, 8)}`;
        c.send(text);
        return until(
          null,
          () =>
            c.connected &&
            c.joinedOn !== undefined &&
            c.joinedOn !== victim &&
            c.acked.has(text) &&
            c.messages.size >= o.seedMessages + 1,
          20_000,
          'baseline connected elsewhere',
        );
      }),
    );
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        out.push(r.value - t0);
        timer.add(r.value, chats[i]!.interactionId, t0, clients[i]!.joinedOn);
      } else failures.push(String(r.reason?.message ?? r.reason));
    });
    await trigger;
    for (const c of clients) c.dispose();
    if (failures.length >= 3 && out.length === 0) break;
    if (o.mode === 'kill') {
      await b.revive(victim);
      await waitAlive(victim);
    }
  }
  return {
    samples: out,
    fromProperty: timer.fromProperty,
    fromPropertyFrame: timer.fromPropertyFrame,
    failures,
  };
}

/** Silent failure (SIGSTOP): time until the panel says `reconnecting`; optionally one baseline socket with a cap. */
async function silentFailure(o: { samples: number; baselineCapMs: number }) {
  const b = need();
  const victim = Object.keys(b.urls.chat)[0]!;
  const ours: number[] = [];
  const failures: string[] = [];
  let baseline:
    | { detectedMs: number | null; capMs: number; pingInterval?: number; pingTimeout?: number }
    | undefined;
  for (let i = 0; i < o.samples; i++) {
    const chat = await b.startChat({ customerName: 'silent', instanceId: victim });
    const el = mountPanel(chat);
    await until(
      el,
      () => el.connectionState === 'connected' && el.endpoint === victim,
      10_000,
      'connect on victim',
    );
    let base: BaselineClient | undefined;
    if (i === 0 && o.baselineCapMs > 0) {
      base = new BaselineClient(io!, {
        interactionsUrl: b.urls.interactions,
        interactionId: chat.interactionId,
        token: 'bench-token',
      });
      await base.start();
      await until(null, () => base!.connected, 10_000, 'baseline connect');
    }
    await sleep(200);
    const t0 = now();
    await b.freeze(victim);
    try {
      const t1 = await until(
        el,
        () => el.connectionState === 'reconnecting' || el.connectionState === 'connecting',
        30_000,
        'reconnecting after freeze',
      );
      ours.push(t1 - t0);
    } catch (e) {
      failures.push((e as Error).message);
    }
    if (base) {
      // engine.io-client keeps the handshake's values in (internal) _pingInterval/_pingTimeout
      const engine = (
        base as unknown as {
          chat: { io: { engine: { _pingInterval?: number; _pingTimeout?: number } } };
        }
      ).chat.io.engine;
      let detectedMs: number | null = null;
      try {
        const t1 = await until(
          null,
          () => base!.lostAt !== undefined && base!.lostAt >= t0,
          o.baselineCapMs,
          'baseline disconnect',
        );
        detectedMs = t1 - t0;
      } catch {
        /* reported as >= cap */
      }
      baseline = {
        detectedMs,
        capMs: o.baselineCapMs,
        pingInterval: engine._pingInterval,
        pingTimeout: engine._pingTimeout,
      };
      base.dispose();
    }
    el.remove();
    await b.unfreeze(victim);
    await waitAlive(victim);
  }
  return { ours, failures, baseline };
}

/**
 * Restore N messages into a fresh panel `restores` times (the same session, a new panel each
 * time), then time appends at that size in the last one.
 */
async function transcript(o: { messages: number; appends: number; restores: number }) {
  const b = need();
  const chat = await b.startChat({ customerName: 'transcript' });
  const tSeed = now();
  for (let i = 0; i < o.messages; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, o.messages - i) }, (_, k) =>
        b.say(chat.interactionId, `history message ${i + k}`),
      ),
    );
  }
  const seedMs = now() - tSeed;
  const runs = [];
  for (let r = 0; r < o.restores; r++) {
    runs.push(await restoreOnce(chat, o.messages, r === o.restores - 1 ? o.appends : 0));
    await sleep(100);
  }
  return { runs, seedMs };
}

async function restoreOnce(chat: ChatStart, messages: number, appends: number) {
  let firstRender = NaN;
  const t0 = now();
  const el = mountPanel(chat);
  // Lit creates the shadow root when the element connects, so it exists by now
  const root = el.shadowRoot;
  const observer = new MutationObserver(() => {
    if (Number.isNaN(firstRender) && root?.querySelector('[part~="message"]')) firstRender = now();
  });
  if (root) observer.observe(root, { childList: true, subtree: true });
  await until(
    el,
    () => el.connectionState === 'connected' && el.messages.length >= messages,
    60_000,
    `${messages} messages restored`,
  );
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const settled = now();
  observer.disconnect();
  if (Number.isNaN(firstRender) && root?.querySelector('[part~="message"]')) firstRender = settled;
  const { appendMs, panelMs } = await timeAppends(el, chat, appends);
  const { panelMs: framedPanelMs, frameMs, workMs } = await timeAppends(el, chat, appends, true);
  const rendered = root?.querySelectorAll('[part~="message"]').length ?? 0;
  el.remove();
  return {
    firstRenderMs: firstRender - t0,
    settledMs: settled - t0,
    appendMs,
    panelMs,
    framedPanelMs,
    frameMs,
    workMs,
    rendered,
  };
}

/**
 * The next frame: `raf` when its animation-frame callbacks run (after the wait for vsync), and
 * `painted` when a task posted from there runs, after that frame's style, layout and paint.
 */
function nextFrame(): Promise<{ raf: number; painted: number }> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const raf = now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve({ raf, painted: now() });
      };
      channel.port2.postMessage(0);
    });
  });
}

/**
 * Appends one message at a time. `appendMs`: end to end, from `customer.send` to rendered.
 * `panelMs`: the panel's own share, from its `ag-message` event (the session has taken the
 * message in) to the end of the render it causes. Back to back unless `framed`: then each
 * append waits for the next frame, as messages seconds apart get one each, and `frameMs` is
 * from the same event to that frame painted, so work the panel leaves to the frame (layout,
 * paint) is counted too; it includes the wait for vsync (up to a frame interval), so `workMs`
 * is also kept: the panel's share plus that frame's own rendering (rAF callback to painted).
 */
async function timeAppends(el: Panel, chat: ChatStart, n: number, framed = false) {
  const b = need();
  const appendMs: number[] = [];
  const panelMs: number[] = [];
  const frameMs: number[] = [];
  const workMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const count = el.messages.length;
    let tEvent = NaN;
    const onMessage = () => {
      if (Number.isNaN(tEvent)) tEvent = now();
    };
    el.addEventListener('ag-message', onMessage);
    const t = now();
    void b.say(chat.interactionId, `appended ${i}`);
    const t1 = await until(el, () => el.messages.length > count, 5_000, 'append');
    const frame = framed ? await nextFrame() : undefined;
    el.removeEventListener('ag-message', onMessage);
    appendMs.push(t1 - t);
    if (!Number.isNaN(tEvent)) {
      panelMs.push(t1 - tEvent);
      if (frame) {
        frameMs.push(frame.painted - tEvent);
        workMs.push(t1 - tEvent + (frame.painted - frame.raf));
      }
    }
  }
  return { appendMs, panelMs, frameMs, workMs };
}

/** Appends at a small transcript, for comparison with the 10,000-message figure. */
async function appendsAtSmall(o: { appends: number }) {
  const b = need();
  const chat = await b.startChat({ customerName: 'small' });
  const el = mountPanel(chat);
  await until(el, () => el.connectionState === 'connected', 10_000, 'connect');
  const { appendMs, panelMs } = await timeAppends(el, chat, o.appends);
  const { panelMs: framedPanelMs, frameMs, workMs } = await timeAppends(el, chat, o.appends, true);
  el.remove();
  return { appendMs, panelMs, framedPanelMs, frameMs, workMs };
}

/** Memory: one panel relocated `relocations` times; the bench process takes heap snapshots between phases. */
let memoryPanel: { el: Panel; chat: ChatStart; at: string } | undefined;
async function memoryStart() {
  const b = need();
  const ids = Object.keys(b.urls.chat);
  const chat = await b.startChat({ customerName: 'memory', instanceId: ids[0] });
  const el = mountPanel(chat);
  await until(el, () => el.connectionState === 'connected', 10_000, 'connect');
  memoryPanel = { el, chat, at: chat.instanceId };
  await sleep(300);
  return { connections: await b.connections(), pageSockets: openPageSockets() };
}
async function memoryRelocate(o: { count: number }) {
  const b = need();
  const p = memoryPanel!;
  const ids = Object.keys(b.urls.chat);
  let failures = 0;
  for (let i = 0; i < o.count; i++) {
    const to = ids.find((id) => id !== p.at)!;
    const moved = b.relocate(p.chat.interactionId, to);
    try {
      await until(
        p.el,
        () => p.el.connectionState === 'connected' && p.el.endpoint === to,
        10_000,
        'relocation',
      );
    } catch {
      failures++;
    }
    await moved;
    p.at = to;
  }
  await sleep(300); // let closed sockets finish closing on both sides
  return { connections: await b.connections(), pageSockets: openPageSockets(), failures };
}
async function memoryRemove() {
  memoryPanel?.el.remove();
  memoryPanel = undefined;
  // the back end learns of closed sockets asynchronously: wait (bounded) for the count to settle
  let connections = await need().connections();
  for (let i = 0; i < 30 && (connections > 0 || openPageSockets() > 0); i++) {
    await sleep(100);
    connections = await need().connections();
  }
  return { connections, pageSockets: openPageSockets() };
}

/**
 * Soak (bench/benchmarks/soak.mjs): panels at default settings on instances that are never
 * frozen or killed, whose every state change away from `connected` is a false reconnect; and,
 * per detector setting, bare connections (the core's ResilientConnection, as a panel's chat
 * socket, heartbeat options set explicitly) both on those healthy instances (false reconnects)
 * and on the victim instance, which the bench process freezes (SIGSTOP) in cycles (detection).
 * Meanwhile the page churns garbage (GC pauses included) and records its own stalls.
 */
interface SoakSetting {
  name: string;
  heartbeat: Record<string, number>;
}
interface SoakClient {
  group: string;
  victim: boolean;
  connected: () => boolean;
  /** when it last left `connected` (performance.now()), NaN if not since the mark */
  leftAt: number;
  changes: { t: number; state: string; reason?: string; endpoint?: string }[];
  dispose: () => void;
}
interface Soak {
  clients: SoakClient[];
  startedAt: number;
  countingFrom: number;
  stalls: number[];
  /** when the stalls over 250 ms were (performance.now()) */
  bigStalls: { t: number; ms: number }[];
  longTasks: number[];
  stop: () => void;
}
let soak: Soak | undefined;
type ConnectionModule = typeof import('../../src/core/connection.js');
const connectionModule = '/src/core/connection.ts';

async function soakSetup(o: {
  panels: number;
  victimPanels: number;
  probes: number;
  watchers: number;
  settings: SoakSetting[];
  victim: string;
  /** objects allocated every 100 ms (about 100 B each) */
  churn: number;
}) {
  const b = need();
  const { ResilientConnection } = (await import(
    /* @vite-ignore */ connectionModule
  )) as ConnectionModule;
  const { of } = await import('rxjs');
  const healthy = Object.keys(b.urls.chat).filter((id) => id !== o.victim);
  const clients: SoakClient[] = [];
  const track = (c: SoakClient, state: string, reason?: string, endpoint?: string) => {
    c.changes.push({
      t: now(),
      state,
      ...(reason ? { reason } : {}),
      ...(endpoint ? { endpoint } : {}),
    });
    if (c.changes.length > 200) c.changes.splice(0, 100);
    if (state !== 'connected' && Number.isNaN(c.leftAt)) c.leftAt = now();
  };
  const panel = async (group: string, instanceId: string, victim: boolean) => {
    const chat = await b.startChat({ customerName: group, instanceId });
    const el = mountPanel(chat);
    const c: SoakClient = {
      group,
      victim,
      connected: () => el.connectionState === 'connected' && el.endpoint === instanceId,
      leftAt: NaN,
      changes: [],
      dispose: () => el.remove(),
    };
    el.addEventListener('ag-connection-change', (e) => {
      const d = (e as CustomEvent<{ state: string; reason?: string; endpoint?: string }>).detail;
      track(c, d.state, d.reason, d.endpoint);
    });
    clients.push(c);
  };
  const probe = (s: SoakSetting, instanceId: string, victim: boolean) => {
    const conn = new ResilientConnection({
      endpoints: of({ id: instanceId, url: b.urls.chat[instanceId]! }),
      auth: () => ({ token: 'bench-token', agentId: 'soak-probe' }),
      heartbeat: s.heartbeat,
      lifecycle: false,
    });
    const c: SoakClient = {
      group: s.name,
      victim,
      connected: () => conn.status.state === 'connected',
      leftAt: NaN,
      changes: [],
      dispose: () => conn.dispose(),
    };
    conn.status$.subscribe((st) => track(c, st.state, st.reason, st.endpoint));
    conn.start();
    clients.push(c);
  };
  for (let i = 0; i < o.panels; i++) await panel('panels', healthy[i % healthy.length]!, false);
  for (let i = 0; i < o.victimPanels; i++) await panel('panels', o.victim, true);
  for (const s of o.settings) {
    for (let i = 0; i < o.watchers; i++) probe(s, healthy[i % healthy.length]!, false);
    for (let i = 0; i < o.probes; i++) probe(s, o.victim, true);
  }
  await until(
    null,
    () => clients.every((c) => c.connected()),
    60_000,
    'every soak client connected',
  );
  for (const c of clients) {
    c.changes = [];
    c.leftAt = NaN;
  }

  // our own stalls: timer lateness (50 ms ticks) and long tasks, GC pauses among them
  const stalls: number[] = [];
  const bigStalls: { t: number; ms: number }[] = [];
  const longTasks: number[] = [];
  let expected = now() + 50;
  const tick = setInterval(() => {
    const late = now() - expected;
    if (late > 50) stalls.push(Math.round(late));
    if (late > 250 && bigStalls.length < 100) bigStalls.push({ t: now(), ms: Math.round(late) });
    expected = now() + 50;
  }, 50);
  let observer: PerformanceObserver | undefined;
  try {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(Math.round(e.duration));
    });
    observer.observe({ type: 'longtask', buffered: false });
  } catch {
    /* no long-task timing in this browser */
  }
  // garbage: short-lived objects every 100 ms, some kept for a few seconds (promoted, so that
  // the old generation is collected too)
  const kept: unknown[][] = [];
  const churn = setInterval(() => {
    const batch = Array.from({ length: o.churn }, (_, i) => ({ i, s: `x${i}`, a: [i, i] }));
    kept.push(batch);
    if (kept.length > 30) kept.shift();
  }, 100);
  const startedAt = now();
  soak = {
    clients,
    startedAt,
    countingFrom: startedAt,
    stalls,
    bigStalls,
    longTasks,
    stop: () => {
      clearInterval(tick);
      clearInterval(churn);
      observer?.disconnect();
      kept.length = 0;
    },
  };
  return { clients: clients.length, healthy, connectMs: Math.round(startedAt) };
}

/** Restarts the false-reconnect count (after the burner has started). */
function soakMark() {
  const s = soak!;
  s.countingFrom = now();
  for (const c of s.clients) {
    c.changes = [];
    c.leftAt = NaN;
  }
  s.stalls.length = 0;
  s.bigStalls.length = 0;
  s.longTasks.length = 0;
}

/** One SIGSTOP of the victim: per group, the time until each victim client left `connected`. */
async function soakFreezeCycle(o: { victim: string; capMs: number; recoverMs: number }) {
  const b = need();
  const s = soak!;
  const victims = s.clients.filter((c) => c.victim);
  await until(null, () => victims.every((c) => c.connected()), o.recoverMs, 'victim clients back');
  for (const c of victims) c.leftAt = NaN;
  const t0 = now();
  await b.freeze(o.victim);
  const frozenAt = now();
  try {
    await until(null, () => victims.every((c) => !Number.isNaN(c.leftAt)), o.capMs, 'detection');
  } catch {
    /* undetected ones are reported as missing */
  }
  const detected: Record<string, (number | null)[]> = {};
  for (const c of victims)
    (detected[c.group] ??= []).push(Number.isNaN(c.leftAt) ? null : c.leftAt - t0);
  await b.unfreeze(o.victim);
  let recovered = true;
  try {
    await until(null, () => victims.every((c) => c.connected()), o.recoverMs, 'recovery');
  } catch {
    recovered = false;
  }
  return { detected, freezeCallMs: frozenAt - t0, recovered };
}

/** False reconnects so far (clients on healthy instances) and the page's stalls. */
function soakReport() {
  const s = soak!;
  const groups: Record<
    string,
    { clients: number; episodes: number; changes: number; examples: unknown[] }
  > = {};
  for (const c of s.clients.filter((x) => !x.victim)) {
    const g = (groups[c.group] ??= { clients: 0, episodes: 0, changes: 0, examples: [] });
    g.clients++;
    g.changes += c.changes.length;
    let wasConnected = true;
    for (const ch of c.changes) {
      if (wasConnected && ch.state !== 'connected') {
        g.episodes++;
        if (g.examples.length < 5)
          g.examples.push({
            atS: Math.round((ch.t - s.countingFrom) / 100) / 10,
            ...ch,
            t: undefined,
          });
      }
      wasConnected = ch.state === 'connected';
    }
  }
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return {
    countedMs: now() - s.countingFrom,
    groups,
    stalls: [...s.stalls],
    bigStalls: s.bigStalls.map((x) => ({
      atS: Math.round((x.t - s.countingFrom) / 100) / 10,
      ms: x.ms,
    })),
    longTasks: [...s.longTasks],
    heapMb: memory ? Math.round(memory.usedJSHeapSize / 1e5) / 10 : null,
  };
}

function soakStop() {
  soak?.stop();
  for (const c of soak?.clients ?? []) c.dispose();
  soak = undefined;
}

const api = {
  setup,
  soakSetup,
  soakMark,
  soakFreezeCycle,
  soakReport,
  soakStop,
  relocationOurs,
  relocationBaseline,
  silentFailure,
  transcript,
  appendsAtSmall,
  memoryStart,
  memoryRelocate,
  memoryRemove,
  log,
};
declare global {
  interface Window {
    agBench: typeof api;
  }
}
window.agBench = api;
