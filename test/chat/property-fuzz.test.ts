// A seeded property-level fuzz, on the mock and on the reference cluster: valid, hostile,
// malformed and unrelated deltas and snapshots, interleaved with chat-instance kills,
// interaction-server failovers and genuine relocations. After each genuine move the liveness
// invariant holds (the panel is on the instance serving the session, the agent message typed
// around the move is delivered once, the customer's message arrives); no page error; no refusal
// reported twice in a row.
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/define/chat-panel.js';
import type { AgChatPanel } from '../../src/chat/chat-panel.js';
import type { AgErrorEvent } from '../../src/events.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import { agentId, startMock, stopMock, typeAndEnter } from './helpers.js';

/** What the fuzz needs from a back end: the mock and the cluster both provide it. */
interface Backend {
  urls: { interactions: string; interactionsBackup: string; chat: Record<string, string> };
  startChat(): Promise<{ interactionId: string }>;
  get(ix: string): Promise<{ version: number; properties: Record<string, unknown> }>;
  emitRaw(ix: string, payload: unknown): Promise<void>;
  setProperties(ix: string, set: Record<string, unknown>): Promise<void>;
  overrideNextWatch(ix: string, patch: unknown, server: string): Promise<void>;
  relocate(ix: string, to: string): Promise<void>;
  killChat(id: string): Promise<void>;
  reviveChat(id: string): Promise<void>;
  killInteractions(id: string): Promise<void>;
  reviveInteractions(id: string): Promise<void>;
  customerSend(ix: string, text: string): Promise<void>;
  transcript(ix: string): Promise<ChatMessage[]>;
}

/** mulberry32: small, seeded, good enough to pick faults */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Noise = (b: Backend, ix: string, v: number) => Promise<'hostile' | 'other'>;

const hostileUrls = [
  'https://evil.example',
  'javascript:alert(1)',
  'http://user:secret@chat-1.mock.test',
  'data:text/html,<script>alert(1)</script>',
];

function noises(random: () => number): Noise[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const delta = (ix: string, version: unknown, set: unknown, unset: unknown = []) => ({
    interactionId: ix,
    version,
    set,
    unset,
  });
  return [
    // hostile: an endpoint off the allowlist, at the next version
    async (b, ix, v) => {
      await b.emitRaw(
        ix,
        delta(ix, v + 1, { 'chat.url': pick(hostileUrls), 'chat.instanceId': 'chat-evil' }),
      );
      return 'hostile';
    },
    // malformed frames and values
    async (b, ix, v) => {
      const bad = pick<unknown>([
        delta(ix, 'nine', {}),
        delta(ix, v + 1, 'not an object'),
        delta(ix, v + 1, { 'chat.url': 42, 'chat.instanceId': '' }),
        delta(ix, v + 1, { 'chat.url': `http://chat-2.mock.test/${'x'.repeat(3000)}` }),
        JSON.parse(
          `{"interactionId":"${ix}","version":${v + 1},"set":{"__proto__":{"p":1}},"unset":[]}`,
        ),
        delta(ix, 1e15, { x: 1 }),
        delta(ix, 2 ** 60, { x: 1 }),
        delta(ix, -1, { x: 1 }),
        delta(ix, Math.max(0, v - 2), { 'chat.instanceId': 'replayed' }),
        null,
      ]);
      await b.emitRaw(ix, bad);
      return 'other';
    },
    // unrelated user data, genuine (it takes a version)
    async (b, ix) => {
      const key = `user.k${Math.floor(random() * 1000)}`;
      await b.setProperties(ix, {
        [key]: random() < 0.5 ? 'n'.repeat(2000 + Math.floor(random() * 5000)) : 'short',
      });
      return 'other';
    },
    // a harmless injected delta that eclipses the next genuine version
    async (b, ix, v) => {
      await b.emitRaw(ix, delta(ix, v + 1, { 'x.eclipse': random() }));
      return 'other';
    },
    // a broken or hostile snapshot on either server's next watch, and a gap to make one happen
    async (b, ix, v) => {
      const patch = pick<unknown>([
        { version: 1e15 },
        { version: Math.max(0, v - 3) },
        { version: v, properties: { 'chat.url': pick(hostileUrls), 'chat.instanceId': 'evil' } },
        { version: v + 1, properties: { 'x.only': 1 } },
      ]);
      await b.overrideNextWatch(ix, patch, pick(['interactions', 'interactions-b']));
      await b.emitRaw(ix, delta(ix, v + 5, {}));
      return 'properties' in (patch as object) ? 'hostile' : 'other';
    },
  ];
}

