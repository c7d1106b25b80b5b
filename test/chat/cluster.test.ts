// <ag-chat-panel> against the reference cluster: real socket.io processes over a shared store;
// the chat instance serving the session is killed with a real SIGKILL mid-conversation.
import { aTimeout, expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { controlClient } from '../../src/backend/control-client.js';
import '../../src/define/chat-panel.js';
import type { AgChatPanel } from '../../src/chat/chat-panel.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import { agentId, essence, typeAndEnter } from './helpers.js';

interface ClusterInfo {
  id: string;
  controlUrl: string;
  urls: { interactions: string; chat: Record<string, string> };
}

/** the cluster's control API, through the one typed client (src/backend/control-client.ts) */
function control<T>(cluster: ClusterInfo, verb: string, body: object = {}): Promise<T> {
  return controlClient(cluster.controlUrl)(verb, body) as Promise<T>;
}

describe('<ag-chat-panel> on the reference cluster', function () {
  this.timeout(60000);
  let cluster: ClusterInfo;

  before(async () => {
    cluster = await executeServerCommand<ClusterInfo, unknown>('ag-process-start', {
      module: 'cluster/main.mjs',
      args: ['--ipc', '--chat-instances', '2', '--restore-delay-ms', '200'],
    });
  });

  after(async () => {
    fixtureCleanup();
    if (cluster)
      await executeServerCommand('ag-process-signal', { id: cluster.id, signal: 'SIGTERM' });
  });

  it('SIGKILL of the serving instance mid-conversation: transcript equals the server, no gap, no duplicate', async () => {
    const { interactionId, instanceId } = await control<{
      interactionId: string;
      instanceId: string;
    }>(cluster, 'interactions/startChat', { customerName: 'Real Customer' });
    const el = await fixture<AgChatPanel>(html`<ag-chat-panel
      interaction-id=${interactionId}
      interactions-url=${cluster.urls.interactions}
      allowed-origins=${Object.values(cluster.urls.chat).join(' ')}
      agent-id=${agentId}
      heartbeat-ms="500"
      .token=${'real-token'}
    ></ag-chat-panel>`);
    await waitUntil(() => el.connectionState === 'connected', 'not connected', { timeout: 10000 });
    expect(el.endpoint).to.equal(instanceId);

    let customerSays = 0;
    let talking = true;
    const customer = (async () => {
      while (talking) {
        // while the instance is dead the customer's side cannot post either: that is fine
        await control(cluster, 'customer/send', {
          interactionId,
          text: `customer ${++customerSays}`,
        }).catch(() => {});
        await aTimeout(40);
      }
    })();
    const sent: string[] = [];
    for (let i = 1; i <= 15; i++) {
      if (i === 6) await control(cluster, 'chat/kill', { id: instanceId });
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
        server = await control<ChatMessage[]>(cluster, 'chat/transcript', { interactionId });
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
