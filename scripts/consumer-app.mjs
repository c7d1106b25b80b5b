// A throwaway app that consumes the built package as an integrator's bundler would: the package in
// its node_modules as npm installs it (package.json + dist/lib, copied), its dependencies linked to
// this repository's node_modules (a hoisted install), and `vite build` with the app's own settings.
// Used by the consumer-build benchmark (what such an app pays per element) and by the end-to-end
// test that runs such an app against the reference cluster (test/e2e/consumer-app.test.mjs).
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Installs the package into `app/node_modules/agent-gadgets`, from `lib` (default: dist/lib),
 * and links the package's dependencies.
 * @param {{ root: string, app: string, lib?: string }} options
 */
export function installPackage({ root, app, lib = join(root, 'dist/lib') }) {
  if (!existsSync(join(lib, 'define/chat-panel.js'))) throw new Error(`no built library in ${lib}`);
  const pkg = join(app, 'node_modules/agent-gadgets');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(lib, join(pkg, 'dist/lib'), { recursive: true });
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const dep of Object.keys(dependencies)) {
    const target = join(app, 'node_modules', dep);
    if (existsSync(target)) continue;
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
}

/**
 * One page of the app: `dir/index.html` loading `dir/main.js`, whose source is `main`, with
 * `body` as its body's HTML.
 * @param {string} dir
 * @param {string} main
 * @param {string} [body]
 */
export function writeApp(dir, main, body = '') {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>app</title>' +
      '<link rel="icon" href="data:," />' +
      `<script type="module" src="./main.js"></script></head><body>${body}</body></html>\n`,
  );
  writeFileSync(join(dir, 'main.js'), `${main}\n`);
}

/**
 * `vite build` of the app page in `dir` (no config file: Vite's defaults, plus `config`).
 * Returns the output: the entry scripts index.html loads and the lazy chunks, as `assets/` names.
 * @param {string} dir
 * @param {{ outDir: string, config?: import('vite').InlineConfig }} options
 */
export async function buildApp(dir, { outDir, config = {} }) {
  const vite = await import('vite');
  await vite.build({
    root: dir,
    configFile: false,
    logLevel: 'warn',
    ...config,
    build: { ...config.build, outDir, emptyOutDir: true },
  });
  const assets = join(outDir, 'assets');
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const files = existsSync(assets) ? readdirSync(assets).filter((f) => f.endsWith('.js')) : [];
  const entry = files.filter((f) => html.includes(`/assets/${f}`));
  return { outDir, assets, entry, lazy: files.filter((f) => !entry.includes(f)) };
}
