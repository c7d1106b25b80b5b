// The cluster validates what it receives with the SAME validators as the client: src/protocol
// is TypeScript, which Node 20 cannot run, so the supervisor bundles it with esbuild (about
// 10 ms) into cluster/.data/protocol-<hash>.mjs. The name carries a content hash and the file
// is written through a rename, so clusters started concurrently (test files run in parallel)
// never read a half-written bundle, and an unchanged protocol is not rebuilt.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds (if needed) the protocol bundle and returns its absolute path. */
export async function buildProtocolBundle() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src/protocol/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  const dir = join(root, 'cluster/.data');
  const file = join(dir, `protocol-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  return file;
}

/** Loads the bundle the supervisor built (its path comes in AG_PROTOCOL_BUNDLE). */
export async function loadProtocol() {
  const file = process.env.AG_PROTOCOL_BUNDLE ?? (await buildProtocolBundle());
  return import(pathToFileURL(file).href);
}
