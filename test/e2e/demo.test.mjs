// End to end, in Chromium, on the demo dev server (one server and one browser for the file, to
// keep it quick):
// 1. The demo agent desktop, driven like a person would: kill the chat instance serving the
//    session and the primary PCS node with the fault panel's buttons, then check that both gadgets
//    came back on another instance/node and that the chat transcript is exactly the server's
//    (nothing lost, nothing twice).
// 2. The BUILT bundles (dist/bundles) in the two ways they ship: inside Finesse, loaded from the
//    gadget XML specs by demo/finesse-preview.html (a container harness with a fake finesse.js),
//    and on a plain HTML page with nothing but <script type="module"> tags (demo/plain.html).
//    Both gadgets must render and work in each, and none of their source modules may be loaded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectErrors, ensureBuilt, launchBrowser, startDemoServer, waitMs } from './support.mjs';
/** @import { AgChatPanel, AgSurveyTransfer } from '../../src/index.js' */

/** @import { Browser, Page } from 'playwright-core' */
/** @type {Awaited<ReturnType<typeof startDemoServer>>} */
let demo;
/** @type {Browser} */
let browser;

before(async () => {
  ensureBuilt();
  demo = await startDemoServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.server.close();
});

/** The panel's messages (public property) and the mock's transcript (the server's truth). */
function transcripts() {
  const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel'));
  const mock = window.agentGadgetsMock;
  const server = mock.chat.transcript(window.agentGadgetsDemo.chat.interactionId);
  const root = /** @type {ShadowRoot} */ (panel.shadowRoot);
  const rendered = [...root.querySelectorAll('[part="message"]')].map(
    (li) => /** @type {HTMLElement} */ (li).dataset.id,
  );
  return { panel: panel.messages.map((m) => m.id), server: server.map((m) => m.id), rendered };
}

