// 3. Bundle sizes: gzip -9 of each self-contained element bundle (dist/bundles, or built here
// with the same settings when that is missing or older than src/) against the
// floor built in the same run from bench/floor/floor.ts with the same bundler settings
// (the settings of scripts/build.mjs: Vite library build, es2015 condition so rxjs is its
// ES2015 build, production mode, minified, one file).
// Composition: the same build once more with `build.sourcemap` on (not written): each source
// module's bytes in the minified bundle and its marginal gzip -9 cost (bench/lib/composition.mjs),
// per module and per feature (`features` below: path patterns -> feature).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzip9, marginalGzip, spansBySource } from '../lib/composition.mjs';
import { goal } from '../lib/harness.mjs';
import { ratio } from '../lib/stats.mjs';
import { elementBundleConfig } from '../../scripts/element-bundle.mjs';

const KB = 1000; // the stricter reading of "KB"; stated in the report
/**
 * @typedef {{ name: string, entry: string, label: string, goalKb: number, file: string,
 *   path?: string, source?: string, chunks?: string[] }} BundleSpec
 *   `path`/`source`: where the measured file is and how it got there (set by locateBundles)
 */
/** @type {BundleSpec[]} */
export const bundles = [
  {
    name: 'ag-chat-panel',
    entry: 'src/define/chat-panel.ts',
    label: '<ag-chat-panel>',
    goalKb: 30,
  },
  {
    name: 'ag-survey-transfer',
    entry: 'src/define/survey-transfer.ts',
    label: '<ag-survey-transfer>',
    goalKb: 28,
  },
].map((b) => ({ ...b, file: `dist/bundles/${b.name}.js` }));

/** `gzip -9 -c file | wc -c`, as TOOLCHAIN.md prescribes (zlib level 9 when gzip is absent) */
export function gzipSize(file) {
  const r = spawnSync('gzip', ['-9', '-c', file], { maxBuffer: 64 * 2 ** 20 });
  if (r.status === 0) return r.stdout.length;
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

function listTs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? listTs(p) : /\.ts$/.test(d.name) ? [p] : [];
  });
}

/** the src/ files in an entry's import graph (esbuild metafile; packages left out) */
async function sourceGraph(root, entry) {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
    tsconfig: join(root, 'tsconfig.json'),
  });
  return Object.keys(r.metafile.inputs).map((f) => join(root, f));
}

/**
 * What each feature is made of: the first pattern that matches a module's path (relative to the
 * repo root, as the source map names it) decides; a module no pattern matches is "other", so
 * nothing is dropped. `ours` tells our code from the packages it ships.
 * @type {{ feature: string, what?: string, ours: boolean, pattern: RegExp }[]}
 */
