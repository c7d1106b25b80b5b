/**
 * Conformance adapter for the reference cluster: `cluster/main.mjs` forked by the test
 * runner's process plugin, its verbs called over its HTTP control API.
 */
import { executeServerCommand } from '@web/test-runner-commands';
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

/** Positional arguments of each verb -> the JSON body fields the control API reads. */
const argNames: Record<string, readonly string[]> = {
  'interactions.startChat': ['...'],
  'interactions.get': ['interactionId'],
  'interactions.setProperties': ['interactionId', 'set', 'unset'],
  'interactions.emitRaw': ['interactionId', 'payload'],
  'customer.send': ['interactionId', 'text'],
  'customer.typing': ['interactionId', 'typing'],
  'chat.relocate': ['interactionId', 'toId'],
  'chat.failTranscriptSave': ['interactionId', 'mode'],
  'chat.transcript': ['interactionId'],
  'chat.emitRaw': ['interactionId', 'event', 'payload'],
  'pcs.misbehave': ['id', 'mode'],
  'pcs.ivr': ['requestId'],
};

function body(verb: string, args: unknown[]): Record<string, unknown> {
  const names = argNames[verb] ?? ['id'];
  if (names[0] === '...') return { ...(args[0] as object | undefined) };
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (args[i] !== undefined) out[name] = args[i];
  });
  return out;
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

  async function call(verb: string, args: unknown[]): Promise<unknown> {
    const res = await fetch(`${cluster.controlUrl}/${verb.replace('.', '/')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body(verb, args)),
    });
    const answer = (await res.json()) as {
      ok: boolean;
      result?: unknown;
      error?: { code: string; message?: string };
    };
    if (!answer.ok)
      throw Object.assign(new Error(`${verb}: ${answer.error?.message}`), {
        code: answer.error?.code,
        httpStatus: res.status,
      });
    return answer.result;
  }

  const group = (name: string) =>
    new Proxy(
      {},
      {
        get:
          (_t, verb: string) =>
          (...args: unknown[]) =>
            call(`${name}.${verb}`, args),
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
