/**
 * The demo agent desktop: both gadgets on a live chat and a live call, a customer side, the
 * cluster's live state with fault injection, and a connection timeline per gadget.
 *
 * Start-up order matters: the back end (msw) starts first, and only then are the elements
 * imported, because engine.io-client captures `WebSocket` when its module is first evaluated.
 */
import { html, nothing, render } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import './styles.css';
import {
  connectBackend,
  type BackendEvent,
  type ChatInstanceView,
  type InteractionServerView,
  type InteractionsVerb,
  type ChatVerb,
  type DemoBackend,
  type PcsNodeView,
  type PcsVerb,
  type StartedCall,
  type StartedChat,
} from './backend.js';
import { Timeline } from './timeline.js';
import type {} from './page-handles.js';
import type { MockBackend } from '../../src/mocks/index.js';
import type { ChatMessage, Properties } from '../../src/protocol/wire.js';
import type { ConnectionState } from '../../src/core/state.js';

/** What the demo reads from the elements (their public read-only properties). */
interface GadgetLike extends HTMLElement {
  readonly connectionState?: ConnectionState;
  readonly endpoint?: string | null;
  readonly surveyStatus?: string | null;
}

interface ActivityItem {
  readonly t: number;
  readonly text: string;
  readonly kind: 'action' | 'error' | 'event';
}

const customerLines = [
  'Hi, my order #48213 arrived with a cracked screen.',
  'I ordered it last Tuesday, it came yesterday.',
  'Can you send a replacement, or do I need to return it first?',
  'The box looked fine from the outside, by the way.',
  'My address is still the same as on the order.',
  'Great, how long does the replacement usually take?',
  'Thanks, that is really helpful!',
];

