// Where the transcript stays as messages arrive and as the agent scrolls: at the bottom it
// follows the newest message in a bounded window; reading older ones it does not move; "show
// earlier" keeps in view what was in view.
import { expect, waitUntil } from '@open-wc/testing';
import type { MockBackend } from '../../src/mocks/index.js';
import {
  type AgChatPanel,
  connectedPanel,
  renderedRows,
  startMock,
  stopMock,
  untilInSync,
} from './helpers.js';

const history = 500;

const scroller = (el: AgChatPanel) =>
  el.shadowRoot!.querySelector<HTMLElement>('[part="transcript"]')!;
const row = (el: AgChatPanel, seq: number) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part="message"][data-seq="${seq}"]`);
const atBottom = (s: HTMLElement) => s.scrollHeight - s.scrollTop - s.clientHeight < 2;
/** a row's top, relative to the scroller's visible top */
const topInView = (el: AgChatPanel, seq: number) =>
  row(el, seq)!.getBoundingClientRect().top - scroller(el).getBoundingClientRect().top;
/** the render, then two frames: layout, content-visibility and scroll anchoring settled */
async function settled(el: AgChatPanel): Promise<void> {
  await el.updateComplete;
  for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
}
/** the first row whose top is in view */
function firstInView(el: AgChatPanel): number {
  const top = scroller(el).getBoundingClientRect().top;
  const r = renderedRows(el).find((x) => row(el, x.seq)!.getBoundingClientRect().top >= top);
  return r!.seq;
}

describe('<ag-chat-panel> scroll position', () => {
  let mock: MockBackend;
  let interactionId: string;
  let el: AgChatPanel;
  beforeEach(async () => {
    mock = await startMock();
    ({ interactionId } = await mock.interactions.startChat({
      customerName: 'Long',
      instanceId: 'chat-1',
    }));
    for (let i = 1; i <= history; i++) await mock.customer.send(interactionId, `message ${i}`);
    el = await connectedPanel(mock, interactionId);
    await untilInSync(el, mock, interactionId, history);
    await settled(el);
  });
  afterEach(stopMock);

  it('starts at the bottom and follows new messages while the agent is there, in a bounded window', async () => {
    const s = scroller(el);
    expect(s.scrollHeight).to.be.greaterThan(s.clientHeight * 2);
    expect(atBottom(s)).to.equal(true);
    for (let i = 1; i <= 30; i++) {
      await mock.customer.send(interactionId, `live ${i}`);
      await untilInSync(el, mock, interactionId, history + i);
      await settled(el);
      const rows = renderedRows(el);
      expect(rows.at(-1)!.seq).to.equal(history + i);
      expect(atBottom(s), `at the bottom after live message ${i}`).to.equal(true);
      // the oldest rows go as new ones come (a few at a time), and none is skipped
      expect(rows.length).to.be.within(20, 80);
      expect(rows.every((r, k) => k === 0 || r.seq === rows[k - 1]!.seq + 1)).to.equal(true);
    }
  });

  it('keeps the place of an agent reading older messages: the window grows, nothing moves', async () => {
    const s = scroller(el);
    s.scrollTop = Math.round((s.scrollHeight - s.clientHeight) / 2);
    s.dispatchEvent(new Event('scroll'));
    await settled(el);
    const firstRendered = renderedRows(el)[0]!.seq;
    const reading = firstInView(el);
    const readingTop = topInView(el, reading);
    const scrollTop = s.scrollTop;
    for (let i = 1; i <= 3; i++) {
      await mock.customer.send(interactionId, `live ${i}`);
      await untilInSync(el, mock, interactionId, history + i);
      await settled(el);
    }
    const rows = renderedRows(el);
    expect(rows[0]!.seq, 'no row taken off the top').to.equal(firstRendered);
    expect(rows.at(-1)!.seq).to.equal(history + 3);
    expect(s.scrollTop).to.equal(scrollTop);
    expect(firstInView(el)).to.equal(reading);
    expect(Math.abs(topInView(el, reading) - readingTop)).to.be.lessThan(2);
    expect(atBottom(s)).to.equal(false);
  });

  it('shows earlier messages on scroll to the top and keeps in view what was in view', async () => {
    const s = scroller(el);
    const before = renderedRows(el);
    expect(before[0]!.seq).to.be.greaterThan(1);
    s.scrollTop = 0;
    await settled(el);
    const anchor = before[0]!.seq;
    const anchorTop = topInView(el, anchor);
    s.dispatchEvent(new Event('scroll'));
    await waitUntil(
      () => renderedRows(el)[0]!.seq < anchor,
      'scrolling to the top did not show earlier messages',
    );
    await settled(el);
    expect(renderedRows(el).at(-1)!.seq).to.equal(history);
    expect(s.scrollTop).to.be.greaterThan(0);
    expect(Math.abs(topInView(el, anchor) - anchorTop)).to.be.lessThan(2);

    // back at the bottom, the next message takes the earlier rows off again and stays in view
    const grown = renderedRows(el).length;
    s.scrollTop = s.scrollHeight;
    s.dispatchEvent(new Event('scroll'));
    await settled(el);
    await mock.customer.send(interactionId, 'back at the bottom');
    await untilInSync(el, mock, interactionId, history + 1);
    await settled(el);
    const rows = renderedRows(el);
    expect(rows.at(-1)!.seq).to.equal(history + 1);
    expect(rows.length).to.be.lessThan(grown);
    expect(rows.length).to.be.at.most(80);
    expect(atBottom(s)).to.equal(true);
  });
});