export const features = [
  {
    feature: 'lit',
    ours: false,
    pattern: /^node_modules\/(lit|lit-html|lit-element|@lit\/[^/]+)\//,
  },
  { feature: 'rxjs', ours: false, pattern: /^node_modules\/rxjs\// },
  {
    feature: 'socket.io stack',
    what: 'socket.io-client, engine.io-client, both parsers, component-emitter',
    ours: false,
    pattern:
      /^(node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io\/component-emitter)\/|ag-engine-websocket-only$)/,
  },
  { feature: 'tslib', ours: false, pattern: /^node_modules\/tslib\// },
  {
    feature: 'bundler glue',
    what: 'runtime, helpers, namespace objects; no source',
    ours: false,
    // `(unmapped)`: the bytes no source-map segment claims (UNMAPPED in bench/lib/composition.mjs)
    pattern: /^(\(unmapped\)$|node_modules\/(@oxc-project|rolldown)\/)/,
  },
  {
    feature: 'connection core',
    what: 'connection, endpoints, chat endpoint, backoff, lifecycle, http, relocations, auth',
    ours: true,
    pattern:
      /^src\/(core\/(connection|endpoints|backoff|lifecycle|http|handshake-auth|relocations|state|index)|chat\/chat-endpoint)\.ts$/,
  },
  { feature: 'property stream', ours: true, pattern: /^src\/core\/property-stream\.ts$/ },
  {
    feature: 'liveness',
    what: 'core heartbeat + chat bookkeeping',
    ours: true,
    pattern: /^src\/(core\/(liveness|heartbeat)|chat\/liveness)\.ts$/,
  },
  {
    feature: 'outbox + durable store + tab owner',
    ours: true,
    pattern: /^src\/(core\/outbox|chat\/outbox-[^/]+)\.ts$/,
  },
  { feature: 'version trust', ours: true, pattern: /^src\/protocol\/version-trust\.ts$/ },
  {
    feature: 'protocol validation',
    what: 'wire, validate, errors, limits',
    ours: true,
    pattern: /^src\/protocol\/[^/]+\.ts$/,
  },
  {
    feature: 'chat session + controller',
    ours: true,
    pattern: /^src\/chat\/chat-session(-controller)?\.ts$/,
  },
  { feature: 'transcript', ours: true, pattern: /^src\/chat\/transcript\.ts$/ },
  { feature: 'typing', ours: true, pattern: /^src\/chat\/typing-tracker\.ts$/ },
  { feature: 'PCS client', ours: true, pattern: /^src\/survey\/pcs-client\.ts$/ },
  {
    feature: 'survey session',
    what: 'session, controller, workflow, pending requests',
    ours: true,
    pattern:
      /^src\/survey\/(survey-session|survey-controller|survey-workflow|pending-requests)\.ts$/,
  },
  {
    feature: 'hosts',
    what: 'detect, standalone, lazy host, Finesse types',
    ours: true,
    pattern: /^src\/hosts\/[^/]+\.ts$/,
  },
  {
    feature: 'i18n',
    what: 'registry, controller, loader, en catalogue',
    ours: true,
    pattern: /^src\/i18n\/[^/]+\.ts$/,
  },
  {
    feature: 'the element + styles',
    what: 'element, styles, theme, events, define',
    ours: true,
    pattern:
      /^src\/((chat\/chat-panel|survey\/survey-transfer)(\.styles)?|survey\/height-controller|styles\/[^/]+|events|define\/[^/]+)\.ts$/,
  },
];
const OTHER = 'other (no pattern matched)';

/** @param {string} module */
export const featureOf = (module) =>
  features.find((f) => f.pattern.test(module)) ?? {
    feature: OTHER,
    ours: module.startsWith('src/'),
  };

/**
 * Where a bundle's bytes go: the same Vite build as the bundle with `build.sourcemap` on (not
 * written; the main module only, the lazy chunks are measured apart), each module's bytes in
 * the minified code read from the source map (bench/lib/composition.mjs), and its marginal
 * gzip -9 cost: the bundle's gzip minus the gzip of the bundle without that module's bytes;
 * the same per feature (all its modules cut at once).
 * @param {string} root @param {BundleSpec} b @param {string} tmp
 */
async function composition(root, b, tmp) {
  const { build } = await import('vite');
  const mapDir = join(tmp, `map-${b.name}`);
  const config = elementBundleConfig({
    root,
    entry: join(root, b.entry),
    outDir: mapDir,
    fileName: `${b.name}.js`,
  });
  const out =
    /** @type {import('vite').Rollup.RollupOutput | import('vite').Rollup.RollupOutput[]} */ (
      await build({ ...config, build: { ...config.build, sourcemap: true, write: false } })
    );
  const main = (Array.isArray(out) ? out : [out])
    .flatMap((o) => o.output)
    .find((c) => c.type === 'chunk' && c.isEntry);
  if (!main || main.type !== 'chunk' || !main.map)
    throw new Error('no entry chunk with a source map');
  // the same code as the bundle measured, but for the comment that points at the map
  const code = main.code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');
  const sameAsMeasured = b.path ? readFileSync(b.path, 'utf8') === code : null;
  const spans = spansBySource(code, main.map, { root, mapDir });
  const gzipFull = gzip9(code);
  const modules = spans.map((s) => ({
    module: s.module,
    feature: featureOf(s.module).feature,
    bytes: s.bytes,
    marginalGzip: marginalGzip(code, gzipFull, [s]),
  }));
  /** @param {(typeof spans)[number][]} group */
  const cost = (group) => ({
    modules: group.length,
    bytes: group.reduce((n, s) => n + s.bytes, 0),
    marginalGzip: group.length ? marginalGzip(code, gzipFull, group) : 0,
  });
  /** @type {{ feature: string, what?: string, ours: boolean | null }[]} */
  const rows = [...features, { feature: OTHER, ours: null }];
  const byFeature = rows.map(({ feature, what, ours }) => ({
    feature,
    what,
    ours,
    ...cost(spans.filter((s) => featureOf(s.module).feature === feature)),
  }));
  return {
    bytes: Buffer.byteLength(code, 'utf8'),
    gzipFull,
    sameAsMeasured,
    modules,
    features: byFeature.filter((f) => f.modules > 0 || f.feature === OTHER),
    ours: cost(spans.filter((s) => featureOf(s.module).ours)),
    packages: cost(spans.filter((s) => !featureOf(s.module).ours)),
  };
}

/** the rxjs symbols (values, not types) that the given source files import */
export function rxjsSymbolsUsed(files) {
  const names = new Set();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(
      /import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]rxjs(?:\/operators)?['"]/g,
    )) {
      if (m[1] || !m[2]) continue; // `import type` ships nothing
      for (const part of m[2].split(',')) {
        const s = part.trim();
        if (!s || s.startsWith('type ')) continue;
        names.add((s.split(/\s+as\s+/)[0] ?? s).trim());
      }
    }
  }
  return [...names].sort();
}

