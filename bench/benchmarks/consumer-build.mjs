// 6. Consumer build: what an app built by a default `vite build` adds per element when it imports
// `agent-gadgets/define/<element>.js` from the built package (dist/lib, dependencies resolved
// by the app), against the self-contained bundle of the same element (dist/bundles).
//
// The app is a throwaway project in a temp dir (scripts/consumer-app.mjs): index.html + main.js,
// with the package installed in its node_modules as npm would (package.json + dist/lib, copied),
// and its dependencies linked to this repository's node_modules. "Adds" = the app's JavaScript
// minus that of the same app importing nothing (Vite's module-preload polyfill), gzip -9, for the
// entry a page loads; also minus an app that already has one lazy import of its own (Vite's
// preload helper then is the app's, not ours). Lazy chunks (the Finesse host, locale catalogues)
// are measured apart, as for the bundles.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goal } from '../lib/harness.mjs';
import { buildApp, installPackage, writeApp } from '../../scripts/consumer-app.mjs';
import { builtFromCurrentSrc, bundles, gzipSize, locateBundles } from './bundle-size.mjs';

const KB = 1000;
const elements = bundles.map((b) => ({
  ...b,
  specifier: `agent-gadgets/define/${b.entry.replace(/^src\/define\//, '').replace(/\.ts$/, '.js')}`,
}));

/** What an app that uses rxjs itself does with it (as much rxjs as the SDK uses, and more). */
const appUsingRxjs =
  "import { Subject, BehaviorSubject, map, filter, switchMap, debounceTime, timer } from 'rxjs';\n" +
  'const query = new BehaviorSubject(location.hash);\n' +
  'const clicks = new Subject();\n' +
  "addEventListener('hashchange', () => query.next(location.hash));\n" +
  "addEventListener('click', (e) => clicks.next(e));\n" +
  'query.pipe(debounceTime(50), filter(Boolean), switchMap((q) => timer(10).pipe(map(() => q))))' +
  '.subscribe((q) => console.log(q));\n';

/**
 * The consumer builds compared. `default` is the goal's: an app that imports only the element,
 * at Vite's defaults. The others are an app that uses rxjs itself: at the defaults (it has rxjs's
 * ES5 build, the element the vendored copy: two rxjs), and with the es2015 condition the README
 * tells such an app to set (one rxjs, its ES2015 build, shared). The socket.io stack is not the
 * app's to resolve: dist/lib always vendors it (scripts/vendor-packages.mjs).
 */
const variants = [
  {
    id: 'default',
    label: 'app without rxjs, default `vite build`',
    prelude: '',
    config: () => ({}),
  },
  {
    id: 'rxjs-app',
    label: 'app using rxjs itself, default `vite build`',
    prelude: appUsingRxjs,
    config: () => ({}),
  },
  {
    id: 'rxjs-app-es2015',
    label: "app using rxjs itself, + `resolve.conditions: ['es2015', ...defaultClientConditions]`",
    prelude: appUsingRxjs,
    config: ({ defaultClientConditions }) => ({
      resolve: { conditions: ['es2015', ...defaultClientConditions] },
    }),
  },
];

/** The package as an app's node_modules holds it: package.json + dist/lib (built here if stale). */
async function installBuiltPackage(root, app, log) {
  const lib = join(root, 'dist/lib');
  if (builtFromCurrentSrc(root, join(lib, 'define/chat-panel.js'))) {
    installPackage({ root, app, lib });
    return 'dist/lib';
  }
  // not rewriting dist/ under the other suites: the library build (vite.config.ts) into a copy
  log('dist/lib missing or older than src/: building the library into a temp dir');
  const { build } = await import('vite');
  const fresh = join(app, '..', 'lib');
  await build({
    configFile: join(root, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir: fresh },
  });
  installPackage({ root, app, lib: fresh });
  return 'the library built from src/ in this run (dist/lib missing or older than src/)';
}

