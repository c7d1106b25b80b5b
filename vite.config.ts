import {
  defineConfig,
  defaultClientConditions,
  type Connect,
  type Plugin,
  type UserConfig,
} from 'vite';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mswWorkerSource } from './scripts/msw-worker.mjs';
import { vendoredPackages } from './scripts/vendor-packages.mjs';

// Two configurations:
//   serve (`npm start`, `npm run start:cluster`): the demo dev server; the demo itself is only
//     ever served (its back end switch and the bundles come from this server).
//   build (`vite build`, run by `npm run build` as its first step): the ESM library in dist/lib/,
//     one file per source module, dependencies external. `npm run build` (scripts/build.mjs)
//     adds the declarations, the self-contained element bundles (one Vite build per element:
//     a single config cannot emit several self-contained files) and the Finesse upload folder.
//
// Besides the demo itself it serves:
//   /mockServiceWorker.js                          msw's worker, straight from node_modules (always
//                                                  the installed version, so never a stale copy)
//   /3rdpartygadget/files/agent-gadgets/*.xml      gadgets/*.xml, where Finesse serves uploaded gadgets
//   /3rdpartygadget/files/agent-gadgets/bundles/   the built element bundles (dist/bundles)
//   /bundles/                                      the same bundles, for demo/plain.html
//   /__ag/gadgets.json                             the gadget specs in gadgets/ (Finesse preview)
//   /__ag/custom-elements.json                     the manifest, for the reference page (reference.html)
//   /__ag/backend.json                             which back end the demo talks to (mock | cluster)
//   /__ag/control/*                                proxy to the reference cluster's control API

const root = fileURLToPath(new URL('.', import.meta.url));
const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Serves files below `dir` at `prefix`, refusing anything that escapes `dir`. */
function serveDir(prefix: string, dir: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url?.split('?')[0] ?? '';
    if (!url.startsWith(prefix)) return next();
    const file = normalize(join(dir, decodeURIComponent(url.slice(prefix.length))));
    if (!file.startsWith(dir)) return next();
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (!file.endsWith('.js') || !dir.includes('dist')) return next();
      // The pages that run the built bundles say why they are missing instead of failing silently
      // (a 404 would not run: browsers execute no module script from an error response).
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.end(
        `console.error(${JSON.stringify(`${url} is not built yet: run \`npm run build\` and reload`)});`,
      );
      return;
    }
    res.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-store');
    createReadStream(file).pipe(res);
  };
}

function agentGadgetsDemo(): Plugin {
  const clusterConfig = process.env.AG_CLUSTER_CONFIG; // JSON set by scripts/start-with-cluster.mjs
  return {
    name: 'agent-gadgets-demo',
    configureServer(server) {
      const mw = server.middlewares;
      mw.use((req, res, next) => {
        if (req.url?.split('?')[0] !== '/mockServiceWorker.js') return next();
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        res.setHeader('Service-Worker-Allowed', '/');
        res.end(mswWorkerSource(root));
      });
      mw.use((req, res, next) => {
        if (req.url?.split('?')[0] !== '/__ag/backend.json') return next();
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-store');
        res.end(clusterConfig ?? JSON.stringify({ backend: 'mock' }));
      });
      mw.use((req, res, next) => {
        // the manifest the reference page (demo/reference.html) is generated from
        if (req.url?.split('?')[0] !== '/__ag/custom-elements.json') return next();
        const file = resolve(root, 'custom-elements.json');
        res.setHeader('Cache-Control', 'no-store');
        if (!existsSync(file)) {
          res.statusCode = 404;
          res.end('custom-elements.json is not generated yet: run `npm run analyze` and reload');
          return;
        }
        res.setHeader('Content-Type', 'application/json');
        createReadStream(file).pipe(res);
      });
      mw.use((req, res, next) => {
        if (req.url?.split('?')[0] !== '/__ag/gadgets.json') return next();
        // The gadget specs (<Module> XML) in gadgets/, for the Finesse preview.
        const dir = resolve(root, 'gadgets');
        const specs = existsSync(dir)
          ? readdirSync(dir).filter(
              (f) => f.endsWith('.xml') && /<Module[\s>]/.test(readFileSync(join(dir, f), 'utf8')),
            )
          : [];
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(specs.sort()));
      });
      mw.use(
        serveDir('/3rdpartygadget/files/agent-gadgets/bundles/', resolve(root, 'dist/bundles')),
      );
      mw.use(serveDir('/3rdpartygadget/files/agent-gadgets/', resolve(root, 'gadgets')));
      mw.use(serveDir('/bundles/', resolve(root, 'dist/bundles')));
    },
  };
}

/** The cluster's control API, proxied so the demo page needs no CORS from it. */
function controlProxy() {
  const config = process.env.AG_CLUSTER_CONFIG;
  if (!config) return undefined;
  const { controlUrl } = JSON.parse(config) as { controlUrl: string };
  return {
    // controlUrl is http://127.0.0.1:<port>/control: /__ag/control/<group>/<verb> -> /control/<group>/<verb>
    '/__ag/control': {
      target: new URL(controlUrl).origin,
      changeOrigin: true,
      rewrite: (p: string) => p.replace(/^\/__ag/, ''),
    },
  };
}

/** Public entry points of the library; every `src/define/*.ts` is one too. */
const libraryEntries: Record<string, string> = {
  index: 'src/index.ts',
  'mocks/index': 'src/mocks/index.ts',
  'react/index': 'src/react/index.ts',
  'i18n/index': 'src/i18n/index.ts',
};