const app = document.getElementById('app')!;
const timeline = new Timeline();
const state = {
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
const started = performance.now();

// ------------------------------------------------------------------------------------------
// Theme: light by default (or the OS preference), dark on request; remembered.
// ------------------------------------------------------------------------------------------
function initialTheme(): 'light' | 'dark' {
  const saved = localStorage.getItem('ag-demo-theme');
  const fromUrl = new URLSearchParams(location.search).get('theme');
  const pick = fromUrl ?? saved;
  if (pick === 'light' || pick === 'dark') return pick;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
document.documentElement.dataset.theme = initialTheme();
function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('ag-demo-theme', next);
  update();
}

// ------------------------------------------------------------------------------------------
// Actions (every fault-panel button ends up here)
// ------------------------------------------------------------------------------------------
function log(text: string, kind: ActivityItem['kind'] = 'action') {
  state.activity = [{ t: performance.now(), text, kind }, ...state.activity].slice(0, 40);
  update();
}

async function act(label: string, fn: () => Promise<unknown>) {
  log(label);
  try {
    await fn();
  } catch (e) {
    log(`${label} failed: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
  void poll();
}

const chatVerb = (verb: ChatVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.chat(verb, id));
const interactionsVerb = (verb: InteractionsVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.interactions(verb, id));
const pcsVerb = (verb: PcsVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.pcs(verb, id));

async function newChat() {
  const backend = state.backend!;
  await act('new chat', async () => {
    backend.onEvent?.(onBackendEvent);
    state.chat = await backend.startChat('Dana Whitfield');
    state.nextLine = 0;
    state.transcript = [];
  });
}

async function startCall(dialedNumber: string) {
  const backend = state.backend!;
  const ani = '+1 555 0134';
  await act(`start call to ${dialedNumber}`, async () => {
    const call = await backend.startCall(ani, dialedNumber);
    state.call = { ...call, ani, dialedNumber, ended: false };
  });
}

async function endCall() {
  const call = state.call;
  if (!call || call.ended) return;
  await act(`end call ${call.dialogId}`, async () => {
    await state.backend!.endCall(call.dialogId);
    state.call = { ...call, ended: true };
  });
}

async function customerSay(text: string) {
  const chat = state.chat;
  if (!chat || !text.trim()) return;
  try {
    await state.backend!.customerSend(chat.interactionId, text.trim());
  } catch (e) {
    log(`customer message not sent: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
  void poll();
}

// The simulated customer talks on a timer; the demo's own timer, so it pauses with the toggle.
setInterval(() => {
  if (!state.ready || !state.autoTalk || !state.chat) return;
  const line = customerLines[state.nextLine % customerLines.length]!;
  state.nextLine++;
  void customerSay(line);
}, 6000);

// ------------------------------------------------------------------------------------------
// Live view: the cluster's state, polled (cheap: the mock answers synchronously)
// ------------------------------------------------------------------------------------------
let polling = false;
async function poll() {
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
setInterval(() => void poll(), 400);
// The timeline moves even when nothing else changes.
setInterval(() => update(), 500);

// ------------------------------------------------------------------------------------------
// Rendering
// ------------------------------------------------------------------------------------------
let scheduled = false;
function update() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render(view(), app);
  });
}

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const seconds = (t: number) => `${((t - started) / 1000).toFixed(1)}s`;

function statePill(s: string | undefined | null, extra?: string | null) {
  const value = s ?? 'idle';
  return html`<span class="pill" data-state=${value}
    >${value}${extra ? html` · ${extra}` : nothing}</span
  >`;
}

function header() {
  const backend = state.backend;
  const dark = document.documentElement.dataset.theme === 'dark';
  return html`<header class="topbar">
    <div class="brand">
      <span class="logo" aria-hidden="true">ag</span>
      <div>
        <h1>Agent desktop</h1>
        <p class="subtitle">
          agent-gadgets demo · chat panel and post-call survey on a failing-over back end
        </p>
      </div>
    </div>
    <div class="topbar-right">
      <span class="backend-badge" data-kind=${backend?.kind ?? 'starting'}
        >${backend ? (backend.kind === 'mock' ? 'Mocked back end (in page)' : 'Reference cluster (real processes)') : 'starting…'}</span
      >
      <span class="agent">Alex Morgan · agent1 · ext 1001</span>
      <button
        class="ghost"
        @click=${toggleTheme}
        aria-label="Switch to ${dark ? 'light' : 'dark'} theme"
      >
        ${dark ? '☀ Light' : '☾ Dark'}
      </button>
    </div>
  </header>`;
}

function gadgetsCard() {
  const backend = state.backend!;
  const chat = state.chat;
  const call = state.call;
  const panel = el<GadgetLike>('chat-panel');
  const survey = el<GadgetLike>('survey');
  return html`<section class="card desktop" aria-labelledby="desktop-title">
    <div class="card-head">
      <h2 id="desktop-title">Agent side</h2>
      <span class="hint">the two gadgets, as an agent sees them</span>
    </div>
    <div class="gadget-frame">
      <div class="gadget-bar">
        <span class="gadget-title">Chat · ${chat ? chat.interactionId : '…'}</span>
        <span data-testid="chat-status">${statePill(panel?.connectionState, panel?.endpoint)}</span>
      </div>
      ${
        state.missing.includes('chat')
          ? html`<p class="missing">&lt;ag-chat-panel&gt; is not available in this build yet.</p>`
          : chat
            ? html`<ag-chat-panel
                id="chat-panel"
                interaction-id=${chat.interactionId}
                interactions-url=${backend.interactionsUrls.join(' ')}
                allowed-origins=${backend.chatOrigins.join(' ')}
                agent-id="agent1"
                agent-name="Alex Morgan"
                theme=${document.documentElement.dataset.theme ?? 'light'}
                .token=${'demo-agent-token'}
              ></ag-chat-panel>`
            : nothing
      }
    </div>
    <div class="gadget-frame">
      <div class="gadget-bar">
        <span class="gadget-title"
          >Post-call survey ·
          ${call ? html`${call.ani} → ${call.dialedNumber}${call.ended ? ' (ended)' : ''}` : 'no call'}</span
        >
        <span data-testid="survey-status"
          >${statePill(survey?.connectionState, survey?.endpoint)}</span
        >
      </div>
      ${
        state.missing.includes('survey')
          ? html`<p class="missing">
              &lt;ag-survey-transfer&gt; is not available in this build yet.
            </p>`
          : backend.finesse
            ? html`<ag-survey-transfer
                id="survey"
                host="finesse"
                theme=${document.documentElement.dataset.theme ?? 'light'}
                mode=${state.surveyMode}
                pcs-nodes=${backend.pcsNodes.join(' ')}
                .token=${'demo-agent-token'}
              ></ag-survey-transfer>`
            : call && !call.ended
              ? html`<ag-survey-transfer
                  id="survey"
                  host="standalone"
                  theme=${document.documentElement.dataset.theme ?? 'light'}
                  mode=${state.surveyMode}
                  pcs-nodes=${backend.pcsNodes.join(' ')}
                  dialog-id=${call.dialogId}
                  ani=${call.ani}
                  dialed-number=${call.dialedNumber}
                  .token=${'demo-agent-token'}
                ></ag-survey-transfer>`
              : html`<p class="missing">Start a call to load the survey gadget.</p>`
      }
    </div>
  </section>`;
}

function customerCard() {
  const chat = state.chat;
  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('text') as HTMLInputElement;
    void customerSay(input.value);
    input.value = '';
    if (chat) void state.backend!.customerTyping(chat.interactionId, false);
  };
  const onInput = (e: InputEvent) => {
    if (chat)
      void state.backend!.customerTyping(
        chat.interactionId,
        (e.target as HTMLInputElement).value !== '',
      );
  };
  return html`<section class="card customer" aria-labelledby="customer-title">
    <div class="card-head">
      <h2 id="customer-title">Customer side</h2>
      <label class="switch"
        ><input
          type="checkbox"
          .checked=${state.autoTalk}
          @change=${(e: Event) => (state.autoTalk = (e.target as HTMLInputElement).checked)}
        />
        Customer talks by itself</label
      >
    </div>
    <p class="hint">
      The server's transcript (its source of truth): what the customer's browser shows.
    </p>
    <ol class="customer-transcript" data-testid="server-transcript" aria-label="Server transcript">
      ${repeat(
        state.transcript,
        (m) => m.id,
        (m) =>
          html`<li data-role=${m.from.role}>
            <span class="who">${m.from.name || m.from.role}</span><span class="seq">#${m.seq}</span>
            <p>${m.text}</p>
          </li>`,
      )}
    </ol>
    <form class="composer" @submit=${onSubmit}>
      <label class="visually-hidden" for="customer-input">Message as the customer</label>
      <input
        id="customer-input"
        name="text"
        autocomplete="off"
        placeholder="Type as the customer…"
        @input=${onInput}
      />
      <button type="submit" class="primary">Send</button>
    </form>
  </section>`;
}