async function fuzz(b: Backend, seed: number, rounds: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const pageErrors: string[] = [];
  const onError = (e: ErrorEvent) => pageErrors.push(String(e.message));
  const onRejection = (e: PromiseRejectionEvent) => pageErrors.push(String(e.reason));
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  try {
    const { interactionId: ix } = await b.startChat();
    const el = await fixture<AgChatPanel>(html`<ag-chat-panel
      interaction-id=${ix}
      interactions-url=${`${b.urls.interactions} ${b.urls.interactionsBackup}`}
      allowed-origins=${Object.values(b.urls.chat).join(' ')}
      agent-id=${agentId}
      heartbeat-ms="500"
      .token=${'fuzz-token'}
    ></ag-chat-panel>`);
    const reported: { code: string; message: string }[] = [];
    el.addEventListener('ag-error', (e: AgErrorEvent) => reported.push({ ...e.detail }));
    await waitUntil(() => el.connectionState === 'connected', 'not connected', { timeout: 15000 });

    const instances = Object.keys(b.urls.chat);
    let hostile = 0;
    let killedInteractions: string | null = null;
    for (let round = 1; round <= rounds; round++) {
      const where = `seed ${seed} round ${round}`;
      const list = noises(random);
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const { version } = await b.get(ix);
        if ((await pick(list)(b, ix, version)) === 'hostile') hostile++;
      }
      const fault = random();
      if (fault < 0.25) {
        // SIGKILL of the serving instance: the session is restored elsewhere
        const owner = String((await b.get(ix)).properties['chat.instanceId']);
        await b.killChat(owner);
        await waitUntil(
          async () => (await b.get(ix)).properties['chat.instanceId'] !== owner,
          `${where}: no restore`,
          { timeout: 15000 },
        );
        await b.reviveChat(owner);
      } else if (fault < 0.45) {
        // interaction-server failover: kill one, revive the other if it was down
        const victim: string =
          killedInteractions === 'interactions' ? 'interactions-b' : 'interactions';
        if (killedInteractions) await b.reviveInteractions(killedInteractions);
        await b.killInteractions(victim);
        killedInteractions = victim;
      }
      // the genuine move
      const owner = String((await b.get(ix)).properties['chat.instanceId']);
      const to = pick(instances.filter((id) => id !== owner));
      await b.relocate(ix, to);
      typeAndEnter(el, `agent ${round}`);
      await waitUntil(
        () => el.connectionState === 'connected' && el.endpoint === to,
        `${where}: panel not on ${to} (state ${el.connectionState} on ${el.endpoint})`,
        { timeout: 20000 },
      );
      await b.customerSend(ix, `customer ${round}`);
      let server: ChatMessage[] = [];
      await waitUntil(
        async () => {
          server = await b.transcript(ix);
          return (
            server.some((m) => m.text === `agent ${round}`) &&
            server.length === el.messages.length &&
            server.every((m, i) => m.id === el.messages[i]!.id)
          );
        },
        `${where}: panel and server transcripts never matched`,
        { timeout: 20000 },
      );
      expect(
        server.filter((m) => m.text === `agent ${round}`),
        where,
      ).to.have.length(1);
      expect(
        el.messages.some((m) => m.text === `customer ${round}`),
        where,
      ).to.equal(true);
    }
    expect(pageErrors, 'page errors').to.deep.equal([]);
    const refusals = reported.filter((e) => e.code === 'relocation-refused');
    if (hostile > 0) expect(refusals.length, 'hostile endpoints reported').to.be.greaterThan(0);
    // each hostile endpoint is reported once at most (a replay or a snapshot repeating it is not news)
    expect(refusals.length, 'a refusal reported more than once').to.be.at.most(hostile);
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
    expect(el.shadowRoot!.textContent).not.to.contain('alert(1)');
  } finally {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  }
}

