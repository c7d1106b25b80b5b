// Properties as real interaction servers carry them: read key by key, and the version-trust rule.
import { expect } from '@open-wc/testing';
import { Limits } from '../../src/protocol/limits.js';
import { VersionTrust } from '../../src/protocol/version-trust.js';
import { readDelta, readProperties, readWatchAnswer } from '../../src/protocol/wire.js';

describe('readProperties / readDelta / readWatchAnswer (per-key tolerance)', () => {
  it('drops only the bad keys, naming each, and keeps the rest', () => {
    const raw = JSON.parse(
      JSON.stringify({
        'chat.url': 'http://chat-2.mock.test',
        'x.note': 'n'.repeat(5000),
        'x.obj': { a: 1 },
        'x.nan': null,
        ['k'.repeat(129)]: 1,
        ok: true,
      }).replace('"ok"', '"__proto__":{"polluted":1},"ok"'),
    ) as unknown;
    const r = readProperties(raw);
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect({ ...r.value.properties }).to.deep.equal({
      'chat.url': 'http://chat-2.mock.test',
      ok: true,
    });
    expect(r.value.dropped.map((d) => d.key).sort()).to.deep.equal(
      ['__proto__', 'k'.repeat(129), 'x.nan', 'x.note', 'x.obj'].sort(),
    );
    expect(r.value.dropped.find((d) => d.key === 'x.note')!.reason).to.contain('2048');
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  it('keeps well-known keys first when an update carries more than the limit', () => {
    const raw: Record<string, unknown> = {};
    for (let i = 0; i < Limits.maxPropertiesPerUpdate + 50; i++) raw[`user.k${i}`] = i;
    raw['chat.instanceId'] = 'chat-2';
    const r = readProperties(raw);
    if (!r.ok) throw new Error(r.error);
    expect(Object.keys(r.value.properties)).to.have.length(Limits.maxPropertiesPerUpdate);
    expect(r.value.properties['chat.instanceId']).to.equal('chat-2');
    expect(r.value.dropped).to.have.length(51);
  });

  it('fails a delta only when its frame is unusable (no object, bad version), not for a bad value', () => {
    expect(readDelta(null).ok).to.equal(false);
    expect(readDelta({ interactionId: 'i', version: 'nine', set: {}, unset: [] }).ok).to.equal(
      false,
    );
    expect(readDelta({ interactionId: 'i', version: 2, set: 'x', unset: [] }).ok).to.equal(false);
    expect(readDelta({ interactionId: 'i', version: 2 ** 60, set: {}, unset: [] }).ok).to.equal(
      false,
    );
    const r = readDelta({
      interactionId: 'i',
      version: 2,
      set: { 'x.big': 'b'.repeat(3000), 'chat.epoch': 3 },
      unset: ['chat.state', 7, ''],
    });
    if (!r.ok) throw new Error(r.error);
    expect({ ...r.value.delta.set }).to.deep.equal({ 'chat.epoch': 3 });
    expect(r.value.delta.unset).to.deep.equal(['chat.state']);
    expect(r.value.dropped.map((d) => d.key)).to.deep.equal(['x.big', '7', '']);
  });

  it('reads a watch answer key by key', () => {
    const r = readWatchAnswer({
      ok: true,
      interactionId: 'i',
      version: 3,
      properties: { a: 'b', bad: [1] },
    });
    if (!r.ok) throw new Error(r.error);
    expect(r.value.answer.version).to.equal(3);
    expect({ ...r.value.answer.properties }).to.deep.equal({ a: 'b' });
    expect(r.value.dropped.map((d) => d.key)).to.deep.equal(['bad']);
    expect(
      readWatchAnswer({ ok: true, interactionId: 'i', version: -1, properties: {} }).ok,
    ).to.equal(false);
  });
});

describe('VersionTrust', () => {
  const snap = (version: number, properties: Record<string, string | number> = {}) => ({
    interactionId: 'i',
    version,
    properties,
  });
  const delta = (version: number, set: Record<string, string | number>, unset: string[] = []) => ({
    interactionId: 'i',
    version,
    set,
    unset,
  });

  it('a refused delta does not use up its version: the genuine update with the same number is taken', () => {
    const t = new VersionTrust();
    t.snapshot(snap(4, { 'chat.url': 'good', 'x.keep': 1 }));
    const hostile = t.delta(delta(5, { 'chat.url': 'evil', 'x.other': 2 }));
    expect(hostile.kind).to.equal('apply');
    expect(t.refuse(5, ['chat.url'])).to.equal(true);
    expect(t.current).to.deep.equal({
      interactionId: 'i',
      version: 4,
      properties: { 'chat.url': 'good', 'x.keep': 1, 'x.other': 2 },
    });
    const genuine = t.delta(delta(5, { 'chat.url': 'moved' }));
    expect(genuine.kind).to.equal('apply');
    expect(t.current!.properties['chat.url']).to.equal('moved');
    expect(t.current!.version).to.equal(5);
  });

  it('a refused snapshot stays (it is the server word); refusing an old version does nothing', () => {
    const t = new VersionTrust();
    t.snapshot(snap(4, { 'chat.url': 'evil' }));
    expect(t.refuse(4, ['chat.url'])).to.equal(false);
    t.delta(delta(5, { a: 1 }));
    t.delta(delta(6, { b: 1 }));
    expect(t.refuse(5, ['a'])).to.equal(false);
    expect(t.current!.version).to.equal(6);
  });

  it('a delta that did not touch the refused keys stands (the refused value came from a snapshot)', () => {
    const t = new VersionTrust();
    t.snapshot(snap(4, { 'chat.url': 'evil' }));
    t.delta(delta(5, { 'user.x': 1 }));
    expect(t.refuse(5, ['chat.url'])).to.equal(false);
    expect(t.current!.version).to.equal(5);
  });

  it('a refused unset comes back', () => {
    const t = new VersionTrust();
    t.snapshot(snap(1, { 'chat.url': 'u', 'chat.instanceId': 'c' }));
    t.delta(delta(2, {}, ['chat.url', 'chat.instanceId']));
    expect(t.refuse(2, ['chat.url', 'chat.instanceId'])).to.equal(true);
    expect(t.current!.properties).to.deep.equal({ 'chat.url': 'u', 'chat.instanceId': 'c' });
  });

  it('stores at most maxKeys properties; new keys past it are listed in overflow', () => {
    const t = new VersionTrust({ maxKeys: 3 });
    t.snapshot(snap(1, { a: 1, b: 2 }));
    t.delta(delta(2, { c: 3, d: 4, a: 9 }));
    expect(t.current!.properties).to.deep.equal({ a: 9, b: 2, c: 3 });
    expect(t.overflow).to.deep.equal(['d']);
    t.delta(delta(3, {}, ['b']));
    t.delta(delta(4, { d: 4 }));
    expect(t.current!.properties).to.deep.equal({ a: 9, c: 3, d: 4 });
  });

  it('asks for a re-watch once per version on a gap, and after a rewind that deltas then contradict', () => {
    const t = new VersionTrust();
    t.snapshot(snap(1));
    expect(t.delta(delta(3, {})).kind).to.equal('rewatch');
    expect(t.delta(delta(4, {})).kind).to.equal('ignore');
    expect(t.delta(delta(1e15, {})).kind).to.equal('ignore');
    expect(t.snapshot(snap(1)).kind).to.equal('ignore'); // same state: a sync point
    expect(t.delta(delta(1e15, {})).kind).to.equal('rewatch');
  });
});