function actionButton(
  label: string,
  action: string,
  target: string,
  onClick: () => void,
  kind = '',
  disabled = false,
) {
  return html`<button
    class=${kind}
    data-action=${action}
    data-target=${target}
    ?disabled=${disabled}
    @click=${onClick}
    aria-label="${label} ${target}"
  >
    ${label}
  </button>`;
}

function clusterCard() {
  const activeChat = state.properties['chat.instanceId'];
  const chatState = state.properties['chat.state'];
  const surveyEndpoint = el<GadgetLike>('survey')?.endpoint;
  const panelEndpoint = el<GadgetLike>('chat-panel')?.endpoint;
  const maxSessions = Math.max(1, ...state.instances.map((i) => i.sessions));
  const chatId = state.chat?.interactionId;
  const call = state.call;
  return html`<section class="card cluster" aria-labelledby="cluster-title">
    <div class="card-head">
      <h2 id="cluster-title">Cluster · live view and fault injection</h2>
      ${state.pollError ? html`<span class="error-text">${state.pollError}</span>` : nothing}
    </div>

    <h3>
      Chat server instances <span class="hint">N+1, sessions restored elsewhere when one dies</span>
    </h3>
    <div class="tiles">
      ${state.instances.map((i) => {
        const status = !i.alive ? 'dead' : i.frozen ? 'frozen' : i.draining ? 'draining' : 'up';
        return html`<div
          class="tile"
          data-instance=${i.id}
          data-status=${status}
          ?data-active=${i.id === activeChat}
        >
          <div class="tile-head">
            <strong>${i.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-tags">
            ${i.id === activeChat ? html`<span class="tag active-tag">session here${chatState === 'restoring' ? ' (restoring)' : ''}</span>` : nothing}
            ${i.id === panelEndpoint ? html`<span class="tag">panel connected</span>` : nothing}
          </div>
          <div class="meter" title="${i.sessions} sessions">
            <span style="width:${(i.sessions / maxSessions) * 100}%"></span>
          </div>
          <div class="tile-stats">${i.sessions} sessions · ${i.connections} sockets</div>
          <div class="tile-actions">
            ${
              i.alive
                ? actionButton(
                    'Kill',
                    'chat.kill',
                    i.id,
                    () => void chatVerb('kill', i.id),
                    'danger',
                  )
                : actionButton('Revive', 'chat.revive', i.id, () => void chatVerb('revive', i.id))
            }
            ${
              i.frozen
                ? actionButton(
                    'Unfreeze',
                    'chat.unfreeze',
                    i.id,
                    () => void chatVerb('unfreeze', i.id),
                  )
                : actionButton(
                    'Freeze',
                    'chat.freeze',
                    i.id,
                    () => void chatVerb('freeze', i.id),
                    '',
                    !i.alive,
                  )
            }
            ${actionButton('Drain', 'chat.drain', i.id, () => void chatVerb('drain', i.id), '', !i.alive || i.draining)}
          </div>
        </div>`;
      })}
    </div>
    <div class="row-actions">
      <button
        data-action="chat.relocate"
        ?disabled=${!chatId}
        @click=${() => void act('relocate session', () => state.backend!.relocate(chatId!))}
      >
        Relocate session
      </button>
      <button
        data-action="chat.failTranscriptSave.notice"
        ?disabled=${!chatId}
        @click=${() => void act('transcript save fails (notice)', () => state.backend!.failTranscriptSave(chatId!, 'notice'))}
      >
        Transcript save fails
      </button>
      <button
        data-action="chat.failTranscriptSave.close"
        ?disabled=${!chatId}
        @click=${() => void act('transcript save fails (close)', () => state.backend!.failTranscriptSave(chatId!, 'close'))}
      >
        … and close session
      </button>
      <button data-action="interactions.startChat" @click=${() => void newChat()}>New chat</button>
    </div>

    <h3>
      Interaction servers
      <span class="hint">primary and backup; the panel watches properties here</span>
    </h3>
    <div class="tiles">
      ${state.servers.map((v) => {
        const status = !v.alive ? 'dead' : v.frozen ? 'frozen' : 'up';
        return html`<div class="tile" data-server=${v.id} data-status=${status}>
          <div class="tile-head">
            <strong>${v.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-stats">${v.connections} watchers</div>
          <div class="tile-actions">
            ${
              v.alive
                ? actionButton(
                    'Kill',
                    'interactions.kill',
                    v.id,
                    () => void interactionsVerb('kill', v.id),
                    'danger',
                  )
                : actionButton(
                    'Revive',
                    'interactions.revive',
                    v.id,
                    () => void interactionsVerb('revive', v.id),
                  )
            }
            ${
              v.frozen
                ? actionButton(
                    'Unfreeze',
                    'interactions.unfreeze',
                    v.id,
                    () => void interactionsVerb('unfreeze', v.id),
                  )
                : actionButton(
                    'Freeze',
                    'interactions.freeze',
                    v.id,
                    () => void interactionsVerb('freeze', v.id),
                    '',
                    !v.alive,
                  )
            }
          </div>
        </div>`;
      })}
    </div>

    <h3>
      Post-call survey nodes <span class="hint">active/standby, lease ${'\u2192'} epoch</span>
    </h3>
    <div class="tiles">
      ${state.nodes.map((n) => {
        const status = !n.alive ? 'dead' : n.frozen ? 'frozen' : 'up';
        return html`<div class="tile" data-node=${n.id} data-role=${n.role} data-status=${status}>
          <div class="tile-head">
            <strong>${n.id}</strong><span class="status" data-status=${status}>${status}</span>
          </div>
          <div class="tile-tags">
            <span class="tag role" data-role=${n.role}>${n.role}</span
            ><span class="tag">epoch ${n.epoch}</span>
            ${n.id === surveyEndpoint ? html`<span class="tag">gadget connected</span>` : nothing}
          </div>
          <div class="tile-actions">
            ${
              n.alive
                ? actionButton('Kill', 'pcs.kill', n.id, () => void pcsVerb('kill', n.id), 'danger')
                : actionButton('Revive', 'pcs.revive', n.id, () => void pcsVerb('revive', n.id))
            }
            ${
              n.frozen
                ? actionButton(
                    'Unfreeze',
                    'pcs.unfreeze',
                    n.id,
                    () => void pcsVerb('unfreeze', n.id),
                  )
                : actionButton(
                    'Freeze',
                    'pcs.freeze',
                    n.id,
                    () => void pcsVerb('freeze', n.id),
                    '',
                    !n.alive,
                  )
            }
          </div>
        </div>`;
      })}
    </div>
    <div class="row-actions">
      <button
        data-action="pcs.splitBrain"
        @click=${() => void act('split brain', () => state.backend!.splitBrain())}
      >
        Split brain
      </button>
      <button
        data-action="pcs.heal"
        @click=${() => void act('heal split brain', () => state.backend!.heal())}
      >
        Heal split brain
      </button>
    </div>

    <h3>
      Call
      <span class="hint"
        >${state.backend?.finesse ? 'fake Finesse' : 'simulated (standalone host)'}</span
      >
    </h3>
    <div class="row-actions">
      <button
        data-action="finesse.startCall"
        data-target="8000"
        @click=${() => void startCall('8000')}
      >
        Start call to 8000 (survey)
      </button>
      <button
        data-action="finesse.startCall"
        data-target="8001"
        @click=${() => void startCall('8001')}
      >
        Start call to 8001 (no survey)
      </button>
      <button
        data-action="finesse.endCall"
        ?disabled=${!call || call.ended}
        @click=${() => void endCall()}
      >
        End call
      </button>
      <label class="inline"
        >Survey mode
        <select
          @change=${(e: Event) => {
            state.surveyMode = (e.target as HTMLSelectElement).value as 'transfer' | 'hangup';
            update();
          }}
        >
          <option value="transfer" ?selected=${state.surveyMode === 'transfer'}>transfer</option>
          <option value="hangup" ?selected=${state.surveyMode === 'hangup'}>hangup</option>
        </select></label
      >
    </div>
    ${call ? html`<p class="hint">Dialog ${call.dialogId}${call.ended ? ' · ended' : ' · active'}</p>` : nothing}
  </section>`;
}

function timelineCard() {
  return html`<section class="card timeline" aria-labelledby="timeline-title">
    <div class="card-head">
      <h2 id="timeline-title">Connection timeline</h2>
      <span class="hint"
        >state of each gadget over time; markers: relocations with the gap in ms</span
      >
    </div>
    ${timeline.render()}
    <div class="activity">
      <h3>Activity</h3>
      <ol data-testid="activity">
        ${state.activity
          .slice(0, 8)
          .map((a) => html`<li data-kind=${a.kind}><time>${seconds(a.t)}</time> ${a.text}</li>`)}
      </ol>
    </div>
  </section>`;
}

function view() {
  if (state.bootError) {
    return html`${header()}
      <main class="boot"><p class="error-text">Could not start: ${state.bootError}</p></main>`;
  }
  if (!state.backend)
    return html`${header()}
      <main class="boot"><p>Starting the back end…</p></main>`;
  return html`${header()}
    <main class="grid">
      ${gadgetsCard()} ${customerCard()} ${clusterCard()} ${timelineCard()}
    </main>`;
}

// ------------------------------------------------------------------------------------------
// Boot
// ------------------------------------------------------------------------------------------
const watched = new WeakSet<Element>();
/** Hooks the timeline to gadget elements as they appear (a new chat re-creates none: same element). */
function watchGadgets() {
  for (const [id, label] of [
    ['chat-panel', 'chat panel'],
    ['survey', 'survey gadget'],
  ] as const) {
    const node = el(id);
    if (node && !watched.has(node)) {
      watched.add(node);
      timeline.watch(id, label, node);
      node.addEventListener('ag-relocated', (e) => {
        const d = e.detail;
        log(`${label}: ${d.from} → ${d.to} in ${Math.round(d.gapMs)} ms`, 'event');
      });
      node.addEventListener('ag-error', (e) =>
        log(`${label}: ${e.detail.code} ${e.detail.message}`, 'error'),
      );
    }
  }
}

/** Back-end events on the timeline's top row and in the activity list. */
function onBackendEvent(e: BackendEvent) {
  const s = (k: string) => String(e[k] ?? '');
  const label: Record<string, [string, 'fault' | 'recovery' | 'info'] | undefined> = {
    'chat-killed': [`${s('instanceId')} killed`, 'fault'],
    'chat-frozen': [`${s('instanceId')} frozen`, 'fault'],
    'chat-unfrozen': [`${s('instanceId')} unfrozen`, 'recovery'],
    'chat-revived': [`${s('instanceId')} revived`, 'recovery'],
    'chat-draining': [`${s('instanceId')} draining`, 'info'],
    'chat-restored': [`restored on ${s('to')}`, 'recovery'],
    'chat-relocated': [`moved to ${s('to')}`, 'info'],
    'chat-session-closed': [`session closed (${s('reason')})`, 'fault'],
    'interactions-killed': [`${s('serverId')} killed`, 'fault'],
    'interactions-revived': [`${s('serverId')} revived`, 'recovery'],
    'pcs-killed': [`${s('nodeId')} killed`, 'fault'],
    'pcs-frozen': [`${s('nodeId')} frozen`, 'fault'],
    'pcs-unfrozen': [`${s('nodeId')} unfrozen`, 'recovery'],
    'pcs-revived': [`${s('nodeId')} revived`, 'recovery'],
    'pcs-primary': [`${s('nodeId')} primary (epoch ${s('epoch')})`, 'recovery'],
    'pcs-split-brain': [`split brain ${s('stale')}/${s('fresh')}`, 'fault'],
  };
  const entry = label[e.type];
  if (entry) timeline.mark(entry[0], entry[1]);
  if (e.type === 'survey-status')
    log(
      `survey ${s('requestId')}: ${s('status')}${e['score'] !== undefined ? ` (score ${s('score')})` : ''}`,
      'event',
    );
  if (e.type === 'finesse-transfer')
    log(`Finesse: call ${s('dialogId')} transferred to ${s('to')}`, 'event');
  if (e.type === 'chat-restored' && e['interactionId'] === state.chat?.interactionId)
    log(`back end: session restored on ${s('to')}`, 'event');
}

async function boot() {
  render(view(), app);
  const backend = await connectBackend();
  state.backend = backend;
  // absent (undefined) on the reference cluster
  window.agentGadgetsMock = backend.mock as MockBackend;
  // Only now: the elements pull in socket.io-client.
  // A glob rather than two imports: the demo shows whichever elements this checkout has.
  const defines = import.meta.glob('../../src/define/*.ts');
  const load = (name: string) =>
    defines[`../../src/define/${name}.ts`]?.() ?? Promise.reject(new Error(`no ${name}`));
  const [chatMod, surveyMod] = await Promise.allSettled([
    load('chat-panel'),
    load('survey-transfer'),
  ]);
  if (chatMod.status === 'rejected') state.missing.push('chat');
  if (surveyMod.status === 'rejected') state.missing.push('survey');
  backend.onEvent?.(onBackendEvent);
  state.chat = await backend.startChat('Dana Whitfield');
  await startCall('8000');
  await poll();
  render(view(), app);
  watchGadgets();
  new MutationObserver(watchGadgets).observe(app, { childList: true, subtree: true });
  state.ready = true;
  window.agentGadgetsDemo = {
    backend,
    timeline,
    get chat() {
      // set above, before the handle; a new chat only replaces it
      return state.chat!;
    },
    get call() {
      return state.call;
    },
    get ready() {
      return state.ready;
    },
  };
  update();
}

boot().catch((e: unknown) => {
  state.bootError = e instanceof Error ? e.message : String(e);
  console.error(e);
  render(view(), app);
});