async function buildFloor(root, symbols, outDir) {
  const { build } = await import('vite');
  const virtualId = 'virtual:ag-rxjs-used';
  const config = elementBundleConfig({
    root,
    entry: join(root, 'bench/floor/floor.ts'),
    outDir,
    fileName: 'floor.js',
  });
  await build({
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      {
        name: 'ag-rxjs-used',
        resolveId: (id) => (id === virtualId ? `\0${virtualId}` : null),
        load: (id) =>
          id === `\0${virtualId}`
            ? symbols.length
              ? `export { ${symbols.join(', ')} } from 'rxjs';`
              : 'export {};'
            : null,
      },
    ],
  });
  return join(outDir, 'floor.js');
}

function newestMtime(dir) {
  return listTs(dir).reduce((m, f) => Math.max(m, statSync(f).mtimeMs), 0);
}

/** true when `file` exists and is at least as new as every .ts file in src/ */
export function builtFromCurrentSrc(root, file) {
  return existsSync(file) && statSync(file).mtimeMs >= newestMtime(join(root, 'src'));
}

/** The lazy chunks built beside a bundle (`<name>-<chunk>-<hash>.js`, see scripts/element-bundle.mjs). */
export function chunksOf(dir, name) {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.js'))
        .sort()
        .map((f) => join(dir, f))
    : [];
}

/**
 * The self-contained element bundles to measure: dist/bundles when it is today's code; otherwise
 * built into `tmp` with scripts/build.mjs's settings (running the build script would rewrite
 * dist/ under the feet of the other suites, and race with their builds). Sets `path` and
 * `source` on each, or returns the first build error.
 */
export async function locateBundles(root, tmp, list = bundles) {
  let buildError = null;
  for (const b of list) {
    const dist = join(root, b.file);
    if (builtFromCurrentSrc(root, dist)) {
      b.path = dist;
      b.source = b.file;
      continue;
    }
    if (!existsSync(join(root, b.entry))) continue;
    try {
      const { build } = await import('vite');
      await build(
        elementBundleConfig({
          root,
          entry: join(root, b.entry),
          outDir: tmp,
          fileName: `${b.name}.js`,
        }),
      );
      b.path = join(tmp, `${b.name}.js`);
      b.source = `built from ${b.entry} in this run (dist/bundles missing or older than src/)`;
    } catch (e) {
      buildError = String(e?.message ?? e).split('\n')[0];
    }
  }
  return buildError;
}

