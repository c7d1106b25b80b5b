// A plain agent page on the reference cluster, for the end-to-end tests of what the agent's own
// browser does (reload, network, freeze) and for benchmarks of the same: the BUILT element
// bundle (dist/bundles/ag-chat-panel.js), loaded exactly as the README's plain-page pattern
// says (the bundle, the element with its attributes, then a module script that sets the token
// provider), and a timeline of every connection change, `online`/`offline` and lifecycle event
// with `performance.now()` stamps, recorded from before the element exists.
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { collectErrors, ensureBuilt, root } from './support.mjs';
/** @import { AgChatPanel } from '../../src/index.js' */
/** @import { AddressInfo } from 'node:net' */
/** @import { BrowserContext, Page } from 'playwright-core' */

/**
 * Starts the reference cluster (real processes); resolves with its report and a stop().
 * @param {string[]} [args] cluster/main.mjs's options
 */
export async function startCluster(args = []) {
  const child = fork(join(root, 'cluster/main.mjs'), ['--ipc', ...args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const info = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`cluster exited (${code})`)));
  });
  /** @type {(verb: string, body?: object) => Promise<any>} */
  const control = async (verb, body = {}) => {
    const res = await fetch(`${info.controlUrl}/${verb}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!json.ok) throw new Error(`control ${verb}: ${JSON.stringify(json)}`);
    return json.result;
  };
  const stop = () =>
    new Promise((/** @type {(v?: void) => void} */ resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { info, control, stop };
}

/**
 * Serves `/agent.html?ix=<interactionId>` (the README pattern) and the built bundle, on
 * 127.0.0.1 (an origin the cluster's CORS rule allows). With `app`, the page loads an app's
 * build instead of the bundle: `app.entry` (an `assets/` file name) and the rest of
 * `app.assets` (its lazy chunks), as an integrator's bundler emitted them.
 * @param {{ urls: { interactions: string, interactionsBackup: string, chat: Record<string, string> } }} cluster
 *   the cluster's report (startCluster's `info`)
 * @param {{ heartbeatMs?: number, app?: { assets: string, entry: string } }} [options]
 */
export async function startAgentPageServer(cluster, { heartbeatMs = 500, app } = {}) {
  ensureBuilt();
  const bundle = app ? null : readFileSync(join(root, 'dist/bundles/ag-chat-panel.js'));
  const script = app ? `/assets/${app.entry}` : '/ag-chat-panel.js';
  const chatOrigins = Object.values(cluster.urls.chat).join(' ');
  const page = (/** @type {string} */ ix) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>agent</title>
    <link rel="icon" href="data:," />
    <script>
      // the test's recorder: runs before anything else, so no event can be missed
      window.agTimeline = [];
      const note = (type, extra) => agTimeline.push({ type, t: performance.now(), ...extra });
      for (const type of ['online', 'offline', 'pageshow']) addEventListener(type, () => note(type));
      for (const type of ['freeze', 'resume', 'visibilitychange'])
        document.addEventListener(type, () => note(type, { visibility: document.visibilityState }));
      document.addEventListener('ag-connection-change', (e) => note('state', e.detail));
      document.addEventListener('ag-error', (e) => note('error', e.detail));
      // the longest time the page ran no timer (a frozen or paused page shows it afterwards)
      window.agMaxGap = 0;
      let lastTick = performance.now();
      setInterval(() => {
        const now = performance.now();
        window.agMaxGap = Math.max(window.agMaxGap, now - lastTick);
        lastTick = now;
      }, 100);
    </script>
    <script type="module" src="${script}"></script>
  </head>
  <body>
    <ag-chat-panel
      interactions-url="${cluster.urls.interactions} ${cluster.urls.interactionsBackup}"
      allowed-origins="${chatOrigins}"
      interaction-id="${ix}"
      agent-id="agent1"
      agent-name="Alex Morgan"
      heartbeat-ms="${heartbeatMs}"
      restore-spread-ms="0"
    ></ag-chat-panel>
    <script type="module">
      // Credentials are properties, never attributes or URLs; the provider is asked on every (re)connect.
      const tokenProvider = () => 'agent-token';
      document.querySelector('ag-chat-panel').tokenProvider = tokenProvider;
    </script>
  </body>
</html>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    if (bundle && url.pathname === '/ag-chat-panel.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      return res.end(bundle);
    }
    const asset = /^\/assets\/([\w.-]+\.js)$/.exec(url.pathname)?.[1];
    if (app && asset && existsSync(join(app.assets, asset))) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(join(app.assets, asset)));
    }
    if (url.pathname === '/agent.html') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      return res.end(page(String(url.searchParams.get('ix') ?? '').replace(/[^\w:.-]/g, '')));
    }
    res.writeHead(404).end();
  });
  await new Promise((/** @type {(v?: void) => void} */ resolve) =>
    server.listen(0, '127.0.0.1', resolve),
  );
  const { port } = /** @type {AddressInfo} */ (server.address());
  return {
    url: (/** @type {string} */ ix) =>
      `http://127.0.0.1:${port}/agent.html?ix=${encodeURIComponent(ix)}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Chromium flags playwright adds by default that hide what a background tab lives with. */
export const throttlingDefaults = [
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

/**
 * The page's panel, as plain data.
 * @param {Page} page
 */
export function panelState(page) {
  return page.evaluate(() => {
    const el = /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel'));
    const shadow = /** @type {ShadowRoot} */ (el.shadowRoot);
    return {
      state: el.connectionState,
      endpoint: el.endpoint,
      error: el.error,
      messages: el.messages.map((m) => ({ id: m.id, seq: m.seq, text: m.text, role: m.from.role })),
      pending: [...shadow.querySelectorAll('[part="pending-message"]')].map(
        (li) => /** @type {HTMLElement} */ (li).dataset.clientMsgId,
      ),
      draft: shadow.querySelector('textarea')?.value ?? '',
      timeline: window.agTimeline,
      maxGap: window.agMaxGap,
    };
  });
}

/**
 * Benchmark hook: ms from the page's `online` event to the panel's next `connected`, for every
 * such pair in the page's timeline.
 * @param {Page} page
 */
export async function onlineToConnectedMs(page) {
  const timeline = await page.evaluate(() => window.agTimeline);
  const out = [];
  let onlineAt = null;
  for (const e of timeline) {
    if (e.type === 'online') onlineAt = e.t;
    if (onlineAt !== null && e.type === 'state' && e.state === 'connected') {
      out.push(e.t - onlineAt);
      onlineAt = null;
    }
  }
  return out;
}

/**
 * Benchmark hook: ms from the start of the page's navigation (a reload) until the panel holds no
 * pending message any more (every held message acknowledged and in the transcript).
 * @param {Page} page
 */
export function heldAcknowledgedMs(page, timeoutMs = 20000) {
  return page.evaluate(
    (timeout) =>
      new Promise((resolve, reject) => {
        const started = window.performance.now();
        const check = () => {
          const el = document.querySelector('ag-chat-panel');
          const pending = el?.shadowRoot?.querySelectorAll('[part="pending-message"]').length;
          if (el?.connectionState === 'connected' && pending === 0)
            return resolve(window.performance.now());
          if (window.performance.now() - started > timeout)
            return reject(new Error('still pending'));
          window.requestAnimationFrame(check);
        };
        check();
      }),
    timeoutMs,
  );
}

/**
 * Types into the panel's composer and presses Enter.
 * @param {Page} page
 * @param {string} text
 */
export async function agentSays(page, text) {
  await page.locator('ag-chat-panel textarea').fill(text);
  await page.locator('ag-chat-panel textarea').press('Enter');
}

/**
 * Waits until the panel shows exactly the server's transcript and holds nothing.
 * @param {{ control: (verb: string, body?: object) => Promise<any> }} cluster startCluster's result
 * @param {Page} page
 * @param {string} interactionId
 */
export async function untilInSync(cluster, page, interactionId, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const server = await cluster.control('chat/transcript', { interactionId });
    const panel = await panelState(page);
    if (
      panel.pending.length === 0 &&
      JSON.stringify(panel.messages.map((m) => m.id)) === JSON.stringify(server.map((m) => m.id))
    )
      return { server, panel };
    if (Date.now() > deadline)
      throw new Error(
        `never in sync: server ${server.map((m) => m.text)} panel ${panel.messages.map((m) => m.text)} pending ${panel.pending}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Opens the agent page of `interactionId` in a new page of `context` and waits until the panel
 * is connected; with the page's errors collected from the start.
 * @param {{ url: (ix: string) => string }} pages startAgentPageServer's result
 * @param {BrowserContext} context
 * @param {string} interactionId
 */
export async function openAgent(pages, context, interactionId) {
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(pages.url(interactionId));
  await page.waitForFunction(
    () => document.querySelector('ag-chat-panel')?.connectionState === 'connected',
    null,
    { timeout: 20000 },
  );
  return { page, errors };
}
