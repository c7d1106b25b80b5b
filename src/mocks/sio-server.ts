/**
 * A small socket.io server (Engine.IO v4 + socket.io v5 framing, default namespace, text only)
 * on top of one msw-intercepted WebSocket connection.
 *
 * Why not `toSocketIo()` from @mswjs/socket.io-binding: the binding (0.2) decodes EVENT packets
 * only, so it cannot answer `emitWithAck` (acks are the heart of this protocol), it approves the
 * namespace before the client's CONNECT arrives (so handshake `auth` can never be checked or
 * refused), and it never sends Engine.IO pings (clients drop after pingInterval + pingTimeout).
 * The framing is small and fully specified, so it lives here instead.
 *
 * Behaviour mirrors a real socket.io server closely enough for the conformance suite:
 * CONNECT with `auth` -> `40{sid}` or `44{message,data}`; EVENT with an id -> ACK with that id;
 * undecodable frames and frames over `maxPayloadBytes` close the connection (socket.io does the
 * same: parse error / maxHttpBufferSize). Nothing received can throw out of this class.
 */
import { errorMessageOf } from '../backend/rules.js';
import { errorAnswer } from './common.js';
import type { Timers } from './timers.js';

/** The part of msw's WebSocket client connection this server needs. */
export interface RawClientConnection {
  readonly id: string;
  readonly url: URL;
  send(data: string): void;
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

/** One client connection, after the Engine.IO open and before/after the socket.io CONNECT. */
export class MockSocket {
  readonly sid = `mock-${(nextSid++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  /** handshake auth, once connected */
  auth: Record<string, unknown> = {};
  /** app data (rooms, agent) owned by the server code */
  readonly rooms = new Set<string>();
  readonly #handlers = new Map<string, EventHandler>();
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
    raw.addEventListener('message', (event) => this.#onFrame(event.data));
    raw.addEventListener('close', () => this.#teardown());
    const pingInterval = o.pingIntervalMs ?? 5000;
    const pingTimeout = o.pingTimeoutMs ?? 5000;
    this.#send(
      '0' +
        JSON.stringify({
          sid: this.sid,
          upgrades: [],
          pingInterval,
          pingTimeout,
          maxPayload: o.maxPayloadBytes,
        }),
    );
    // Engine.IO v4: the server pings, the client must pong within pingTimeout.
    this.#ping = o.timers.interval(() => {
      if (this.#frozen || this.#closed) return;
      this.#send('2');
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
    this.#send('42' + JSON.stringify([event, ...args]));
  }

  /** Graceful server-side disconnect (socket.io `socket.disconnect(true)`). */
  disconnect(): void {
    if (this.#closed) return;
    if (this.#namespaceConnected) this.#send('41');
    this.#send('1');
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
    this.rooms.clear();
    this.o.onClose?.(this);
  }

  #send(frame: string): void {
    if (this.#closed) return;
    try {
      this.raw.send(frame);
    } catch {
      this.close();
    }
  }

  #onFrame(data: unknown): void {
    if (this.#closed) return;
    if (typeof data !== 'string') {
      // Binary attachments are not part of this protocol: a real server would fail to decode.
      this.close(1003, 'binary frames are not supported');
      return;
    }
    if (data.length > this.o.maxPayloadBytes) {
      this.close(1009, 'message too big');
      return;
    }
    if (this.#frozen) {
      // A stopped process reads nothing; the frames wait in the socket buffer (bounded here).
      if (this.#backlog.length < 1000) this.#backlog.push(data);
      return;
    }
    switch (data[0]) {
      case '2': // client ping (Engine.IO v3 style): answer it
        this.#send('3' + data.slice(1));
        return;
      case '3':
        this.o.timers.clear(this.#pongDeadline);
        this.#pongDeadline = undefined;
        return;
      case '1':
        this.close(1000, 'client close');
        return;
      case '4':
        this.#onPacket(data.slice(1));
        return;
      case '6': // upgrade/noop: nothing to do over a websocket
        return;
      default:
        this.close(1002, 'engine.io parse error');
    }
  }

  #onPacket(packet: string): void {
    const decoded = decodePacket(packet);
    if (!decoded) {
      this.close(1002, 'socket.io parse error');
      return;
    }
    const { type, nsp, id, data } = decoded;
    if (type === 0) {
      if (nsp !== '/') {
        this.#send(`44${nsp},` + JSON.stringify({ message: 'Invalid namespace' }));
        return;
      }
      if (this.#namespaceConnected) return;
      const auth = isRecord(data) ? data : {};
      const refusal = this.o.authorize(auth);
      if (refusal) {
        this.#send('44' + JSON.stringify({ message: refusal, data: { code: refusal } }));
        return;
      }
      this.auth = auth;
      this.#namespaceConnected = true;
      this.#send('40' + JSON.stringify({ sid: this.sid }));
      this.o.onConnect(this);
      return;
    }
    if (!this.#namespaceConnected || nsp !== '/') return;
    if (type === 1) {
      // client-side disconnect: socket.io keeps the transport only for other namespaces
      this.close(1000, 'client namespace disconnect');
      return;
    }
    if (type !== 2) return; // acks from clients (we never ask) and binary packets are ignored
    if (!Array.isArray(data) || typeof data[0] !== 'string' || data.length === 0) {
      this.close(1002, 'socket.io parse error');
      return;
    }
    const [event, payload] = data as [string, unknown];
    let answered = false;
    const ack: Ack | undefined =
      id === undefined
        ? undefined
        : (answer) => {
            if (answered || this.#frozen) return;
            answered = true;
            this.#send(`43${id}` + JSON.stringify([answer]));
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

interface DecodedPacket {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

/** socket.io-parser's text format: `<type>[<attachments>-][<nsp>,][<id>][<json>]`. */
function decodePacket(str: string): DecodedPacket | null {
  const type = Number(str.charAt(0));
  if (!Number.isInteger(type) || type < 0 || type > 6 || str.length === 0) return null;
  let i = 1;
  if (type === 5 || type === 6) {
    const dash = str.indexOf('-', i);
    if (dash < 0) return null;
    i = dash + 1;
  }
  let nsp = '/';
  if (str.charAt(i) === '/') {
    const comma = str.indexOf(',', i);
    nsp = comma < 0 ? str.slice(i) : str.slice(i, comma);
    i = comma < 0 ? str.length : comma + 1;
  }
  let digits = '';
  while (i < str.length && /[0-9]/.test(str.charAt(i)) && digits.length < 16)
    digits += str.charAt(i++);
  const id = digits ? Number(digits) : undefined;
  if (i >= str.length) return { type, nsp, id };
  try {
    return { type, nsp, id, data: JSON.parse(str.slice(i)) as unknown };
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
