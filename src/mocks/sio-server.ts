/**
 * A small socket.io server (Engine.IO v4 + socket.io v5, default namespace) on top of one
 * msw-intercepted WebSocket connection. The framing is socket.io's own: `engine.io-parser`
 * for the transport packets and `socket.io-parser` (Encoder / Decoder, one decoder per
 * connection, binary attachments included) for the socket.io packets, the same codec a real
 * socket.io server uses. What is ours is the server behaviour around it.
 *
 * Why not `toSocketIo()` from @mswjs/socket.io-binding: the binding (0.2) decodes EVENT packets
 * only, so it cannot answer `emitWithAck` (acks are the heart of this protocol), it approves the
 * namespace before the client's CONNECT arrives (so handshake `auth` can never be checked or
 * refused), and it never sends Engine.IO pings (clients drop after pingInterval + pingTimeout).
 *
 * Behaviour mirrors a real socket.io server closely enough for the conformance suite:
 * CONNECT with `auth` -> CONNECT `{sid}` or CONNECT_ERROR `{message,data}`; EVENT with an id ->
 * ACK with that id; undecodable frames and frames over `maxPayloadBytes` close the connection
 * (socket.io does the same: parse error / maxHttpBufferSize). Nothing received can throw out of
 * this class.
 */
import {
  decodePacket as decodeEnginePacket,
  encodePacket as encodeEnginePacket,
  type Packet as EnginePacket,
} from 'engine.io-parser';
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { errorMessageOf } from '../backend/rules.js';
import { errorAnswer } from './common.js';
import type { Timers } from './timers.js';

/** The part of msw's WebSocket client connection this server needs. */
export interface RawClientConnection {
  readonly id: string;
  readonly url: URL;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: CloseEvent) => void): void;
}

export type Ack = (answer: unknown) => void;
export type EventHandler = (payload: unknown, ack: Ack | undefined, socket: MockSocket) => void;

