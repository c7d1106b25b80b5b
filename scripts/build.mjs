// `npm run build`: everything that ships, in one script.
//
//   dist/lib/                     ESM library (one file per source module), dependencies external:
//                                 vite.config.ts's build configuration
//   dist/bundles/ag-*.js          one self-contained, minified ES module per element (no bundler needed),
//                                 and beside it the chunks it imports lazily (ag-<element>-<chunk>-<hash>.js:
//                                 the Finesse host, locale catalogues), fetched relative to it
//   dist/types/                   declarations (tsc -p tsconfig.build.json)
//   custom-elements.json          the custom elements manifest (cem analyze: custom-elements-manifest.config.mjs),
//   vscode.html-custom-data.json  with the IDE data generated from it
//   web-types.json
//   dist/gadgets/agent-gadgets/   the folder to upload to Finesse /3rdpartygadget/files/agent-gadgets/:
//                                 the gadget XML specs with bundles/ (modules and chunks) next to them
//
// Options: --skip-types / --skip-manifest (quicker local iterations; CI runs everything).
import { build } from 'vite';
import { elementBundleConfig, licenceFileName } from './element-bundle.mjs';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));

/** Elements shipped as standalone bundles: bundle name -> registration module. */
const elementBundles = {
  'ag-chat-panel': 'src/define/chat-panel.ts',
  'ag-survey-transfer': 'src/define/survey-transfer.ts',
};

/**
 * The most each element's module may weigh (gzip -9 bytes), checked by every build. Not the goal
 * (issue #15: 30 / 28 KB, see the README's "Bundle sizes"), but a guard against growth: a change
 * that crosses it fails here, where it is cheap to see. Lower a ceiling when a bundle shrinks;
 * raising one takes a commit that says what the bytes buy.
 */
const gzipCeilings = { 'ag-chat-panel': 42_000, 'ag-survey-transfer': 41_000 };

/** The files of one element bundle in dist/bundles: its module first, then its lazy chunks. */
function bundleFiles(name) {
  const chunks = readdirSync(join(dist, 'bundles'))
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.js'))
    .sort();
  return [`${name}.js`, ...chunks];
}

/** `gzip -9` itself when present, as the bundle-size benchmark measures (zlib differs by ~0.3 %) */
function gzipSize(file) {
  const cli = spawnSync('gzip', ['-9', '-c', file], { maxBuffer: 64 * 2 ** 20 });
  return cli.status === 0 ? cli.stdout.length : gzipSync(readFileSync(file), { level: 9 }).length;
}

function fail(message) {
  console.error(`\n[build] ${message}`);
  process.exit(1);
}

function requireFile(path) {
  if (!existsSync(join(root, path))) fail(`missing entry ${path}`);
  return join(root, path);
}

/** The ESM library: vite.config.ts's build configuration (`vite build` gives the same). */
async function buildLibrary() {
  for (const path of Object.values(elementBundles)) requireFile(path);
  await build({ configFile: join(root, 'vite.config.ts'), mode: 'production' });
}

async function buildBundle(name, entry) {
  await build(
    elementBundleConfig({
      root,
      entry: requireFile(entry),
      outDir: join(dist, 'bundles'),
      fileName: `${name}.js`,
    }),
  );
}

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status}`);
}

/** The Finesse upload folder: gadget specs (<Module> XML) with bundles/ beside them. */
function assembleGadgets() {
  const out = join(dist, 'gadgets/agent-gadgets');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'bundles'), { recursive: true });
  const specs = readdirSync(join(root, 'gadgets')).filter(
    (f) =>
      f.endsWith('.xml') && /<Module[\s>]/.test(readFileSync(join(root, 'gadgets', f), 'utf8')),
  );
  if (specs.length === 0) fail('no gadget specs (<Module> XML) in gadgets/');
  for (const f of specs) copyFileSync(join(root, 'gadgets', f), join(out, f));
  // the chunks too: a gadget in Finesse imports its Finesse host from beside its bundle; and
  // the licence notices, which must travel with the code
  for (const name of Object.keys(elementBundles))
    for (const f of [...bundleFiles(name), licenceFileName(`${name}.js`)])
      copyFileSync(join(dist, 'bundles', f), join(out, 'bundles', f));
  return specs;
}

/**
 * Every file package.json's `exports` (and main/types) points at must exist after a build: a
 * missing target is a package that fails at its consumer's import, not here.
 */
function checkExports() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const targets = [pkg.main, pkg.types];
  const walk = (v) => {
    if (typeof v === 'string') targets.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  const skipped = (t) =>
    (args.has('--skip-types') && t.startsWith('./dist/types/')) ||
    (args.has('--skip-manifest') && /(custom-elements|html-custom-data|web-types)\.json$/.test(t));
  const missing = targets.filter((t) => t && !skipped(t) && !existsSync(join(root, t)));
  if (missing.length > 0)
    fail(`package.json points at files the build did not make: ${missing.join(', ')}`);
}

/** Every element module the manifest names must be a file the package ships. */
function checkManifestPaths() {
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
  const missing = manifest.modules
    .filter((m) => m.declarations?.some((d) => d.customElement))
    .map((m) => m.path)
    .filter((p) => !existsSync(join(root, p)));
  if (missing.length > 0)
    fail(`custom-elements.json names modules not built: ${missing.join(', ')}`);
}

const started = performance.now();
rmSync(join(dist, 'bundles'), { recursive: true, force: true });
await buildLibrary();
for (const [name, entry] of Object.entries(elementBundles)) await buildBundle(name, entry);
if (!args.has('--skip-types')) {
  rmSync(join(dist, 'types'), { recursive: true, force: true });
  run('npx', ['tsc', '-p', 'tsconfig.build.json']);
}
if (!args.has('--skip-manifest')) {
  // settings and plugins: custom-elements-manifest.config.mjs (also writes the IDE data)
  run('npx', ['cem', 'analyze']);
  checkManifestPaths();
}
const specs = assembleGadgets();
checkExports();

console.log(
  '\n[build] element bundles (minified, gzip -9; the module a page loads, then its lazy chunks):',
);
/** @type {string[]} */
const overweight = [];
for (const name of Object.keys(elementBundles)) {
  bundleFiles(name).forEach((f, i) => {
    const path = join(dist, 'bundles', f);
    const size = readFileSync(path).length;
    const gzip = gzipSize(path);
    console.log(
      `  ${(i ? `  + ${f}` : f).padEnd(48)} ${String(size).padStart(8)} B  ${String(gzip).padStart(7)} B gzip`,
    );
    const ceiling = gzipCeilings[/** @type {keyof typeof gzipCeilings} */ (name)];
    if (i === 0 && gzip > ceiling) overweight.push(`${f}: ${gzip} B gzip, over its ${ceiling} B`);
  });
}
if (overweight.length > 0)
  fail(
    `element bundles grew past their ceiling (gzipCeilings in scripts/build.mjs):\n  ${overweight.join('\n  ')}`,
  );
console.log(
  `[build] Finesse upload folder: dist/gadgets/agent-gadgets/ (${specs.join(', ')} + bundles/)`,
);
// Lets tests tell a fresh build from a stale one (test/gadgets compares it with source mtimes).
writeFileSync(join(dist, '.build-stamp'), new Date().toISOString() + '\n');
console.log(`[build] done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
