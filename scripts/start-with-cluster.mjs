// `npm run start:cluster`: the reference cluster (real processes, cluster/main.mjs) and the demo
// desktop pointed at it. The demo's fault buttons then call the cluster's control API (proxied by
// the dev server at /__ag/control, so no CORS is involved), where `kill` is a real SIGKILL.
//
//   npm run start:cluster [-- --port 5180] [-- <cluster options, e.g. --base-port 4000>]
//   --port: the demo's port (default 5173, the next free one when taken; a given port is strict).
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** `--port N` / `--port=N` is the demo's; every other argument goes to cluster/main.mjs. */
function splitArgs(argv) {
  const rest = [];
  let port;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = a === '--port' ? argv[++i] : a.startsWith('--port=') ? a.slice(7) : undefined;
    if (value === undefined) {
      rest.push(a);
      continue;
    }
    port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      console.error(`[start:cluster] --port wants a port number (1-65535), got ${value}`);
      process.exit(2);
    }
  }
  return { port, clusterArgs: rest };
}
const { port, clusterArgs } = splitArgs(process.argv.slice(2));

const cluster = fork(join(root, 'cluster/main.mjs'), ['--ipc', ...clusterArgs], {
  stdio: 'inherit',
});
const info = await new Promise((resolve, reject) => {
  cluster.once('message', resolve);
  cluster.once('exit', (code) =>
    reject(new Error(`the cluster exited with ${code} before it was ready`)),
  );
});

// vite.config.ts reads this: /__ag/backend.json tells the page, and the proxy needs the control URL.
process.env.AG_CLUSTER_CONFIG = JSON.stringify({
  backend: 'cluster',
  controlUrl: info.controlUrl,
  interactions: info.urls.interactions,
  interactionsBackup: info.urls.interactionsBackup,
  chat: info.urls.chat,
  pcs: info.urls.pcs,
  pcsVip: info.urls.pcsVip,
});

const { createServer } = await import('vite');
const server = await createServer({
  configFile: join(root, 'vite.config.ts'),
  ...(port ? { server: { port, strictPort: true } } : {}),
});
await server.listen();
console.log('\nagent-gadgets demo on the reference cluster');
console.log(`  control API   ${info.controlUrl}`);
console.log(`  interactions  ${info.urls.interactions}`);
if (info.urls.interactionsBackup) console.log(`  interactions-b ${info.urls.interactionsBackup}`);
for (const [id, url] of Object.entries(info.urls.chat)) console.log(`  ${id.padEnd(13)} ${url}`);
for (const [id, url] of Object.entries(info.urls.pcs)) console.log(`  ${id.padEnd(13)} ${url}`);
server.printUrls();

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => {});
  // The cluster SIGKILLs its children on SIGTERM (and when our IPC channel goes away).
  cluster.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
cluster.on('exit', (code) => {
  if (!stopping) {
    console.error(`[start:cluster] the cluster exited (${code}); stopping the demo`);
    void stop(1);
  }
});
