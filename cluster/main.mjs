#!/usr/bin/env node
// The reference cluster's supervisor: one interaction server, N chat instances, two PCS nodes
// and a PCS virtual IP, all real processes on 127.0.0.1, plus an HTTP control API that offers
// the mocked back end's verbs (kill is a real SIGKILL). See cluster/README.md.
//
//   node cluster/main.mjs [--chat-instances 3] [--base-port 0] [--restore-delay-ms 300]
//                         [--start-timeout-ms 60000 (or AG_START_TIMEOUT_MS)]
//                         [--ivr-step-ms 200] [--pcs-lease-ms 1500] [--no-vip] [--ipc]
//
// With --ipc (or whenever started with an IPC channel) it sends
// { controlUrl, urls: { interactions, interactionsBackup, chat, pcs, pcsVip }, pids } once
// everything listens.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openStore } from './lib/store.mjs';
import { buildProtocolBundle } from './lib/protocol.mjs';
import { createSupervisor } from './lib/supervisor.mjs';
import { createVip } from './lib/vip.mjs';
import { argValue } from './lib/common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const flag = (name) => process.argv.includes(`--${name}`);
const opts = {
  chatInstances: Math.max(1, Number(argValue('chat-instances', '3'))),
  basePort: Number(argValue('base-port', '0')),
  restoreDelayMs: Number(argValue('restore-delay-ms', '300')),
  ivrStepMs: Number(argValue('ivr-step-ms', '200')),
  pcsLeaseMs: Number(argValue('pcs-lease-ms', '1500')),
  // how long a process may take to report ready: generous, since a loaded machine is slow
  startTimeoutMs: Number(argValue('start-timeout-ms', process.env.AG_START_TIMEOUT_MS ?? '60000')),
  vip: !flag('no-vip'),
  ipc: flag('ipc') || typeof process.send === 'function',
};
const port = (offset) => (opts.basePort > 0 ? opts.basePort + offset : 0);
const urlOf = (p) => `http://127.0.0.1:${p}`;

// ---- shared store ------------------------------------------------------------------------
removeStaleStores();
const dataDir = mkdtempSync(join(tmpdir(), 'ag-cluster-'));
writeFileSync(join(dataDir, 'owner.pid'), String(process.pid));
const storeFile = join(dataDir, 'store.db');
const db = openStore(storeFile, { create: true });
// Children load the validators from a copy inside this cluster's own directory: a revived
// child must find the same bundle even if the shared cache was pruned meanwhile.
const bundle = join(dataDir, 'protocol.mjs');
copyFileSync(await buildProtocolBundle(), bundle);
const childEnv = { ...process.env, AG_STORE: storeFile, AG_PROTOCOL_BUNDLE: bundle };
const protocol = await import(pathToFileURL(bundle).href);

/** Stores of clusters whose supervisor was SIGKILLed (nothing else could clean them up). */
function removeStaleStores() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('ag-cluster-')) continue;
    const dir = join(tmpdir(), name);
    let pid;
    try {
      pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // No owner yet: a cluster starting right now, unless the dir is old (then it died early).
      pid = undefined;
    }
    try {
      if (pid === undefined) {
        if (Date.now() - statSync(dir).mtimeMs > 60000)
          rmSync(dir, { recursive: true, force: true });
        continue;
      }
      process.kill(pid, 0);
    } catch (e) {
      if (e.code !== 'EPERM') rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---- processes -----------------------------------------------------------------------------
const watchdog = fork(join(here, 'watchdog.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: [],
});
const supervisor = createSupervisor({
  opts,
  db,
  protocol,
  fork,
  moduleDir: here,
  childEnv,
  onProcessesChanged: (pids) => {
    try {
      watchdog.send({ pids }, () => {
        /* a failed send means the watchdog is gone: handled like the throw below */
      });
    } catch {
      /* the watchdog is gone: children still exit on IPC disconnect */
    }
  },
  extraPids: () => ({ watchdog: watchdog.pid }),
});
const { chats, pcsNodes } = supervisor;
const control = createServer((req, res) => supervisor.handleRequest(req, res));

// ---- start ---------------------------------------------------------------------------------
let vip;

/** The port a listening server got. @param {import('node:net').Server} server */
function portOf(server) {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server is not listening');
  return address.port;
}

/** Listens, or rejects (EADDRINUSE with --base-port) so start-up fails cleanly. */
function listen(server, p) {
  return new Promise((/** @type {(v?: void) => void} */ resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

let shuttingDown = false;
function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  // SIGKILL, not SIGTERM: a frozen (SIGSTOPped) child would never act on SIGTERM, and the
  // store is safe against it (WAL).
  supervisor.killAll();
  watchdog.kill('SIGKILL');
  try {
    db.close();
  } catch {
    /* already closed */
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.on('exit', () => {
  supervisor.killAll();
  watchdog.kill('SIGKILL');
});
if (process.send) process.on('disconnect', () => shutdown(0));

try {
  // pcs-a starts as the primary (epoch 1); every process starts at once.
  await supervisor.start();
  if (opts.vip) {
    vip = createVip(supervisor.primaryPort);
    await listen(vip, port(2));
  }
  await listen(control, port(0));
  supervisor.listening({ controlPort: portOf(control), vipPort: vip ? portOf(vip) : undefined });
} catch (e) {
  console.error('[cluster] failed to start:', e.message);
  shutdown(1);
}

const info = supervisor.report();
if (process.send) {
  process.send(info);
} else {
  console.log(`agent-gadgets reference cluster (store ${storeFile})
  control       ${info.controlUrl}   (POST /control/<group>/<verb> with a JSON body)
  interactions  ${info.urls.interactions}
  interactions-b ${info.urls.interactionsBackup}
${chats.map((c) => `  ${c.id.padEnd(13)} ${urlOf(c.port)}`).join('\n')}
${pcsNodes.map((n) => `  ${n.id.padEnd(13)} ${urlOf(n.port)}`).join('\n')}
  pcs vip       ${info.urls.pcsVip ?? '(off)'}
Ctrl-C stops everything.`);
}
