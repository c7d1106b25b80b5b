// The chat gadget spec (gadgets/AgentGadgetsChat.xml) as Finesse runs it, in the faithful fake
// container: on 12.x it follows the agent's current chat from Finesse's media API (chats routed
// as non-voice dialogs whose media properties carry the interaction id) and gets its tokens from
// the token endpoint through the container's proxy; before 12.0 the layout's interaction-id is
// all there is.
import { expect, waitUntil } from '@open-wc/testing';
import type { MockBackendOptions } from '../../src/mocks/index.js';
import {
  MOCK_TOKEN_URL,
  currentFakeFinesse,
  type FakeFinesseOptions,
} from '../../src/mocks/finesse/index.js';
import { chatOrigins, startMock, stopMock, type AgChatPanel } from '../chat/helpers.js';
import { runGadgetSpec, type RunningGadget } from './finesse-container.js';

describe('AgentGadgetsChat.xml in the faithful Finesse container', () => {
  let gadget: RunningGadget<AgChatPanel> | undefined;

  afterEach(async () => {
    gadget?.remove();
    gadget = undefined;
    await stopMock();
  });

  async function start(version: string, extra = '') {
    const finesse: FakeFinesseOptions = { version, hub: 'manual' };
    const m = await startMock({
      finesse: finesse as MockBackendOptions['finesse'],
      // only tokens from the token endpoint open the interaction server and chat instances
      validToken: (t) => typeof t === 'string' && /^finesse-agent1-\d+$/.test(t),
    });
    const layout =
      `/3rdpartygadget/files/agent-gadgets/AgentGadgetsChat.xml?interactions=${encodeURIComponent(m.urls.interactions)}` +
      `&allowed=${encodeURIComponent(chatOrigins(m))}&token-url=${encodeURIComponent(MOCK_TOKEN_URL)}${extra}`;
    gadget = await runGadgetSpec<AgChatPanel>('AgentGadgetsChat.xml', layout, 'ag-chat-panel');
    return { m, fake: currentFakeFinesse()!, el: gadget.el };
  }

  const says = (el: AgChatPanel, text: string) => el.messages.some((x) => x.text === text);

  it("12.6: the panel follows the agent's chat from Finesse, and is told when it ends", async () => {
    const { m, fake, el } = await start('12.6');
    expect(el.hasAttribute('interaction-id')).to.equal(false);

    const first = await m.interactions.startChat({ customerName: 'Ann' });
    const task1 = fake.startChatTask({ interactionId: first.interactionId });
    await waitUntil(
      () =>
        el.getAttribute('interaction-id') === first.interactionId &&
        el.connectionState === 'connected',
      'on the first chat',
      { timeout: 10000 },
    );
    await m.customer.send(first.interactionId, 'hello from Ann');
    await waitUntil(() => says(el, 'hello from Ann'), 'message shown', { timeout: 8000 });

    // a second chat routed to the agent: the panel follows it
    const second = await m.interactions.startChat({ customerName: 'Bob' });
    const task2 = fake.startChatTask({ interactionId: second.interactionId });
    await waitUntil(
      () =>
        el.getAttribute('interaction-id') === second.interactionId &&
        el.connectionState === 'connected',
      'on the second chat',
      { timeout: 10000 },
    );
    await m.customer.send(second.interactionId, 'hi, Bob here');
    await waitUntil(() => says(el, 'hi, Bob here'), 'second chat shown', { timeout: 8000 });
    expect(says(el, 'hello from Ann')).to.equal(false);

    // the second ends: back to the one still open; the last ends: no interaction any more
    fake.endChatTask(task2.dialogId);
    await waitUntil(
      () => el.getAttribute('interaction-id') === first.interactionId,
      'back to the first',
      {
        timeout: 5000,
      },
    );
    fake.endChatTask(task1.dialogId);
    await waitUntil(() => !el.hasAttribute('interaction-id'), 'told the chat ended', {
      timeout: 5000,
    });

    const asked = fake.tokenRequests();
    expect(asked.length).to.be.greaterThan(0);
    expect(asked.every((r) => r.method === 'POST' && r.authorized)).to.equal(true);
  });

  it('12.6: a chat task without the interaction-id property is ignored', async () => {
    const { fake, el } = await start('12.6');
    fake.startChatTask({ mediaProperties: { somethingElse: 'x' } });
    // a proper task after it is followed; when that ends, the odd one is not picked up
    const good = fake.startChatTask({ interactionId: 'ix-later' });
    await waitUntil(
      () => el.getAttribute('interaction-id') === 'ix-later',
      'follows the proper task',
      {
        timeout: 8000,
      },
    );
    fake.endChatTask(good.dialogId);
    await waitUntil(() => !el.hasAttribute('interaction-id'), 'no chat left', { timeout: 5000 });
  });

  it('11.6 (no media API): the layout parameter names the chat', async () => {
    const finesse: FakeFinesseOptions = { version: '11.6', hub: 'manual' };
    const m = await startMock({
      finesse: finesse as MockBackendOptions['finesse'],
      validToken: (t) => typeof t === 'string' && /^finesse-agent1-\d+$/.test(t),
    });
    // the interaction exists before the layout names it
    const chat = await m.interactions.startChat({ customerName: 'Cy' });
    const layout =
      `/3rdpartygadget/files/agent-gadgets/AgentGadgetsChat.xml?interactions=${encodeURIComponent(m.urls.interactions)}` +
      `&allowed=${encodeURIComponent(chatOrigins(m))}&token-url=${encodeURIComponent(MOCK_TOKEN_URL)}` +
      `&interaction-id=${chat.interactionId}`;
    gadget = await runGadgetSpec<AgChatPanel>('AgentGadgetsChat.xml', layout, 'ag-chat-panel');
    const el = gadget.el;
    await waitUntil(() => el.connectionState === 'connected', 'connected', { timeout: 10000 });
    await m.customer.send(chat.interactionId, 'hello from Cy');
    await waitUntil(() => says(el, 'hello from Cy'), 'message shown', { timeout: 8000 });
    expect(el.getAttribute('interaction-id')).to.equal(chat.interactionId);
  });
});
