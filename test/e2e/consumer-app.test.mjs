// End to end: the package as an integrator's bundler consumes it. A throwaway app imports
// `agent-gadgets/define/chat-panel.js` from the built package (dist/lib in its node_modules, the
// dependencies resolved by the app) and is built by a default `vite build`; its output runs in
// Chromium against the reference cluster (real processes), through a SIGKILL of the chat
// instance. The element bundles have their own end-to-end tests (lifecycle, demo, Finesse);
// this one covers dist/lib, with its vendored socket.io stack and rxjs (scripts/vendor-packages.mjs),
// and the app's own handling of the SDK's lazy chunks (a locale catalogue) for the survey gadget,
// in an app that uses rxjs itself and resolves the es2015 condition (so it shares one rxjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { buildApp, installPackage, writeApp } from '../../scripts/consumer-app.mjs';
import { collectErrors, ensureBuilt, launchBrowser, root } from './support.mjs';
import {
  agentSays,
  openAgent,
  startAgentPageServer,
  startCluster,
  untilInSync,
} from './agent-page.mjs';
/** @import { Browser } from 'playwright-core' */
/** @import { AddressInfo } from 'node:net' */

const tmp = mkdtempSync(join(tmpdir(), 'ag-consumer-app-'));
/** @type {Awaited<ReturnType<typeof buildApp>>} */
let app;
/** @type {Awaited<ReturnType<typeof startCluster>>} */
let cluster;
/** @type {Awaited<ReturnType<typeof startAgentPageServer>>} */
let pages;
/** @type {Browser} */
let browser;

