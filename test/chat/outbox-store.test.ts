import { expect } from '@open-wc/testing';
import { ChatStore, chatStoreKey, storeLimits } from '../../src/chat/outbox-store.js';

/** An in-memory Storage, so each test starts empty and can fail writes on purpose. */
class FakeStorage {
  readonly map = new Map<string, string>();
  failWrites = false;
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.failWrites) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('ChatStore (held messages and draft per agent and interaction)', () => {
  it('keeps held messages and the draft, and removes the record once it holds nothing', () => {
    const storage = new FakeStorage();
    const store = new ChatStore(chatStoreKey('ix-1', 'agent1'), { storage });
    store.hold([{ clientMsgId: 'c1', text: 'hi' }]);
    store.saveDraft('half');
    const again = new ChatStore(chatStoreKey('ix-1', 'agent1'), { storage });
    expect(again.load()).to.deep.equal({
      held: [{ clientMsgId: 'c1', text: 'hi' }],
      draft: 'half',
    });
    // another agent (a supervisor on the same chat) has its own record
    expect(new ChatStore(chatStoreKey('ix-1', 'sup1'), { storage }).load().held).to.deep.equal([]);
    // a second panel on the record adds and releases its own only
    again.hold([{ clientMsgId: 'c2', text: 'there' }]);
    store.release(['c1']);
    expect(again.load().held).to.deep.equal([{ clientMsgId: 'c2', text: 'there' }]);
    again.release(['c2']);
    again.saveDraft('');
    expect(storage.length).to.equal(0);
  });

  it('is bounded: messages per record, number of records, age', () => {
    const storage = new FakeStorage();
    let now = 1000;
    const at = (ix: string) => new ChatStore(chatStoreKey(ix, 'a'), { storage, now: () => now });
    const many = Array.from({ length: storeLimits.maxHeld + 5 }, (_, i) => ({
      clientMsgId: `c${i}`,
      text: 't',
    }));
    at('big').hold(many);
    expect(at('big').load().held).to.have.length(storeLimits.maxHeld);
    for (let i = 0; i < storeLimits.maxRecords + 3; i++) {
      now += 1;
      at(`ix-${i}`).saveDraft('d');
    }
    expect(storage.length).to.equal(storeLimits.maxRecords);
    expect(at('big').load().held).to.deep.equal([]); // the oldest went first
    now += storeLimits.maxAgeMs + 1;
    expect(at(`ix-${storeLimits.maxRecords + 2}`).load()).to.deep.equal({ held: [], draft: '' });
  });

  it('ignores a corrupt record and keeps writing in memory when the storage refuses', () => {
    const storage = new FakeStorage();
    const key = chatStoreKey('ix-2', 'a');
    storage.map.set(key, '{not json');
    const store = new ChatStore(key, { storage });
    expect(store.load()).to.deep.equal({ held: [], draft: '' });
    storage.failWrites = true;
    store.hold([{ clientMsgId: 'c1', text: 'x' }]);
    storage.map.delete(key);
    expect(store.load().held).to.deep.equal([{ clientMsgId: 'c1', text: 'x' }]);
    store.clear();
    expect(store.load().held).to.deep.equal([]);
  });
});