export interface SioServerOptions {
  timers: Timers;
  /** Returns null to accept the handshake `auth`, or an error code to refuse it. */
  authorize: (auth: Record<string, unknown>) => string | null;
  /** Called once the namespace CONNECT was accepted. */
  onConnect: (socket: MockSocket) => void;
  /** Called once when the socket goes away (either side, any reason). */
  onClose?: (socket: MockSocket) => void;
  maxPayloadBytes: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

let nextSid = 1;

/** The default namespace: the only one this protocol uses. */
const nsp = '/';

/** One client connection, after the Engine.IO open and before/after the socket.io CONNECT. */
export class MockSocket {
  readonly sid = `mock-${(nextSid++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  /** handshake auth, once connected */
  auth: Record<string, unknown> = {};
  /** app data (rooms, agent) owned by the server code */
  readonly rooms = new Set<string>();
  readonly #handlers = new Map<string, EventHandler>();
  readonly #encoder = new Encoder();
  /** stateful: a binary event's attachments arrive as separate frames */
  readonly #decoder = new Decoder();
  /** packets the decoder finished during the current `add()` */
  #decoded: Packet[] = [];
  #fallback: EventHandler | undefined;
  #namespaceConnected = false;
  #closed = false;
  #frozen = false;
  /** frames that arrived while frozen: the kernel buffers them until the process resumes */
  #backlog: unknown[] = [];
  #ping: ReturnType<typeof setInterval> | undefined;
  #pongDeadline: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly raw: RawClientConnection,
    private readonly o: SioServerOptions,
  ) {
    this.#decoder.on('decoded', (packet) => this.#decoded.push(packet));
    raw.addEventListener('message', (event) => this.#onFrame(event.data));
    raw.addEventListener('close', () => this.#teardown());
    const pingInterval = o.pingIntervalMs ?? 5000;
    const pingTimeout = o.pingTimeoutMs ?? 5000;
    this.#sendEngine({
      type: 'open',
      data: JSON.stringify({
        sid: this.sid,
        upgrades: [],
        pingInterval,
        pingTimeout,
        maxPayload: o.maxPayloadBytes,
      }),
    });
    // Engine.IO v4: the server pings, the client must pong within pingTimeout.
    this.#ping = o.timers.interval(() => {
      if (this.#frozen || this.#closed) return;
      this.#sendEngine({ type: 'ping' });
      this.o.timers.clear(this.#pongDeadline);
      this.#pongDeadline = this.o.timers.timeout(() => {
        if (!this.#frozen) this.close(1006, 'ping timeout');
      }, pingTimeout);
    }, pingInterval);
  }

  /** A frozen socket stays open but neither reads, answers nor sends anything (SIGSTOP). */
  get frozen(): boolean {
    return this.#frozen;
  }

  freeze(): void {
    this.#frozen = true;
    this.o.timers.clear(this.#pongDeadline);
    this.#pongDeadline = undefined;
  }

  /** SIGCONT: reads what arrived meanwhile, in order, and answers it (late, as a real server would). */
  unfreeze(): void {
    if (!this.#frozen) return;
    this.#frozen = false;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const frame of backlog) this.#onFrame(frame);
  }

  get connected(): boolean {
    return this.#namespaceConnected && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get url(): URL {
    return this.raw.url;
  }

  on(event: string, handler: EventHandler): this {
    this.#handlers.set(event, handler);
    return this;
  }

  /** Handles events no `on()` claimed (the server answers them with an error). */
  onUnknown(handler: EventHandler): this {
    this.#fallback = handler;
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    if (!this.connected || this.#frozen) return;
    this.#sendPacket({ type: PacketType.EVENT, nsp, data: [event, ...args] });
  }

  /** Graceful server-side disconnect (socket.io `socket.disconnect(true)`). */
  disconnect(): void {
    if (this.#closed) return;
    if (this.#namespaceConnected) this.#sendPacket({ type: PacketType.DISCONNECT, nsp });
    this.#sendEngine({ type: 'close' });
    this.#teardown();
    // msw delivers sends in microtasks and drops them once the socket is closing: close after.
    queueMicrotask(() => this.#closeRaw(1000, 'server disconnect'));
  }

  /** Closes the transport. 1006 = abnormal (a crash, a cut cable): no goodbye is sent. */
  close(code = 1006, reason = 'connection lost'): void {
    if (this.#closed) return;
    this.#teardown();
    this.#closeRaw(code, reason);
  }

  #closeRaw(code: number, reason: string): void {
    try {
      this.raw.close(code, reason);
    } catch {
      /* already closed by the client */
    }
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.o.timers.clear(this.#ping);
    this.o.timers.clear(this.#pongDeadline);
    this.#handlers.clear();
    this.#backlog = [];
    this.#decoded = [];
    this.#decoder.off('decoded');
    this.#decoder.destroy();
    this.rooms.clear();
    this.o.onClose?.(this);
  }

  /** One socket.io packet: the encoder gives a text frame, plus one frame per binary attachment. */
  #sendPacket(packet: Packet): void {
    for (const part of this.#encoder.encode(packet) as (string | ArrayBuffer)[])
      this.#sendEngine({ type: 'message', data: part });
  }

  #sendEngine(packet: EnginePacket): void {
    if (this.#closed) return;
    // supportsBinary: a WebSocket carries binary frames as they are (no base64); for strings
    // and buffers engine.io-parser calls back synchronously, so frames keep their order.
    encodeEnginePacket(packet, true, (frame: string | ArrayBuffer) => {
      if (this.#closed) return;
      try {
        this.raw.send(frame);
      } catch {
        this.close();
      }
    });
  }

  #onFrame(data: unknown): void {
    if (this.#closed) return;
    const frame = asFrame(data);
    if (frame === undefined) {
      // A Blob (or anything else) never comes from a socket.io client, whose binaryType is
      // 'arraybuffer'; a real server would fail to decode it too.
      this.close(1003, 'unsupported frame');
      return;
    }
    if ((typeof frame === 'string' ? frame.length : frame.byteLength) > this.o.maxPayloadBytes) {
      this.close(1009, 'message too big');
      return;
    }
    if (this.#frozen) {
      // A stopped process reads nothing; the frames wait in the socket buffer (bounded here).
      if (this.#backlog.length < 1000) this.#backlog.push(frame);
      return;
    }
    const packet = decodeEnginePacket(frame, 'arraybuffer');
    switch (packet.type) {
      case 'ping': // client ping (Engine.IO v3 style, or an upgrade probe): answer it
        this.#sendEngine({ type: 'pong', data: packet.data as unknown });
        return;
      case 'pong':
        this.o.timers.clear(this.#pongDeadline);
        this.#pongDeadline = undefined;
        return;
      case 'close':
        this.close(1000, 'client close');
        return;
      case 'message':
        this.#onMessage(packet.data as unknown);
        return;
      case 'upgrade': // nothing to upgrade to over a websocket
      case 'noop':
        return;
      default: // 'open' from a client, or a frame engine.io-parser could not read
        this.close(1002, 'engine.io parse error');
    }
  }

  #onMessage(data: unknown): void {
    try {
      this.#decoder.add(data);
    } catch {
      this.close(1002, 'socket.io parse error');
      return;
    }
    // Handled after `add()` returned, so a parse error is never confused with a handler's.
    const packets = this.#decoded;
    this.#decoded = [];
    for (const packet of packets) if (!this.#closed) this.#onPacket(packet);
  }

  #onPacket(packet: Packet): void {
    const { type, id, data } = packet;
    if (type === PacketType.CONNECT) {
      if (packet.nsp !== nsp) {
        this.#sendPacket({
          type: PacketType.CONNECT_ERROR,
          nsp: packet.nsp,
          data: { message: 'Invalid namespace' },
        });
        return;
      }
      if (this.#namespaceConnected) return;
      const auth = isRecord(data) ? data : {};
      const refusal = this.o.authorize(auth);
      if (refusal) {
        this.#sendPacket({
          type: PacketType.CONNECT_ERROR,
          nsp,
          data: { message: refusal, data: { code: refusal } },
        });
        return;
      }
      this.auth = auth;
      this.#namespaceConnected = true;
      this.#sendPacket({ type: PacketType.CONNECT, nsp, data: { sid: this.sid } });
      this.o.onConnect(this);
      return;
    }
    if (!this.#namespaceConnected || packet.nsp !== nsp) return;
    if (type === PacketType.DISCONNECT) {
      // client-side disconnect: socket.io keeps the transport only for other namespaces
      this.close(1000, 'client namespace disconnect');
      return;
    }
    // Acks from clients (we never ask) and CONNECT_ERROR are not for a server; binary events
    // arrive here reassembled as EVENT.
    if (type !== PacketType.EVENT) return;
    // The decoder checked the shape: an array whose first item is the event name (a string, or
    // a number that socket.io's emitter turns into one).
    const [name, payload] = data as [string | number, unknown];
    const event = String(name);
    let answered = false;
    const ack: Ack | undefined =
      id === undefined
        ? undefined
        : (answer) => {
            if (answered || this.#frozen) return;
            answered = true;
            this.#sendPacket({ type: PacketType.ACK, nsp, id, data: [answer] });
          };
    const handler = this.#handlers.get(event) ?? this.#fallback;
    try {
      handler?.(payload, ack, this);
    } catch (e) {
      // A bug in a handler must not take the mock down; answer like a server with an error.
      ack?.(errorAnswer('internal', errorMessageOf(e)));
    }
  }
}

/** A WebSocket frame as engine.io-parser takes it: text, or binary as one ArrayBuffer. */
function asFrame(data: unknown): string | ArrayBuffer | undefined {
  if (typeof data === 'string' || data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    const copy = new Uint8Array(data.byteLength);
    copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return copy.buffer;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
