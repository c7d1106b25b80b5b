// Issue 12's repros on the reference cluster (real socket.io processes, real SIGKILL of the
// primary interaction server), each followed by a genuine relocation.
import { expect, fixtureCleanup, waitUntil } from '@open-wc/testing';
import { useCluster } from '../support/cluster.js';
import '../../src/define/chat-panel.js';
import type { AgChatPanel } from '../../src/chat/chat-panel.js';
import type { AgErrorEvent } from '../../src/events.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import { connected, panel, typeAndEnter } from './helpers.js';

describe('<ag-chat-panel> is never stranded (reference cluster)', function () {
  this.timeout(90000);
  const cluster = useCluster(
    { chatInstances: 3, restoreDelayMs: 200 },
    { perTest: true, cleanup: fixtureCleanup },
  );

  async function start(): Promise<{
    el: AgChatPanel;
    interactionId: string;
    instanceId: string;
    reported: { code: string; message: string }[];
  }> {
    const { interactionId, instanceId } = await cluster.control<{
      interactionId: string;
      instanceId: string;
    }>('interactions/startChat', { customerName: 'Real Customer' });
    const el = await panel(cluster.info, interactionId, {
      heartbeatMs: 500,
      token: 'real-token',
      backup: true,
    });
    const reported: { code: string; message: string }[] = [];
    el.addEventListener('ag-error', (e: AgErrorEvent) => reported.push({ ...e.detail }));
    await connected(el);
    expect(el.endpoint).to.equal(instanceId);
    return { el, interactionId, instanceId, reported };
  }

  const other = (from: string) => Object.keys(cluster.info.urls.chat).find((id) => id !== from)!;

  /** A genuine relocation with an agent message typed right after it (see stranded.test.ts). */
  async function genuineMove(el: AgChatPanel, interactionId: string, to: string, label: string) {
    await cluster.control('chat/relocate', { interactionId, toId: to });
    typeAndEnter(el, `agent ${label}`);
    await waitUntil(
      () => el.connectionState === 'connected' && el.endpoint === to,
      `panel did not reach ${to}`,
      { timeout: 15000 },
    );
    await cluster.control('customer/send', { interactionId, text: `customer ${label}` });
    let server: ChatMessage[] = [];
    await waitUntil(
      async () => {
        server = await cluster.control<ChatMessage[]>('chat/transcript', { interactionId });
        return (
          server.length === el.messages.length &&
          server.every((m, i) => m.id === el.messages[i]!.id)
        );
      },
      'panel and server transcripts never matched',
      { timeout: 15000 },
    );
    expect(server.filter((m) => m.text === `agent ${label}`)).to.have.length(1);
    expect(el.messages.some((m) => m.text === `customer ${label}`)).to.equal(true);
  }

  it('repro 1: a refused relocation does not use up its version', async () => {
    const { el, interactionId, instanceId, reported } = await start();
    const { version } = await cluster.control<{ version: number }>('interactions/get', {
      interactionId,
    });
    await cluster.control('interactions/emitRaw', {
      interactionId,
      payload: {
        interactionId,
        version: version + 1,
        set: { 'chat.url': 'https://evil.example', 'chat.instanceId': 'chat-evil' },
        unset: [],
      },
    });
    await waitUntil(() => reported.some((e) => e.code === 'relocation-refused'), 'not refused');
    expect(el.endpoint).to.equal(instanceId);
    await genuineMove(el, interactionId, other(instanceId), 'one');
    expect(reported.filter((e) => e.code === 'relocation-refused')).to.have.length(1);
  });

  it('repro 2: a backup answering version 1e15 after a SIGKILL of the primary blinds nothing', async () => {
    const { el, interactionId, instanceId } = await start();
    await cluster.control('interactions/overrideNextWatch', {
      interactionId,
      id: 'interactions-b',
      patch: { version: 1e15 },
    });
    await cluster.control('interactions/kill', { id: 'interactions' });
    const second = other(instanceId);
    await genuineMove(el, interactionId, second, 'one');
    await genuineMove(el, interactionId, instanceId, 'two');
  });

  it('repro 3: a 5,000-character x.note is dropped and named once; relocations apply', async () => {
    const { el, interactionId, instanceId, reported } = await start();
    await cluster.control('interactions/setProperties', {
      interactionId,
      set: { 'x.note': 'n'.repeat(5000) },
    });
    await waitUntil(() => reported.some((e) => e.message.includes('x.note')), 'not reported');
    await genuineMove(el, interactionId, other(instanceId), 'one');
    await cluster.control('interactions/kill', { id: 'interactions' }); // a failover's snapshot
    await genuineMove(el, interactionId, instanceId, 'two');
    expect(reported.filter((e) => e.message.includes('x.note'))).to.have.length(1);
    expect(reported.map((e) => e.code)).not.to.include('session-not-found');
  });
});
