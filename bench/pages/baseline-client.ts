/**
 * The baseline the panel is compared with: what a plain socket.io-client integration does.
 * `io(url)` with socket.io's default reconnection (1 s first delay, ±50 % randomisation,
 * doubling), a second socket watching the interaction's properties, and on a `chat.url` change
 * it points the Manager at the new URL: if the old socket is still up it drops the transport and
 * lets the default reconnection take it to the new URL; if it is already down, the next default
 * reconnection attempt goes there. A server-side disconnect is answered with `socket.connect()`,
 * socket.io's documented recipe. It re-joins on every connect and sends queued messages after the
 * join. WebSocket transport only (the mock sees only WebSockets; over loopback it is also the
 * quicker option for the baseline, so the comparison does not flatter us).
 */
import type { Socket } from 'socket.io-client';

type Io = typeof import('socket.io-client').io;

interface Msg {
  seq: number;
  text: string;
}

export class BaselineClient {
  private chat?: Socket;
  private watch?: Socket;
  private chatUrl = '';
  private sessionId = '';
  readonly messages = new Map<number, Msg>();
  joinedOn: string | undefined;
  /** texts acked by the server */
  readonly acked = new Set<string>();
  private pending: string[] = [];
  private flushing = false;
  connected = false;
  /** performance.now() of the first `disconnect` / `connect_error` after start() */
  lostAt: number | undefined;

  constructor(
    private readonly io: Io,
    private readonly o: {
      interactionsUrl: string;
      interactionId: string;
      token: string;
      onChange?: () => void;
    },
  ) {}

  async start(): Promise<void> {
    const auth = { token: this.o.token, agentId: 'bench-agent' };
    this.watch = this.io(this.o.interactionsUrl, {
      transports: ['websocket'],
      auth,
      forceNew: true,
    });
    const answer = (await this.watch
      .timeout(5000)
      .emitWithAck('watch', { interactionId: this.o.interactionId })) as {
      properties: Record<string, unknown>;
    };
    this.watch.on('properties', (d: { set?: Record<string, unknown> }) => {
      const url = d.set?.['chat.url'];
      if (typeof url === 'string' && url !== this.chatUrl)
        this.relocate(url, d.set?.['chat.sessionId']);
    });
    this.sessionId = String(answer.properties['chat.sessionId']);
    this.chatUrl = String(answer.properties['chat.url']);
    const chat = this.io(new URL(this.chatUrl).origin, {
      transports: ['websocket'],
      auth,
      forceNew: true,
    });
    this.chat = chat;
    chat.on('connect', () => void this.join());
    chat.on('disconnect', (reason) => {
      this.connected = false;
      this.joinedOn = undefined;
      this.lostAt ??= performance.now();
      if (reason === 'io server disconnect') chat.connect();
      this.o.onChange?.();
    });
    chat.on('connect_error', () => {
      this.lostAt ??= performance.now();
    });
    chat.on('message', (m: Msg) => {
      this.messages.set(m.seq, m);
      this.o.onChange?.();
    });
  }

  private relocate(url: string, sessionId: unknown): void {
    this.chatUrl = url;
    if (typeof sessionId === 'string') this.sessionId = sessionId;
    const chat = this.chat;
    if (!chat) return;
    // engine.io re-parses the Manager's uri on every (re)connect
    (chat.io as unknown as { uri: string }).uri = new URL(url).origin;
    if (chat.connected) chat.io.engine.close(); // "transport close": default reconnection takes over
  }

  private async join(): Promise<void> {
    const chat = this.chat!;
    try {
      const a = (await chat.timeout(5000).emitWithAck('join', { sessionId: this.sessionId })) as {
        ok: boolean;
        instanceId: string;
        transcript: Msg[];
      };
      if (!a.ok) return;
      for (const m of a.transcript) this.messages.set(m.seq, m);
      this.joinedOn = a.instanceId;
      this.connected = true;
      this.o.onChange?.();
      void this.flush();
    } catch {
      /* the next connect joins again */
    }
  }

  send(text: string): void {
    this.pending.push(text);
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length && this.connected && this.chat) {
        const text = this.pending[0]!;
        const a = (await this.chat
          .timeout(5000)
          .emitWithAck('send', { sessionId: this.sessionId, clientMsgId: `b-${text}`, text })
          .catch(() => null)) as { ok?: boolean; seq?: number } | null;
        if (!a?.ok) break; // retried after the next join
        this.pending.shift();
        this.acked.add(text);
        this.o.onChange?.();
      }
    } finally {
      this.flushing = false;
    }
  }

  dispose(): void {
    this.watch?.disconnect();
    this.chat?.disconnect();
  }
}
