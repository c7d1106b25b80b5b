import { expect, waitUntil } from '@open-wc/testing';
import { testScheduler } from './marbles.js';
import {
  applyVersions,
  PropertyStream,
  type PropertySnapshot,
} from '../../src/core/property-stream.js';
import type { PropertiesDelta, WatchAnswer } from '../../src/protocol/wire.js';
import { Admin, StatusLog, newStorePath, signal, startServer, type CoreServer } from './helpers.js';

const snap = (version: number, properties: Record<string, string | number>): WatchAnswer => ({
  ok: true,
  interactionId: 'i1',
  version,
  properties,
});
const delta = (
  version: number,
  set: Record<string, string | number>,
  unset: string[] = [],
  interactionId = 'i1',
): PropertiesDelta => ({
  interactionId,
  version,
  set,
  unset,
});
const out = (version: number, properties: Record<string, string | number>): PropertySnapshot => ({
  interactionId: 'i1',
  version,
  properties,
});

describe('applyVersions (marbles)', () => {
  it('applies a snapshot, then consecutive deltas (set and unset)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c|', {
        a: snap(1, { x: 1, y: 2 }),
        b: delta(2, { x: 3 }),
        c: delta(3, {}, ['y']),
      });
      expectObservable(input.pipe(applyVersions())).toBe('a-b-c|', {
        a: out(1, { x: 1, y: 2 }),
        b: out(2, { x: 3, y: 2 }),
        c: out(3, { x: 3 }),
      });
    });
  });

  it('ignores duplicate versions, deltas before the snapshot and other interactions', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('z-a-b-e-f|', {
        z: delta(1, { early: 1 }),
        a: snap(5, { x: 5 }),
        b: delta(5, { x: 'dup' }),
        e: delta(6, { x: 6 }, [], 'other'),
        f: delta(6, { x: 6 }),
      });
      expectObservable(input.pipe(applyVersions())).toBe('--a-----f|', {
        a: out(5, { x: 5 }),
        f: out(6, { x: 6 }),
      });
    });
  });

  it('does not rewind: a delta older than the snapshot or an older snapshot asks for a re-watch instead', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-c-d-f|', {
        a: snap(5, { x: 5 }),
        c: delta(4, { x: 'old' }),
        d: snap(3, { x: 'older snapshot from a lagging backup' }),
        f: delta(6, { x: 6 }),
      });
      expectObservable(input.pipe(applyVersions())).toBe('a-r-r-f|', {
        a: out(5, { x: 5 }),
        r: { resync: 5 },
        f: out(6, { x: 6 }),
      });
    });
  });

  it('is never blinded: an impossible jump (1e15) is not believed; a contradiction the server confirms is a new epoch', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d-e-f-g-h|', {
        a: snap(7, { 'chat.url': 'one' }),
        b: snap(1e15, { 'chat.url': 'bogus' }), // a backup's broken answer
        c: snap(7, { 'chat.url': 'one' }), // the re-watch: the genuine state
        d: delta(8, { 'chat.url': 'two' }), // a genuine relocation is still taken
        e: snap(3, { 'chat.url': 'restarted' }), // a server whose versions restarted...
        f: snap(4, { 'chat.url': 'three' }), // ...confirms it: a new epoch
        g: delta(5, { 'chat.url': 'four' }),
        h: delta(6, { 'chat.url': 'five' }),
      });
      expectObservable(input.pipe(applyVersions())).toBe('a-j---d-r-f-g-h|', {
        a: out(7, { 'chat.url': 'one' }),
        j: { resync: 7 },
        d: out(8, { 'chat.url': 'two' }),
        r: { resync: 8 },
        f: out(4, { 'chat.url': 'three' }),
        g: out(5, { 'chat.url': 'four' }),
        h: out(6, { 'chat.url': 'five' }),
      });
    });
  });

  it('a jump within the bound is believed (a server that made many changes between two looks)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b|', { a: snap(1, { x: 1 }), b: snap(900_000, { x: 2 }) });
      expectObservable(input.pipe(applyVersions())).toBe('a-b|', {
        a: out(1, { x: 1 }),
        b: out(900_000, { x: 2 }),
      });
    });
  });

  it('asks for a resync once on a gap, then applies the resync snapshot and the deltas after it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d-e-f|', {
        a: snap(1, { x: 1 }),
        b: delta(3, { x: 3 }), // 2 was missed
        c: delta(4, { x: 4 }), // still a gap: do not ask twice
        d: snap(4, { x: 4, y: 'from resync' }),
        e: delta(4, { x: 'dup' }),
        f: delta(5, { x: 5 }),
      });
      expectObservable(input.pipe(applyVersions())).toBe('a-r---d---f|', {
        a: out(1, { x: 1 }),
        r: { resync: 1 },
        d: out(4, { x: 4, y: 'from resync' }),
        f: out(5, { x: 5, y: 'from resync' }),
      });
    });
  });

  it('a snapshot at the current version is a new sync point: a later gap asks again', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d|', {
        a: snap(1, { x: 1 }),
        b: delta(3, { x: 3 }),
        c: snap(1, { x: 1 }), // the re-watch found nothing newer (e.g. a lagging backup)
        d: delta(4, { x: 4 }),
      });
      expectObservable(input.pipe(applyVersions())).toBe('a-r---s|', {
        a: out(1, { x: 1 }),
        r: { resync: 1 },
        s: { resync: 1 },
      });
    });
  });

  it('unsubscribes from the source on early unsubscription', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const input = hot('-a-b-c-d|', {
        a: snap(1, {}),
        b: delta(2, { x: 2 }),
        c: delta(3, { x: 3 }),
        d: delta(4, { x: 4 }),
      });
      expectObservable(input.pipe(applyVersions()), '^----!').toBe('-a-b-', {
        a: out(1, {}),
        b: out(2, { x: 2 }),
      });
      expectSubscriptions(input.subscriptions).toBe('^----!');
    });
  });
});

