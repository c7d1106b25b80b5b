// Headless Chromium (Debian's, driven by playwright-core) on a bench page served by Vite's dev
// server, which transpiles src/ TypeScript on the fly. The msw worker is served at the root
// because a service worker only controls pages within its scope.
import { join } from 'node:path';
import { mswWorkerSource } from '../../scripts/msw-worker.mjs';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function startViteServer(ctx) {
  // Vite's dependency optimizer picks lit's production build only when NODE_ENV says so.
  process.env.NODE_ENV = 'production';
  const { createServer, defaultClientConditions } = await import('vite');
  const server = await createServer({
    configFile: false,
    root: ctx.root,
    // Our own optimized-deps cache: node_modules/.vite is shared with the demo's and other
    // suites' Vite servers, and one of them re-optimizing there invalidates our page's imports.
    // (Under node_modules so that lint and git never see it.)
    cacheDir: join(ctx.root, 'node_modules/.cache/agent-gadgets-bench/vite'),
    logLevel: 'error',
    clearScreen: false,
    mode: 'production',
    // lit's and socket.io's production builds, as the bundles ship (no dev-mode warnings, no `debug`)
    resolve: {
      conditions: [
        'es2015',
        'production',
        ...defaultClientConditions.filter((c) => !c.includes('development')),
      ],
    },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    // Pre-bundle at startup everything the bench pages can import, including the modules they
    // load through variable dynamic imports (the scanner cannot follow those): a dependency
    // discovered mid-run makes Vite re-optimize and answer "504 Outdated Optimize Dep".
    optimizeDeps: { entries: ['bench/pages/*.html', 'src/mocks/index.ts', 'src/define/*.ts'] },
    plugins: [
      {
        name: 'ag-bench-msw-worker',
        configureServer(s) {
          s.middlewares.use((req, res, next) => {
            if (req.url !== '/mockServiceWorker.js') return next();
            res.setHeader('content-type', 'text/javascript');
            res.setHeader('service-worker-allowed', '/');
            res.end(mswWorkerSource(ctx.root));
          });
        },
      },
    ],
  });
  await server.listen();
  ctx.defer(() => server.close());
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the bench server is not listening');
  return `http://127.0.0.1:${address.port}`;
}

export async function launchChromium(ctx) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
  ctx.defer(() => browser.close());
  return browser;
}

/**
 * Opens bench/pages/<name>.html in a fresh context and waits for `window.agBench`.
 * Page console errors are forwarded to the bench log (a page that breaks says why).
 */
export async function openBenchPage(ctx, browser, baseUrl, name, { expose = {} } = {}) {
  const context = await browser.newContext();
  ctx.defer(() => context.close());
  const page = await context.newPage();
  page.on('console', (m) => {
    // refused WebSockets are expected while an instance is dead
    if (/WebSocket connection to .* failed/.test(m.text())) return;
    if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('[bench]'))
      ctx.log(`page ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
  for (const [fnName, fn] of Object.entries(expose)) await page.exposeFunction(fnName, fn);
  await page.goto(`${baseUrl}/bench/pages/${name}.html`);
  await page.waitForFunction(() => 'agBench' in window, null, { timeout: 30_000 });
  return page;
}
