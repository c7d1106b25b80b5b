/**
 * Finesse preview: loads the gadget XML specs the way the Finesse container does and runs the
 * BUILT bundles they reference (dist/bundles, served next to the XML at
 * /3rdpartygadget/files/agent-gadgets/ as on a real Finesse server).
 *
 * Per gadget: fetch the XML, read ModulePrefs/UserPrefs, take the <Content type="html"> CDATA,
 * substitute __UP_*__ and __MODULE_ID__, insert it, run its scripts in order (finesse.js and
 * jQuery from /desktop/assets/js are replaced by the faithful fake `finesse`/`gadgets` globals
 * from src/mocks/finesse, installed with a hub that stays disconnected until the container
 * connects it), then connect the hub, which calls gadgets.HubSettings.onConnect.
 *
 * Credentials: each gadget gets `token-url` (the mock's token endpoint) in its layout URL and
 * asks it through gadgets.io.makeRequest with the agent's Finesse authorization. The chat is
 * routed to the agent as a Finesse chat task (media API), which the chat gadget follows.
 *
 * Difference from Finesse: the gadgets share this page instead of one iframe each, because the
 * mocked WebSocket lives in this page. Gadgets are therefore started one at a time; the hub
 * connects once, for the first, and the preview calls each later gadget's onConnect itself.
 */
import { html, render, nothing } from 'lit';
import {
  MOCK_TOKEN_URL,
  currentFakeFinesse,
  type FakeFinesseOptions,
} from '../../src/mocks/finesse/index.js';
import './styles.css';
import './finesse-preview.css';
interface GadgetSpec {
  readonly file: string;
  readonly url: string;
  readonly title: string;
  readonly prefs: Record<string, string>;
  readonly features: string[];
  readonly content: string;
}
interface GadgetsGlobal {
  HubSettings: { onConnect?: () => void };
  Hub?: { isConnected(): boolean };
}
interface PreviewMock {
  interactions: { startChat(o?: { customerName?: string }): Promise<{ interactionId: string }> };
  customer: { send(interactionId: string, text: string): Promise<unknown> };
  finesse: {
    startCall(o: { ani: string; dialedNumber: string }): { dialogId: string };
    endCall(id: string): void;
  };
}

const GADGET_BASE = '/3rdpartygadget/files/agent-gadgets/';
const app = document.getElementById('app')!;
const params = new URLSearchParams(location.search);
document.documentElement.dataset.theme = params.get('theme') === 'dark' ? 'dark' : 'light';

const state = {
  specs: [] as GadgetSpec[],
  status: 'Starting the mocked back end and the fake Finesse…',
  error: undefined as string | undefined,
  dialogId: undefined as string | undefined,
  /** the query string each gadget has in the (simulated) desktop layout */
  layoutParams: {} as Record<string, string>,
  mock: undefined as PreviewMock | undefined,
  chatId: undefined as string | undefined,
};

function parseSpec(file: string, url: string, xml: string): GadgetSpec {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.querySelector('parsererror')) throw new Error(`${file}: not well-formed XML`);
  const module = doc.documentElement;
  if (module.nodeName !== 'Module')
    throw new Error(`${file}: root element is <${module.nodeName}>, not <Module>`);
  const modulePrefs = module.querySelector('ModulePrefs');
  const content = [...module.querySelectorAll('Content')].find(
    (c) => (c.getAttribute('type') ?? 'html') === 'html',
  );
  if (!content) throw new Error(`${file}: no <Content type="html">`);
  const prefs: Record<string, string> = {
    // what Finesse fills in for gadgets that load finesse.js from the Finesse server
    scheme: location.protocol.replace(':', ''),
    host: location.hostname,
    hostPort: location.port,
  };
  for (const p of module.querySelectorAll('UserPref')) {
    const name = p.getAttribute('name');
    if (name && !(name in prefs)) prefs[name] = p.getAttribute('default_value') ?? '';
  }
  return {
    file,
    url,
    title: modulePrefs?.getAttribute('title') ?? file,
    prefs,
    features: [...module.querySelectorAll('Require, Optional')].map(
      (r) => r.getAttribute('feature') ?? '',
    ),
    content: content.textContent ?? '',
  };
}

