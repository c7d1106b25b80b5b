/**
 * Starting and stopping the reference cluster (cluster/main.mjs) from browser tests, through
 * the test runner's process plugin (test/support/processes.mjs): one place for the flags, the
 * hooks and the control calls every cluster test file used to repeat.
 *
 * ```ts
 * const cluster = useCluster({ chatInstances: 2, restoreDelayMs: 200 });
 * it('…', async () => {
 *   const chat = await cluster.control<ChatStart>('interactions.startChat');
 *   … cluster.info.urls.interactions …
 * });
 * ```
 */
import { executeServerCommand } from '@web/test-runner-commands';
import type { Backend, ClusterReport } from '../../src/backend/backend.js';
import { clusterBackend } from '../../src/backend/cluster-backend.js';
import { controlClient } from '../../src/backend/control-client.js';

/** A running cluster: what it reported, plus the process plugin's handle. */
export interface ClusterInfo extends ClusterReport {
  /** the process plugin's id (for ag-process-signal) */
  id: string;
  /** the supervisor's pid */
  pid: number;
}

export interface ClusterOptions {
  chatInstances?: number;
  restoreDelayMs?: number;
  ivrStepMs?: number;
  pcsLeaseMs?: number;
  /** more CLI flags, verbatim (`--no-vip`, `--base-port 0`) */
  args?: readonly string[];
}

/** The CLI flags for `o` (only the ones given: the cluster's defaults apply otherwise). */
export function clusterArgs(o: ClusterOptions = {}): string[] {
  const flags: [string, number | undefined][] = [
    ['--chat-instances', o.chatInstances],
    ['--restore-delay-ms', o.restoreDelayMs],
    ['--ivr-step-ms', o.ivrStepMs],
    ['--pcs-lease-ms', o.pcsLeaseMs],
  ];
  return [
    '--ipc',
    ...flags.flatMap(([flag, v]) => (v === undefined ? [] : [flag, String(v)])),
    ...(o.args ?? []),
  ];
}

/** Forks the cluster; resolves once every process listens. */
export function startCluster(o: ClusterOptions = {}): Promise<ClusterInfo> {
  return executeServerCommand<ClusterInfo, unknown>('ag-process-start', {
    module: 'cluster/main.mjs',
    args: clusterArgs(o),
  });
}

/** SIGTERM to the supervisor, which SIGKILLs its processes and removes its store. */
export async function stopCluster(cluster: ClusterInfo | undefined): Promise<void> {
  if (cluster)
    await executeServerCommand('ag-process-signal', { id: cluster.id, signal: 'SIGTERM' });
}

/** The cluster behind the shared Backend interface; `stop()` stops it. */
export function asClusterBackend(cluster: ClusterInfo): Backend {
  return clusterBackend({
    urls: cluster.urls,
    control: cluster.controlUrl,
    stop: () => stopCluster(cluster),
  });
}

export interface UsedCluster {
  /** the running cluster (throws outside a test: it starts in the hook) */
  readonly info: ClusterInfo;
  /** a control verb ('group.verb') with its JSON body, through the one control client */
  control<T = unknown>(verb: string, body?: object): Promise<T>;
}

/**
 * Registers mocha hooks that start a cluster for the enclosing describe (or one per test with
 * `perTest`) and stop it after, running `cleanup` (e.g. fixtureCleanup) first.
 */
export function useCluster(
  o: ClusterOptions = {},
  { perTest = false, cleanup }: { perTest?: boolean; cleanup?: () => void } = {},
): UsedCluster {
  let cluster: ClusterInfo | undefined;
  let call: ReturnType<typeof controlClient> | undefined;
  (perTest ? beforeEach : before)(async () => {
    cluster = await startCluster(o);
    call = controlClient(cluster.controlUrl);
  });
  (perTest ? afterEach : after)(async () => {
    cleanup?.();
    const stopping = cluster;
    cluster = undefined;
    call = undefined;
    await stopCluster(stopping);
  });
  return {
    get info() {
      if (!cluster) throw new Error('the cluster starts in a before hook: use it inside a test');
      return cluster;
    },
    control: async <T>(verb: string, body: object = {}) => {
      if (!call) throw new Error('the cluster starts in a before hook: use it inside a test');
      return (await call(verb, body)) as T;
    },
  };
}