describe('property fuzz (mock)', function () {
  this.timeout(180000);
  afterEach(stopMock);

  for (const seed of [12, 1207]) {
    it(`seed ${seed}: after every genuine move the panel is where the session is`, async () => {
      const mock = await startMock();
      const b: Backend = {
        urls: mock.urls,
        startChat: () => mock.interactions.startChat(),
        get: async (ix) => mock.interactions.get(ix),
        emitRaw: async (ix, payload) => mock.interactions.emitRaw(ix, payload),
        setProperties: async (ix, set) =>
          mock.interactions.setProperties(ix, set as Record<string, string>),
        overrideNextWatch: async (ix, patch, server) =>
          mock.interactions.overrideNextWatch(ix, patch as object, server),
        relocate: async (ix, to) => mock.chat.relocate(ix, to),
        killChat: async (id) => mock.chat.kill(id),
        reviveChat: async (id) => mock.chat.revive(id),
        killInteractions: async (id) => mock.interactions.kill(id),
        reviveInteractions: async (id) => mock.interactions.revive(id),
        customerSend: async (ix, text) => void (await mock.customer.send(ix, text)),
        transcript: async (ix) => mock.chat.transcript(ix),
      };
      await fuzz(b, seed, 8);
    });
  }
});

interface ClusterInfo {
  id: string;
  controlUrl: string;
  urls: { interactions: string; interactionsBackup: string; chat: Record<string, string> };
}

describe('property fuzz (reference cluster)', function () {
  this.timeout(240000);
  let cluster: ClusterInfo | undefined;
  afterEach(async () => {
    fixtureCleanup();
    if (cluster)
      await executeServerCommand('ag-process-signal', { id: cluster.id, signal: 'SIGTERM' });
    cluster = undefined;
  });

  it('seed 4242: after every genuine move the panel is where the session is', async () => {
    const c = await executeServerCommand<ClusterInfo, unknown>('ag-process-start', {
      module: 'cluster/main.mjs',
      args: ['--ipc', '--chat-instances', '3', '--restore-delay-ms', '200'],
    });
    cluster = c;
    const control = async <T>(verb: string, body: unknown): Promise<T> => {
      const res = await fetch(`${c.controlUrl}/${verb}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { ok: boolean; result: T };
      if (!json.ok) throw new Error(`control ${verb} failed: ${JSON.stringify(json)}`);
      return json.result;
    };
    const b: Backend = {
      urls: c.urls,
      startChat: () => control('interactions/startChat', {}),
      get: (interactionId) => control('interactions/get', { interactionId }),
      emitRaw: (interactionId, payload) =>
        control('interactions/emitRaw', { interactionId, payload }),
      setProperties: (interactionId, set) =>
        control('interactions/setProperties', { interactionId, set }),
      overrideNextWatch: (interactionId, patch, id) =>
        control('interactions/overrideNextWatch', { interactionId, patch, id }),
      relocate: (interactionId, toId) => control('chat/relocate', { interactionId, toId }),
      killChat: (id) => control('chat/kill', { id }),
      reviveChat: (id) => control('chat/revive', { id }),
      killInteractions: (id) => control('interactions/kill', { id }),
      reviveInteractions: (id) => control('interactions/revive', { id }),
      customerSend: (interactionId, text) => control('customer/send', { interactionId, text }),
      transcript: (interactionId) => control('chat/transcript', { interactionId }),
    };
    await fuzz(b, 4242, 6);
  });
});
