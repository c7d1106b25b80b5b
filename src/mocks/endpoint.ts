/**
 * One mocked socket.io server (an interaction server, a chat instance, a PCS node's stream):
 * its open sockets, and the process-level faults that apply to all of them at once.
 */
import { Limits } from '../protocol/limits.js';
import { errorAnswer } from './common.js';
import { MockSocket, type RawClientConnection } from './sio-server.js';
import type { Timers } from './timers.js';

export interface EndpointOptions {
  id: string;
  timers: Timers;
  validToken: (token: string | undefined) => boolean;
  /** Registers the event handlers on a freshly connected socket. */
  setup: (socket: MockSocket) => void;
  onClose?: (socket: MockSocket) => void;
}

export class SioEndpoint {
  readonly sockets = new Set<MockSocket>();
  /** Connections accepted while frozen: the kernel took them, the process never said hello. */
  readonly #held = new Set<RawClientConnection>();
  alive = true;
  frozen = false;

  constructor(readonly o: EndpointOptions) {}

  get id(): string {
    return this.o.id;
  }

  /** A new WebSocket reached this server's address. */
  accept(raw: RawClientConnection): void {
    if (!this.alive) {
      // Nothing listens: the connection is refused.
      raw.close(1006, 'connection refused');
      return;
    }
    if (this.frozen) {
      this.#held.add(raw);
      raw.addEventListener('close', () => this.#held.delete(raw));
      return;
    }
    this.#open(raw);
  }

  #open(raw: RawClientConnection): void {
    const socket = new MockSocket(raw, {
      timers: this.o.timers,
      maxPayloadBytes: Limits.maxPayloadBytes,
      authorize: (auth) =>
        this.o.validToken(typeof auth.token === 'string' ? auth.token : undefined)
          ? null
          : 'unauthorized',
      onConnect: (s) => {
        this.o.setup(s);
        // Like the cluster: an event nobody handles still gets an answer when it asks for one.
        s.onUnknown((_payload, ack) => ack?.(errorAnswer('bad-request', 'unknown event')));
      },
      onClose: (s) => {
        this.sockets.delete(s);
        this.o.onClose?.(s);
      },
    });
    // Counted from the Engine.IO open on, so a client stuck before CONNECT still shows as a leak.
    if (!socket.closed) this.sockets.add(socket);
  }

  /** Every socket in `room`. */
  inRoom(room: string): MockSocket[] {
    return [...this.sockets].filter((s) => s.rooms.has(room));
  }

  /** Emits to every socket in `room` (except `except`). */
  toRoom(room: string, event: string, payload: unknown, except?: MockSocket): void {
    for (const s of this.inRoom(room)) if (s !== except) s.emit(event, payload);
  }

  /** The process died: every socket drops at once, new ones are refused. */
  kill(): void {
    this.alive = false;
    this.frozen = false;
    for (const s of [...this.sockets]) s.close(1006, 'server killed');
    for (const raw of [...this.#held]) raw.close(1006, 'server killed');
    this.#held.clear();
  }

  revive(): void {
    this.alive = true;
  }

  /** SIGSTOP: sockets stay open, nothing is read or written, no pings. */
  freeze(): void {
    if (!this.alive) return;
    this.frozen = true;
    for (const s of this.sockets) s.freeze();
  }

  /** SIGCONT: carries on, and says hello to connections that arrived meanwhile. */
  unfreeze(): void {
    if (!this.frozen) return;
    this.frozen = false;
    for (const s of this.sockets) s.unfreeze();
    const held = [...this.#held];
    this.#held.clear();
    for (const raw of held) this.#open(raw);
  }

  /** Open connections (for leak checks); held ones count, they are open sockets too. */
  get connections(): number {
    return this.sockets.size + this.#held.size;
  }

  stop(): void {
    for (const s of [...this.sockets]) s.close(1001, 'mock stopped');
    for (const raw of [...this.#held]) raw.close(1001, 'mock stopped');
    this.#held.clear();
  }
}
