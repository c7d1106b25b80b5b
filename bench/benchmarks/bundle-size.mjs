// 3. Bundle sizes: gzip -9 of each self-contained element bundle (dist/bundles, or built here
// with the same settings when that is missing or older than src/) against the
// floor built in the same run from bench/floor/floor.ts with the same bundler settings
// (the settings of scripts/build.mjs: Vite library build, es2015 condition so rxjs is its
// ES2015 build, production mode, minified, one file).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
 * Where a bundle's bytes come from, by package or src/ folder: the same Vite build as the bundle
 * (not written), each module's rendered length in the module a page loads (after tree-shaking,
 * the WebSocket-only engine and the lazy chunks' split; before minification, so the split is
 * indicative of the minified file: gzip cannot be split by input at all).
 */
async function composition(root, entry, tmp) {
  const { build } = await import('vite');
  const config = elementBundleConfig({
    root,
    entry: join(root, entry),
    outDir: tmp,
    fileName: 'x.js',
  });
  /** @type {{ main: { modules: Record<string, { renderedLength: number }> } | null }} */
  const found = { main: null };
  await build({
    ...config,
    build: { ...config.build, write: false },
    plugins: [
      ...(config.plugins ?? []),
      /** @type {import('vite').Plugin} */ ({
        name: 'ag-composition',
        generateBundle(_, bundle) {
          for (const c of Object.values(bundle))
            if (c.type === 'chunk' && c.isEntry) found.main = c;
        },
      }),
    ],
  });
  const { main } = found;
  if (!main) throw new Error('no entry chunk');
  const groups = new Map();
  let total = 0;
  for (const [id, { renderedLength }] of Object.entries(main.modules)) {
    const file = id.replace(/^\0/, '').replace(`${root}/`, '');
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : (/^(src\/[^/]+)\//.exec(file)?.[1] ?? file);
    groups.set(key, (groups.get(key) ?? 0) + renderedLength);
    total += renderedLength;
  }
  return { total, groups: [...groups.entries()].sort((a, b) => b[1] - a[1]) };
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
    const compositions = {};
    for (const b of bundles) {
      if (!existsSync(join(root, b.entry))) continue;
      try {
        compositions[b.name] = await composition(root, b.entry, tmp);
      } catch (e) {
        notes.push(
          `${b.label} composition not measured: ${String(e?.message ?? e).split('\n')[0]}`,
        );
      }
    }
    for (const [name, f] of Object.entries(floors))
      notes.push(`${name}: ${f.symbols.map((x) => `\`${x}\``).join(', ') || '(none)'}`);
    if (buildError) notes.push(`bundle build failed: ${buildError}`);
    for (const b of bundles) if (b.source) notes.push(`${b.label}: ${b.source}.`);
    return {
      status: missing === 0 ? 'measured' : missing === bundles.length ? 'not-measured' : 'partial',
      ...(missing ? { reason: 'element bundles missing (see table)' } : {}),
      method:
        'Each gadget ships as one self-contained minified ES module (dist/bundles), the one file a page loads, which the goal is about; code only some pages need (the Finesse host, locale catalogues) is in lazy chunks beside it, listed under it and measured apart. The floor is the smallest possible bundle with the same three libraries, so "over the floor" is what the SDK itself costs.',
      goals,
      tables: [
        {
          columns: ['Bundle', 'minified (B)', 'gzip -9 (B)', '× floor', 'over floor', 'goal'],
          rows,
        },
        ...Object.entries(compositions).map(([name, c]) => ({
          title: `What ${name}.js is made of (bytes by package or src/ folder, in the module a page loads: tree-shaken, before minification, lazy chunks left out)`,
          columns: ['part', 'rendered (B)', 'share'],
          rows: c.groups
            .filter(([, v]) => v > 0)
            .map(([k, v]) => [k, v, `${((v / c.total) * 100).toFixed(1)} %`]),
        })),
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
