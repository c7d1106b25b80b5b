/**
 * Demo-only glue for plain.html: starts the mocked back end, then gives the elements (loaded
 * from the built bundles by plain <script type="module"> tags) a live chat and a live call,
 * the way a real desktop's CTI layer would set their attributes. The page itself needs none of this.
 */
interface PlainMock {
  urls: { interactions: string; chat: Record<string, string> };
  interactions: { startChat(o?: { customerName?: string }): Promise<{ interactionId: string }> };
  customer: { send(interactionId: string, text: string): Promise<unknown> };
}

const { startMockBackend } = await import('../../src/mocks/index.js');
const backend = await startMockBackend();
const mock = backend as unknown as PlainMock;
window.agentGadgetsMock = backend;

const chat = await mock.interactions.startChat({ customerName: 'Dana Whitfield' });
const panel = document.getElementById('chat')!;
panel.setAttribute(
  'allowed-origins',
  Object.values(mock.urls.chat)
    .map((u) => new URL(u).origin)
    .join(' '),
);
(panel as HTMLElement & { token?: string }).token = 'demo-agent-token';
panel.setAttribute('interaction-id', chat.interactionId);
await mock.customer.send(chat.interactionId, 'Hello, is anyone there?');

// No telephony on a plain page: the desktop tells the survey gadget about the call.
const call = { dialogId: 'plain-1001', ani: '+1 555 0134', dialedNumber: '8000' };
const survey = document.getElementById('survey')!;
(survey as HTMLElement & { token?: string }).token = 'demo-agent-token';
survey.setAttribute('ani', call.ani);
survey.setAttribute('dialed-number', call.dialedNumber);
survey.setAttribute('dialog-id', call.dialogId);

window.agentGadgetsPlain = { ready: true, chat, call };

export {};
