/**
 * The protocol conformance suite: one set of test bodies, run against every back end through
 * the one `Backend` interface (cluster.test.ts, mock.test.ts). The bodies speak the wire
 * protocol directly (socket.io-client, fetch) and check every answer with the client's own
 * validators from src/protocol, so the mock cannot drift from the reference cluster, and
 * neither from the protocol.
 *
 * One back end per file, started in `before`: tests that kill or split nodes put them back.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { Socket } from 'socket.io-client';
import { Limits } from '../../src/protocol/limits.js';
import {
  chatMessage,
  errorAnswer,
  joinAnswer,
  nodeStatus,
  noticeEvent,
  pcsSubscribeAnswer,
  propertiesDelta,
  sendAnswer,
  surveyLookup,
  surveyRequestAnswer,
  surveyStatusEvent,
  watchAnswer,
  type ChatMessage,
  type NodeStatus,
  type PropertiesDelta,
} from '../../src/protocol/wire.js';
import type { Validator } from '../../src/protocol/validate.js';
import {
  gadgetEvent,
  httpStatusFor,
  ivrStep,
  maxTokenChars,
  rejectedToken,
  scoreFor,
  seededSurveys,
} from '../../src/backend/rules.js';
import type { Backend } from '../../src/backend/backend.js';
import type { StartBackend } from './backend.js';
import { surveyRequestBody } from '../support/survey-request.js';

const token = 'conformance-token';
type Answer = Record<string, unknown>;

/** Asserts `value` passes `validator` and returns it typed. */
function valid<T>(validator: Validator<T>, value: unknown): T {
  const r = validator(value);
  if (!r.ok) expect.fail(`${r.error} in ${JSON.stringify(value).slice(0, 300)}`);
  return r.value;
}

function expectError(answer: unknown, code: string): void {
  expect(valid(errorAnswer, answer).error.code).to.equal(code);
}

