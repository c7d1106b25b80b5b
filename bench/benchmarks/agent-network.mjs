// 7. The agent's own browser on the reference cluster, with the BUILT bundle on the README's
// plain page (test/e2e/agent-page.mjs, the same page and hooks as the end-to-end tests):
// `online` -> connected after the network was cut (context.setOffline), and reload -> held
// message acknowledged (a message typed while the instance is dead, then the page reloaded).
import { startCluster } from '../lib/cluster.mjs';
import { launchChromium } from '../lib/browser.mjs';
import { goal, sleep } from '../lib/harness.mjs';
import { round, summarize } from '../lib/stats.mjs';

const ONLINE_GOAL_MS = 300;
// long enough that the reload surely happens while the message is held, short enough that a
// sample does not cost seconds of waiting
const RESTORE_DELAY_MS = 1000;

/** @typedef {import('playwright-core').Page} Page */
/** @param {Page} page */
const connectedOn = (page, timeout = 20_000) =>
  page.waitForFunction(
    () =>
      /** @type {any} */ (document.querySelector('ag-chat-panel'))?.connectionState === 'connected',
    null,
    { timeout },
  );

export default {
  title: "The agent's browser: network return and reload (Chromium, cluster)",
  goals: [{ metric: '`online` -> connected p95, cluster', goal: `<= ${ONLINE_GOAL_MS} ms` }],
  async run(ctx) {
    ctx.requireFiles('cluster/main.mjs', 'test/e2e/agent-page.mjs', 'scripts/build.mjs');
    const agentPage = await import('../../test/e2e/agent-page.mjs');
    const samples = ctx.quick ? 8 : 30;
    const cluster = await startCluster(ctx.root, {
      args: ['--restore-delay-ms', String(RESTORE_DELAY_MS)],
    });
    ctx.defer(() => cluster.stop());
    ctx.log('building the bundle if stale, then serving the agent page');
    const pages = await agentPage.startAgentPageServer(cluster.info);
    ctx.defer(() => pages.close());
    const browser = await launchChromium(ctx);
    const online = [];
    const reload = [];
    const afterRestore = [];
    const failures = [];
    const report = () => build({ online, reload, afterRestore, failures, samples });
    ctx.partial = () => (online.length || reload.length ? report() : null);

    // `online` -> connected: one page, cut and restored `samples` times
    {
      const context = await browser.newContext();
      ctx.defer(() => context.close());
      const { interactionId } = await cluster.control('interactions', 'startChat', {});
      const page = await context.newPage();
      await page.goto(pages.url(interactionId));
      await connectedOn(page);
      for (let i = 0; i < samples; i++) {
        ctx.checkAborted();
        try {
          await context.setOffline(true);
          await page.waitForFunction(
            () =>
              /** @type {any} */ (document.querySelector('ag-chat-panel')).connectionState !==
              'connected',
            null,
            { timeout: 10_000 },
          );
          await sleep(300); // offline for a while, as a network change is
          await context.setOffline(false);
          await connectedOn(page);
        } catch (e) {
          failures.push(`online ${i}: ${e.message.split('\n')[0]}`);
          await context.setOffline(false);
        }
        await sleep(200);
      }
      online.push(...(await agentPage.onlineToConnectedMs(page)));
      await context.close();
    }

    // reload -> held message acknowledged: a fresh chat per sample on one instance, killed
    const ids = Object.keys(cluster.info.urls.chat);
    const victim = ids[0];
    for (let i = 0; i < samples; i++) {
      ctx.checkAborted();
      const context = await browser.newContext();
      try {
        const { interactionId } = await cluster.control('interactions', 'startChat', {
          instanceId: victim,
        });
        const page = await context.newPage();
        await page.goto(pages.url(interactionId));
        await connectedOn(page);
        const killedAt = Date.now();
        await cluster.control('chat', 'kill', { id: victim });
        await page.waitForFunction(
          () =>
            /** @type {any} */ (document.querySelector('ag-chat-panel')).connectionState ===
            'reconnecting',
          null,
          { timeout: 10_000 },
        );
        await agentPage.agentSays(page, `held ${i}`);
        const held = (await agentPage.panelState(page)).pending.length;
        if (held !== 1) throw new Error(`expected one held message before the reload, saw ${held}`);
        await page.reload();
        const ackAt = await agentPage.heldAcknowledgedMs(page);
        const origin = await page.evaluate(() => window.performance.timeOrigin);
        reload.push(ackAt);
        // the part after the back end had restored the session (its delay counts from the kill)
        afterRestore.push(origin + ackAt - (killedAt + RESTORE_DELAY_MS));
      } catch (e) {
        failures.push(`reload ${i}: ${e.message.split('\n')[0]}`);
      } finally {
        await context.close();
      }
      await cluster.control('chat', 'revive', { id: victim });
      await waitAlive(cluster, victim);
    }
    return report();
  },
};

async function waitAlive(cluster, id) {
  for (let i = 0; i < 400; i++) {
    const list = await cluster.control('chat', 'instances', {}).catch(() => null);
    const inst = Array.isArray(list) ? list.find((x) => x.id === id) : null;
    if (!list || inst?.alive) return;
    await sleep(25);
  }
}

function build({ online, reload, afterRestore, failures, samples }) {
  const on = summarize(online);
  const re = summarize(reload);
  const ar = summarize(afterRestore);
  return {
    status: failures.length ? 'partial' : 'measured',
    method:
      'The BUILT bundle (dist/bundles/ag-chat-panel.js, rebuilt when older than src/) on the plain agent page of the ' +
      'end-to-end tests (test/e2e/agent-page.mjs), against the reference cluster, heartbeat-ms 500. ' +
      '`online` -> connected: playwright `context.setOffline(true)` (the panel leaves `connected`), 300 ms later ' +
      '`setOffline(false)`; the page itself timestamps its `online` event and the next `ag-connection-change` to ' +
      '`connected` (hook `onlineToConnectedMs`). ' +
      `Reload -> held: a fresh chat on one instance, SIGKILL of that instance (cluster restore delay ${RESTORE_DELAY_MS} ms), ` +
      'a message typed while `reconnecting` (held), then `page.reload()`; the figure is from the navigation start of the ' +
      'reloaded page to the panel holding no pending message (hook `heldAcknowledgedMs`), so it includes what is left of ' +
      'the back end\'s restore delay. "After the restore" is the same moment measured from kill + restore delay (wall clock), ' +
      'i.e. roughly what the reload costs once the session can be joined again. ' +
      `${samples} samples each.`,
    goals: [
      goal({
        metric: '`online` -> connected p95, cluster',
        value: on.n ? round(on.p95) : null,
        op: '<=',
        target: ONLINE_GOAL_MS,
        unit: 'ms',
        note: on.n ? `median ${round(on.median)} ms, n=${on.n}` : (failures[0] ?? 'no samples'),
      }),
    ],
    tables: [
      {
        columns: ['measure', 'n', 'median (ms)', 'p95 (ms)', 'max (ms)'],
        rows: [
          ['`online` -> connected', on.n, round(on.median), round(on.p95), round(on.max)],
          [
            'reload -> held acknowledged (from navigation start)',
            re.n,
            round(re.median),
            round(re.p95),
            round(re.max),
          ],
          [
            '… of which after kill + restore delay',
            ar.n,
            round(ar.median),
            round(ar.p95),
            round(ar.max),
          ],
        ],
      },
    ],
    notes: failures.slice(0, 5),
    data: { online, reload, afterRestore, failures },
  };
}
