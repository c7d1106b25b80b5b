// Regenerates docs/screenshots/*.png from the demo (not a test; run by hand after UI changes):
//   node test/e2e/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, launchBrowser, root, startDemoServer, waitMs } from './support.mjs';
/** @import { AgChatPanel, AgSurveyTransfer } from '../../src/index.js' */

const out = join(root, 'docs/screenshots');
mkdirSync(out, { recursive: true });
ensureBuilt();
const demo = await startDemoServer();
const browser = await launchBrowser();

/** @param {'light' | 'dark'} theme */
async function desktop(theme) {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
  });
  await page.goto(`${demo.url}/?theme=${theme}`);
  await page.waitForFunction(() => window.agentGadgetsDemo?.ready === true, null, {
    timeout: waitMs,
  });
  await page.waitForFunction(
    () =>
      /** @type {AgChatPanel | null} */ (document.getElementById('chat-panel'))?.connectionState ===
      'connected',
  );
  await page
    .locator('ag-chat-panel textarea')
    .fill('Hi Dana, I am sorry about that. Let me look up order #48213.');
  await page.locator('ag-chat-panel [part="send-button"]').click();
  await page.waitForTimeout(6500); // the simulated customer answers
  return page;
}

const page = await desktop('light');
await page.screenshot({ path: join(out, 'desktop.png'), fullPage: true });

// The fault panel in use: the serving chat instance and the PCS primary are killed.
const chat = await page.locator('.tile[data-instance][data-active]').getAttribute('data-instance');
await page.locator(`button[data-action="chat.kill"][data-target="${chat}"]`).click();
const node = await page.locator('.tile[data-node][data-role="primary"]').getAttribute('data-node');
await page.locator(`button[data-action="pcs.kill"][data-target="${node}"]`).click();
await page.waitForTimeout(150);
await page.locator('.cluster').screenshot({ path: join(out, 'fault-panel.png') });

// The timeline once both gadgets have moved.
await page.waitForFunction(
  ([c, n]) =>
    /** @type {AgChatPanel} */ (document.getElementById('chat-panel')).endpoint !== c &&
    /** @type {AgChatPanel} */ (document.getElementById('chat-panel')).connectionState ===
      'connected' &&
    /** @type {AgSurveyTransfer} */ (document.getElementById('survey')).endpoint !== n &&
    /** @type {AgSurveyTransfer} */ (document.getElementById('survey')).connectionState ===
      'connected',
  [chat, node],
  { timeout: waitMs },
);
await page.waitForTimeout(2500);
await page.locator('.timeline').screenshot({ path: join(out, 'timeline-after-kill.png') });
await page.close();

const dark = await desktop('dark');
await dark.screenshot({ path: join(out, 'desktop-dark.png'), fullPage: true });
await dark.close();

const preview = await browser.newPage({ viewport: { width: 1440, height: 760 } });
await preview.goto(`${demo.url}/finesse-preview.html`);
await preview.waitForFunction(() => window.agentGadgetsPreview?.ready === true, null, {
  timeout: waitMs,
});
await preview.locator('button[data-action="customer.send"]').click();
await preview.waitForTimeout(1500);
await preview.screenshot({ path: join(out, 'finesse-preview.png') });
await preview.close();

await browser.close();
await demo.server.close();
console.log(`screenshots written to ${out}`);
