// <ag-chat-panel> against the reference cluster: real socket.io processes over a shared store;
// the chat instance serving the session is killed with a real SIGKILL mid-conversation.
import { aTimeout, expect, fixtureCleanup, waitUntil } from '@open-wc/testing';
import { useCluster } from '../support/cluster.js';
import '../../src/define/chat-panel.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import { agentId, connectedPanel, essence, typeAndEnter } from './helpers.js';

describe('<ag-chat-panel> on the reference cluster', function () {
  this.timeout(60000);
  const cluster = useCluster(
    { chatInstances: 2, restoreDelayMs: 200 },
    { cleanup: fixtureCleanup },
  );

  it('SIGKILL of the serving instance mid-conversation: transcript equals the server, no gap, no duplicate', async () => {
    const { interactionId, instanceId } = await cluster.control<{
      interactionId: string;
      instanceId: string;
    }>('interactions/startChat', { customerName: 'Real Customer' });
    const el = await connectedPanel(cluster.info, interactionId, {
      heartbeatMs: 500,
      token: 'real-token',
    });
    expect(el.endpoint).to.equal(instanceId);

    let customerSays = 0;
    let talking = true;
    const customer = (async () => {
      while (talking) {
        // while the instance is dead the customer's side cannot post either: that is fine
        await cluster
          .control('customer/send', {
            interactionId,
            text: `customer ${++customerSays}`,
          })
          .catch(() => {});
        await aTimeout(40);
      }
    })();
    const sent: string[] = [];
    for (let i = 1; i <= 15; i++) {
      if (i === 6) await cluster.control('chat/kill', { id: instanceId });
      typeAndEnter(el, `agent ${i}`);
      sent.push(`agent ${i}`);
      await aTimeout(60);
    }
    await waitUntil(
      () => el.connectionState === 'connected' && el.endpoint !== instanceId,
      'did not follow the restore',
      {
        timeout: 15000,
      },
    );
    talking = false;
    await customer;

    let server: ChatMessage[] = [];
    await waitUntil(
      async () => {
        server = await cluster.control<ChatMessage[]>('chat/transcript', { interactionId });
        return (
          server.filter((m) => m.from.id === agentId).length === sent.length &&
          server.length === el.messages.length &&
          server.every((m, i) => m.id === el.messages[i]!.id)
        );
      },
      'panel and server transcripts never matched',
      { timeout: 15000 },
    );
    expect(server.filter((m) => m.from.id === agentId).map((m) => m.text)).to.deep.equal(sent);
    expect(el.messages.map(essence)).to.deep.equal(server.map(essence));
    expect(el.messages.map((m) => m.seq)).to.deep.equal(server.map((_, i) => i + 1));
    expect(server.some((m) => m.from.role === 'customer')).to.equal(true);
  });
});
