// The BUILT element bundles for benchmarks that load them as a page would: dist/bundles when it
// is today's code, otherwise both built here into a temp dir with scripts/build.mjs's settings
// (running the build script would rewrite dist/ under the feet of other suites). The whole
// folder is returned, not single files: a bundle may load chunks that sit beside it.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** bundle file name -> registration module, as scripts/build.mjs builds them */
export const elementBundles = {
  'ag-chat-panel.js': 'src/define/chat-panel.ts',
  'ag-survey-transfer.js': 'src/define/survey-transfer.ts',
};

/** @param {string} dir @returns {number} */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((m, d) => {
    const p = join(dir, d.name);
    return Math.max(m, d.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }, 0);
}

/**
 * @param {{ root: string, log: (...a: unknown[]) => void, defer: (fn: () => unknown) => void }} ctx
 * @returns {Promise<{ dir: string, source: string }>} the folder holding every element bundle
 */
export async function builtBundles(ctx) {
  const { root } = ctx;
  const dist = join(root, 'dist/bundles');
  const srcMtime = newestMtime(join(root, 'src'));
  const fresh = Object.keys(elementBundles).every((f) => {
    const p = join(dist, f);
    return existsSync(p) && statSync(p).mtimeMs >= srcMtime;
  });
  if (fresh) return { dir: dist, source: 'dist/bundles' };
  const tmp = mkdtempSync(join(tmpdir(), 'ag-bench-startup-'));
  ctx.defer(() => rmSync(tmp, { recursive: true, force: true }));
  ctx.log('dist/bundles missing or older than src/: building the bundles into a temp dir');
  const { build } = await import('vite');
  const { elementBundleConfig } = await import('../../scripts/element-bundle.mjs');
  for (const [fileName, entry] of Object.entries(elementBundles)) {
    const config = elementBundleConfig({ root, entry: join(root, entry), outDir: tmp, fileName });
    // scripts/ is not type-checked yet, so its config object is inferred loosely (strings, not Vite's literals)
    await build(/** @type {import('vite').InlineConfig} */ (config));
  }
  return {
    dir: tmp,
    source: 'built from src/define/*.ts in this run (dist/bundles missing or older than src/)',
  };
}
