// Starts the reference cluster (cluster/main.mjs --ipc) for one benchmark and drives it over
// its HTTP control API. The cluster is started detached, in its own process group, so stopping
// it also ends the instance processes it forked (we signal our own child's group, by id).
import { fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * @param {string} root repo root
 * @param {{ args?: string[], env?: Record<string, string>, readyTimeoutMs?: number }} [options]
 * @returns {Promise<{ info: any, pid: number, control: (group: string, verb: string, body?: unknown) => Promise<any>, stop: () => Promise<void> }>}
 */
export async function startCluster(root, { args = [], env = {}, readyTimeoutMs = 30_000 } = {}) {
  const child = fork(join(root, 'cluster/main.mjs'), ['--ipc', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    detached: true,
    execArgv: [],
  });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`cluster did not report ready within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    child.on('message', function onMessage(msg) {
      if (msg && typeof msg === 'object' && 'controlUrl' in msg) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(msg);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`cluster exited before it was ready (${code ?? signal})`));
    });
  });
  const exited = new Promise((r) => child.once('exit', r));

  // The shared control client, from the bundle the supervisor has just built (a cache hit).
  const { controlClient } = await import('../../cluster/lib/rules.mjs');
  const call = controlClient(info.controlUrl);
  /** @param {string} group @param {string} verb @param {object} [body] @returns {Promise<any>} */
  const control = (group, verb, body = {}) => call(`${group}.${verb}`, body);

  async function stop() {
    const signalGroup = (sig) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup('SIGCONT'); // a frozen instance cannot handle SIGTERM
      signalGroup('SIGTERM');
      const t = setTimeout(() => signalGroup('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    signalGroup('SIGKILL'); // any instance that outlived its supervisor
  }

  return { info, pid: /** @type {number} */ (child.pid), control, stop };
}
