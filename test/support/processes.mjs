// web-test-runner plugin: lets browser tests start, SIGKILL, SIGSTOP/SIGCONT and stop real
// Node processes (the reference cluster's servers) through `executeServerCommand`.
// Every process is tracked and killed when the runner stops, even when a test fails.
import { fork } from 'node:child_process';

const children = new Map();
let nextId = 1;

function killAll() {
  for (const child of children.values()) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}
process.once('exit', killAll);

/**
 * Starts `module` (a path relative to the project root) with `args`; resolves with the
 * first IPC message the child sends (its ports/urls) plus a handle id.
 */
// A bound, not a pace: the ready message ends the wait; the cluster forks six processes, each
// bounded by its own --start-timeout-ms (60 s), so this one is longer.
const defaultReadyTimeoutMs = Number(process.env.AG_START_TIMEOUT_MS ?? 60000) + 30000;

/**
 * @typedef {{ module: string, args?: string[], env?: Record<string, string>,
 *   readyTimeoutMs?: number }} StartOptions
 * @typedef {{ id: string, signal: NodeJS.Signals }} SignalOptions
 */

/** @param {StartOptions} options */
function startProcess({ module, args = [], env = {}, readyTimeoutMs = defaultReadyTimeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = fork(module, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    const id = String(nextId++);
    children.set(id, child);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process ${module} did not report ready within ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.once('message', (/** @type {any} */ msg) => {
      clearTimeout(timer);
      resolve({ id, pid: child.pid, ...msg });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(id);
      reject(new Error(`process ${module} exited early (${code ?? signal})`));
    });
  });
}

/** @param {SignalOptions} options */
function signalProcess({ id, signal }) {
  const child = children.get(id);
  if (!child) return { ok: false };
  child.kill(signal);
  if (signal === 'SIGKILL' || signal === 'SIGTERM') children.delete(id);
  return { ok: true };
}

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function processCommandsPlugin() {
  return {
    name: 'ag-process-commands',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'ag-process-start':
          return startProcess(/** @type {StartOptions} */ (payload));
        case 'ag-process-signal':
          return signalProcess(/** @type {SignalOptions} */ (payload));
        case 'ag-process-list':
          return [...children.entries()].map(([id, c]) => ({ id, pid: c.pid }));
        default:
          return undefined;
      }
    },
    serverStop() {
      killAll();
    },
  };
}
