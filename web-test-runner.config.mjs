// Browser tests: Debian's Chromium, TypeScript through esbuild, the msw worker served at the
// root, and server commands that fork/kill real socket.io processes (test/support/processes.mjs).
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { fileURLToPath } from 'node:url';
import { mswWorkerSource } from './scripts/msw-worker.mjs';
import { processCommandsPlugin } from './test/support/processes.mjs';
import { reactEsmPlugin } from './test/react/react-esm-plugin.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: process.env.AG_TEST_FILES?.split(',') ?? ['test/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'production'] },
  concurrency: Number(process.env.AG_TEST_CONCURRENCY ?? 2),
  // a bound on each test, not a pace (tests wait for signals): generous for a loaded machine
  testFramework: { config: { timeout: Number(process.env.AG_TEST_TIMEOUT_MS ?? 60000) } },
  testsFinishTimeout: 8 * 60 * 1000,
  browserStartTimeout: 60000,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: chromiumArgs,
      },
      // Each test file in a browser context of its own: its own window, so with two files at
      // once neither is a background tab, which Chromium gives no animation frames (a test that
      // waits for layout by requestAnimationFrame hung for minutes); and no storage shared
      // between files (IndexedDB outboxes, localStorage drafts).
      createPage: async ({ context }) => {
        const own = await context.browser().createBrowserContext();
        const page = await own.newPage();
        page.once('close', () => void own.close().catch(() => {}));
        return page;
      },
    }),
  ],
  middleware: [
    // msw's worker (with our claim handler: scripts/msw-worker.mjs), served with scope "/".
    function mswWorker(context, next) {
      if (context.path !== '/mockServiceWorker.js') return next();
      context.type = 'text/javascript';
      context.body = mswWorkerSource(root);
    },
  ],
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'auto',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
    processCommandsPlugin(),
    reactEsmPlugin(),
  ],
};
