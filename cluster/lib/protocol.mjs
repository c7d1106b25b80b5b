// The cluster validates what it receives with the SAME validators as the client, and follows
// the SAME back-end rules as the mock (src/backend/rules.ts, exported here as `rules`): both
// are TypeScript, which Node 20 cannot run, so the supervisor bundles them with esbuild (about
// 10 ms) into cluster/.data/protocol-<hash>.mjs. The name carries a hash of the sources and the
// file is written through a rename, so clusters started concurrently (test files run in parallel)
// never read a half-written bundle, and an unchanged protocol is not rebuilt.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** What the bundle is made of (and keyed by). */
const sourceDirs = ['src/protocol', 'src/backend'];

/** Builds (if needed) the protocol bundle and returns its absolute path. */
export async function buildProtocolBundle() {
  // Keyed by the sources, so an unchanged protocol costs one hash and no esbuild at all.
  const hash = createHash('sha256');
  for (const dir of sourceDirs) {
    for (const name of readdirSync(join(root, dir)).sort())
      hash.update(`${dir}/${name}`).update(readFileSync(join(root, dir, name)));
  }
  const dir = join(root, 'cluster/.data');
  const file = join(dir, `protocol-${hash.digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(file)) {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      stdin: {
        contents: [
          "export * from './src/protocol/index.ts';",
          "export * as rules from './src/backend/rules.ts';",
          "export { controlClient, ControlError } from './src/backend/control-client.ts';",
        ].join('\n'),
        resolveDir: root,
        sourcefile: 'cluster-protocol.ts',
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    await esbuild.stop(); // its service process would otherwise outlive the build
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const [output] = result.outputFiles;
    if (!output) throw new Error('esbuild wrote no protocol bundle');
    writeFileSync(tmp, output.contents);
    renameSync(tmp, file);
  }
  pruneOldBundles(dir, file);
  return file;
}

/** Bundles of earlier protocol versions pile up as src/protocol changes; running clusters use
 * their own copy (see main.mjs), so a stale one can go once no build can be mid-rename on it. */
function pruneOldBundles(dir, keep) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (path !== keep && Date.now() - statSync(path).mtimeMs > 10 * 60 * 1000) unlinkSync(path);
    } catch {
      /* pruned by a concurrent start */
    }
  }
}

/** Loads the bundle the supervisor built (its path comes in AG_PROTOCOL_BUNDLE). */
export async function loadProtocol() {
  const file = process.env.AG_PROTOCOL_BUNDLE ?? (await buildProtocolBundle());
  return import(pathToFileURL(file).href);
}