const pct = (/** @type {number} */ part, /** @type {number} */ whole) =>
  `${((part / whole) * 100).toFixed(1)} %`;
const kb = (/** @type {number} */ bytes) => `${(bytes / KB).toFixed(1)} KB`;
/** package modules smaller than this (minified) are summed into one row per package */
const SMALL_MODULE = 1000;

/**
 * The composition tables and notes of one bundle.
 * @param {BundleSpec} b
 * @param {Awaited<ReturnType<typeof composition>>} c
 * @param {number | null} measuredGzip `gzip -9` of the measured bundle file
 */
function compositionReport(b, c, measuredGzip) {
  const whose = (/** @type {boolean | null} */ ours) =>
    ours === true ? 'ours' : ours === false ? 'package' : '—';
  const byCost = (
    /** @type {{ marginalGzip: number }} */ x,
    /** @type {{ marginalGzip: number }} */ y,
  ) => y.marginalGzip - x.marginalGzip;
  const sorted = [
    ...c.features.filter((f) => f.ours === false).sort(byCost),
    ...c.features.filter((f) => f.ours === true).sort(byCost),
    ...c.features.filter((f) => f.ours === null),
  ];
  const featureSum = c.features.reduce((n, f) => n + f.marginalGzip, 0);
  const moduleSum = c.modules.reduce((n, m) => n + m.marginalGzip, 0);
  const row = (
    /** @type {string} */ label,
    /** @type {string} */ kind,
    /** @type {number | string} */ count,
    /** @type {number} */ bytes,
    /** @type {number} */ gz,
  ) => [label, kind, count, bytes, pct(bytes, c.bytes), gz, pct(gz, c.gzipFull)];
  const featureRows = [
    ...sorted.map((f) =>
      row(
        f.what ? `${f.feature} (${f.what})` : f.feature,
        whose(f.ours),
        f.modules,
        f.bytes,
        f.marginalGzip,
      ),
    ),
    row(
      'all but our code at once (packages + glue)',
      'package',
      c.packages.modules,
      c.packages.bytes,
      c.packages.marginalGzip,
    ),
    row('all of our code at once', 'ours', c.ours.modules, c.ours.bytes, c.ours.marginalGzip),
    row('sum of the features above', '—', c.modules.length, c.bytes, featureSum),
    row('the whole bundle (gzip -9 in process)', '—', c.modules.length, c.bytes, c.gzipFull),
  ];
  // every module of ours, and the bigger ones of the packages, one row each; the rest summed per package
  /** @type {Map<string, { n: number, bytes: number, marginalGzip: number, feature: string }>} */
  const folded = new Map();
  const moduleRows = [];
  for (const m of [...c.modules].sort(byCost)) {
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m.module)?.[1];
    if (!pkg || m.bytes >= SMALL_MODULE) {
      moduleRows.push([m.module, m.feature, m.bytes, m.marginalGzip]);
      continue;
    }
    const f = folded.get(pkg) ?? { n: 0, bytes: 0, marginalGzip: 0, feature: m.feature };
    f.n++;
    f.bytes += m.bytes;
    f.marginalGzip += m.marginalGzip;
    folded.set(pkg, f);
  }
  for (const [pkg, f] of [...folded.entries()].sort(
    (x, y) => y[1].marginalGzip - x[1].marginalGzip,
  ))
    moduleRows.push([
      `${pkg}: ${f.n} smaller module${f.n === 1 ? '' : 's'} (< ${SMALL_MODULE.toLocaleString('en-US')} B each; marginals summed)`,
      f.feature,
      f.bytes,
      f.marginalGzip,
    ]);
  moduleRows.push(['sum of the modules above', '—', c.bytes, moduleSum]);
  moduleRows.push(['the whole bundle (gzip -9 in process)', '—', c.bytes, c.gzipFull]);

  const notes = [];
  const gap = (/** @type {number} */ sum) =>
    `${(c.gzipFull - sum).toLocaleString('en-US')} B (${pct(c.gzipFull - sum, c.gzipFull)}) less than the whole`;
  notes.push(
    `${b.label} composition: the ${c.modules.length} modules' marginal costs add up to ${moduleSum.toLocaleString('en-US')} B, ` +
      `${gap(moduleSum)} bundle's ${c.gzipFull.toLocaleString('en-US')} B; the ${c.features.filter((f) => f.modules).length} features' to ` +
      `${featureSum.toLocaleString('en-US')} B, ${gap(featureSum)}. What compresses only against another module's bytes (repeats across modules) is in no single marginal cost.` +
      (measuredGzip === null
        ? ''
        : ` The in-process gzip (zlib, level 9) of the bundle is ${c.gzipFull.toLocaleString('en-US')} B, \`gzip -9\` wrote ${measuredGzip.toLocaleString('en-US')} B.`) +
      (c.sameAsMeasured === false
        ? ' **The source-map build differs from the measured file** (so the figures describe a slightly different bundle).'
        : c.sameAsMeasured
          ? ' The source-map build is byte for byte the measured file (without its sourceMappingURL comment).'
          : ''),
  );
  if (measuredGzip !== null) {
    const over = measuredGzip - b.goalKb * KB;
    const largest = c.features
      .filter((f) => f.ours && f.marginalGzip > 0)
      .sort(byCost)
      .slice(0, 5)
      .map((f) => `${f.feature} (${kb(f.marginalGzip)})`);
    notes.push(
      `${b.label}: to reach the budget (${b.goalKb} KB) the bundle must ${over > 0 ? `lose ${kb(over)}` : `lose nothing (${kb(-over)} under it)`} of gzip -9; ` +
        `the largest features of our own code (marginal gzip -9) are ${largest.join(', ')}; all of our code at once: ${kb(c.ours.marginalGzip)}; ` +
        `all but our code at once (packages + glue): ${kb(c.packages.marginalGzip)}.`,
    );
  }
  return {
    tables: [
      {
        title: `Where ${b.name}.js's bytes go, by feature (the module a page loads, lazy chunks left out; marginal gzip -9 = gzip of the bundle minus gzip of the bundle without the feature's bytes)`,
        columns: [
          'feature',
          'code',
          'modules',
          'minified (B)',
          'share',
          'marginal gzip -9 (B)',
          'share of gzip',
        ],
        rows: featureRows,
      },
      {
        title: `${b.name}.js by source module (bytes in the minified bundle from its source map; marginal gzip -9 of each module alone)`,
        columns: ['module', 'feature', 'minified (B)', 'marginal gzip -9 (B)'],
        rows: moduleRows,
      },
    ],
    notes,
  };
}