test('the demo desktop survives killing the active chat instance and the primary PCS node from the fault panel', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${demo.url}/?theme=light`);
  await page.waitForFunction(() => window.agentGadgetsDemo?.ready === true, null, {
    timeout: waitMs,
  });
  await page.waitForFunction(
    () =>
      /** @type {AgChatPanel | null} */ (document.getElementById('chat-panel'))?.connectionState ===
        'connected' &&
      /** @type {AgSurveyTransfer | null} */ (document.getElementById('survey'))
        ?.connectionState === 'connected',
    null,
    { timeout: waitMs },
  );
  await page.locator('#customer-input').fill('Hello, my order arrived broken.');
  await page.locator('.composer button[type="submit"]').click();
  await page.locator('ag-chat-panel textarea').fill('Sorry to hear that, let me check.');
  await page.locator('ag-chat-panel [part="send-button"]').click();
  await page.waitForFunction(
    () => /** @type {AgChatPanel} */ (document.getElementById('chat-panel')).messages.length >= 2,
  );

  // Kill the instance the live view marks as serving the session.
  const chatTile = page.locator('.tile[data-instance][data-active]');
  const killedChat = await chatTile.getAttribute('data-instance');
  assert.ok(killedChat, 'the live view marks the instance serving the session');
  await page.locator(`button[data-action="chat.kill"][data-target="${killedChat}"]`).click();
  await page.waitForFunction(
    (killed) => {
      const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel'));
      return panel.connectionState === 'connected' && panel.endpoint && panel.endpoint !== killed;
    },
    killedChat,
    { timeout: waitMs },
  );
  assert.equal(
    await page.locator(`.tile[data-instance="${killedChat}"]`).getAttribute('data-status'),
    'dead',
  );

  // Both sides keep talking after the move.
  await page.locator('#customer-input').fill('Still there?');
  await page.locator('.composer button[type="submit"]').click();
  await page.locator('ag-chat-panel textarea').fill('Yes, a replacement is on its way.');
  await page.locator('ag-chat-panel [part="send-button"]').click();
  await page.waitForFunction(
    () => {
      const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel'));
      const texts = panel.messages.map((m) => m.text);
      return texts.includes('Still there?') && texts.includes('Yes, a replacement is on its way.');
    },
    null,
    { timeout: waitMs },
  );
  // Transcript intact: the panel shows exactly the server's transcript, in order, once each.
  await page.waitForFunction(() => {
    const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel'));
    const server = window.agentGadgetsMock.chat.transcript(
      window.agentGadgetsDemo.chat.interactionId,
    );
    return panel.messages.length === server.length;
  });
  const t = await page.evaluate(transcripts);
  assert.deepEqual(t.panel, t.server);
  assert.deepEqual(t.rendered, t.server);

  // Kill the primary PCS node from its tile; the survey gadget follows the standby's takeover.
  const killedNode = await page
    .locator('.tile[data-node][data-role="primary"]')
    .getAttribute('data-node');
  assert.ok(killedNode);
  await page.locator(`button[data-action="pcs.kill"][data-target="${killedNode}"]`).click();
  await page.waitForFunction(
    (killed) => {
      const survey = /** @type {AgSurveyTransfer} */ (document.getElementById('survey'));
      return (
        survey.connectionState === 'connected' && survey.endpoint && survey.endpoint !== killed
      );
    },
    killedNode,
    { timeout: waitMs },
  );
  // ...and still works there: the transfer reaches the (fake) Finesse.
  await page
    .locator('ag-survey-transfer button', { hasText: /transfer/i })
    .first()
    .click();
  await page.waitForFunction(() => window.agentGadgetsMock.finesse.transfers().length === 1, null, {
    timeout: waitMs,
  });
  const [transfer] = await page.evaluate(() => window.agentGadgetsMock.finesse.transfers());
  assert.equal(transfer?.to, '9100');

  // The timeline drew both lanes and the chat relocation with its gap.
  assert.equal(await page.locator('.timeline-chart .lane').count(), 2);
  const markers = await page.locator('.timeline-chart .relocation text').allTextContents();
  assert.ok(
    markers.some((m) => m.startsWith(`${killedChat} →`) && / \d+ ms$/.test(m)),
    `a relocation marker for ${killedChat}: ${markers.join(' | ')}`,
  );
  assert.deepEqual(
    errors.filter((e) => e.startsWith('pageerror')),
    [],
  );
  await page.close();
});

test('a hard reload of a second demo tab: the mock has the page claimed, msw does not reload it', async () => {
  // A cache-bypassing reload (Ctrl+Shift+R; here CDP) leaves the page uncontrolled while the
  // worker stays registered for the first tab: the same state as a test page whose navigation
  // missed the worker's activation. msw reloads such a page after the mock's wait (a test runner
  // reports "the page was reloaded"); the mock instead asks the worker to claim it.
  const context = await browser.newContext();
  /** @param {Page} page */
  const ready = (page) =>
    page.waitForFunction(() => window.agentGadgetsDemo?.ready === true, null, { timeout: waitMs });
  const first = await context.newPage();
  await first.goto(`${demo.url}/`);
  await ready(first);
  const second = await context.newPage();
  await second.goto(`${demo.url}/`);
  await ready(second);
  let navigations = 0;
  second.on('framenavigated', (frame) => {
    if (frame === second.mainFrame()) navigations++;
  });
  // read at the document's start, before any script of the page ran
  await second.addInitScript(() =>
    Reflect.set(window, 'agControlledAtStart', window.navigator.serviceWorker.controller !== null),
  );
  const cdp = await context.newCDPSession(second);
  await cdp.send('Page.reload', { ignoreCache: true });
  await ready(second);
  assert.equal(
    await second.evaluate(() => Reflect.get(window, 'agControlledAtStart')),
    false,
    'the hard-reloaded page started uncontrolled',
  );
  assert.equal(
    await second.evaluate(() => window.navigator.serviceWorker.controller !== null),
    true,
    'the page is controlled once the mock has started',
  );
  assert.equal(navigations, 1, 'only the hard reload navigated the page (msw did not reload it)');
  await context.close();
});

/** URLs the page requested; the elements' sources must not be among them (the bundle is under test). */
/** @param {Page} page */
function recordRequests(page) {
  /** @type {string[]} */
  const urls = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  return {
    urls,
    elementSources: () =>
      urls.filter((u) => /^\/(@fs\/.*\/)?src\/(chat|survey|core|define|hosts)\//.test(u)),
  };
}

const connected = (/** @type {string} */ selector) =>
  `(() => { const el = document.querySelector('${selector}'); return !!el && el.connectionState === 'connected'; })()`;

test('Finesse preview: both gadget XML specs load their built bundle and work on the fake Finesse', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = collectErrors(page);
  const requests = recordRequests(page);
  await page.goto(`${demo.url}/finesse-preview.html`);
  await page.waitForFunction(() => window.agentGadgetsPreview?.ready === true, null, {
    timeout: waitMs,
  });
  const specs = await page.evaluate(() => window.agentGadgetsPreview.specs);
  assert.deepEqual(specs, ['AgentGadgetsChat.xml', 'AgentGadgetsSurvey.xml']);
  for (const name of ['ag-chat-panel', 'ag-survey-transfer']) {
    assert.ok(
      requests.urls.includes(`/3rdpartygadget/files/agent-gadgets/bundles/${name}.js`),
      `${name}.js loaded relative to the XML`,
    );
  }
  await page.waitForFunction(
    connected('[data-gadget="AgentGadgetsChat.xml"] ag-chat-panel'),
    null,
    { timeout: waitMs },
  );
  await page.waitForFunction(
    connected('[data-gadget="AgentGadgetsSurvey.xml"] ag-survey-transfer'),
    null,
    {
      timeout: waitMs,
    },
  );

  // Chat: a customer line arrives, the agent answers from the gadget's composer.
  await page.locator('button[data-action="customer.send"]').click();
  await page.locator('ag-chat-panel [part="message"]').first().waitFor({ timeout: waitMs });
  await page.locator('ag-chat-panel textarea').fill('Hello from the Finesse gadget');
  await page.locator('ag-chat-panel [part="send-button"]').click();
  await page.waitForFunction(
    () => {
      const id = window.agentGadgetsPreview.chatId;
      return window.agentGadgetsMock.chat
        .transcript(id)
        .some((m) => m.text === 'Hello from the Finesse gadget');
    },
    null,
    { timeout: waitMs },
  );

  // Survey: the gadget picked up the call from finesse.js and transfers it to the survey DN.
  await page
    .locator('ag-survey-transfer button', { hasText: /transfer/i })
    .first()
    .click();
  await page.waitForFunction(() => window.agentGadgetsMock.finesse.transfers().length === 1, null, {
    timeout: waitMs,
  });
  const [transfer] = await page.evaluate(() => window.agentGadgetsMock.finesse.transfers());
  assert.equal(transfer?.to, '9100');

  assert.deepEqual(requests.elementSources(), [], 'the elements come from the built bundles only');
  assert.deepEqual(
    errors.filter((e) => e.startsWith('pageerror')),
    [],
  );
  await page.close();
});

test('plain HTML page: two script tags, both gadgets render and work', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 800 } });
  const errors = collectErrors(page);
  const requests = recordRequests(page);
  await page.goto(`${demo.url}/plain.html`);
  await page.waitForFunction(() => window.agentGadgetsPlain?.ready === true, null, {
    timeout: waitMs,
  });
  await page.waitForFunction(connected('#chat'), null, { timeout: waitMs });
  await page.waitForFunction(connected('#survey'), null, { timeout: waitMs });
  await page
    .locator('#chat [part="message"]', { hasText: 'Hello, is anyone there?' })
    .waitFor({ timeout: waitMs });

  await page.locator('#chat textarea').fill('Hi, this is Alex.');
  await page.locator('#chat [part="send-button"]').click();
  await page.waitForFunction(
    () => {
      const id = window.agentGadgetsPlain.chat.interactionId;
      return window.agentGadgetsMock.chat
        .transcript(id)
        .some((m) => m.text === 'Hi, this is Alex.');
    },
    null,
    { timeout: waitMs },
  );

  // No telephony on a plain page: the survey request reaches PCS; the transfer is the desktop's.
  await page
    .locator('#survey button', { hasText: /transfer/i })
    .first()
    .click();
  await page.waitForFunction(
    () => window.agentGadgetsMock.pcs.requests().some((r) => r.dialogId === 'plain-1001'),
    null,
    { timeout: waitMs },
  );

  assert.ok(requests.urls.includes('/bundles/ag-chat-panel.js'));
  assert.ok(requests.urls.includes('/bundles/ag-survey-transfer.js'));
  assert.deepEqual(requests.elementSources(), [], 'the elements come from the built bundles only');
  assert.deepEqual(
    errors.filter((e) => e.startsWith('pageerror')),
    [],
  );
  await page.close();
});

test('on the reference cluster the same buttons SIGKILL real processes, and the gadgets recover', async (t) => {
  const { fork } = await import('node:child_process');
  const { join } = await import('node:path');
  const { root } = await import('./support.mjs');
  const cluster = fork(join(root, 'cluster/main.mjs'), ['--ipc'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  t.after(() => cluster.kill('SIGTERM'));
  const info = await new Promise((resolve, reject) => {
    cluster.once('message', resolve);
    cluster.once('exit', (code) => reject(new Error(`cluster exited (${code})`)));
  });
  const config = {
    backend: 'cluster',
    controlUrl: info.controlUrl,
    interactions: info.urls.interactions,
    interactionsBackup: info.urls.interactionsBackup,
    chat: info.urls.chat,
    pcs: info.urls.pcs,
  };
  const clusterDemo = await startDemoServer({ AG_CLUSTER_CONFIG: JSON.stringify(config) });
  t.after(() => clusterDemo.server.close());

  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  t.after(() => page.close());
  const errors = collectErrors(page);
  await page.goto(`${clusterDemo.url}/`);
  await page.waitForFunction(() => window.agentGadgetsDemo?.ready === true, null, {
    timeout: waitMs,
  });
  assert.equal(await page.locator('.backend-badge').getAttribute('data-kind'), 'cluster');
  await page.waitForFunction(
    () =>
      /** @type {AgChatPanel | null} */ (document.getElementById('chat-panel'))?.connectionState ===
        'connected' &&
      /** @type {AgSurveyTransfer | null} */ (document.getElementById('survey'))
        ?.connectionState === 'connected',
    null,
    { timeout: waitMs },
  );
  await page.locator('#customer-input').fill('Hello from a real process');
  await page.locator('.composer button[type="submit"]').click();
  await page.waitForFunction(() =>
    /** @type {AgChatPanel} */ (document.getElementById('chat-panel')).messages.some(
      (m) => m.text === 'Hello from a real process',
    ),
  );

  const killedChat = await page
    .locator('.tile[data-instance][data-active]')
    .getAttribute('data-instance');
  const pid = info.pids[/** @type {string} */ (killedChat)];
  await page.locator(`button[data-action="chat.kill"][data-target="${killedChat}"]`).click();
  await page.waitForFunction(
    (killed) => {
      const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel'));
      return panel.connectionState === 'connected' && panel.endpoint && panel.endpoint !== killed;
    },
    killedChat,
    { timeout: waitMs },
  );
  assert.throws(() => process.kill(pid, 0), /ESRCH/, `${killedChat} (pid ${pid}) is gone`);

  await page.locator('ag-chat-panel textarea').fill('Answered after a SIGKILL');
  await page.locator('ag-chat-panel [part="send-button"]').click();
  await page.waitForFunction(
    async () => {
      const id = window.agentGadgetsDemo.chat.interactionId;
      const res = await fetch('/__ag/control/chat/transcript', {
        method: 'POST',
        body: JSON.stringify({ interactionId: id }),
      });
      const server = (await res.json()).result.map((m) => m.id);
      const panel = /** @type {AgChatPanel} */ (document.getElementById('chat-panel')).messages.map(
        (m) => m.id,
      );
      return server.length >= 2 && JSON.stringify(server) === JSON.stringify(panel);
    },
    null,
    { timeout: waitMs, polling: 250 },
  );
  assert.deepEqual(
    errors.filter((e) => e.startsWith('pageerror')),
    [],
  );
});
