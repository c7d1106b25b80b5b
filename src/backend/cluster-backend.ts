/**
 * The reference cluster behind the one `Backend` interface (src/backend/backend.ts): every verb
 * is a call to its HTTP control API through the one control client, with the mock's positional
 * arguments mapped to the JSON fields the API reads (`bodyFor`).
 */
import type { Backend, BackendControl, BackendUrls } from './backend.js';
import { bodyFor, controlClient, type ControlCall } from './control-client.js';

export interface ClusterBackendOptions {
  urls: BackendUrls;
  /** the control API's URL (`…/control`), or a ready-made call (a page that goes through a proxy or binding) */
  control: string | ControlCall;
  /** stops the cluster, when the caller owns it; default: nothing (someone else runs it) */
  stop?: () => Promise<void>;
}

const groups = ['interactions', 'customer', 'chat', 'pcs'] as const;

export function clusterBackend(o: ClusterBackendOptions): Backend {
  const call = typeof o.control === 'string' ? controlClient(o.control) : o.control;
  const group = (name: string) =>
    new Proxy(
      {},
      {
        get:
          (_target, verb) =>
          (...args: unknown[]) =>
            call(`${name}.${String(verb)}`, bodyFor(`${name}.${String(verb)}`, args)),
      },
    );
  // Any verb name gets a caller; the cluster answers `not-found` for one it does not offer.
  const control = Object.fromEntries(groups.map((g) => [g, group(g)])) as BackendControl;
  return {
    kind: 'cluster',
    urls: o.urls,
    control,
    telephony: false,
    // every live process's open sockets (interaction servers, chat instances, PCS nodes)
    connections: async () => Number(await call('cluster.connections')),
    stop: o.stop ?? (async () => {}),
  };
}