export default {
  title: 'Bundle sizes (gzip -9)',
  goals: bundles.map((b) => ({ metric: `${b.label} bundle`, goal: `<= ${b.goalKb} KB` })),
  async run(ctx) {
    const { root } = ctx;
    const notes = [
      `KB = 1,000 bytes (the stricter reading). Sizes are \`gzip -9 -c <file> | wc -c\`.`,
    ];
    const tmp = mkdtempSync(join(tmpdir(), 'ag-bench-bundles-'));
    ctx.defer(() => rmSync(tmp, { recursive: true, force: true }));
    const buildError = await locateBundles(root, tmp);
    const rows = [];
    const goals = [];
    const floors = {};
    let missing = 0;
    for (const b of bundles) {
      // Each bundle's own floor: lit + io() + exactly the rxjs symbols its import graph uses.
      let floor = null;
      if (existsSync(join(root, b.entry))) {
        const symbols = rxjsSymbolsUsed(await sourceGraph(root, b.entry));
        const floorFile = await buildFloor(root, symbols, join(tmp, `floor-${b.name}`));
        floor = { raw: statSync(floorFile).size, gzip: gzipSize(floorFile), symbols };
        floors[b.name] = floor;
        rows.push([
          `floor for ${b.label}: lit + its rxjs symbols + io()`,
          floor.raw,
          floor.gzip,
          '1.00',
          '—',
          '—',
        ]);
      }
      const path = b.path;
      if (!floor || !path || !existsSync(path)) {
        missing++;
        const why = buildError ? `build failed: ${buildError}` : `${b.entry} not landed yet`;
        rows.push([b.label, '—', '—', '—', '—', `not measured: ${why}`]);
        goals.push(
          goal({
            metric: `${b.label} bundle`,
            value: null,
            op: '<=',
            target: b.goalKb,
            unit: 'KB',
            note: why,
          }),
        );
        continue;
      }
      const raw = statSync(path).size;
      const gz = gzipSize(path);
      rows.push([
        b.label,
        raw,
        gz,
        ratio(gz, floor.gzip)?.toFixed(2),
        `+${((gz - floor.gzip) / KB).toFixed(1)} KB`,
        `<= ${b.goalKb} KB`,
      ]);
      // what only some pages fetch (the Finesse host, locale catalogues): beside the bundle,
      // measured apart, not part of what every page loads
      for (const chunk of chunksOf(dirname(path), b.name)) {
        const name = basename(chunk);
        rows.push([
          `  + lazy chunk ${name.slice(b.name.length + 1).replace(/-[\w-]{8}\.js$/, '')}`,
          statSync(chunk).size,
          gzipSize(chunk),
          '—',
          '—',
          'loaded only when needed',
        ]);
        (b.chunks ??= []).push(name);
      }
      goals.push(
        goal({
          metric: `${b.label} bundle`,
          value: Math.round((gz / KB) * 10) / 10,
          op: '<=',
          target: b.goalKb,
          unit: 'KB',
          note: `${(gz / floor.gzip).toFixed(2)}× the floor`,
        }),
      );
    }
    notes.push(
      'Floors built in this run with the same Vite settings from bench/floor/floor.ts; the rxjs symbols of each come from the ' +
        "src/ files in that bundle's import graph (esbuild metafile):",
    );
    /** @type {Record<string, Awaited<ReturnType<typeof composition>>>} */
    const compositions = {};
    const compositionTables = [];
    const compositionNotes = [];
    for (const b of bundles) {
      if (!existsSync(join(root, b.entry))) continue;
      try {
        const c = await composition(root, b, tmp);
        compositions[b.name] = c;
        const measured = b.path && existsSync(b.path) ? gzipSize(b.path) : null;
        const r = compositionReport(b, c, measured);
        compositionTables.push(...r.tables);
        compositionNotes.push(...r.notes);
      } catch (e) {
        compositionNotes.push(
          `${b.label} composition not measured: ${String(e?.message ?? e).split('\n')[0]}`,
        );
      }
    }
    for (const [name, f] of Object.entries(floors))
      notes.push(`${name}: ${f.symbols.map((x) => `\`${x}\``).join(', ') || '(none)'}`);
    if (buildError) notes.push(`bundle build failed: ${buildError}`);
    for (const b of bundles) if (b.source) notes.push(`${b.label}: ${b.source}.`);
    notes.push(...compositionNotes);
    return {
      status: missing === 0 ? 'measured' : missing === bundles.length ? 'not-measured' : 'partial',
      ...(missing ? { reason: 'element bundles missing (see table)' } : {}),
      method:
        "Each gadget ships as one self-contained minified ES module (dist/bundles), the one file a page loads, which the goal is about; code only some pages need (the Finesse host, locale catalogues) is in lazy chunks beside it, listed under it and measured apart. The floor is the smallest possible bundle with the same three libraries, so \"over the floor\" is what the SDK itself costs. Where the bytes go: each module's bytes in the minified bundle, read from the source map of the same build, and its marginal gzip -9 cost, the bundle's gzip minus the gzip of the bundle with that module's bytes cut out (a module's share of a gzip stream cannot be read off it); the same per feature, all its modules cut at once.",
      goals,
      tables: [
        {
          columns: ['Bundle', 'minified (B)', 'gzip -9 (B)', '× floor', 'over floor', 'goal'],
          rows,
        },
        ...compositionTables,
      ],
      notes,
      data: {
        compositions,
        floors,
        bundles: bundles.map(({ name, path, source, chunks }) => ({ name, path, source, chunks })),
      },
    };
  },
};