function substitute(spec: GadgetSpec, index: number): string {
  return spec.content
    .replace(/__UP_([A-Za-z0-9_.-]+)__/g, (_m, name: string) => spec.prefs[name] ?? '')
    .replace(/__MODULE_ID__/g, String(index));
}

/** finesse.js and jQuery come from the Finesse server; the fake globals stand in for them here. */
const isContainerScript = (src: string) => /\/desktop\/assets\/js\//.test(src);

function loadScript(original: HTMLScriptElement, base: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    for (const attr of original.attributes)
      if (attr.name !== 'src') script.setAttribute(attr.name, attr.value);
    if (original.src || original.getAttribute('src')) {
      script.src = new URL(original.getAttribute('src')!, base).href;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`script failed to load: ${script.src}`));
      document.head.append(script);
    } else {
      script.textContent = original.textContent;
      document.head.append(script);
      // Inline classic scripts run synchronously on insertion; inline modules get a tick.
      queueMicrotask(resolve);
    }
  });
}

/**
 * The gadget's URL in the desktop layout, with its parameters as a query string
 * (`<gadget>/3rdpartygadget/files/agent-gadgets/X.xml?pcs=…</gadget>`). Shindig hands it to the
 * gadget iframe as its `url` parameter; the preview puts it on this page's URL while the gadget
 * starts, which is where the gadget's script reads it.
 */
function layoutUrl(spec: GadgetSpec): string {
  const query = new URLSearchParams(state.layoutParams);
  return `${spec.url}?${query.toString()}`;
}

async function startGadget(spec: GadgetSpec, index: number) {
  const host = document.querySelector<HTMLElement>(`[data-gadget="${spec.file}"] .gadget-body`)!;
  const template = document.createElement('template');
  template.innerHTML = substitute(spec, index);
  const scripts = [...template.content.querySelectorAll('script')];
  for (const s of scripts) s.remove();
  host.replaceChildren(template.content);
  const gadgets = (globalThis as { gadgets?: GadgetsGlobal }).gadgets;
  if (gadgets) gadgets.HubSettings.onConnect = undefined;
  for (const s of scripts) {
    const src = s.getAttribute('src');
    if (src && isContainerScript(src)) continue;
    await loadScript(s, new URL(spec.url, location.href).href);
  }
  // Module scripts have run once loaded; the container now connects the hub.
  const pageUrl = location.href;
  history.replaceState(null, '', `?url=${encodeURIComponent(layoutUrl(spec))}`);
  try {
    const fake = currentFakeFinesse();
    if (fake && !gadgets?.Hub?.isConnected()) fake.connectHub();
    else gadgets?.HubSettings?.onConnect?.();
  } finally {
    history.replaceState(null, '', pageUrl);
  }
}

function view() {
  const dark = document.documentElement.dataset.theme === 'dark';
  return html`<header class="topbar finesse-bar">
      <div class="brand">
        <span class="logo" aria-hidden="true">F</span>
        <div>
          <h1>Finesse layout preview</h1>
          <p class="subtitle">gadget XML from ${GADGET_BASE} · built bundles · fake finesse.js</p>
        </div>
      </div>
      <div class="topbar-right">
        <span class="agent">agent1 · ext 1001 · Ready</span>
        <button
          data-action="customer.send"
          ?disabled=${!state.chatId}
          @click=${() => void customerWrites()}
        >
          Customer writes
        </button>
        <button data-action="finesse.startCall" @click=${() => void startCall('8000')}>
          Start call to 8000
        </button>
        <button
          data-action="finesse.endCall"
          ?disabled=${!state.dialogId}
          @click=${() => endCall()}
        >
          End call
        </button>
        <button class="ghost" @click=${toggleTheme}>${dark ? '☀ Light' : '☾ Dark'}</button>
      </div>
    </header>
    <main class="finesse-main">
      <p class="hint" data-testid="preview-status">
        ${state.error ? html`<span class="error-text">${state.error}</span>` : state.status}
      </p>
      <div class="finesse-gadgets">
        ${state.specs.map(
          (spec) =>
            html`<section
              class="card finesse-gadget"
              data-gadget=${spec.file}
              aria-label=${spec.title}
            >
              <div class="gadget-bar">
                <span class="gadget-title">${spec.title}</span>
                <span class="hint">${spec.file}</span>
              </div>
              <div class="gadget-body"></div>
              <details>
                <summary>Spec</summary>
                <p class="hint">features: ${spec.features.join(', ')}</p>
                <p class="hint">
                  prefs:
                  ${
                    Object.entries(spec.prefs)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' · ') || nothing
                  }
                </p>
                <p class="hint">layout URL: <code>${layoutUrl(spec)}</code></p>
              </details>
            </section>`,
        )}
      </div>
    </main>`;
}

