// End to end on the reference cluster (real processes), in Chromium, with the BUILT bundle on a
// plain page written the way the README says: what the agent typed survives what the agent's
// own browser does. A reload with a held message and a draft; the network going away and
// coming back with messages both ways; the tab frozen and resumed (CDP
// Page.setWebLifecycleState). Every message exactly once, no false reconnect, no ag-error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumArgs } from './support.mjs';
import {
  agentSays,
  heldAcknowledgedMs,
  onlineToConnectedMs,
  openAgent,
  panelState,
  startAgentPageServer,
  startCluster,
  throttlingDefaults,
  untilInSync,
} from './agent-page.mjs';
/** @import { AgChatPanel } from '../../src/index.js' */

/** @import { Browser, BrowserContext, Page } from 'playwright-core' */
/** @type {Awaited<ReturnType<typeof startCluster>>} */
let cluster;
/** @type {Awaited<ReturnType<typeof startAgentPageServer>>} */
let pages;
/** @type {Browser} */
let browser;

before(async () => {
  // a restore that takes a while, so a message typed after a crash is surely held
  cluster = await startCluster(['--chat-instances', '3', '--restore-delay-ms', '4000']);
  pages = await startAgentPageServer(cluster.info);
  const { chromium } = await import('playwright-core');
  // keep Chromium's own background behaviour: these tests are about it
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    ignoreDefaultArgs: throttlingDefaults,
  });
});

after(async () => {
  await browser?.close();
  await pages?.close();
  await cluster?.stop();
});

const agentTexts = async (/** @type {string} */ interactionId) =>
  (await cluster.control('chat/transcript', { interactionId }))
    .filter((m) => m.from.role === 'agent')
    .map((m) => m.text);

test("the README's plain-page token pattern connects with no ag-error", async () => {
  const context = await browser.newContext();
  const { interactionId } = await cluster.control('interactions/startChat', {});
  const { page, errors } = await openAgent(pages, context, interactionId);
  const { timeline, error } = await panelState(page);
  assert.deepEqual(
    timeline.filter((e) => e.type === 'error'),
    [],
  );
  assert.equal(error, undefined);
  const states = timeline.filter((e) => e.type === 'state').map((e) => e.state);
  assert.deepEqual([...new Set(states)], ['connecting', 'connected'], 'never refused or failed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('reload with a held message and a draft: delivered once, draft back in the composer', async () => {
  const context = await browser.newContext();
  const { interactionId, instanceId } = await cluster.control('interactions/startChat', {});
  const { page } = await openAgent(pages, context, interactionId);
  await agentSays(page, 'before the crash');
  await untilInSync(cluster, page, interactionId);

  await cluster.control('chat/kill', { id: instanceId });
  await page.waitForFunction(
    () =>
      /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel')).connectionState ===
      'reconnecting',
    null,
    { timeout: 10000 },
  );
  await agentSays(page, 'held across the reload');
  await page.locator('ag-chat-panel textarea').fill('half a sentence');
  const held = (await panelState(page)).pending;
  assert.equal(held.length, 1);

  await page.reload();
  await page.waitForFunction(
    () => document.querySelector('ag-chat-panel')?.connectionState === 'connected',
    null,
    { timeout: 20000 },
  );
  const acknowledgedAt = await heldAcknowledgedMs(page);
  console.log(`# reload -> held message acknowledged: ${acknowledgedAt.toFixed(0)} ms`);
  const { server, panel } = await untilInSync(cluster, page, interactionId);
  assert.deepEqual(await agentTexts(interactionId), ['before the crash', 'held across the reload']);
  assert.equal(server[1].clientMsgId, held[0], 'the resend kept its clientMsgId');
  assert.equal(panel.draft, 'half a sentence');
  await cluster.control('chat/revive', { id: instanceId });
  assert.deepEqual(
    panel.timeline.filter((e) => e.type === 'error'),
    [],
  );
  await context.close();
});

test('offline and online with messages both ways: reconnecting (offline) at once, nothing lost', async () => {
  const context = await browser.newContext();
  const { interactionId } = await cluster.control('interactions/startChat', {});
  const { page } = await openAgent(pages, context, interactionId);
  await cluster.control('customer/send', { interactionId, text: 'customer before' });
  await agentSays(page, 'agent before');
  await untilInSync(cluster, page, interactionId);

  await context.setOffline(true);
  await page.waitForFunction(
    () => {
      const el = /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel'));
      return el.connectionState === 'reconnecting';
    },
    null,
    { timeout: 10000 },
  );
  const { timeline } = await panelState(page);
  const offlineAt = timeline.findLast((e) => e.type === 'offline');
  const dropped = timeline.find((e) => e.type === 'state' && e.state === 'reconnecting');
  assert.ok(offlineAt, 'the page saw `offline`');
  assert.equal(dropped?.reason, 'offline', 'the reason is named');
  await cluster.control('customer/send', { interactionId, text: 'customer while offline' });
  await agentSays(page, 'agent while offline');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await panelState(page)).pending.length, 1);

  await context.setOffline(false);
  await page.waitForFunction(
    () =>
      /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel')).connectionState ===
      'connected',
    null,
    { timeout: 10000 },
  );
  await cluster.control('customer/send', { interactionId, text: 'customer after' });
  await agentSays(page, 'agent after');
  const { server } = await untilInSync(cluster, page, interactionId);
  assert.deepEqual(
    server.map((m) => m.text),
    [
      'customer before',
      'agent before',
      'customer while offline',
      'agent while offline',
      'customer after',
      'agent after',
    ],
  );
  const [gap] = await onlineToConnectedMs(page);
  assert.ok(gap !== undefined, 'online was followed by connected');
  console.log(`# online -> connected: ${gap.toFixed(0)} ms`);
  await context.close();
});

