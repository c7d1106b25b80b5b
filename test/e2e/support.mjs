// Shared by the end-to-end tests (and test/e2e/screenshots.mjs): the demo's Vite dev server on a
// free port, Debian's Chromium through playwright-core, and a fresh library build when needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @import { Page } from 'playwright-core' */

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The bound on every readiness wait in the end-to-end tests (a page ready, a gadget connected):
 * they end as soon as the condition holds, so a generous bound costs nothing on an idle machine
 * and keeps a saturated one from failing them. AG_WAIT_MS overrides it.
 */
export const waitMs = Number(process.env.AG_WAIT_MS ?? 60000);

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts the demo dev server (vite.config.ts) on a free port. `env` is applied before the config loads.
 * @param {Record<string, string>} [env]
 */
export async function startDemoServer(env = {}) {
  /** @type {Record<string, string | undefined>} */
  const saved = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const { createServer } = await import('vite');
  const server = await createServer({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    server: {
      port: 0,
      strictPort: false,
      host: '127.0.0.1',
      // No file watcher and no HMR socket: an edit elsewhere in the checkout must not reload a
      // page mid-test (the reload would restart the mocked back end under the test's feet).
      hmr: false,
      ws: false,
      watch: null,
      warmup: { clientFiles: ['./src/main.ts', './src/finesse-preview.ts', './src/plain-glue.ts'] },
    },
  });
  await server.listen();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // a dev server (not middleware mode) listening on a port (not a pipe)
  const httpServer = /** @type {import('node:http').Server} */ (server.httpServer);
  const address = /** @type {import('node:net').AddressInfo} */ (httpServer.address());
  return { server, url: `http://127.0.0.1:${address.port}` };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
}

/** @param {string} dir */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** Runs scripts/build.mjs unless dist is newer than every source it is built from. */
export function ensureBuilt() {
  const stamp = join(root, 'dist/.build-stamp');
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'gadgets')),
    ...[
      'scripts/build.mjs',
      'scripts/element-bundle.mjs',
      'scripts/vendor-packages.mjs',
      'package.json',
      'vite.config.ts',
    ].map((f) => statSync(join(root, f)).mtimeMs),
  );
  if (built > sources) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--skip-types', '--skip-manifest'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/build.mjs failed (${r.status})`);
}

/**
 * Collects page errors so a test can assert there were none.
 * @param {Page} page
 */
export function collectErrors(page) {
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
