// Opens the bench page against one back end: the msw mock (inside the page) or a fresh
// reference cluster (the page reaches its control API through the `agControl` binding).
import { launchChromium, openBenchPage, startViteServer } from './browser.mjs';
import { startCluster } from './cluster.mjs';

export const backendFiles = {
  mock: ['src/mocks/index.ts'],
  cluster: ['cluster/main.mjs'],
};

/** Shared per benchmark: one Vite server and one Chromium. */
export async function browserSession(ctx) {
  const baseUrl = await startViteServer(ctx);
  const browser = await launchChromium(ctx);
  return { baseUrl, browser };
}

/**
 * @returns {Promise<{ page: import('playwright-core').Page, cluster?: Awaited<ReturnType<typeof startCluster>>, chatIds: string[], panelError?: string }>}
 */
export async function openBackendPage(
  ctx,
  session,
  kind,
  /** @type {{ mockOptions?: object }} */ { mockOptions } = {},
) {
  ctx.requireFiles(...backendFiles[kind]);
  let cluster;
  const expose = {};
  if (kind === 'cluster') {
    const started = await startCluster(ctx.root);
    cluster = started;
    ctx.defer(() => started.stop());
    expose.agControl = (group, verb, body) => started.control(group, verb, body);
  }
  const page = await openBenchPage(ctx, session.browser, session.baseUrl, 'bench', { expose });
  const setupArg =
    kind === 'mock'
      ? { backend: 'mock', options: mockOptions ?? {} }
      : { backend: 'cluster', urls: cluster?.info.urls };
  const setup = () => page.evaluate((o) => /** @type {any} */ (window).agBench.setup(o), setupArg);
  let answer;
  try {
    answer = await setup();
  } catch (e) {
    // Vite may still have been optimizing a dependency on first load ("Outdated Optimize Dep"):
    // once is enough, a second failure is real.
    ctx.log(`setup failed (${e.message.split('\n')[0]}); reloading once`);
    await page.reload();
    await page.waitForFunction(() => 'agBench' in window, null, { timeout: 30_000 });
    answer = await setup();
  }
  let { chatIds, panelError } = answer;
  if (panelError && /Optimize Dep|dynamically imported module/.test(panelError)) {
    await page.reload();
    await page.waitForFunction(() => 'agBench' in window, null, { timeout: 30_000 });
    ({ chatIds, panelError } = await setup());
  }
  return { page, cluster, chatIds, panelError };
}
