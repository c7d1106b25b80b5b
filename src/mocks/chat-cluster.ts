/**
 * The mocked chat servers (Genesys-like N+1): every instance is active; a session is served by
 * exactly one instance (its owner) and lives in a shared store that survives any instance, as
 * the seed's transcript is "saved after every message" to UCS. When an instance dies its
 * sessions are restored on another one after `restoreDelayMs`, and the interaction's properties
 * name the new instance (chat.instanceId, chat.url, chat.epoch + 1): that is all a client has to
 * follow. Semantics mirror cluster/chat-instance.mjs and cluster/main.mjs.
 */
import { Subject } from 'rxjs';
import { Limits } from '../protocol/limits.js';
import {
  ChatEvents as E,
  Props,
  joinRequest,
  sendRequest,
  typingRequest,
  type ChatMessage,
  type Participant,
} from '../protocol/wire.js';
import { answer, MockFault, newId, parse } from './common.js';
import { SioEndpoint } from './endpoint.js';
import type { MockEvent } from './events.js';
import type { InteractionServer } from './interaction-server.js';
import type { MockSocket } from './sio-server.js';
import type { ChatInstanceInfo } from '../backend/backend.js';
import { restoreStep } from '../backend/rules.js';
import type { Timers } from './timers.js';

export type { ChatInstanceInfo };

export interface ChatSession {
  readonly id: string;
  readonly interactionId: string;
  owner: string;
  state: 'active' | 'closed';
  epoch: number;
  lastSeq: number;
  participants: Participant[];
  readonly messages: ChatMessage[];
  readonly byClientMsgId: Map<string, ChatMessage>;
  failSave: 'notice' | 'close' | null;
}

interface Instance {
  readonly id: string;
  readonly url: string;
  readonly endpoint: SioEndpoint;
  draining: boolean;
}

const room = (sessionId: string) => `s:${sessionId}`;
const reservedEvents = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

export class ChatCluster {
  readonly instances: Instance[] = [];
  /** the shared store: sessions by id */
  readonly #sessions = new Map<string, ChatSession>();
  readonly #byInteraction = new Map<string, string>();
  readonly #restoreTimers = new Map<string, ReturnType<typeof setTimeout> | undefined>();

  constructor(
    count: number,
    private readonly o: {
      timers: Timers;
      validToken: (t: string | undefined) => boolean;
      interactions: InteractionServer;
      restoreDelayMs: number;
      events: Subject<MockEvent>;
    },
  ) {
    for (let i = 1; i <= count; i++) {
      const id = `chat-${i}`;
      const endpoint = new SioEndpoint({
        id,
        timers: o.timers,
        validToken: o.validToken,
        setup: (socket) => this.#setup(id, socket),
      });
      this.instances.push({ id, url: `http://${id}.mock.test`, endpoint, draining: false });
    }
  }

  instance(id: string): Instance {
    const inst = this.instances.find((i) => i.id === id);
    if (!inst) throw new MockFault('not-found', `no chat instance ${id}`);
    return inst;
  }

  // ---- socket handlers ----------------------------------------------------------------------

  #setup(instanceId: string, socket: MockSocket): void {
    const agent = agentOf(socket);
    const endpoint = this.instance(instanceId).endpoint;

    socket.on(E.join, (payload, ack) =>
      answer(ack, () => {
        const { sessionId, afterSeq = 0 } = parse(joinRequest(payload));
        const s = this.#owned(sessionId, instanceId);
        if (s.state === 'active') {
          socket.rooms.add(room(sessionId));
          if (!s.participants.some((p) => p.id === agent.id)) {
            s.participants = [...s.participants, agent];
            endpoint.toRoom(
              room(sessionId),
              E.participant,
              { sessionId, participant: agent, action: 'joined' },
              socket,
            );
          }
        }
        return {
          ok: true,
          instanceId,
          sessionId,
          transcript: s.messages.filter((m) => m.seq > afterSeq).slice(0, Limits.maxTranscriptPage),
          participants: s.participants,
          lastSeq: s.lastSeq,
          state: s.state,
        };
      }),
    );

