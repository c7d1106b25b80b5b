// The transcript part on its own, in virtual time: merge by seq and id, paging, gap repair.
import { expect } from '@open-wc/testing';
import { Transcript } from '../../src/chat/transcript.js';
import type { ChatMessage } from '../../src/protocol/wire.js';
import { testScheduler } from '../core/marbles.js';

const msg = (seq: number, id = `m${seq}`, sessionId?: string): ChatMessage => ({
  seq,
  id,
  from: { id: 'customer', name: 'C', role: 'customer' },
  text: `text ${seq}`,
  ts: seq,
  ...(sessionId ? { sessionId } : {}),
});
const page = (seqs: number[], lastSeq: number) => ({
  transcript: seqs.map((s) => msg(s)),
  lastSeq,
});
const seqs = (t: Transcript) => t.messages.map((m) => m.seq);

describe('Transcript', () => {
  it('merges pages and live messages in seq order, never twice by seq or by id', () => {
    const t = new Transcript();
    expect(t.applyPage(page([1, 2], 2), undefined).added.map((m) => m.seq)).to.deep.equal([1, 2]);
    expect(t.afterSeq).to.equal(2);
    expect(t.addLive(msg(2))).to.deep.equal([]);
    expect(t.addLive(msg(9, 'm1'))).to.deep.equal([]); // same id, other seq: a duplicate
    t.addLive(msg(4));
    t.addLive(msg(3));
    expect(seqs(t)).to.deep.equal([1, 2, 3, 4]);
    expect(t.afterSeq).to.equal(4);
    t.dispose();
  });

  it('merges an unsorted page with repeats inside it, and live messages into its holes', () => {
    const t = new Transcript();
    const r = t.applyPage(
      { transcript: [msg(5), msg(1), msg(3), msg(1, 'again'), msg(7, 'm3')], lastSeq: 7 },
      undefined,
    );
    // in seq order, the second seq 1 and the second id m3 left out
    expect(r.added.map((m) => m.id)).to.deep.equal(['m1', 'm3', 'm5']);
    expect(seqs(t)).to.deep.equal([1, 3, 5]);
    expect([1, 2, 3, 4, 5, 6, 7].map((s) => t.has(s))).to.deep.equal([
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(t.addLive(msg(4)).map((m) => m.seq)).to.deep.equal([4]);
    expect(t.addLive(msg(3, 'other'))).to.deep.equal([]); // same seq, other id: a duplicate
    t.addLive(msg(2));
    expect(seqs(t)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(t.has(2)).to.equal(true);
    t.dispose();
  });

  it('keeps the same array while nothing is added (cheap change detection)', () => {
    const t = new Transcript();
    t.applyPage(page([1], 1), undefined);
    const before = t.messages;
    t.addLive(msg(1));
    expect(t.messages).to.equal(before);
    t.addLive(msg(2));
    expect(t.messages).not.to.equal(before);
    t.dispose();
  });

  it('says a full page has more after it, with a configurable page size', () => {
    const t = new Transcript({ pageSize: 2 });
    expect(t.applyPage(page([1, 2], 5), undefined).more).to.equal(true);
    expect(t.afterSeq).to.equal(2);
    expect(t.applyPage(page([3, 4], 5), 2).more).to.equal(true);
    expect(t.applyPage(page([5], 5), 4).more).to.equal(false);
    expect(seqs(t)).to.deep.equal([1, 2, 3, 4, 5]);
    // the default page is large: the same two-message answer is complete
    const big = new Transcript();
    expect(big.applyPage(page([1, 2], 5), undefined).more).to.equal(false);
    t.dispose();
    big.dispose();
  });

  it('filters messages of another session out of the merge but still pages past them', () => {
    const t = new Transcript({ pageSize: 2 });
    const r = t.applyPage(
      { transcript: [msg(1, 'a', 's1'), msg(2, 'b', 'other')], lastSeq: 3 },
      undefined,
      (m) => m.sessionId === 's1',
    );
    expect(r.added.map((m) => m.id)).to.deep.equal(['a']);
    expect(r.more).to.equal(true);
    expect(t.afterSeq).to.equal(2);
    t.dispose();
  });

  it('repairs a hole that does not fill within the gap delay, once, from the last contiguous seq', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const t = new Transcript({ gapDelayMs: 50 });
      t.applyPage(page([1, 2], 2), undefined);
      cold('10ms a 5ms b', { a: 5, b: 6 }).subscribe((s) => t.addLive(msg(s)));
      expectObservable(t.repair$, '^ 200ms !').toBe('60ms r', { r: 2 });
      flush();
      t.dispose();
    });
  });

  it('does not repair a hole that fills in time (a reorder across a rejoin)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new Transcript({ gapDelayMs: 50 });
      t.applyPage(page([1], 1), undefined);
      cold('10ms a 20ms b', { a: 3, b: 2 }).subscribe((s) => t.addLive(msg(s)));
      expectObservable(t.repair$, '^ 200ms !').toBe('');
    });
  });

  it('repairs when an ack names a seq never received, after the default 300 ms', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new Transcript();
      t.applyPage(page([1], 1), undefined);
      cold('5ms a', { a: 2 }).subscribe((s) => t.expect(s));
      cold('6ms a', { a: 1 }).subscribe((s) => t.expect(s)); // known: no second timer
      expectObservable(t.repair$, '^ 1000ms !').toBe('305ms r', { r: 1 });
    });
  });

  it('leaves no timer behind after dispose', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const t = new Transcript({ gapDelayMs: 50 });
      t.applyPage(page([1], 1), undefined);
      cold('5ms a', { a: 4 }).subscribe((s) => t.addLive(msg(s)));
      cold('20ms a').subscribe(() => t.dispose());
      expectObservable(t.repair$).toBe('20ms |');
    });
  });
});
