/**
 * What the demo does to the back end: the fault panel's verbs, the scenarios (a new chat, a
 * call) and the simulated customer. Each goes through act() (store.ts): logged, its failure
 * logged, then a poll.
 */
import type { ChatVerb, InteractionsVerb, PcsVerb } from './backend.js';
import { onBackendEvent } from './activity.js';
import { act, log, poll, state } from './store.js';

export const chatVerb = (verb: ChatVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.chat(verb, id));
export const interactionsVerb = (verb: InteractionsVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.interactions(verb, id));
export const pcsVerb = (verb: PcsVerb, id: string) =>
  act(`${verb} ${id}`, () => state.backend!.pcs(verb, id));

export async function newChat() {
  const backend = state.backend!;
  await act('new chat', async () => {
    backend.onEvent?.(onBackendEvent);
    state.chat = await backend.startChat('Dana Whitfield');
    state.nextLine = 0;
    state.transcript = [];
  });
}

export async function startCall(dialedNumber: string) {
  const backend = state.backend!;
  const ani = '+1 555 0134';
  await act(`start call to ${dialedNumber}`, async () => {
    const call = await backend.startCall(ani, dialedNumber);
    state.call = { ...call, ani, dialedNumber, ended: false };
  });
}

export async function endCall() {
  const call = state.call;
  if (!call || call.ended) return;
  await act(`end call ${call.dialogId}`, async () => {
    await state.backend!.endCall(call.dialogId);
    state.call = { ...call, ended: true };
  });
}

export async function customerSay(text: string) {
  const chat = state.chat;
  if (!chat || !text.trim()) return;
  try {
    await state.backend!.customerSend(chat.interactionId, text.trim());
  } catch (e) {
    log(`customer message not sent: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
  void poll();
}

const customerLines = [
  'Hi, my order #48213 arrived with a cracked screen.',
  'I ordered it last Tuesday, it came yesterday.',
  'Can you send a replacement, or do I need to return it first?',
  'The box looked fine from the outside, by the way.',
  'My address is still the same as on the order.',
  'Great, how long does the replacement usually take?',
  'Thanks, that is really helpful!',
];

/** The simulated customer talks on a timer; the demo's own timer, so it pauses with the toggle. */
export function startCustomerTalk() {
  setInterval(() => {
    if (!state.ready || !state.autoTalk || !state.chat) return;
    const line = customerLines[state.nextLine % customerLines.length]!;
    state.nextLine++;
    void customerSay(line);
  }, 6000);
}
