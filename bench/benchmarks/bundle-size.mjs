// 3. Bundle sizes: gzip -9 of each self-contained element bundle (dist/bundles) against the
// floor built in the same run from bench/floor/floor.ts with the same bundler settings
// (the settings of scripts/build.mjs: Vite library build, es2015 condition so rxjs is its
// ES2015 build, production mode, minified, one file).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { goal } from '../lib/harness.mjs';
import { ratio } from '../lib/stats.mjs';

const KB = 1000; // the stricter reading of "KB"; stated in the report
const bundles = [
  { file: 'dist/bundles/ag-chat-panel.js', label: '<ag-chat-panel>', goalKb: 30 },
  { file: 'dist/bundles/ag-survey-transfer.js', label: '<ag-survey-transfer>', goalKb: 28 },
];

/** `gzip -9 -c file | wc -c`, as TOOLCHAIN.md prescribes (zlib level 9 when gzip is absent) */
function gzipSize(file) {
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

/** the rxjs symbols src/ imports (mocks excluded: they never ship in a gadget bundle) */
export function rxjsSymbolsUsed(root) {
  const names = new Set();
  for (const f of listTs(join(root, 'src'))) {
    if (relative(join(root, 'src'), f).startsWith('mocks')) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]rxjs(?:\/operators)?['"]/g)) {
      if (m[1]) continue; // `import type` ships nothing
      for (const part of m[2].split(',')) {
        const s = part.trim();
        if (!s || s.startsWith('type ')) continue;
        names.add(s.split(/\s+as\s+/)[0].trim());
      }
    }
  }
  return [...names].sort();
}

async function buildFloor(root, symbols, outDir) {
  const { build, defaultClientConditions } = await import('vite');
  const virtualId = 'virtual:ag-rxjs-used';
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    mode: 'production',
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    resolve: { conditions: ['es2015', ...defaultClientConditions] },
    plugins: [
      {
        name: 'ag-rxjs-used',
        resolveId: (id) => (id === virtualId ? `\0${virtualId}` : null),
        load: (id) =>
          id === `\0${virtualId}` ? (symbols.length ? `export { ${symbols.join(', ')} } from 'rxjs';` : 'export {};') : null,
      },
    ],
    build: {
      outDir,
      emptyOutDir: true,
      copyPublicDir: false,
      target: 'es2022',
      sourcemap: false,
      lib: { entry: join(root, 'bench/floor/floor.ts'), formats: ['es'], fileName: () => 'floor.js' },
      rolldownOptions: { output: { minify: true, codeSplitting: false } },
    },
  });
  return join(outDir, 'floor.js');
}

function newestMtime(dir) {
  return listTs(dir).reduce((m, f) => Math.max(m, statSync(f).mtimeMs), 0);
}

export default {
  title: 'Bundle sizes (gzip -9)',
  goals: bundles.map((b) => ({ metric: `${b.label} bundle`, goal: `<= ${b.goalKb} KB` })),
  async run(ctx) {
    const { root } = ctx;
    const notes = [`KB = 1,000 bytes (the stricter reading). Sizes are \`gzip -9 -c <file> | wc -c\`.`];
    // The element bundles: rebuild when missing or older than src/, so the figure is today's code.
    const haveBuild = existsSync(join(root, 'scripts/build.mjs'));
    const stale = bundles.some((b) => !existsSync(join(root, b.file)) || statSync(join(root, b.file)).mtimeMs < newestMtime(join(root, 'src')));
    let buildError = null;
    if (stale && haveBuild) {
      ctx.log('building the element bundles (node scripts/build.mjs)');
      const r = spawnSync(process.execPath, ['scripts/build.mjs', '--skip-types', '--skip-manifest'], { cwd: root, encoding: 'utf8', timeout: 40_000 });
      if (r.status !== 0) buildError = (r.stderr || r.stdout || `exit ${r.status ?? r.signal}`).trim().split('\n').slice(-3).join(' ');
    }
    const symbols = rxjsSymbolsUsed(root);
    const tmp = mkdtempSync(join(tmpdir(), 'ag-bench-floor-'));
    ctx.defer(() => rmSync(tmp, { recursive: true, force: true }));
    const floorFile = await buildFloor(root, symbols, tmp);
    const floor = { raw: statSync(floorFile).size, gzip: gzipSize(floorFile) };
    const rows = [['floor: lit + rxjs used + socket.io-client io()', floor.raw, floor.gzip, '1.00', '—', '—']];
    const goals = [];
    let missing = 0;
    for (const b of bundles) {
      const path = join(root, b.file);
      if (!existsSync(path)) {
        missing++;
        const why = buildError ? `build failed: ${buildError}` : haveBuild ? `${b.file} not produced by scripts/build.mjs` : 'scripts/build.mjs not landed yet';
        rows.push([b.label, '—', '—', '—', '—', `not measured: ${why}`]);
        goals.push(goal({ metric: `${b.label} bundle`, value: null, op: '<=', target: b.goalKb, unit: 'KB', note: why }));
        continue;
      }
      const raw = statSync(path).size;
      const gz = gzipSize(path);
      rows.push([b.label, raw, gz, ratio(gz, floor.gzip)?.toFixed(2), `+${((gz - floor.gzip) / KB).toFixed(1)} KB`, `<= ${b.goalKb} KB`]);
      goals.push(goal({ metric: `${b.label} bundle`, value: Math.round((gz / KB) * 10) / 10, op: '<=', target: b.goalKb, unit: 'KB', note: `${(gz / floor.gzip).toFixed(2)}× the floor` }));
    }
    notes.push(
      `Floor built in this run with Vite (library mode, es2015 condition, minified, one file) from bench/floor/floor.ts; ` +
        `rxjs symbols taken from src/ imports: ${symbols.length ? symbols.map((s) => `\`${s}\``).join(', ') : '(none found yet)'}.`,
    );
    if (buildError) notes.push(`scripts/build.mjs failed: ${buildError}`);
    return {
      status: missing === 0 ? 'measured' : missing === bundles.length ? 'not-measured' : 'partial',
      ...(missing ? { reason: 'element bundles missing (see table)' } : {}),
      method: 'Each gadget ships as one self-contained minified ES module (dist/bundles). The floor is the smallest possible bundle with the same three libraries, so "over the floor" is what the SDK itself costs.',
      goals,
      tables: [{ columns: ['Bundle', 'minified (B)', 'gzip -9 (B)', '× floor', 'over floor', 'goal'], rows }],
      notes,
      data: { floor, symbols },
    };
  },
};
