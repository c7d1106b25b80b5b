/**
 * The demo agent desktop: both gadgets on a live chat and a live call, a customer side, the
 * cluster's live state with fault injection, and a connection timeline per gadget.
 *
 * Start-up order matters: the back end (msw) starts first, and only then are the elements
 * imported, because engine.io-client captures `WebSocket` when its module is first evaluated.
 */
import { render } from 'lit';
import './styles.css';
import { connectBackend } from './backend.js';
import { onBackendEvent, timeline, watchGadgets } from './activity.js';
import { startCall, startCustomerTalk } from './actions.js';
import { view } from './desktop.js';
import { poll, setRenderer, state, update } from './store.js';
import { initialTheme } from './theme.js';
import type {} from './page-handles.js';
import type { MockBackend } from '../../src/mocks/index.js';

const app = document.getElementById('app')!;
document.documentElement.dataset.theme = initialTheme();
setRenderer(() => render(view(), app));

startCustomerTalk();
setInterval(() => void poll(), 400);
// The timeline moves even when nothing else changes.
setInterval(() => update(), 500);

// ------------------------------------------------------------------------------------------
// Boot
// ------------------------------------------------------------------------------------------
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