before(async () => {
  ensureBuilt();
  const dir = join(tmp, 'app');
  installPackage({ root, app: dir });
  writeApp(dir, "import 'agent-gadgets/define/chat-panel.js';");
  app = await buildApp(dir, { outDir: join(tmp, 'out') });
  const [entry, ...more] = app.entry;
  assert.ok(entry && more.length === 0, `one entry script: ${app.entry}`);
  cluster = await startCluster(['--chat-instances', '3']);
  pages = await startAgentPageServer(cluster.info, { app: { assets: app.assets, entry } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await pages?.close();
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Every script of a built app (entry and lazy chunks), as one text. */
function scriptsOf(/** @type {Awaited<ReturnType<typeof buildApp>>} */ built) {
  return [...built.entry, ...built.lazy]
    .map((f) => readFileSync(join(built.assets, f), 'utf8'))
    .join('\n');
}

test("the app's build carries the package's socket.io stack: WebSocket only, no polling transport", () => {
  const code = scriptsOf(app);
  // strings of engine.io-client's long-polling transports, which the vendored stack leaves out
  // and an app resolving socket.io-client itself would get
  for (const polling of ['xhr poll error', 'xhr post error'])
    assert.equal(code.includes(polling), false, `the app's build contains "${polling}"`);
  // and the stack is there: the engine.io handshake's query parameter
  assert.match(code, /EIO/);
});

/** What a build's scripts say about the rxjs in them. */
function rxjsIn(/** @type {string} */ code) {
  return {
    // a cut of ours (scripts/element-bundle.mjs), in the vendored copy only
    vendored: code.includes('agent-gadgets bundle: rxjs from() with a scheduler is not included'),
    // tslib's __extends, which rxjs's ES5 build (its default condition) brings
    es5: code.includes('is not a constructor or null'),
    // ObjectUnsubscribedError's message: once per copy of rxjs
    copies: code.split('object unsubscribed').length - 1,
  };
}

test("the app's build carries the package's rxjs (the vendored copy, with the cuts), not rxjs's ES5 build", () => {
  const code = scriptsOf(app);
  assert.deepEqual(rxjsIn(code), { vendored: true, es5: false, copies: 1 });
});

test("the app's Vite dev server resolves the package's `#rxjs` too (its dependency pre-bundling)", async () => {
  const dir = join(tmp, 'dev-app');
  installPackage({ root, app: dir });
  writeApp(dir, "import 'agent-gadgets/define/chat-panel.js';");
  const { createServer } = await import('vite');
  const server = await createServer({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1' },
  });
  try {
    await server.listen();
    const base = server.resolvedUrls?.local[0] ?? '';
    const main = await (await fetch(new URL('main.js', base))).text();
    const dep = /import\s*["']([^"']+agent-gadgets[^"']+)["']/.exec(main)?.[1];
    assert.ok(dep, `main.js imports the pre-bundled package: ${main.slice(0, 200)}`);
    const res = await fetch(new URL(dep, base));
    assert.equal(res.status, 200);
    const code = await res.text();
    assert.equal(code.includes('"#rxjs"'), false, 'no unresolved #rxjs left');
    assert.deepEqual(rxjsIn(code), { vendored: true, es5: false, copies: 1 });
  } finally {
    await server.close();
  }
});

test('the app connects, and follows a SIGKILL of its chat instance: every message once, no ag-error', async () => {
  const context = await browser.newContext();
  const { interactionId, instanceId } = await cluster.control('interactions/startChat', {});
  const { page, errors } = await openAgent(pages, context, interactionId);
  await agentSays(page, 'from the app');
  await cluster.control('customer/send', { interactionId, text: 'customer before' });
  const before = await untilInSync(cluster, page, interactionId);

  await cluster.control('chat/kill', { id: instanceId });
  await page.waitForFunction(
    (was) => {
      const el = document.querySelector('ag-chat-panel');
      return el?.connectionState === 'connected' && el.endpoint !== was;
    },
    before.panel.endpoint,
    { timeout: 20000 },
  );
  await agentSays(page, 'after the kill');
  await cluster.control('customer/send', { interactionId, text: 'customer after' });
  const { server, panel } = await untilInSync(cluster, page, interactionId);
  await cluster.control('chat/revive', { id: instanceId });

  assert.deepEqual(
    server.map((m) => m.text),
    ['from the app', 'customer before', 'after the kill', 'customer after'],
  );
  assert.equal(new Set(panel.messages.map((m) => m.id)).size, server.length, 'each shown once');
  assert.notEqual(panel.endpoint, before.panel.endpoint);
  assert.deepEqual(
    panel.timeline.filter((e) => e.type === 'error'),
    [],
  );
  // Chromium logs the refused connections to the dead instance (socket.io tries it again until
  // the session's new place is published); anything else is a defect
  const dead = new URL(cluster.info.urls.chat[instanceId]).host;
  const refused = `console: WebSocket connection to 'ws://${dead}/socket.io/`;
  assert.deepEqual(
    errors.filter((e) => !e.startsWith(refused)),
    [],
  );
  await context.close();
});

/**
 * Serves a built app (its index.html and assets/) on 127.0.0.1, an origin the cluster allows.
 * @param {string} outDir
 */
async function serveApp(outDir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app.invalid').pathname;
    const file = normalize(join(outDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(outDir) || !existsSync(file) || !statSync(file).isFile())
      return res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': types[/** @type {'.html' | '.js'} */ (extname(file))] ?? 'text/plain',
    });
    res.end(readFileSync(file));
  });
  await new Promise((/** @type {(v?: void) => void} */ r) => server.listen(0, '127.0.0.1', r));
  const { port } = /** @type {AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

test('the survey gadget in an app with rxjs of its own: one rxjs, German loaded lazily through the app, a PCS SIGKILL followed', async () => {
  const dir = join(tmp, 'survey-app');
  installPackage({ root, app: dir });
  const pcs = cluster.info.urls.pcs;
  writeApp(
    dir,
    // the README's pattern: credentials as a property, asked on every (re)connect
    "import 'agent-gadgets/define/survey-transfer.js';\n" +
      "import { Subject } from 'rxjs';\n" +
      'window.appEvents = new Subject();\n' +
      "document.querySelector('ag-survey-transfer').tokenProvider = () => 'agent1-token';",
    `<ag-survey-transfer lang="de" host="standalone" mode="transfer"
      pcs-nodes="${Object.values(pcs).join(' ')}" dialog-id="consumer-1" ani="5551234567"
      dialed-number="8000" agent-id="agent1"></ag-survey-transfer>`,
  );
  // the README's setting for an app that uses rxjs: `#rxjs` is then the app's rxjs, ES2015 build
  const { defaultClientConditions } = await import('vite');
  const built = await buildApp(dir, {
    outDir: join(tmp, 'survey-out'),
    config: { resolve: { conditions: ['es2015', ...defaultClientConditions] } },
  });
  const code = scriptsOf(built);
  assert.deepEqual(rxjsIn(code), { vendored: false, es5: false, copies: 1 });
  assert.ok(
    built.lazy.some((f) => /^de-/.test(f)),
    `the German catalogue is a lazy chunk of the app: ${built.lazy}`,
  );
  const server = await serveApp(join(tmp, 'survey-out'));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = collectErrors(page);
    /** @type {string[]} */
    const scripts = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    /** @type {string[]} */
    const failedHosts = [];
    page.on('requestfailed', (r) => failedHosts.push(new URL(r.url()).host));
    await page.goto(server.url);
    const connectedTo = (/** @type {string | null} */ not) =>
      page.waitForFunction(
        (was) => {
          const el = document.querySelector('ag-survey-transfer');
          return el?.connectionState === 'connected' && el.endpoint !== was && el.endpoint;
        },
        not,
        { timeout: 20000 },
      );
    const first = await (await connectedTo(null)).jsonValue();
    await page.waitForFunction(
      () =>
        document
          .querySelector('ag-survey-transfer')
          ?.shadowRoot?.textContent?.includes('Zur Umfrage weiterleiten'),
      null,
      { timeout: 20000 },
    );
    assert.ok(
      scripts.some((p) => /\/assets\/de-[\w-]+\.js$/.test(p)),
      `the German chunk was fetched: ${scripts}`,
    );

    assert.ok(typeof first === 'string' && first in pcs, `connected to a PCS node: ${first}`);
    await cluster.control('pcs/kill', { id: first });
    const second = await (await connectedTo(first)).jsonValue();
    assert.notEqual(second, first);
    await cluster.control('pcs/revive', { id: first });

    // Chromium logs the refused socket and status requests to the dead node (the latter without
    // their URL: every failed request must then have gone to the dead node); nothing else
    const dead = new URL(pcs[first] ?? '').host;
    assert.deepEqual(
      failedHosts.filter((h) => h !== dead),
      [],
    );
    const refused = `console: WebSocket connection to 'ws://${dead}/socket.io/`;
    const failedLoad = 'console: Failed to load resource: net::ERR_CONNECTION_REFUSED';
    assert.deepEqual(
      errors.filter((e) => !e.startsWith(refused) && e !== failedLoad),
      [],
    );
  } finally {
    await context.close();
    await server.close();
  }
});
