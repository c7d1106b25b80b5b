// End to end: the package as an integrator's bundler consumes it. A throwaway app imports
// `agent-gadgets/define/chat-panel.js` from the built package (dist/lib in its node_modules, the
// dependencies resolved by the app) and is built by a default `vite build`; its output runs in
// Chromium against the reference cluster (real processes), through a SIGKILL of the chat
// instance. The element bundles have their own end-to-end tests (lifecycle, demo, Finesse);
// this one covers dist/lib, with its vendored socket.io stack (scripts/vendor-socket-io.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, installPackage, writeApp } from '../../scripts/consumer-app.mjs';
import { chromiumArgs, collectErrors, ensureBuilt, root } from './support.mjs';
import { agentSays, startAgentPageServer, startCluster, untilInSync } from './agent-page.mjs';
/** @import { Browser } from 'playwright-core' */

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
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
});

after(async () => {
  await browser?.close();
  await pages?.close();
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("the app's build carries the package's socket.io stack: WebSocket only, no polling transport", () => {
  const code = [...app.entry, ...app.lazy]
    .map((f) => readFileSync(join(app.assets, f), 'utf8'))
    .join('\n');
  // strings of engine.io-client's long-polling transports, which the vendored stack leaves out
  // and an app resolving socket.io-client itself would get
  for (const polling of ['xhr poll error', 'xhr post error'])
    assert.equal(code.includes(polling), false, `the app's build contains "${polling}"`);
  // and the stack is there: the engine.io handshake's query parameter
  assert.match(code, /EIO/);
});

test('the app connects, and follows a SIGKILL of its chat instance: every message once, no ag-error', async () => {
  const context = await browser.newContext();
  const { interactionId, instanceId } = await cluster.control('interactions/startChat', {});
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(pages.url(interactionId));
  await page.waitForFunction(
    () => document.querySelector('ag-chat-panel')?.connectionState === 'connected',
    null,
    { timeout: 20000 },
  );
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
