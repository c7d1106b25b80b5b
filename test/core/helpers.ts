// Shared helpers for the core's real-socket tests: start/kill test/support/core-server.mjs
// processes and inspect them through an admin socket.
import { executeServerCommand } from '@web/test-runner-commands';
import { waitUntil } from '@open-wc/testing';
import { io, type Socket } from 'socket.io-client';
import type { Observable, Subscription } from 'rxjs';
import type { ConnectionStatus } from '../../src/core/state.js';

export interface CoreServer {
  /** process handle for ag-process-signal */
  readonly handle: string;
  readonly url: string;
  readonly port: number;
  readonly instanceId: string;
}

export function newStorePath(): string {
  return `/tmp/ag-core-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.json`;
}

export async function startServer(
  instanceId: string,
  store: string,
  extra: string[] = [],
): Promise<CoreServer> {
  const r = (await executeServerCommand('ag-process-start', {
    module: 'test/support/core-server.mjs',
    args: ['--id', instanceId, '--store', store, ...extra],
  })) as { id: string; url: string; port: number; instanceId: string };
  return { handle: r.id, url: r.url, port: r.port, instanceId: r.instanceId };
}

export async function signal(
  server: CoreServer,
  sig: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGTERM',
): Promise<void> {
  await executeServerCommand('ag-process-signal', { id: server.handle, signal: sig });
}

export interface ServerState {
  handshakes: {
    sid: string;
    auth: Record<string, unknown>;
    url: string;
    query: Record<string, unknown>;
  }[];
  disconnects: { sid: string; reason: string }[];
  refused: { auth: Record<string, unknown>; url: string }[];
  connected: number;
  sends: { clientMsgId: string; text: string; server: string }[];
}

/** An admin socket (not counted as a client by the server). */
export class Admin {
  private readonly socket: Socket;
  constructor(url: string) {
    this.socket = io(url, {
      auth: { admin: true },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
  }
  state(): Promise<ServerState> {
    return this.socket.timeout(3000).emitWithAck('admin:state') as Promise<ServerState>;
  }
  set(
    interactionId: string,
    set: Record<string, unknown>,
    opts: { unset?: string[]; silent?: boolean } = {},
  ) {
    return this.socket
      .timeout(3000)
      .emitWithAck('admin:set', { interactionId, set, ...opts }) as Promise<{ version: number }>;
  }
  emitRaw(interactionId: string, event: string, payload: unknown) {
    return this.socket
      .timeout(3000)
      .emitWithAck('admin:emit-raw', { interactionId, event, payload });
  }
  ackSends(value: boolean) {
    return this.socket.timeout(3000).emitWithAck('admin:ack-sends', value);
  }
  close() {
    this.socket.disconnect();
  }
}

/** Records every status a connection goes through, so quick transitions are not missed. */
export class StatusLog {
  readonly all: ConnectionStatus[] = [];
  private readonly sub: Subscription;
  constructor(status$: Observable<ConnectionStatus>) {
    this.sub = status$.subscribe((s) => this.all.push(s));
  }
  /** index of the first status after `from` matching `pred`, waiting for it */
  async waitFor(
    pred: (s: ConnectionStatus) => boolean,
    message: string,
    from = 0,
    timeout = 10000,
  ): Promise<number> {
    await waitUntil(() => this.all.slice(from).some(pred), message, { timeout });
    return from + this.all.slice(from).findIndex(pred);
  }
  get last(): ConnectionStatus | undefined {
    return this.all[this.all.length - 1];
  }
  stop() {
    this.sub.unsubscribe();
  }
}