/** `vite build` of the app in `dir`; returns the entry's gzip size and its lazy chunks'. */
async function buildAndMeasure(dir, variant) {
  const vite = await import('vite');
  const outDir = join(dir, `dist-${variant.id.replace(/\W/g, '_')}`);
  const out = await buildApp(dir, { outDir, config: variant.config(vite) });
  const size = (f) => ({
    file: f,
    raw: statSync(join(out.assets, f)).size,
    gzip: gzipSize(join(out.assets, f)),
  });
  const e = out.entry.map(size);
  return {
    entry: e,
    lazy: out.lazy.map(size),
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
    const libSource = await installBuiltPackage(root, app, log);

    const rows = [];
    const goals = [];
    const data = { variants: {}, bundles: {} };
    for (const v of variants) {
      ctx.checkAborted();
      const dir = join(app, v.id);
      // the same app without the element: what Vite (and, for an app using rxjs, its rxjs) adds
      writeApp(join(dir, 'empty'), `${v.prelude}// the element not imported`);
      // an app that already loads something lazily has Vite's preload helper, which the SDK's own
      // lazy imports (locale catalogues, the Finesse host) would otherwise bring
      writeApp(join(dir, 'lazy'), `${v.prelude}import('./route.js');`);
      writeFileSync(join(dir, 'lazy/route.js'), 'export const route = 1;\n');
      for (const e of elements) writeApp(join(dir, e.name), `${v.prelude}import '${e.specifier}';`);
      // both gadgets in one app (an agent desktop with both): the libraries and the core once
      if (v.id === 'default')
        writeApp(join(dir, 'both'), elements.map((e) => `import '${e.specifier}';`).join('\n'));
      const empty = await buildAndMeasure(join(dir, 'empty'), v);
      const lazy = await buildAndMeasure(join(dir, 'lazy'), v);
      data.variants[v.id] = { empty, lazy, elements: {} };
      /** One table row: what `built` adds over the empty and the lazy app, against `bundle` (B). */
      const row = (label, built, bundle, bundleNote = '') => {
        const added = built.gzip - empty.gzip;
        return [
          label,
          v.label,
          built.raw - empty.raw,
          added,
          built.gzip - lazy.gzip,
          typeof bundle === 'number' ? `${bundle}${bundleNote}` : bundle,
          typeof bundle === 'number' ? `${((added / bundle) * 100).toFixed(0)} %` : '—',
          built.lazy.map((c) => `${c.file}: ${c.gzip} B`).join(', ') || '—',
        ];
      };
      for (const e of elements) {
        const built = await buildAndMeasure(join(dir, e.name), v);
        data.variants[v.id].elements[e.name] = built;
        const added = built.gzip - empty.gzip;
        const bundle = e.path && existsSync(e.path) ? gzipSize(e.path) : null;
        data.bundles[e.name] = bundle;
        rows.push(row(e.label, built, bundle ?? '—'));
        if (v.id === 'default')
          goals.push(
            goal({
              metric: `${e.label}: what a default Vite app build adds`,
              value: bundle ? Math.round((added / KB) * 10) / 10 : null,
              op: '<=',
              target: bundle ? Math.round((bundle / KB) * 10) / 10 : 0,
              unit: 'KB',
              note: bundle
                ? `self-contained bundle ${(bundle / KB).toFixed(1)} KB; added to an app that has a lazy import of its own, and so Vite's preload helper already: ${((built.gzip - lazy.gzip) / KB).toFixed(1)} KB`
                : `bundle not measured${bundleError ? `: ${bundleError}` : ''}`,
            }),
          );
      }
      if (v.id === 'default') {
        const built = await buildAndMeasure(join(dir, 'both'), v);
        data.variants[v.id].both = built;
        const sizes = elements.map((e) => data.bundles[e.name]);
        const twoBundles = sizes.every((b) => typeof b === 'number')
          ? sizes.reduce((a, b) => a + b, 0)
          : null;
        rows.push(row('both elements in one app', built, twoBundles ?? '—', ' (the two bundles)'));
      }
    }
    return {
      status: 'measured',
      method:
        'A throwaway app (index.html + main.js importing `agent-gadgets/define/<element>.js`) with the built package in its node_modules (package.json + dist/lib) and the dependencies resolved by the app, built by `vite build` with no config (the goal\'s figure), and one importing both elements (against the two bundles a page would load); then an app that uses rxjs itself, at the defaults and with the setting the README suggests for it. "Adds" is the entry JavaScript minus that of the same app without the element, and minus that of the same app with one lazy import of its own; lazy chunks are listed apart.',
      goals,
      tables: [
        {
          columns: [
            'Element',
            'consumer settings',
            'adds, minified (B)',
            'adds, gzip -9 (B)',
            'adds to an app with a lazy import, gzip -9 (B)',
            'self-contained bundle, gzip -9 (B)',
            'vs bundle',
            'lazy chunks (gzip -9)',
          ],
          rows,
        },
      ],
      notes: [
        `KB = 1,000 bytes. Package contents: ${libSource}. Vite ${(await import('vite')).version}.`,
        `An app importing nothing gets ${data.variants.default.empty.gzip} B gzip of Vite's own (module-preload polyfill), subtracted above; one with a lazy import of its own gets ${data.variants.default.lazy.gzip} B (with Vite's preload helper), subtracted in the column that says so. The app using rxjs: ${data.variants['rxjs-app'].empty.gzip} B at the defaults (rxjs's ES5 build), ${data.variants['rxjs-app-es2015'].empty.gzip} B with the condition (its ES2015 build).`,
        "The socket.io stack comes with the package (dist/lib/vendor/socket.io-client.js, with the bundles' cuts); so does rxjs (dist/lib/vendor/rxjs.js, with the bundles' cuts) for an app that does not resolve the es2015 condition, while one that does shares the app's rxjs (package.json `imports['#rxjs']`; scripts/vendor-packages.mjs); lit is resolved by the app.",
        ...elements.map((e) => `${e.label} bundle: ${e.source ?? 'not measured'}.`),
      ],
      data,
    };
  },
};