export function conformanceSuite(name: string, start: StartBackend): void {
  describe(`protocol conformance: ${name}`, function () {
    this.timeout(20000);
    let backend: Backend;
    let io: typeof import('socket.io-client').io;
    const opened: Socket[] = [];

    before(async () => {
      backend = await start();
      // After the back end: the mock must patch WebSocket before engine.io-client reads it.
      ({ io } = await import('socket.io-client'));
    });
    afterEach(() => {
      for (const s of opened.splice(0)) s.disconnect();
    });
    after(async () => {
      await backend?.stop();
    });

    // ---- helpers ---------------------------------------------------------------------------
    /** Both back ends run with a PCS virtual IP here (only `--no-vip` turns it off). */
    const vipUrl = (): string => backend.urls.pcsVip ?? expect.fail('the back end has no PCS VIP');
    function open(url: string, auth: Answer = { token, agentId: 'agent1' }): Socket {
      const socket = io(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth,
        timeout: 4000,
      });
      opened.push(socket);
      return socket;
    }
    async function connect(url: string, auth?: Answer): Promise<Socket> {
      const socket = open(url, auth);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    }
    const request = (socket: Socket, event: string, payload?: unknown): Promise<Answer> =>
      socket.timeout(4000).emitWithAck(event, payload) as Promise<Answer>;
    const collect = <T>(socket: Socket, event: string): T[] => {
      const seen: T[] = [];
      socket.on(event, (p: T) => seen.push(p));
      return seen;
    };
    const disconnected = (socket: Socket) =>
      socket.disconnected
        ? Promise.resolve()
        : new Promise<void>((r) => socket.once('disconnect', () => r()));

    async function joinChat(interactionId: string, afterSeq?: number) {
      const { properties } = await backend.control.interactions.get(interactionId);
      const socket = await connect(String(properties['chat.url']));
      const answer = valid(
        joinAnswer,
        await request(socket, 'join', { sessionId: properties['chat.sessionId'], afterSeq }),
      );
      return { socket, answer, sessionId: String(properties['chat.sessionId']) };
    }

    async function http(
      url: string,
      init: { method?: string; body?: string; auth?: boolean } = {},
    ) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (init.auth !== false) headers.Authorization = `Bearer ${token}`;
      const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    }
    const status = async (url: string): Promise<NodeStatus> =>
      valid(nodeStatus, (await http(`${url}/status`, { auth: false })).json);
    async function primaryAndStandby(): Promise<{
      primary: [string, NodeStatus];
      standby: [string, NodeStatus];
    }> {
      const all = await Promise.all(
        Object.entries(backend.urls.pcs).map(
          async ([id, url]) => [id, await status(url)] as [string, NodeStatus],
        ),
      );
      const primary = all.filter(([, s]) => s.role === 'primary');
      expect(primary, 'exactly one primary').to.have.length(1);
      return { primary: primary[0]!, standby: all.find(([, s]) => s.role === 'standby')! };
    }
    const surveyBody = (overrides: Answer = {}) => JSON.stringify(surveyRequestBody(overrides));

    // ---- interaction server ----------------------------------------------------------------
    describe('interaction properties', () => {
      it('watch answers a full snapshot, then one delta per change with version + 1', async () => {
        const { interactionId, sessionId, instanceId } =
          await backend.control.interactions.startChat({ customerName: 'Ada' });
        const watcher = await connect(backend.urls.interactions);
        const snap = valid(watchAnswer, await request(watcher, 'watch', { interactionId }));
        expect(snap.interactionId).to.equal(interactionId);
        expect(snap.properties).to.include({
          'chat.sessionId': sessionId,
          'chat.instanceId': instanceId,
          'chat.url': backend.urls.chat[instanceId],
          'chat.state': 'active',
          'chat.epoch': 1,
        });

        const deltas = collect<PropertiesDelta>(watcher, 'properties');
        await backend.control.interactions.setProperties(interactionId, {
          'test.a': 'one',
          'test.n': 2,
        });
        await backend.control.interactions.setProperties(interactionId, { 'test.b': true }, [
          'test.a',
        ]);
        await waitUntil(() => deltas.length === 2, 'two deltas');
        const [d1, d2] = deltas.map((d) => valid(propertiesDelta, d));
        expect(d1).to.deep.equal({
          interactionId,
          version: snap.version + 1,
          set: { 'test.a': 'one', 'test.n': 2 },
          unset: [],
        });
        expect(d2).to.deep.equal({
          interactionId,
          version: snap.version + 2,
          set: { 'test.b': true },
          unset: ['test.a'],
        });

        const now = await backend.control.interactions.get(interactionId);
        expect(now.version).to.equal(snap.version + 2);
        expect(now.properties).to.not.have.property('test.a');
        expect(now.properties).to.include({ 'test.n': 2, 'test.b': true });
        // A re-watch (a client resyncing with sinceVersion) gets the complete current state.
        const again = valid(
          watchAnswer,
          await request(watcher, 'watch', { interactionId, sinceVersion: snap.version }),
        );
        expect(again.version).to.equal(now.version);
        expect(again.properties).to.deep.equal(now.properties);
      });

      it('primary and backup interaction servers push the same deltas; either survives the other', async () => {
        const { interactionId } = await backend.control.interactions.startChat();
        const onPrimary = await connect(backend.urls.interactions);
        const onBackup = await connect(backend.urls.interactionsBackup);
        const snap = valid(watchAnswer, await request(onPrimary, 'watch', { interactionId }));
        expect(await request(onBackup, 'watch', { interactionId })).to.deep.equal(snap);
        const [a, b] = [
          collect<PropertiesDelta>(onPrimary, 'properties'),
          collect<PropertiesDelta>(onBackup, 'properties'),
        ];
        await backend.control.interactions.setProperties(interactionId, { 'test.both': 1 });
        await waitUntil(() => a.length === 1 && b.length === 1, 'both pushed');
        expect(b).to.deep.equal(a);

        const dropped = disconnected(onPrimary);
        await backend.control.interactions.kill('interactions');
        try {
          await dropped;
          await backend.control.interactions.setProperties(interactionId, { 'test.both': 2 });
          await waitUntil(() => b.length === 2, 'backup still pushes');
          expect(valid(propertiesDelta, b[1])).to.include({ version: snap.version + 2 });
          const servers = await backend.control.interactions.servers();
          expect(servers.map((x) => [x.id, x.alive])).to.deep.equal([
            ['interactions', false],
            ['interactions-b', true],
          ]);
        } finally {
          await backend.control.interactions.revive('interactions');
        }
        // Back up: a client resyncs there with sinceVersion and gets everything it missed.
        const back = await connect(backend.urls.interactions);
        const resync = valid(
          watchAnswer,
          await request(back, 'watch', { interactionId, sinceVersion: snap.version }),
        );
        expect(resync.version).to.equal(snap.version + 2);
        expect(resync.properties['test.both']).to.equal(2);
      });

      it('unwatch stops the deltas; unknown or malformed watches are answered with errors', async () => {
        const { interactionId } = await backend.control.interactions.startChat();
        const watcher = await connect(backend.urls.interactions);
        await request(watcher, 'watch', { interactionId });
        expect(await request(watcher, 'unwatch', { interactionId })).to.deep.equal({ ok: true });
        const deltas = collect(watcher, 'properties');
        await backend.control.interactions.setProperties(interactionId, { 'test.x': 1 });
        // hb round trip: anything pushed before it would have arrived first.
        expect(await request(watcher, 'hb', { t: 1 })).to.include({ ok: true });
        expect(deltas).to.have.length(0);

        expectError(
          await request(watcher, 'watch', { interactionId: 'ix-does-not-exist' }),
          'unknown-interaction',
        );
        expectError(await request(watcher, 'watch', { interactionId: '' }), 'bad-request');
        expectError(await request(watcher, 'watch', 'not an object'), 'bad-request');
        expectError(
          await request(watcher, 'watch', { interactionId: 'x'.repeat(Limits.maxIdLength + 1) }),
          'bad-request',
        );
      });
    });

    // ---- chat instances --------------------------------------------------------------------
    describe('chat sessions', () => {
      it('join returns the transcript after afterSeq, the participants and lastSeq', async () => {
        const { interactionId, instanceId } = await backend.control.interactions.startChat({
          customerName: 'Bo',
        });
        for (const text of ['one', 'two', 'three'])
          await backend.control.customer.send(interactionId, text);

        const { socket, answer, sessionId } = await joinChat(interactionId);
        expect(answer).to.include({ instanceId, sessionId, lastSeq: 3 });
        expect(answer.transcript.map((m) => [m.seq, m.text])).to.deep.equal([
          [1, 'one'],
          [2, 'two'],
          [3, 'three'],
        ]);
        expect(
          answer.transcript.every((m) => m.from.role === 'customer' && m.from.name === 'Bo'),
        ).to.equal(true);
        expect(answer.participants.map((p) => p.role).sort()).to.deep.equal(['agent', 'customer']);

        const resumed = valid(
          joinAnswer,
          await request(socket, 'join', { sessionId, afterSeq: 2 }),
        );
        expect(resumed.transcript.map((m) => m.seq)).to.deep.equal([3]);
        expect(resumed.lastSeq).to.equal(3);
        const upToDate = valid(
          joinAnswer,
          await request(socket, 'join', { sessionId, afterSeq: 3 }),
        );
        expect(upToDate.transcript).to.deep.equal([]);
      });

      it('send is idempotent on clientMsgId: one message, one event, the same ack', async () => {
        const { interactionId } = await backend.control.interactions.startChat();
        const { socket, sessionId } = await joinChat(interactionId);
        const { socket: other } = await joinChat(interactionId);
        const seen = collect<ChatMessage>(other, 'message');

        const first = valid(
          sendAnswer,
          await request(socket, 'send', { sessionId, clientMsgId: 'c-1', text: 'hello' }),
        );
        const again = valid(
          sendAnswer,
          await request(socket, 'send', { sessionId, clientMsgId: 'c-1', text: 'hello' }),
        );
        expect(again).to.deep.equal(first);
        const second = valid(
          sendAnswer,
          await request(socket, 'send', { sessionId, clientMsgId: 'c-2', text: 'world' }),
        );
        expect(second.seq).to.equal(first.seq + 1);

        await waitUntil(() => seen.length >= 2, 'messages pushed to the other socket');
        expect(await request(other, 'hb', { t: 1 })).to.include({ ok: true });
        expect(
          seen.map((m) => valid(chatMessage, m)).map((m) => [m.seq, m.id, m.clientMsgId, m.text]),
        ).to.deep.equal([
          [first.seq, first.id, 'c-1', 'hello'],
          [second.seq, second.id, 'c-2', 'world'],
        ]);
        const truth = await backend.control.chat.transcript(interactionId);
        expect(truth.map((m) => m.clientMsgId)).to.deep.equal(['c-1', 'c-2']);
      });

      it('customer messages and typing reach the agent; hb answers with the instance id', async () => {
        const { interactionId, instanceId } = await backend.control.interactions.startChat();
        const { socket, sessionId } = await joinChat(interactionId);
        const messages = collect<ChatMessage>(socket, 'message');
        const typing = collect<Answer>(socket, 'typing');
        await backend.control.customer.typing(interactionId, true);
        const sent = await backend.control.customer.send(interactionId, 'are you there?');
        await waitUntil(() => messages.length === 1 && typing.length === 1, 'customer activity');
        expect(valid(chatMessage, messages[0])).to.deep.equal(valid(chatMessage, sent));
        expect(typing[0]).to.include({ sessionId, typing: true });
        expect(await request(socket, 'hb', { t: 42 })).to.include({ ok: true, instanceId });
      });

      it('relocation after a kill: properties move (epoch + 1), and join on the new instance returns the full transcript', async () => {
        const { interactionId, sessionId, instanceId } =
          await backend.control.interactions.startChat();
        const watcher = await connect(backend.urls.interactions);
        const snap = valid(watchAnswer, await request(watcher, 'watch', { interactionId }));
        const { socket } = await joinChat(interactionId);
        await request(socket, 'send', { sessionId, clientMsgId: 'before-kill', text: 'one' });
        await backend.control.customer.send(interactionId, 'two');
        const deltas = collect<PropertiesDelta>(watcher, 'properties');

        const dropped = disconnected(socket);
        await backend.control.chat.kill(instanceId);
        try {
          await dropped;
          await waitUntil(() => deltas.some((d) => d.set['chat.state'] === 'active'), 'restored', {
            timeout: 5000,
          });
          // Versions never skip: every change, 'restoring' included, is exactly one delta.
          expect(deltas.map((d) => valid(propertiesDelta, d).version)).to.deep.equal(
            deltas.map((_, i) => snap.version + 1 + i),
          );
          const props = (await backend.control.interactions.get(interactionId)).properties;
          expect(props['chat.instanceId']).to.not.equal(instanceId);
          expect(props['chat.url']).to.equal(backend.urls.chat[String(props['chat.instanceId'])]);
          expect(props['chat.epoch']).to.equal(2);
          expect(props['chat.state']).to.equal('active');

          const { socket: moved, answer } = await joinChat(interactionId, 0);
          expect(answer.instanceId).to.equal(props['chat.instanceId']);
          expect(answer.transcript.map((m) => m.text)).to.deep.equal(['one', 'two']);
          // A client that had seen seq 1 before the crash resumes after it, on the new instance.
          const resumed = valid(
            joinAnswer,
            await request(moved, 'join', { sessionId, afterSeq: 1 }),
          );
          expect(resumed.transcript.map((m) => [m.seq, m.text])).to.deep.equal([[2, 'two']]);
          expect(resumed.lastSeq).to.equal(2);
          expect(answer.transcript).to.deep.equal(
            await backend.control.chat.transcript(interactionId),
          );
          // The resend of a message whose ack was lost in the crash is still de-duplicated.
          const resend = valid(
            sendAnswer,
            await request(moved, 'send', { sessionId, clientMsgId: 'before-kill', text: 'one' }),
          );
          expect(resend.seq).to.equal(1);
          const info = (await backend.control.chat.instances()).find((i) => i.id === instanceId)!;
          expect(info).to.include({ alive: false, sessions: 0 });
        } finally {
          await backend.control.chat.revive(instanceId);
        }
      });

      // The shared restore rule (src/backend/rules.ts restoreStep): a revived process starts
      // empty, so a killed instance's sessions go to another one; only when it is the one
      // instance left do they come back to it. Either way: epoch + 1 and `active` again.
      it('restore after a revive: sessions go elsewhere, or back to the revived instance when it is the only one', async () => {
        const props = async (interactionId: string) =>
          (await backend.control.interactions.get(interactionId)).properties;
        const restored = (interactionId: string) =>
          waitUntil(
            async () => (await props(interactionId))['chat.state'] === 'active',
            'restored',
            {
              timeout: 15000,
            },
          );

        // Others are up: revived at once, it still does not get its sessions back.
        const first = await backend.control.interactions.startChat({ instanceId: 'chat-1' });
        await backend.control.chat.kill('chat-1');
        await backend.control.chat.revive('chat-1');
        await restored(first.interactionId);
        const elsewhere = await props(first.interactionId);
        expect(elsewhere['chat.instanceId']).to.not.equal('chat-1');
        expect(elsewhere['chat.epoch']).to.equal(2);

        // The only instance left: killed, revived, it takes its session back.
        const second = await backend.control.interactions.startChat({ instanceId: 'chat-1' });
        const others = Object.keys(backend.urls.chat).filter((id) => id !== 'chat-1');
        try {
          for (const id of others) await backend.control.chat.kill(id);
          await backend.control.chat.kill('chat-1');
          expect((await props(second.interactionId))['chat.state']).to.equal('restoring');
          await backend.control.chat.revive('chat-1');
          await restored(second.interactionId);
          const back = await props(second.interactionId);
          expect(back['chat.instanceId']).to.equal('chat-1');
          expect(back['chat.url']).to.equal(backend.urls.chat['chat-1']);
          expect(back['chat.epoch']).to.equal(2);
          const { answer } = await joinChat(second.interactionId, 0);
          expect(answer.instanceId).to.equal('chat-1');
        } finally {
          for (const id of ['chat-1', ...others]) await backend.control.chat.revive(id);
        }
      });

      it('a planned relocation: the old instance sends a relocated notice and stops serving the session', async () => {
        const { interactionId, sessionId, instanceId } =
          await backend.control.interactions.startChat();
        const { socket } = await joinChat(interactionId);
        const notices = collect<Answer>(socket, 'notice');
        const to = Object.keys(backend.urls.chat).find((id) => id !== instanceId)!;
        await backend.control.chat.relocate(interactionId, to);
        await waitUntil(() => notices.length === 1, 'relocated notice');
        expect(valid(noticeEvent, notices[0])).to.include({ sessionId, code: 'relocated' });
        // Fencing: the old instance no longer writes into the session.
        expectError(
          await request(socket, 'send', { sessionId, clientMsgId: 'late', text: 'late' }),
          'unknown-session',
        );
        expectError(await request(socket, 'join', { sessionId }), 'unknown-session');

        const props = (await backend.control.interactions.get(interactionId)).properties;
        expect(props).to.include({
          'chat.instanceId': to,
          'chat.url': backend.urls.chat[to],
          'chat.epoch': 2,
        });
        const { answer } = await joinChat(interactionId);
        expect(answer.instanceId).to.equal(to);
      });
    });

    describe('chat faults', () => {
      it('a frozen instance answers nothing until it is unfrozen', async () => {
        const { interactionId, instanceId } = await backend.control.interactions.startChat();
        const { socket } = await joinChat(interactionId);
        await backend.control.chat.freeze(instanceId);
        try {
          const silent = await socket
            .timeout(600)
            .emitWithAck('hb', { t: 1 })
            .then(
              () => 'answered',
              () => 'silent',
            );
          expect(silent).to.equal('silent');
          expect(
            (await backend.control.chat.instances()).find((i) => i.id === instanceId),
          ).to.include({ alive: true, frozen: true });
        } finally {
          await backend.control.chat.unfreeze(instanceId);
        }
        expect(await request(socket, 'hb', { t: 2 })).to.include({ ok: true, instanceId });
      });

      it('a failed transcript save: notice mode delivers with a notice; close mode ends the session', async () => {
        const { interactionId } = await backend.control.interactions.startChat();
        const watcher = await connect(backend.urls.interactions);
        await request(watcher, 'watch', { interactionId });
        const deltas = collect<PropertiesDelta>(watcher, 'properties');
        const { socket, sessionId } = await joinChat(interactionId);
        const notices = collect<Answer>(socket, 'notice');
        const closed = collect<Answer>(socket, 'session-closed');

        await backend.control.chat.failTranscriptSave(interactionId, 'notice');
        valid(
          sendAnswer,
          await request(socket, 'send', { sessionId, clientMsgId: 'n-1', text: 'kept' }),
        );
        await waitUntil(() => notices.length === 1, 'save-failed notice');
        expect(valid(noticeEvent, notices[0])).to.include({
          sessionId,
          code: 'transcript-save-failed',
        });

        await backend.control.chat.failTranscriptSave(interactionId, 'close');
        expectError(
          await request(socket, 'send', { sessionId, clientMsgId: 'n-2', text: 'lost' }),
          'closed',
        );
        await waitUntil(
          () => closed.length === 1 && deltas.some((d) => d.set['chat.state'] === 'closed'),
          'closed',
        );
        expect(closed[0]).to.deep.equal({ sessionId, reason: 'transcript-save-failed' });
        expectError(
          await request(socket, 'send', { sessionId, clientMsgId: 'n-3', text: 'after' }),
          'unknown-session',
        );
        const rejoin = valid(joinAnswer, await request(socket, 'join', { sessionId }));
        expect(rejoin.state).to.equal('closed');
        expect(rejoin.transcript.map((m) => m.text)).to.deep.equal(['kept']);
      });

      it('drain: draining notice, sessions move, old sockets close, no new chats there until revived', async () => {
        const { interactionId, instanceId } = await backend.control.interactions.startChat();
        const { socket } = await joinChat(interactionId);
        const notices = collect<Answer>(socket, 'notice');
        const gone = disconnected(socket);
        await backend.control.chat.drain(instanceId);
        try {
          await gone;
          expect(notices.map((n) => valid(noticeEvent, n).code)).to.include('draining');
          const props = (await backend.control.interactions.get(interactionId)).properties;
          expect(props['chat.instanceId']).to.not.equal(instanceId);
          expect(props['chat.epoch']).to.equal(2);
          expect(
            (await backend.control.chat.instances()).find((i) => i.id === instanceId),
          ).to.include({ draining: true, sessions: 0 });
          const refused = await backend.control.interactions.startChat({ instanceId }).then(
            () => 'accepted',
            () => 'refused',
          );
          expect(refused).to.equal('refused');
        } finally {
          await backend.control.chat.revive(instanceId);
        }
        expect(
          (await backend.control.chat.instances()).find((i) => i.id === instanceId),
        ).to.include({ draining: false });
      });

      it('chat.instances counts open connections (for leak checks)', async () => {
        const { instanceId } = await backend.control.interactions.startChat();
        const url = backend.urls.chat[instanceId]!;
        const count = async () =>
          (await backend.control.chat.instances()).find((i) => i.id === instanceId)!.connections;
        // Nothing else talks to this back end: once earlier tests' sockets are gone, zero.
        await waitUntil(async () => (await count()) === 0, 'earlier sockets closed', {
          timeout: 4000,
        });
        const a = await connect(url);
        const b = await connect(url);
        await waitUntil(async () => (await count()) === 2, 'two connections', {
          timeout: 4000,
        });
        a.disconnect();
        b.disconnect();
        await waitUntil(async () => (await count()) === 0, 'closed again', { timeout: 4000 });
      });

      it('emitRaw delivers a payload verbatim, for client robustness tests', async () => {
        const { interactionId } = await backend.control.interactions.startChat();
        const watcher = await connect(backend.urls.interactions);
        await request(watcher, 'watch', { interactionId });
        const raw = collect<unknown>(watcher, 'properties');
        await backend.control.interactions.emitRaw(interactionId, {
          interactionId,
          version: 'nine',
          set: [],
        });
        const { socket } = await joinChat(interactionId);
        const messages = collect<unknown>(socket, 'message');
        await backend.control.chat.emitRaw(interactionId, 'message', { seq: -1, text: 42 });
        await waitUntil(() => raw.length === 1 && messages.length === 1, 'raw events');
        expect(raw[0]).to.deep.equal({ interactionId, version: 'nine', set: [] });
        expect(messages[0]).to.deep.equal({ seq: -1, text: 42 });

        // Hostile property values go out as they are: refusing them is the client's job.
        const hostile = {
          'chat.url': 'javascript:alert(1)',
          'test.big': 'y'.repeat(Limits.maxPropertyLength + 1),
        };
        await backend.control.interactions.setProperties(interactionId, hostile);
        await waitUntil(() => raw.length === 2, 'hostile delta');
        expect((raw[1] as PropertiesDelta).set).to.deep.equal(hostile);
        expect(propertiesDelta(raw[1]).ok).to.equal(false);
      });
    });

    // ---- PCS -------------------------------------------------------------------------------
    describe('PCS nodes', () => {
      it('one primary, one standby; survey lookup by dialed number; Bearer auth required', async () => {
        const { primary, standby } = await primaryAndStandby();
        expect(primary[1].epoch).to.be.at.least(1);
        expect(primary[1].leaseUntil).to.be.greaterThan(0);
        expect(standby[1].epoch).to.be.at.most(primary[1].epoch);

        for (const url of [backend.urls.pcs[primary[0]]!, vipUrl()]) {
          const found = valid(surveyLookup, (await http(`${url}/surveys?dialedNumber=8000`)).json);
          expect(found.survey).to.deep.equal(seededSurveys[0]);
          expect(
            valid(surveyLookup, (await http(`${url}/surveys?dialedNumber=8001`)).json).survey,
          ).to.equal(null);
        }
        const anonymous = await http(`${vipUrl()}/surveys?dialedNumber=8000`, {
          auth: false,
        });
        expect(anonymous.status).to.equal(401);
        expectError(anonymous.json, 'unauthorized');
        const pcs = await connect(vipUrl(), { token });
        expect(await request(pcs, 'hb', { t: 1 })).to.include({ ok: true });
        const refused = open(vipUrl(), { token: 'bad-token' });
        const error = await new Promise<Error>((r) => refused.once('connect_error', r));
        expect(error.message).to.equal('unauthorized');
      });

      it('POST /survey-requests is idempotent on idempotencyKey; the standby answers 503 not-primary', async () => {
        const { primary, standby } = await primaryAndStandby();
        const body = surveyBody();
        const first = await http(`${backend.urls.pcs[primary[0]]}/survey-requests`, {
          method: 'POST',
          body,
        });
        expect(first.status).to.equal(201);
        const created = valid(surveyRequestAnswer, first.json);
        expect(created).to.include({
          idempotencyKey: JSON.parse(body).idempotencyKey,
          status: 'requested',
        });
        expect(created.transfer.dn).to.equal('9100');

        const replay = await http(`${vipUrl()}/survey-requests`, {
          method: 'POST',
          body,
        });
        expect(replay.status).to.equal(200);
        expect(valid(surveyRequestAnswer, replay.json)).to.deep.equal(created);

        const onStandby = await http(`${backend.urls.pcs[standby[0]]}/survey-requests`, {
          method: 'POST',
          body: surveyBody(),
        });
        expect(onStandby.status).to.equal(503);
        expectError(onStandby.json, 'not-primary');
        const read = await http(`${vipUrl()}/survey-requests/${created.requestId}`);
        expect(valid(surveyRequestAnswer, read.json)).to.deep.equal(created);
        const records = (await backend.control.pcs.requests()).filter(
          (r) => r.requestId === created.requestId,
        );
        expect(records).to.have.length(1);
        expect(records[0]).to.include({
          ...JSON.parse(body),
          status: 'requested',
          nodeId: primary[0],
          epoch: primary[1].epoch,
        });
      });

      it('survey progress is pushed on the stream after the transfer: offered, in-progress, completed with a score', async () => {
        const created = valid(
          surveyRequestAnswer,
          (
            await http(`${vipUrl()}/survey-requests`, {
              method: 'POST',
              body: surveyBody(),
            })
          ).json,
        );
        const stream = await connect(vipUrl(), { token });
        const pushed = collect<Answer>(stream, 'survey-status');
        const sub = valid(
          pcsSubscribeAnswer,
          await request(stream, 'subscribe', { requestIds: [created.requestId, 'sr-unknown'] }),
        );
        expect(sub.requests).to.deep.equal([created]);

        const moved = await http(`${vipUrl()}/survey-requests/${created.requestId}/events`, {
          method: 'POST',
          body: JSON.stringify({ event: 'transferred' }),
        });
        expect(valid(surveyRequestAnswer, moved.json).status).to.equal('transferred');
        await waitUntil(() => pushed.some((e) => e.status === 'completed'), 'completed', {
          timeout: 5000,
        });
        const events = pushed.map((e) => valid(surveyStatusEvent, e));
        expect(events.map((e) => e.status)).to.deep.equal([
          'transferred',
          'offered',
          'in-progress',
          'completed',
        ]);
        expect(events.every((e) => e.requestId === created.requestId)).to.equal(true);
        expect(events.at(-1)!.score).to.be.within(1, 5);
      });

      it('primary killed: the standby takes over with epoch + 1 and the request survives (same key, same answer)', async () => {
        const { primary, standby } = await primaryAndStandby();
        const body = surveyBody();
        const created = valid(
          surveyRequestAnswer,
          (await http(`${backend.urls.pcs[primary[0]]}/survey-requests`, { method: 'POST', body }))
            .json,
        );

        const throughVip = await connect(vipUrl(), { token });
        expect(await request(throughVip, 'hb', { t: 1 })).to.include({ instanceId: primary[0] });
        const cut = disconnected(throughVip);

        await backend.control.pcs.kill(primary[0]);
        try {
          let after: NodeStatus | undefined;
          await waitUntil(
            async () => (after = await status(backend.urls.pcs[standby[0]]!)).role === 'primary',
            'standby took over',
            { timeout: 6000, interval: 100 },
          );
          // The VIP moved: the old stream ended, a new one lands on the new primary.
          await cut;
          const again = await connect(vipUrl(), { token });
          expect(await request(again, 'hb', { t: 2 })).to.include({ instanceId: standby[0] });
          expect((await status(vipUrl())).nodeId).to.equal(standby[0]);
          expect(after!.epoch).to.equal(primary[1].epoch + 1);
          const resubmitted = await http(`${backend.urls.pcs[standby[0]]}/survey-requests`, {
            method: 'POST',
            body,
          });
          expect(resubmitted.status).to.equal(200);
          expect(valid(surveyRequestAnswer, resubmitted.json)).to.deep.equal(created);
          const viaVip = await http(`${vipUrl()}/survey-requests/${created.requestId}`);
          expect(valid(surveyRequestAnswer, viaVip.json).requestId).to.equal(created.requestId);
        } finally {
          await backend.control.pcs.revive(primary[0]);
        }
        // Back, but as the standby: the lease belongs to the new primary now.
        await waitUntil(
          async () => (await status(backend.urls.pcs[primary[0]]!)).role === 'standby',
          'revived as standby',
        );
        await primaryAndStandby();
      });

      it('a frozen primary loses the lease; unfrozen, it is a standby and refuses writes with 503', async () => {
        const { primary, standby } = await primaryAndStandby();
        await backend.control.pcs.freeze(primary[0]);
        try {
          await waitUntil(
            async () => (await status(backend.urls.pcs[standby[0]]!)).role === 'primary',
            'standby took over',
            { timeout: 6000, interval: 100 },
          );
        } finally {
          await backend.control.pcs.unfreeze(primary[0]);
        }
        const woken = await status(backend.urls.pcs[primary[0]]!);
        expect(woken).to.include({ role: 'standby' });
        const write = await http(`${backend.urls.pcs[primary[0]]}/survey-requests`, {
          method: 'POST',
          body: surveyBody(),
        });
        expect(write.status).to.equal(503);
        expectError(write.json, 'not-primary');
        expect((await status(backend.urls.pcs[standby[0]]!)).epoch).to.equal(primary[1].epoch + 1);
      });

      it('split brain: both claim primary and the fresh side has the higher epoch; heal leaves one', async () => {
        const before = await primaryAndStandby();
        const nodes = await backend.control.pcs.splitBrain();
        try {
          const [stale, fresh] = [before.primary, before.standby];
          const staleNow = await status(backend.urls.pcs[stale[0]]!);
          const freshNow = await status(backend.urls.pcs[fresh[0]]!);
          expect(staleNow).to.include({ role: 'primary', epoch: stale[1].epoch });
          expect(freshNow).to.include({ role: 'primary', epoch: stale[1].epoch + 1 });
          expect(nodes.map((n) => [n.id, n.role, n.epoch]).sort()).to.deep.equal(
            [
              [stale[0], 'primary', staleNow.epoch],
              [fresh[0], 'primary', freshNow.epoch],
            ].sort(),
          );
          // The VIP follows the store's lease holder: the higher epoch.
          expect((await status(vipUrl())).nodeId).to.equal(fresh[0]);
        } finally {
          await backend.control.pcs.heal();
        }
        const healed = await primaryAndStandby();
        expect(healed.primary[0]).to.equal(before.standby[0]);
      });
    });

    // ---- hostile input ---------------------------------------------------------------------
    describe('hostile input', () => {
      it('a chat instance answers bad joins and sends with errors and keeps serving', async () => {
        const { interactionId, instanceId } = await backend.control.interactions.startChat();
        const socket = await connect(backend.urls.chat[instanceId]!);
        expectError(await request(socket, 'join', { sessionId: 'cs-nope' }), 'unknown-session');
        expectError(await request(socket, 'join', { sessionId: 42 }), 'bad-request');
        expectError(await request(socket, 'join', null), 'bad-request');
        expectError(
          await request(socket, 'join', { sessionId: '../../etc/passwd'.repeat(20) }),
          'bad-request',
        );
        expectError(await request(socket, 'no-such-event', { x: 1 }), 'bad-request');
        socket.emit('typing', 'garbage'); // no ack, no answer, no crash

        const chatSessionId = String(
          (await backend.control.interactions.get(interactionId)).properties['chat.sessionId'],
        );
        expectError(
          await request(socket, 'send', {
            sessionId: chatSessionId,
            clientMsgId: 'c',
            text: 'not joined',
          }),
          'unknown-session',
        );
        valid(joinAnswer, await request(socket, 'join', { sessionId: chatSessionId }));
        expectError(
          await request(socket, 'send', { sessionId: chatSessionId, clientMsgId: 'c', text: '' }),
          'bad-request',
        );
        expectError(
          await request(socket, 'send', {
            sessionId: chatSessionId,
            clientMsgId: 'c',
            text: 'x'.repeat(Limits.maxMessageLength + 1),
          }),
          'too-large',
        );
        expect(await backend.control.chat.transcript(interactionId)).to.deep.equal([]);
        valid(
          sendAnswer,
          await request(socket, 'send', {
            sessionId: chatSessionId,
            clientMsgId: 'c',
            text: 'x'.repeat(Limits.maxMessageLength),
          }),
        );
      });

      it('a frame over the payload limit closes only that connection; the server keeps answering', async () => {
        const { instanceId } = await backend.control.interactions.startChat();
        const url = backend.urls.chat[instanceId]!;
        const victim = await connect(url);
        const gone = disconnected(victim);
        victim.emit('send', {
          sessionId: 's',
          clientMsgId: 'c',
          text: 'x'.repeat(Limits.maxPayloadBytes + 1024),
        });
        await gone;
        const fresh = await connect(url);
        expect(await request(fresh, 'hb', { t: 1 })).to.include({ ok: true, instanceId });
      });

      it('sockets with a bad token are refused', async () => {
        for (const url of [backend.urls.interactions, Object.values(backend.urls.chat)[0]!]) {
          const refused = open(url, { token: 'bad-token' });
          const error = await new Promise<Error>((r) => refused.once('connect_error', r));
          expect(error.message).to.equal('unauthorized');
          const anonymous = open(url, {});
          expect(
            (await new Promise<Error>((r) => anonymous.once('connect_error', r))).message,
          ).to.equal('unauthorized');
        }
      });

      it('PCS answers malformed HTTP requests with coded JSON errors', async () => {
        const url = `${vipUrl()}/survey-requests`;
        const cases: [Awaited<ReturnType<typeof http>>, number, string][] = [
          [await http(url, { method: 'POST', body: '{"idempotencyKey": ' }), 400, 'bad-request'],
          [
            await http(url, { method: 'POST', body: surveyBody({ channel: 'carrier-pigeon' }) }),
            400,
            'bad-request',
          ],
          [
            await http(url, {
              method: 'POST',
              body: surveyBody({ idempotencyKey: 'k'.repeat(Limits.maxIdLength + 1) }),
            }),
            400,
            'bad-request',
          ],
          [
            await http(url, {
              method: 'POST',
              body: surveyBody({ pad: 'x'.repeat(Limits.maxPayloadBytes + 1) }),
            }),
            413,
            'too-large',
          ],
          [await http(`${url}/sr-does-not-exist`), 404, 'not-found'],
          [
            await http(`${url}/sr-x/events`, {
              method: 'POST',
              body: JSON.stringify({ event: 'explode' }),
            }),
            400,
            'bad-request',
          ],
          [await http(`${vipUrl()}/surveys`), 400, 'bad-request'],
          [await http(`${vipUrl()}/no/such/route`), 404, 'not-found'],
        ];
        for (const [res, code, error] of cases) {
          expect(res.status).to.equal(code);
          expect(httpStatusFor(error)).to.equal(code);
          expectError(res.json, error);
        }
        expect((await status(vipUrl())).role).to.equal('primary');
      });
    });

    // Each rule of src/backend/rules.ts, seen from outside: both back ends import that module,
    // and these prove they apply it (a copy that drifted fails here on one back end).
    describe('shared back-end rules (src/backend/rules.ts)', () => {
      const createRequest = async () =>
        valid(
          surveyRequestAnswer,
          (
            await http(`${vipUrl()}/survey-requests`, {
              method: 'POST',
              body: surveyBody(),
            })
          ).json,
        );
      const postEvent = async (requestId: string, event: 'transferred' | 'armed' | 'cancelled') =>
        valid(
          surveyRequestAnswer,
          (
            await http(`${vipUrl()}/survey-requests/${requestId}/events`, {
              method: 'POST',
              body: JSON.stringify({ event }),
            })
          ).json,
        ).status;
      const record = async (requestId: string) =>
        (await backend.control.pcs.requests()).find((r) => r.requestId === requestId)!;

      it('seed surveys: the control verb and GET /surveys give exactly the seed', async () => {
        expect(await backend.control.pcs.surveys()).to.deep.equal(seededSurveys);
        for (const survey of seededSurveys) {
          const found = await http(`${vipUrl()}/surveys?dialedNumber=${survey.dialedNumber}`);
          expect(valid(surveyLookup, found.json).survey).to.deep.equal(survey);
        }
      });

      it('IVR steps: by hand requested -> offered, then on by itself to completed with scoreFor', async () => {
        const created = await createRequest();
        expect(created.status).to.equal('requested');
        const stepped = await backend.control.pcs.ivr(created.requestId);
        expect(ivrStep('requested')).to.equal('offered');
        expect(stepped.status).to.equal('offered');
        await waitUntil(
          async () => (await record(created.requestId)).status === 'completed',
          'the IVR did not complete the request',
          { timeout: 10000 },
        );
        const done = await record(created.requestId);
        expect(done.score).to.equal(scoreFor(created.requestId));
        const read = await http(`${vipUrl()}/survey-requests/${created.requestId}`);
        expect(valid(surveyRequestAnswer, read.json)).to.include({
          status: 'completed',
          score: scoreFor(created.requestId),
        });
        // completed is terminal: a step by hand changes nothing
        expect((await backend.control.pcs.ivr(created.requestId)).status).to.equal('completed');
      });

      it('gadget events: armed waits for a hang-up, repeats and terminal states are ignored', async () => {
        const armed = await createRequest();
        const transferred = await createRequest();
        expect(await postEvent(armed.requestId, 'armed')).to.equal('armed');
        expect(await postEvent(transferred.requestId, 'transferred')).to.equal('transferred');
        expect(gadgetEvent('armed', 'armed', backend.telephony)).to.equal(undefined);
        const waitsForHangUp =
          gadgetEvent('requested', 'armed', backend.telephony)?.nextStep === 'keep';
        // The transferred one goes through every step. The armed one, made at the same moment
        // and seen by the same IVR ticks, has not moved where calls hang up (none does here);
        // where there are no calls it counts as hung up and completes too.
        await waitUntil(
          async () =>
            (await record(transferred.requestId)).status === 'completed' &&
            (waitsForHangUp || (await record(armed.requestId)).status === 'completed'),
          'the IVR did not complete the requests',
          { timeout: 10000 },
        );
        expect(waitsForHangUp).to.equal(backend.telephony);
        if (waitsForHangUp) {
          expect((await record(armed.requestId)).status).to.equal('armed');
          expect(await postEvent(armed.requestId, 'armed')).to.equal('armed');
          expect(await postEvent(armed.requestId, 'cancelled')).to.equal('cancelled');
          expect(await postEvent(armed.requestId, 'transferred')).to.equal('cancelled');
        } else {
          expect((await record(armed.requestId)).score).to.equal(scoreFor(armed.requestId));
          // a late armed must not rewind a request the IVR already took
          expect(await postEvent(armed.requestId, 'armed')).to.equal('completed');
        }
        expect(gadgetEvent('completed', 'cancelled', backend.telephony)).to.equal(undefined);
        expect(await postEvent(transferred.requestId, 'cancelled')).to.equal('completed');
      });

      it('error codes: unknown-interaction and unknown-session, with the shared HTTP status', async () => {
        const failure = async (run: () => Promise<unknown>) => {
          try {
            await run();
          } catch (e) {
            return e as { code?: string; httpStatus?: number };
          }
          return expect.fail('the verb did not fail');
        };
        const unknown = await failure(() => backend.control.chat.transcript('ix-does-not-exist'));
        expect(unknown.code).to.equal('unknown-interaction');
        const { interactionId, instanceId } = await backend.control.interactions.startChat({
          instanceId: Object.keys(backend.urls.chat)[0],
        });
        await backend.control.chat.freeze(instanceId);
        try {
          const down = await failure(() => backend.control.customer.send(interactionId, 'hello?'));
          expect(down.code).to.equal('unknown-session');
          // The cluster's control API is HTTP: its statuses come from the same table.
          if (down.httpStatus !== undefined) {
            expect(down.httpStatus).to.equal(httpStatusFor('unknown-session'));
            expect(unknown.httpStatus).to.equal(httpStatusFor('unknown-interaction'));
          }
        } finally {
          await backend.control.chat.unfreeze(instanceId);
        }
        expect(httpStatusFor('unknown-session')).to.equal(404);
        expect(httpStatusFor('unknown-interaction')).to.equal(404);
      });

      it(`tokens: up to ${maxTokenChars} characters are accepted, one more is refused`, async () => {
        const longest = 't'.repeat(maxTokenChars);
        const tooLong = 't'.repeat(maxTokenChars + 1);
        for (const url of [
          backend.urls.interactions,
          Object.values(backend.urls.chat)[0]!,
          vipUrl(),
        ]) {
          const ok = await connect(url, { token: longest, agentId: 'agent1' });
          expect(ok.connected).to.equal(true);
          for (const bad of [tooLong, rejectedToken, '']) {
            const refused = open(url, { token: bad, agentId: 'agent1' });
            const error = await new Promise<Error>((r) => refused.once('connect_error', r));
            expect(error.message).to.equal('unauthorized');
          }
        }
        const lookup = `${vipUrl()}/surveys?dialedNumber=8000`;
        const withToken = (t: string) =>
          fetch(lookup, { headers: { Authorization: `Bearer ${t}` } });
        expect((await withToken(longest)).status).to.equal(200);
        const refused = await withToken(tooLong);
        expect(refused.status).to.equal(httpStatusFor('unauthorized'));
        expectError(await refused.json(), 'unauthorized');
      });
    });
  });
}