describe('PropertyStream (real interaction servers)', () => {
  const servers: CoreServer[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((f) => f());
    for (const s of servers.splice(0)) await signal(s, 'SIGKILL');
  });

  it('reads properties key by key: a bad key is reported once while it stays bad; a refused delta does not use up its version', async () => {
    const a = await startServer('a', newStorePath());
    servers.push(a);
    const admin = new Admin(a.url);
    cleanups.push(() => admin.close());
    await admin.set('i1', { 'chat.instanceId': 'c1' }); // v1
    const stream = new PropertyStream({
      urls: [a.url],
      interactionId: 'i1',
      heartbeat: { intervalMs: 500, timeoutMs: 1500 },
      backoff: { initialMs: 50, maxMs: 300 },
    });
    const seen: PropertySnapshot[] = [];
    const errors: string[] = [];
    const subs = [
      stream.snapshot$.subscribe((x) => seen.push(x)),
      stream.errors$.subscribe((e) => errors.push(`${e.code}: ${e.message}`)),
    ];
    cleanups.push(() => {
      subs.forEach((x) => x.unsubscribe());
      stream.dispose();
    });
    stream.start();
    await waitUntil(() => seen.length === 1, 'first snapshot');

    await admin.set('i1', { 'x.note': 'n'.repeat(5000), 'chat.url': 'http://c1' }); // v2
    await waitUntil(() => seen.at(-1)?.version === 2, 'v2');
    expect(seen.at(-1)!.properties).to.deep.equal({
      'chat.instanceId': 'c1',
      'chat.url': 'http://c1',
    });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^invalid-properties: .*x\.note/);

    // a gap: the re-watch's snapshot carries the same bad value: not news
    await admin.set('i1', { 'chat.epoch': 2 }, { silent: true }); // v3, missed
    await admin.set('i1', { 'chat.state': 'active' }); // v4
    await waitUntil(() => seen.at(-1)?.version === 4, 'resynced to v4');
    expect(errors).to.have.length(1);

    // a bad value that went away and came back is news again
    await admin.set('i1', { 'x.note': 'short' }); // v5
    await admin.set('i1', { 'x.note': 'n'.repeat(5000) }); // v6
    await waitUntil(() => errors.length === 2, 'the returning bad value was not reported');

    // the owner refuses v7's endpoint: the version is not used up
    await admin.set('i1', { 'chat.url': 'http://evil' }); // v7
    await waitUntil(() => seen.at(-1)?.version === 7, 'v7');
    stream.refuse(7, ['chat.url']);
    expect(stream.current!.version).to.equal(6);
    expect(stream.current!.properties['chat.url']).to.equal('http://c1');
    await admin.emitRaw('i1', 'properties', {
      interactionId: 'i1',
      version: 7,
      set: { 'chat.url': 'http://c2' },
      unset: [],
    });
    await waitUntil(
      () => seen.at(-1)?.properties['chat.url'] === 'http://c2',
      'v7 again not taken',
    );
    expect(seen.at(-1)!.version).to.equal(7);
  });

  it('resyncs after missed updates and after failover to the backup: no gap, no rewind', async () => {
    const store = newStorePath();
    const a = await startServer('a', store);
    const b = await startServer('b', store);
    servers.push(a, b);
    const adminA = new Admin(a.url);
    const adminB = new Admin(b.url);
    cleanups.push(
      () => adminA.close(),
      () => adminB.close(),
    );
    await adminA.set('i1', { 'chat.instanceId': 'c1' }); // v1

    const stream = new PropertyStream({
      urls: [a.url, b.url],
      interactionId: 'i1',
      heartbeat: { intervalMs: 500, timeoutMs: 1500 },
      backoff: { initialMs: 50, maxMs: 300 },
      connectTimeoutMs: 4000,
    });
    const seen: PropertySnapshot[] = [];
    const sub = stream.snapshot$.subscribe((s) => seen.push(s));
    const log = new StatusLog(stream.status$);
    cleanups.push(() => {
      sub.unsubscribe();
      log.stop();
      stream.dispose();
    });
    stream.start();
    await waitUntil(() => seen.length === 1, 'first snapshot');
    expect(seen[0]).to.deep.equal({
      interactionId: 'i1',
      version: 1,
      properties: { 'chat.instanceId': 'c1' },
    });

    const errors: string[] = [];
    const errSub = stream.errors$.subscribe((e) => errors.push(e.code));
    cleanups.push(() => errSub.unsubscribe());
    // garbage from the server is reported and dropped; the stream goes on
    await adminA.emitRaw('i1', 'properties', {
      interactionId: 'i1',
      version: 'two',
      set: { '<b>': 1 },
      unset: [],
    });
    await waitUntil(() => errors.includes('invalid-message'), 'invalid delta reported');

    await adminA.set('i1', { 'chat.state': 'active' }); // v2, broadcast
    await adminA.set('i1', { 'chat.url': 'http://x' }, { silent: true }); // v3, missed
    await adminA.set('i1', { 'chat.epoch': 2 }); // v4: gap -> re-watch
    await waitUntil(() => seen.at(-1)?.version === 4, 'resynced to v4');
    expect(seen.at(-1)!.properties).to.deep.equal({
      'chat.instanceId': 'c1',
      'chat.state': 'active',
      'chat.url': 'http://x',
      'chat.epoch': 2,
    });

    // v5 is written to the shared store without reaching the client (as if it was lost with a)
    await adminB.set('i1', { 'chat.instanceId': 'c2' }, { silent: true });
    const from = log.all.length;
    await signal(a, 'SIGKILL');
    await log.waitFor((s) => s.state === 'reconnecting' && s.reason === 'lost', 'lost a', from);
    await log.waitFor((s) => s.state === 'connected' && s.endpoint === b.url, 'on b', from);
    await waitUntil(() => seen.at(-1)?.version === 5, 'v5 after failover');
    expect(seen.at(-1)!.properties['chat.instanceId']).to.equal('c2');
    await adminB.set('i1', { 'chat.state': 'closed' }); // v6 as a delta on b
    await waitUntil(() => seen.at(-1)?.version === 6, 'v6');

    const versions = seen.map((s) => s.version);
    for (let i = 1; i < versions.length; i++)
      expect(versions[i]!).to.be.greaterThan(versions[i - 1]!);
    // a late subscriber gets the latest snapshot at once
    let late: PropertySnapshot | undefined;
    stream.snapshot$.subscribe((s) => (late = s)).unsubscribe();
    expect(late?.version).to.equal(6);
  });
});
