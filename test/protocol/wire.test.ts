import { expect } from '@open-wc/testing';
import {
  chatMessage,
  joinAnswer,
  propertiesDelta,
  surveyRequestBody,
  nodeStatus,
} from '../../src/protocol/wire.js';
import { Limits } from '../../src/protocol/limits.js';

const msg = {
  seq: 1,
  id: 'm1',
  from: { id: 'c1', name: 'Carla', role: 'customer' },
  text: 'hello',
  ts: 1,
};

describe('protocol validators', () => {
  it('accepts a well-formed message and drops unknown fields', () => {
    const r = chatMessage({ ...msg, extra: '<script>' });
    expect(r.ok).to.equal(true);
    if (r.ok) expect(r.value).to.not.have.property('extra');
  });

  it('rejects wrong types with a path', () => {
    const r = chatMessage({ ...msg, from: { ...msg.from, role: 'admin' } });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.error).to.contain('from.role');
  });

  it('rejects oversized text', () => {
    const r = chatMessage({ ...msg, text: 'x'.repeat(Limits.maxMessageLength + 1) });
    expect(r.ok).to.equal(false);
  });

  it('rejects non-integer and negative versions', () => {
    expect(propertiesDelta({ interactionId: 'i', version: 1.5, set: {}, unset: [] }).ok).to.equal(
      false,
    );
    expect(propertiesDelta({ interactionId: 'i', version: -1, set: {}, unset: [] }).ok).to.equal(
      false,
    );
    expect(
      propertiesDelta({ interactionId: 'i', version: 2, set: { a: 'b' }, unset: [] }).ok,
    ).to.equal(true);
  });

  it('rejects nested objects as property values and prototype tricks', () => {
    expect(
      propertiesDelta({ interactionId: 'i', version: 2, set: { a: { b: 1 } }, unset: [] }).ok,
    ).to.equal(false);
    const parsed = JSON.parse(
      '{"interactionId":"i","version":3,"set":{"__proto__":"x"},"unset":[]}',
    ) as unknown;
    const r = propertiesDelta(parsed);
    expect(r.ok).to.equal(true);
    if (r.ok) expect(Object.getPrototypeOf(r.value.set)).to.equal(null);
  });

  it('validates a join answer transcript item by item', () => {
    const bad = {
      ok: true,
      instanceId: 'a',
      sessionId: 's',
      transcript: [msg, { ...msg, seq: 'x' }],
      participants: [],
      lastSeq: 2,
    };
    const r = joinAnswer(bad);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.error).to.contain('transcript[1].seq');
  });

  it('checks SMS numbers and node status', () => {
    const body = {
      idempotencyKey: 'k',
      dialogId: 'd',
      ani: '1000',
      dialedNumber: '8000',
      agentId: 'a',
      surveyId: 's',
      channel: 'sms',
      language: 'en',
      mode: 'hangup',
    };
    expect(surveyRequestBody({ ...body, smsNumber: '+14155550100' }).ok).to.equal(true);
    expect(surveyRequestBody({ ...body, smsNumber: '12345' }).ok).to.equal(false);
    expect(nodeStatus({ nodeId: 'pcs-a', role: 'leader', epoch: 1, leaseUntil: 0 }).ok).to.equal(
      false,
    );
  });
});
