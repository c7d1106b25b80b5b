// 6. Consumer build: what an app built by a default `vite build` adds per element when it imports
// `agent-gadgets/define/<element>.js` from the built package (dist/lib, dependencies resolved
// by the app), against the self-contained bundle of the same element (dist/bundles).
//
// The app is a throwaway project in a temp dir: index.html + main.js, with the package installed
// in its node_modules as npm would (package.json + dist/lib, copied), and its dependencies
// linked to this repository's node_modules. "Adds" = the app's JavaScript minus that of the
// same app importing nothing (Vite's module-preload polyfill), gzip -9, for the entry a page
// loads; lazy chunks (the Finesse host, locale catalogues) are measured apart, as for the bundles.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goal } from '../lib/harness.mjs';
import { builtFromCurrentSrc, bundles, gzipSize, locateBundles } from './bundle-size.mjs';
import { websocketOnlyEngine } from '../../scripts/element-bundle.mjs';

const KB = 1000;
const elements = bundles.map((b) => ({
  ...b,
  specifier: `agent-gadgets/define/${b.entry.replace(/^src\/define\//, '').replace(/\.ts$/, '.js')}`,
}));

/**
 * The consumer settings compared. `default` is the goal's; the others are what the README tells
 * an app that wants the last KBs (rxjs's ES2015 build; our WebSocket-only engine plugin).
 */
const variants = [
  { id: 'default', label: 'default `vite build`', config: () => ({}) },
  {
    id: 'es2015',
    label: "+ `resolve.conditions: ['es2015', ...defaultClientConditions]`",
    config: ({ defaultClientConditions }) => ({
      resolve: { conditions: ['es2015', ...defaultClientConditions] },
    }),
  },
  {
    id: 'es2015+ws',
    label: '+ the es2015 condition and `websocketOnlyEngine()`',
    config: ({ defaultClientConditions }) => ({
      resolve: { conditions: ['es2015', ...defaultClientConditions] },
      plugins: [websocketOnlyEngine()],
    }),
  },
];

/** The package as an app's node_modules holds it: package.json + dist/lib (built here if stale). */
async function installPackage(root, app, log) {
  const pkg = join(app, 'node_modules/agent-gadgets');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  const lib = join(root, 'dist/lib');
  if (builtFromCurrentSrc(root, join(lib, 'define/chat-panel.js'))) {
    cpSync(lib, join(pkg, 'dist/lib'), { recursive: true });
    return 'dist/lib';
  }
  // not rewriting dist/ under the other suites: the library build (vite.config.ts) into the copy
  log('dist/lib missing or older than src/: building the library into a temp dir');
  const { build } = await import('vite');
  await build({
    configFile: join(root, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir: join(pkg, 'dist/lib') },
  });
  return 'the library built from src/ in this run (dist/lib missing or older than src/)';
}

/** The app's dependencies: links to this repository's installed packages, as a hoisted install. */
function linkDependencies(root, app) {
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const dep of Object.keys(dependencies)) {
    const target = join(app, 'node_modules', dep);
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
}

function writeApp(dir, importLine) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>app</title>' +
      '<script type="module" src="./main.js"></script></head><body></body></html>\n',
  );
  writeFileSync(join(dir, 'main.js'), `${importLine}\n`);
}

/** `vite build` of the app in `dir`; returns the entry's gzip size and its lazy chunks'. */
async function buildApp(dir, variant, { empty = false } = {}) {
  const vite = await import('vite');
  const outDir = join(dir, `dist-${variant.id.replace(/\W/g, '_')}`);
  const { plugins, ...config } = variant.config(vite);
  await vite.build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    ...config,
    // the engine plugin insists on finding engine.io-client, which the empty app has not
    ...(plugins && !empty ? { plugins } : {}),
    build: { outDir, emptyOutDir: true },
  });
  const assets = join(outDir, 'assets');
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = existsSync(assets) ? readdirSync(assets).filter((f) => f.endsWith('.js')) : [];
  const entry = files.filter((f) => html.includes(`/assets/${f}`));
  const lazy = files.filter((f) => !entry.includes(f));
  const size = (f) => ({
    file: f,
    raw: statSync(join(assets, f)).size,
    gzip: gzipSize(join(assets, f)),
  });
  const e = entry.map(size);
  return {
    entry: e,
    lazy: lazy.map(size),
    raw: e.reduce((s, x) => s + x.raw, 0),
    gzip: e.reduce((s, x) => s + x.gzip, 0),
  };
}

