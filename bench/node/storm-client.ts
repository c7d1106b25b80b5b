/**
 * One chat session as the core sees it, for the reconnect-storm benchmark (run in Node, bundled
 * by esbuild): a PropertyStream watches the interaction, endpointFromProperties turns
 * `chat.instanceId`/`chat.url` into the endpoint, and a ResilientConnection follows it and
 * joins the session on every connect. This is the same wiring as the chat session client, minus
 * the transcript and outbox, so 1,000 of them fit in one process.
 */
import { io, type Socket } from 'socket.io-client';
import { map, type Subscription } from 'rxjs';
import { ResilientConnection, type WebSocketCtor } from '../../src/core/connection.js';
import { PropertyStream } from '../../src/core/property-stream.js';
import { endpointFromProperties } from '../../src/core/endpoints.js';
import type { ConnectionStatus, Endpoint } from '../../src/core/state.js';
import { ChatEvents, Props, joinAnswer, type Properties } from '../../src/protocol/wire.js';

export { restoreSpreadDefaultMs } from '../../src/core/connection.js';
export { heartbeatDefaults } from '../../src/core/heartbeat.js';

export interface StormSessionOptions {
  interactionsUrl: string;
  interactionId: string;
  sessionId: string;
  allowedOrigins: readonly string[];
  /** backoff jitter (0 = every client retries at the same instant) */
  jitter: number;
  /** spread of the move to a restored session after a crash; undefined = the core's default */
  restoreSpreadMs?: number;
  /** a WebSocket constructor; omitted in Node, where the core falls back to engine.io's `ws` */
  webSocket?: WebSocketCtor;
  /** called for every socket the connection opens (attempts, by URL) */
  onAttempt?: (url: string) => void;
  onStatus?: (status: ConnectionStatus) => void;
}

export interface StormSession {
  dispose(): void;
}

function pickChat(p: Properties): Endpoint | null {
  const url = p[Props.chatUrl];
  const id = p[Props.chatInstanceId];
  const epoch = p[Props.chatEpoch];
  if (typeof url !== 'string' || typeof id !== 'string') return null;
  return typeof epoch === 'number' ? { id, url, epoch } : { id, url };
}

export function startStormSession(o: StormSessionOptions): StormSession {
  const auth = () => ({ token: 'bench-token', agentId: 'bench-agent' });
  const backoff = { jitter: o.jitter };
  const props = new PropertyStream({
    urls: [o.interactionsUrl],
    interactionId: o.interactionId,
    auth,
    ...(o.webSocket ? { webSocket: o.webSocket } : {}),
    backoff,
  });
  let lastSeq = 0;
  const conn = new ResilientConnection({
    endpoints: endpointFromProperties(props.snapshot$.pipe(map((s) => s.properties)), pickChat, {
      allowedOrigins: o.allowedOrigins,
    }),
    auth,
    switchReason: 'relocated',
    backoff,
    ...(o.restoreSpreadMs !== undefined ? { restoreSpreadMs: o.restoreSpreadMs } : {}),
    ...(o.webSocket ? { webSocket: o.webSocket } : {}),
    socketFactory: (url, opts) => {
      o.onAttempt?.(url);
      return io(url, opts);
    },
    onConnect: async (socket: Socket) => {
      const answer: unknown = await socket
        .timeout(4000)
        .emitWithAck(ChatEvents.join, { sessionId: o.sessionId, afterSeq: lastSeq });
      const r = joinAnswer(answer);
      if (!r.ok) throw new Error(`join refused: ${JSON.stringify(answer).slice(0, 200)}`);
      lastSeq = r.value.lastSeq;
    },
  });
  const subs: Subscription[] = [];
  if (o.onStatus) subs.push(conn.status$.subscribe((s: ConnectionStatus) => o.onStatus?.(s)));
  props.start();
  conn.start();
  return {
    dispose() {
      for (const s of subs) s.unsubscribe();
      conn.dispose();
      props.dispose();
    },
  };
}