// Runtime and peer dependencies stay external in the library (the app's bundler dedupes them),
// except the socket.io stack and rxjs: external here too, then pointed at their vendored copies
// (plugin below; rxjs only for apps that do not resolve the es2015 condition).
const external =
  /^(lit|@lit|@lit-labs|rxjs|socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|msw|@mswjs|react|react-dom)(\/|$)/;

function libraryBuild(): UserConfig {
  const entries: Record<string, string> = {};
  for (const [name, path] of Object.entries(libraryEntries)) {
    // a missing entry is a broken package: fail the build, not the consumer's import
    if (!existsSync(resolve(root, path))) throw new Error(`[build] missing library entry ${path}`);
    entries[name] = resolve(root, path);
  }
  for (const f of readdirSync(resolve(root, 'src/define'))) {
    if (f.endsWith('.ts') && !f.endsWith('.d.ts'))
      entries[`define/${f.slice(0, -3)}`] = resolve(root, 'src/define', f);
  }
  return {
    root,
    publicDir: false, // it would ship the msw worker
    logLevel: 'warn',
    // socket.io-client and engine.io-client, and rxjs: vendored modules, dist/lib/vendor/ (why: there)
    plugins: [vendoredPackages({ root })],
    // rxjs' default export condition is its ES5 build (about 40 % bigger)
    resolve: { conditions: ['es2015', ...defaultClientConditions] },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: resolve(root, 'dist/lib'),
      emptyOutDir: true,
      copyPublicDir: false,
      target: 'es2022',
      minify: false,
      // No maps in the package: this output is unminified, one file per module, so it reads as it
      // is, and maps would either embed every source (42 files of full sources in the tarball) or
      // point at src/, which is not shipped.
      sourcemap: false,
      lib: { entry: entries, formats: ['es'] },
      rolldownOptions: {
        external: (id) => external.test(id),
        output: { preserveModules: true, preserveModulesRoot: 'src', entryFileNames: '[name].js' },
      },
    },
  };
}

const demoServer: UserConfig = {
  root: resolve(root, 'demo'),
  publicDir: false,
  // 'es2015' first so rxjs resolves to its ES2015 build, as in the library build.
  resolve: { conditions: ['es2015', ...defaultClientConditions] },
  plugins: [agentGadgetsDemo()],
  // Pre-bundle up front: a dependency discovered on first load makes Vite reload the page, which
  // would restart the mocked back end mid-demo (and slow the e2e tests down).
  optimizeDeps: {
    entries: ['index.html', 'finesse-preview.html', 'plain.html', 'reference.html'],
    include: [
      'lit',
      'lit/decorators.js',
      'lit/directives/repeat.js',
      'rxjs',
      'socket.io-client',
      'engine.io-client',
      'msw',
      'msw/browser',
    ],
  },
  server: {
    port: 5173,
    strictPort: false,
    open: false,
    proxy: controlProxy(),
    // The pages' /bundles/*.js are served as built files by the middleware above; pre-transforming
    // the HTML's script URLs would only make Vite look for them in demo/ and complain.
    preTransformRequests: false,
  },
};

export default defineConfig(({ command }) => (command === 'build' ? libraryBuild() : demoServer));