test('frozen and resumed (CDP): nothing lost, no false reconnect', async () => {
  const context = await browser.newContext();
  const { interactionId } = await cluster.control('interactions/startChat', {});
  const { page } = await openAgent(pages, context, interactionId);
  await agentSays(page, 'before the freeze');
  await untilInSync(cluster, page, interactionId);
  const cdp = await context.newCDPSession(page);
  const before = (await panelState(page)).timeline.length;

  // Page.setWebLifecycleState freezes a hidden page; a headless page is never hidden, so this
  // Chromium accepts the call and keeps running. The debugger then stops the page's main thread
  // for real: timers and socket events queue up, as in a frozen or throttled tab.
  await cdp.send('Debugger.enable');
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await cdp.send('Debugger.pause');
  // several heartbeat periods (500 ms) go by with no timer running, but less than the server's
  // own ping timeout (5 s + 5 s): the connection is fine, the page just slept
  await cluster.control('customer/send', { interactionId, text: 'said while frozen' });
  await new Promise((r) => setTimeout(r, 3500));
  await cdp.send('Debugger.resume');
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  // the browser fires `resume` when it unfreezes a page; a page stopped by the debugger only
  // gets it from us
  await page.evaluate(() => {
    if (!window.agTimeline.some((e) => e.type === 'resume'))
      document.dispatchEvent(new window.Event('resume'));
  });

  await agentSays(page, 'after the resume');
  const { server, panel } = await untilInSync(cluster, page, interactionId);
  assert.deepEqual(
    server.map((m) => m.text),
    ['before the freeze', 'said while frozen', 'after the resume'],
  );
  assert.ok(panel.maxGap >= 3000, `the page really stopped (longest timer gap ${panel.maxGap} ms)`);
  const since = panel.timeline.slice(before);
  assert.ok(since.some((e) => e.type === 'resume'));
  assert.deepEqual(
    since.filter((e) => e.type === 'state' || e.type === 'error'),
    [],
    'no reconnect and no error across the freeze',
  );
  await context.close();
});

test('two tabs on one interaction typing, with a crash between: every message once, each tab shows the other pending', async () => {
  const context = await browser.newContext();
  const { interactionId, instanceId } = await cluster.control('interactions/startChat', {});
  const { page: one } = await openAgent(pages, context, interactionId);
  const { page: two } = await openAgent(pages, context, interactionId);
  const sent = [];
  for (let i = 0; i < 4; i++) {
    for (const [name, page] of /** @type {[string, Page][]} */ ([
      ['one', one],
      ['two', two],
    ])) {
      const text = `${name} ${i}`;
      sent.push(text);
      await agentSays(page, text);
    }
  }
  await untilInSync(cluster, one, interactionId);

  // the instance dies: what both type now is held, and each tab shows the other's too
  await cluster.control('chat/kill', { id: instanceId });
  await one.waitForFunction(
    () =>
      /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel')).connectionState ===
      'reconnecting',
    null,
    { timeout: 10000 },
  );
  await agentSays(one, 'one held');
  await agentSays(two, 'two held');
  sent.push('one held', 'two held');
  const pendingTexts = (page) =>
    page.evaluate(() =>
      [
        .../** @type {ShadowRoot} */ (
          /** @type {AgChatPanel} */ (document.querySelector('ag-chat-panel')).shadowRoot
        ).querySelectorAll('[part="pending-message"] .text'),
      ]
        .map((n) => n.textContent)
        .sort(),
    );
  const bothHeld = JSON.stringify(['one held', 'two held']);
  for (let i = 0; ; i++) {
    const [p1, p2] = [await pendingTexts(one), await pendingTexts(two)];
    if (JSON.stringify(p1) === bothHeld && JSON.stringify(p2) === bothHeld) break;
    assert.ok(i < 30, `each tab should show both held messages: one ${p1}, two ${p2}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { server } = await untilInSync(cluster, one, interactionId);
  await untilInSync(cluster, two, interactionId);
  assert.deepEqual(server.map((m) => m.text).sort(), [...sent].sort());
  assert.equal(new Set(server.map((m) => m.text)).size, server.length, 'no message twice');
  await cluster.control('chat/revive', { id: instanceId });
  await context.close();
});