export default {
  title: 'Consumer build (default Vite app importing the package)',
  goals: elements.map((e) => ({
    metric: `${e.label}: what a default Vite app build adds`,
    goal: '<= the self-contained bundle',
  })),
  async run(ctx) {
    const { root, log } = ctx;
    ctx.requireFiles(...elements.map((e) => e.entry), 'vite.config.ts');
    const tmp = mkdtempSync(join(tmpdir(), 'ag-bench-consumer-'));
    ctx.defer(() => rmSync(tmp, { recursive: true, force: true }));
    const bundleError = await locateBundles(root, join(tmp, 'bundles'), elements);
    const app = join(tmp, 'app');
    mkdirSync(app, { recursive: true });
    const libSource = await installPackage(root, app, log);
    linkDependencies(root, app);

    writeApp(join(app, 'empty'), '// nothing imported: what Vite adds to any app');
    for (const e of elements) writeApp(join(app, e.name), `import '${e.specifier}';`);

    const rows = [];
    const goals = [];
    const data = { variants: {}, bundles: {} };
    for (const v of variants) {
      ctx.checkAborted();
      const empty = await buildApp(join(app, 'empty'), v, { empty: true });
      data.variants[v.id] = { empty, elements: {} };
      for (const e of elements) {
        const built = await buildApp(join(app, e.name), v);
        data.variants[v.id].elements[e.name] = built;
        const added = built.gzip - empty.gzip;
        const bundle = e.path && existsSync(e.path) ? gzipSize(e.path) : null;
        data.bundles[e.name] = bundle;
        rows.push([
          e.label,
          v.label,
          built.raw - empty.raw,
          added,
          bundle ?? '—',
          bundle ? `${((added / bundle) * 100).toFixed(0)} %` : '—',
          built.lazy.map((c) => `${c.file}: ${c.gzip} B`).join(', ') || '—',
        ]);
        if (v.id === 'default')
          goals.push(
            goal({
              metric: `${e.label}: what a default Vite app build adds`,
              value: bundle ? Math.round((added / KB) * 10) / 10 : null,
              op: '<=',
              target: bundle ? Math.round((bundle / KB) * 10) / 10 : 0,
              unit: 'KB',
              note: bundle
                ? `self-contained bundle ${(bundle / KB).toFixed(1)} KB`
                : `bundle not measured${bundleError ? `: ${bundleError}` : ''}`,
            }),
          );
      }
    }
    return {
      status: 'measured',
      method:
        'A throwaway app (index.html + main.js importing `agent-gadgets/define/<element>.js`) with the built package in its node_modules (package.json + dist/lib) and the dependencies resolved by the app, built by `vite build` with no config (then with the settings the README suggests). "Adds" is the entry JavaScript minus that of the same app importing nothing; lazy chunks are listed apart.',
      goals,
      tables: [
        {
          columns: [
            'Element',
            'consumer settings',
            'adds, minified (B)',
            'adds, gzip -9 (B)',
            'self-contained bundle, gzip -9 (B)',
            'vs bundle',
            'lazy chunks (gzip -9)',
          ],
          rows,
        },
      ],
      notes: [
        `KB = 1,000 bytes. Package contents: ${libSource}. Vite ${(await import('vite')).version}.`,
        `An app importing nothing gets ${data.variants.default.empty.gzip} B gzip of Vite's own (module-preload polyfill), subtracted above.`,
        ...elements.map((e) => `${e.label} bundle: ${e.source ?? 'not measured'}.`),
      ],
      data,
    };
  },
};