    socket.on(E.send, (payload, ack) =>
      answer(ack, () => {
        // Checked before the validator, so an oversized text gets its own code.
        const text = (payload as { text?: unknown } | null)?.text;
        if (typeof text === 'string' && text.length > Limits.maxMessageLength) {
          throw new MockFault('too-large', `text longer than ${Limits.maxMessageLength}`);
        }
        const req = parse(sendRequest(payload));
        if (!socket.rooms.has(room(req.sessionId))) {
          throw new MockFault('unknown-session', `join ${req.sessionId} first`);
        }
        // Fencing: a socket left behind on an instance that lost the session (it was frozen
        // while the session moved) must not write into it.
        this.#owned(req.sessionId, instanceId);
        const message = this.post(req.sessionId, req.clientMsgId, agent, req.text);
        return { ok: true, seq: message.seq, id: message.id };
      }),
    );

    socket.on(E.typingOut, (payload) => {
      const r = typingRequest(payload);
      if (!r.ok || !socket.rooms.has(room(r.value.sessionId))) return;
      endpoint.toRoom(
        room(r.value.sessionId),
        E.typing,
        { sessionId: r.value.sessionId, from: agent.id, typing: r.value.typing },
        socket,
      );
    });

    socket.on(E.heartbeat, (_payload, ack) =>
      answer(ack, () => ({ ok: true, t: Date.now(), instanceId })),
    );
  }

  #owned(sessionId: string, instanceId: string): ChatSession {
    const s = this.#sessions.get(sessionId);
    if (!s || s.owner !== instanceId) {
      throw new MockFault('unknown-session', `session ${sessionId} is not served by ${instanceId}`);
    }
    return s;
  }

  /**
   * Appends a message and fans it out, or returns the one already stored under this
   * clientMsgId (a resend after a lost ack): exactly once, whatever the client retries.
   */
  post(
    sessionId: string,
    clientMsgId: string | undefined,
    from: Participant,
    text: string,
  ): ChatMessage {
    const s = this.#sessions.get(sessionId);
    if (!s) throw new MockFault('unknown-session', `no session ${sessionId}`);
    const owner = this.instance(s.owner).endpoint;
    if (clientMsgId) {
      const existing = s.byClientMsgId.get(clientMsgId);
      if (existing) return existing;
    }
    if (s.state !== 'active') throw new MockFault('closed', 'the session is closed');
    const failSave = s.failSave;
    s.failSave = null;
    if (failSave === 'close') {
      // transcript-save-on-error = close (Genesys): end the session rather than lose messages.
      this.#close(s, 'transcript-save-failed');
      throw new MockFault('closed', 'the transcript could not be saved; the session was closed');
    }
    const message: ChatMessage = {
      seq: s.lastSeq + 1,
      id: newId('m'),
      sessionId,
      from,
      text,
      ts: Date.now(),
    };
    if (clientMsgId) message.clientMsgId = clientMsgId;
    s.messages.push(message);
    s.lastSeq = message.seq;
    if (clientMsgId) s.byClientMsgId.set(clientMsgId, message);
    owner.toRoom(room(sessionId), E.message, message);
    if (failSave === 'notice') {
      owner.toRoom(room(sessionId), E.notice, {
        sessionId,
        code: 'transcript-save-failed',
        text: 'The last message may be missing from the saved transcript.',
      });
    }
    return message;
  }

  #close(s: ChatSession, reason: string): void {
    s.state = 'closed';
    const owner = this.instance(s.owner).endpoint;
    owner.toRoom(room(s.id), E.sessionClosed, { sessionId: s.id, reason });
    for (const sock of owner.inRoom(room(s.id))) sock.rooms.delete(room(s.id));
    this.o.interactions.setProperties(s.interactionId, { [Props.chatState]: 'closed' });
    this.o.events.next({
      type: 'chat-session-closed',
      interactionId: s.interactionId,
      sessionId: s.id,
      reason,
    });
  }

  // ---- control verbs ------------------------------------------------------------------------

  /** A live instance that can take sessions: alive, not frozen, not draining. */
  #usable(inst: Instance): boolean {
    return inst.endpoint.alive && !inst.endpoint.frozen && !inst.draining;
  }

  #pickTarget(excludeId?: string): Instance | undefined {
    const candidates = this.instances.filter((i) => this.#usable(i) && i.id !== excludeId);
    candidates.sort((a, b) => this.sessionCount(a.id) - this.sessionCount(b.id));
    return candidates[0];
  }

  sessionCount(instanceId: string): number {
    let n = 0;
    for (const s of this.#sessions.values())
      if (s.owner === instanceId && s.state === 'active') n++;
    return n;
  }

  startChat(o: { customerName?: string; instanceId?: string } = {}): {
    interactionId: string;
    sessionId: string;
    instanceId: string;
  } {
    const target = o.instanceId ? this.instance(o.instanceId) : this.#pickTarget();
    if (!target || !this.#usable(target)) {
      throw new MockFault(
        'not-found',
        o.instanceId ? `instance ${o.instanceId} cannot take chats` : 'no chat instance available',
      );
    }
    const interactionId = newId('ix');
    const sessionId = newId('cs');
    const customer: Participant = {
      id: `customer-${interactionId}`,
      name: (o.customerName ?? 'Customer').slice(0, 200),
      role: 'customer',
    };
    this.#sessions.set(sessionId, {
      id: sessionId,
      interactionId,
      owner: target.id,
      state: 'active',
      epoch: 1,
      lastSeq: 0,
      participants: [customer],
      messages: [],
      byClientMsgId: new Map(),
      failSave: null,
    });
    this.#byInteraction.set(interactionId, sessionId);
    this.o.interactions.create(interactionId, {
      [Props.chatSessionId]: sessionId,
      [Props.chatInstanceId]: target.id,
      [Props.chatUrl]: target.url,
      [Props.chatState]: 'active',
      [Props.chatEpoch]: 1,
    });
    this.o.events.next({ type: 'chat-started', interactionId, sessionId, instanceId: target.id });
    return { interactionId, sessionId, instanceId: target.id };
  }

  session(interactionId: string): ChatSession {
    const id = this.#byInteraction.get(interactionId);
    const s = id === undefined ? undefined : this.#sessions.get(id);
    if (!s) throw new MockFault('unknown-interaction', `no chat interaction ${interactionId}`);
    return s;
  }

  /** The session's owner must be up for customer-side actions (the web chat talks to it). */
  #ownerEndpoint(s: ChatSession): SioEndpoint {
    const inst = this.instance(s.owner);
    if (!inst.endpoint.alive)
      throw new MockFault('unknown-session', `the session's instance ${s.owner} is down`);
    if (inst.endpoint.frozen)
      throw new MockFault('unknown-session', `the session's instance ${s.owner} is not answering`);
    return inst.endpoint;
  }

  customerSend(interactionId: string, text: string): ChatMessage {
    const s = this.session(interactionId);
    this.#ownerEndpoint(s);
    const customer = s.participants.find((p) => p.role === 'customer') ?? {
      id: 'customer',
      name: 'Customer',
      role: 'customer' as const,
    };
    return this.post(s.id, undefined, customer, text);
  }

  customerTyping(interactionId: string, typing: boolean): void {
    const s = this.session(interactionId);
    const endpoint = this.#ownerEndpoint(s);
    const customer = s.participants.find((p) => p.role === 'customer');
    endpoint.toRoom(room(s.id), E.typing, {
      sessionId: s.id,
      from: customer?.id ?? 'customer',
      typing,
    });
  }

  emitRaw(interactionId: string, event: string, payload: unknown): void {
    // socket.io servers refuse to emit these (the client would take them for its own events).
    if (typeof event !== 'string' || reservedEvents.has(event)) {
      throw new MockFault('bad-request', `"${String(event)}" is a reserved event name`);
    }
    const s = this.session(interactionId);
    this.#ownerEndpoint(s).toRoom(room(s.id), event, payload);
  }

  failTranscriptSave(interactionId: string, mode: 'notice' | 'close' = 'notice'): void {
    this.session(interactionId).failSave = mode === 'close' ? 'close' : 'notice';
  }

  /** Moves sessions to `target` (epoch + 1) and announces each move as one property delta. */
  #move(sessions: ChatSession[], target: Instance, kind: 'chat-restored' | 'chat-relocated'): void {
    for (const s of sessions) {
      if (s.state !== 'active') continue;
      const from = s.owner;
      s.owner = target.id;
      s.epoch += 1;
      this.o.interactions.setProperties(s.interactionId, {
        [Props.chatInstanceId]: target.id,
        [Props.chatUrl]: target.url,
        [Props.chatEpoch]: s.epoch,
        [Props.chatState]: 'active',
      });
      this.o.events.next({
        type: kind,
        interactionId: s.interactionId,
        sessionId: s.id,
        from,
        to: target.id,
        epoch: s.epoch,
      });
    }
  }

  #activeOn(instanceId: string): ChatSession[] {
    return [...this.#sessions.values()].filter(
      (s) => s.owner === instanceId && s.state === 'active',
    );
  }

  kill(id: string): void {
    const inst = this.instance(id);
    if (!inst.endpoint.alive) return;
    inst.endpoint.kill();
    this.o.events.next({ type: 'chat-killed', instanceId: id });
    for (const s of this.#activeOn(id))
      this.o.interactions.setProperties(s.interactionId, { [Props.chatState]: 'restoring' });
    this.#scheduleRestore(id);
  }

  /** After a crash: restore the dead instance's sessions, by the shared rule (restoreStep). */
  #scheduleRestore(fromId: string, startedAt = Date.now()): void {
    this.o.timers.clear(this.#restoreTimers.get(fromId));
    const handle = this.o.timers.timeout(() => {
      this.#restoreTimers.delete(fromId);
      const sessions = this.#activeOn(fromId);
      const from = this.instance(fromId);
      const other = this.#pickTarget(fromId);
      const step = restoreStep({
        sessions: sessions.length,
        fromUsable: this.#usable(from),
        hasOtherTarget: other !== undefined,
        elapsedMs: Date.now() - startedAt,
      });
      if (step === 'retry') this.#scheduleRestore(fromId, startedAt);
      else if (step === 'move' && other) this.#move(sessions, other, 'chat-restored');
      else if (step === 'move-back') this.#move(sessions, from, 'chat-restored');
    }, this.o.restoreDelayMs);
    this.#restoreTimers.set(fromId, handle);
  }

  revive(id: string): void {
    const inst = this.instance(id);
    inst.draining = false;
    if (inst.endpoint.alive) return;
    inst.endpoint.revive();
    this.o.events.next({ type: 'chat-revived', instanceId: id });
  }

  freeze(id: string): void {
    const inst = this.instance(id);
    if (!inst.endpoint.alive || inst.endpoint.frozen) return;
    inst.endpoint.freeze();
    this.o.events.next({ type: 'chat-frozen', instanceId: id });
  }

  unfreeze(id: string): void {
    const inst = this.instance(id);
    if (!inst.endpoint.frozen) return;
    inst.endpoint.unfreeze();
    this.o.events.next({ type: 'chat-unfrozen', instanceId: id });
  }

  /** Planned move: no new sessions here, tell the clients, move every session, close the sockets. */
  drain(id: string): void {
    const inst = this.instance(id);
    inst.draining = true;
    this.o.events.next({ type: 'chat-draining', instanceId: id });
    const sessions = this.#activeOn(id);
    for (const s of sessions) {
      inst.endpoint.toRoom(room(s.id), E.notice, {
        sessionId: s.id,
        code: 'draining',
        text: 'This chat server is being drained.',
      });
    }
    for (const s of sessions) this.relocate(s.interactionId);
    // The property update has already told every client where to go; now the old sockets end.
    for (const sock of [...inst.endpoint.sockets]) sock.disconnect();
  }

  /** Moves one session to `toId` (or the least loaded usable instance); the old owner lets go. */
  relocate(interactionId: string, toId?: string): { instanceId: string } {
    const s = this.session(interactionId);
    const target = toId ? this.instance(toId) : this.#pickTarget(s.owner);
    if (!target || !target.endpoint.alive || target.endpoint.frozen) {
      throw new MockFault('not-found', 'no chat instance can take the session');
    }
    if (target.id === s.owner) return { instanceId: target.id };
    const from = this.instance(s.owner).endpoint;
    this.#move([s], target, 'chat-relocated');
    if (from.alive && !from.frozen) {
      from.toRoom(room(s.id), E.notice, {
        sessionId: s.id,
        code: 'relocated',
        text: 'The chat moved to another server.',
      });
      for (const sock of from.inRoom(room(s.id))) sock.rooms.delete(room(s.id));
    }
    return { instanceId: target.id };
  }

  transcript(interactionId: string): ChatMessage[] {
    return this.session(interactionId).messages.map((m) => ({ ...m }));
  }

  info(): ChatInstanceInfo[] {
    return this.instances.map((i) => ({
      id: i.id,
      url: i.url,
      alive: i.endpoint.alive,
      frozen: i.endpoint.frozen,
      draining: i.draining,
      sessions: this.sessionCount(i.id),
      connections: i.endpoint.alive ? i.endpoint.connections : 0,
    }));
  }

  stop(): void {
    for (const i of this.instances) i.endpoint.stop();
  }
}

function agentOf(socket: MockSocket): Participant {
  const raw = socket.auth.agentId;
  const id =
    typeof raw === 'string' && raw.length > 0 && raw.length <= Limits.maxIdLength ? raw : 'agent';
  return { id, name: id, role: 'agent' };
}
