/**
 * Conformance adapter for the reference cluster: `cluster/main.mjs` forked by the test
 * runner's process plugin, its verbs called over its HTTP control API.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { bodyFor, controlClient } from '../../src/backend/control-client.js';
import {
  conformanceOptions as o,
  type ConformanceBackend,
  type ConformanceControl,
} from './backend.js';

interface ClusterInfo {
  id: string;
  controlUrl: string;
  urls: ConformanceBackend['urls'];
}

export async function startClusterBackend(): Promise<ConformanceBackend> {
  const cluster = await executeServerCommand<ClusterInfo, unknown>('ag-process-start', {
    module: 'cluster/main.mjs',
    args: [
      '--ipc',
      '--chat-instances',
      String(o.chatInstances),
      '--restore-delay-ms',
      String(o.restoreDelayMs),
      '--ivr-step-ms',
      String(o.ivrStepMs),
      '--pcs-lease-ms',
      String(o.pcsLeaseMs),
    ],
  });

  const call = controlClient(cluster.controlUrl);
  const group = (name: string) =>
    new Proxy(
      {},
      {
        get:
          (_t, verb: string) =>
          (...args: unknown[]) =>
            call(`${name}.${verb}`, bodyFor(`${name}.${verb}`, args)),
      },
    );
  const control = {
    interactions: group('interactions'),
    customer: group('customer'),
    chat: group('chat'),
    pcs: group('pcs'),
  } as ConformanceControl;

  return {
    name: 'reference cluster',
    urls: cluster.urls,
    telephony: false,
    control,
    async stop() {
      await executeServerCommand('ag-process-signal', { id: cluster.id, signal: 'SIGTERM' });
    },
  };
}