function update() {
  render(view(), app);
}
function toggleTheme() {
  document.documentElement.dataset.theme =
    document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  update();
}
let customerLine = 0;
async function customerWrites() {
  const lines = [
    'Hi, my parcel never arrived.',
    'The tracking number is 7741-22.',
    'Could you check, please?',
  ];
  if (state.chatId)
    await state.mock?.customer.send(state.chatId, lines[customerLine++ % lines.length]!);
}

async function startCall(dialedNumber: string) {
  const call = state.mock?.finesse.startCall({ ani: '+1 555 0134', dialedNumber });
  state.dialogId = call?.dialogId;
  update();
}
function endCall() {
  if (state.dialogId) state.mock?.finesse.endCall(state.dialogId);
  state.dialogId = undefined;
  update();
}

async function boot() {
  update();
  // The fake Finesse and the mocked servers come first, as finesse.js does in a real layout.
  const { startMockBackend } = await import('../../src/mocks/index.js');
  const finesse: FakeFinesseOptions = { hub: 'manual', version: params.get('finesse') ?? '12.6' };
  const mock = await startMockBackend({ finesse: finesse as { version?: string } });
  state.mock = mock as unknown as PreviewMock;
  // The chat is routed to the agent through Finesse (below); the layout carries the servers'
  // addresses and the token endpoint, never a token.
  const chat = await (mock as unknown as PreviewMock).interactions.startChat({
    customerName: 'Dana Whitfield',
  });
  state.chatId = chat.interactionId;
  state.layoutParams = {
    interactions: mock.urls.interactions,
    allowed: Object.values(mock.urls.chat)
      .map((u) => new URL(u).origin)
      .join(','),
    'token-url': MOCK_TOKEN_URL,
    pcs: Object.values(mock.urls.pcs).join(','),
    mode: params.get('mode') === 'hangup' ? 'hangup' : 'transfer',
  };
  window.agentGadgetsMock = mock;
  const listing = (await (await fetch('/__ag/gadgets.json')).json()) as string[];
  const wanted = params.getAll('gadget');
  const files = wanted.length > 0 ? listing.filter((f) => wanted.includes(f)) : listing;
  state.specs = await Promise.all(
    files.map(async (file) => {
      const url = `${GADGET_BASE}${file}`;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return parseSpec(file, url, await res.text());
    }),
  );
  state.status = `Loading ${state.specs.length} gadget(s)…`;
  update();
  for (const [i, spec] of state.specs.entries()) await startGadget(spec, i);
  // Finesse routes the chat to the agent as a non-voice task; the chat gadget follows it.
  currentFakeFinesse()?.startChatTask({ interactionId: chat.interactionId });
  state.status = `${state.specs.length} gadget(s) running from the built bundles.`;
  if (params.get('call') !== 'none') await startCall(params.get('dn') ?? '8000');
  update();
  window.agentGadgetsPreview = {
    ready: true,
    specs: state.specs.map((s) => s.file),
    chatId: chat.interactionId,
    dialogId: state.dialogId,
    // the fake container and finesse.js, for verbs the mock does not relay (chat tasks, tokens);
    // startMockBackend installed it above
    finesse: currentFakeFinesse()!,
  };
}

boot().catch((e: unknown) => {
  state.error = e instanceof Error ? e.message : String(e);
  console.error(e);
  update();
});
