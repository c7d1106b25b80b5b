// PendingRequests on its own: bounded, aged on the injected clock, damaged records dropped.
import { expect } from '@open-wc/testing';
import {
  PendingRequests,
  pendingStorageKey,
  type KeyValueStorage,
  type PendingEntry,
} from '../../src/survey/pending-requests.js';

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const entry = (dialogId: string): Omit<PendingEntry, 'savedAt'> => ({
  key: `${dialogId}:srv-8000`,
  dialogId,
  callTag: 'abc',
  surveyId: 'srv-8000',
  mode: 'transfer',
  channel: 'ivr',
  language: 'en',
  stage: 'running',
});

describe('PendingRequests', () => {
  let storage: MapStorage;
  let now: number;
  let pending: PendingRequests;

  beforeEach(() => {
    storage = new MapStorage();
    now = 1000;
    pending = new PendingRequests({ storage, now: () => now, maxEntries: 3, maxAgeMs: 500 });
  });

  it('one record per dialog, updated by key, cleared by dialog', () => {
    pending.save(entry('d1'));
    pending.update('d1', 'd1:srv-8000', { requestId: 'r-1' });
    pending.update('d1', 'other-key', { requestId: 'r-x' });
    expect(pending.get('d1')).to.include({ requestId: 'r-1', savedAt: 1000 });
    pending.save({ ...entry('d1'), stage: 'armed' });
    expect(JSON.parse(storage.getItem(pendingStorageKey)!)).to.have.length(1);
    pending.clear('d1');
    expect(pending.get('d1')).to.equal(undefined);
    expect(storage.getItem(pendingStorageKey)).to.equal(null);
  });

  it('keeps at most maxEntries, the newest, and none older than maxAgeMs', () => {
    for (const d of ['d1', 'd2', 'd3', 'd4']) pending.save(entry(d));
    expect(['d1', 'd2', 'd3', 'd4'].map((d) => !!pending.get(d))).to.deep.equal([
      false,
      true,
      true,
      true,
    ]);
    now += 501;
    expect(pending.get('d4')).to.equal(undefined);
  });

  it('retainOnly drops every other dialog', () => {
    pending.save(entry('d1'));
    pending.save(entry('d2'));
    pending.retainOnly('d2');
    expect(pending.get('d1')).to.equal(undefined);
    expect(pending.get('d2')).to.not.equal(undefined);
  });

  it('damaged or foreign records are dropped; a storage that throws keeps nothing', () => {
    storage.setItem(
      pendingStorageKey,
      JSON.stringify([{ dialogId: 'd1' }, { ...entry('d2'), savedAt: 1000, stage: 'evil' }]),
    );
    expect(pending.get('d1')).to.equal(undefined);
    expect(pending.get('d2')).to.equal(undefined);
    storage.setItem(pendingStorageKey, 'not json');
    expect(pending.get('d1')).to.equal(undefined);
    expect(storage.getItem(pendingStorageKey)).to.equal(null);
    const refusing = new PendingRequests({
      storage: {
        getItem: () => {
          throw new Error('SecurityError');
        },
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
        removeItem: () => undefined,
      },
      now: () => now,
    });
    expect(() => refusing.save(entry('d1'))).to.not.throw();
    expect(refusing.get('d1')).to.equal(undefined);
  });
});
