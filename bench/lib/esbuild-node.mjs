// Bundles a TypeScript entry under bench/ for Node with esbuild (src/ is TypeScript, which
// Node 20 cannot run). npm packages stay external and resolve from the repo's node_modules,
// which is why the output goes under node_modules/.cache/ (resolution walks up to
// node_modules; lint and git ignore it) rather than a temp dir.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function importTs(root, entry) {
  const { build } = await import('esbuild');
  const outDir = join(root, 'node_modules/.cache/agent-gadgets-bench');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(entry, '.ts')}-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
    tsconfig: join(root, 'tsconfig.json'),
  });
  return { module: await import(pathToFileURL(outfile).href), outfile };
}
