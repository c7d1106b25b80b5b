// The pure helpers that tame finesse.js shapes.
import { expect } from '@open-wc/testing';
import {
  apiErrorFromXml,
  callVariablesFrom,
  finesseError,
  normaliseActions,
  normaliseParticipants,
  ownLeg,
  updateCallDataXml,
} from '../../src/hosts/finesse-normalise.js';

describe('finesse normalisation', () => {
  it('actions: a string, an array, a wrapper or nothing become an array of strings', () => {
    expect(normaliseActions({ action: 'ANSWER' })).to.deep.equal(['ANSWER']);
    expect(normaliseActions({ action: ['HOLD', 'DROP'] })).to.deep.equal(['HOLD', 'DROP']);
    expect(normaliseActions(['TRANSFER_SST'])).to.deep.equal(['TRANSFER_SST']);
    expect(normaliseActions({ action: ['HOLD', 3, '', null] })).to.deep.equal(['HOLD']);
    expect(normaliseActions(undefined)).to.deep.equal([]);
    expect(normaliseActions({})).to.deep.equal([]);
  });

  it("participants: array, single object or { Participant } wrapper; the agent's leg by extension", () => {
    const caller = { mediaAddress: '5551234567', state: 'ACTIVE' };
    const agent = { mediaAddress: '1001', state: 'HELD', actions: { action: 'RETRIEVE' } };
    expect(normaliseParticipants([caller, agent])).to.have.length(2);
    expect(normaliseParticipants(agent)).to.deep.equal([agent]);
    expect(normaliseParticipants({ Participant: [caller, agent] })).to.have.length(2);
    expect(normaliseParticipants(null)).to.deep.equal([]);
    expect(ownLeg([caller, agent], '1001')).to.equal(agent);
    expect(ownLeg({ Participant: agent }, '1001')).to.equal(agent);
    expect(ownLeg([caller], '1001')).to.equal(undefined);
    expect(ownLeg([caller, agent], undefined)).to.equal(undefined);
  });

  it('call variables: flattened by finesse.js or nested CallVariable (object or array)', () => {
    expect(
      callVariablesFrom({
        dialedNumber: '8000',
        callVariable1: 'a',
        'user.x[0]': 'b',
        callType: 'ACD_IN',
      }),
    ).to.deep.equal({
      callVariable1: 'a',
      'user.x[0]': 'b',
    });
    expect(
      callVariablesFrom({ callvariables: { CallVariable: { name: 'callVariable2', value: 'c' } } }),
    ).to.deep.equal({
      callVariable2: 'c',
    });
    expect(
      callVariablesFrom({
        callvariables: { CallVariable: [{ name: 'user.a', value: 1 }, { name: 'bad' }] },
      }),
    ).to.deep.equal({ 'user.a': '1' });
    expect(callVariablesFrom(null)).to.deep.equal({});
  });

  it('errors: from rsp.object.ApiErrors (object or array) or from the XML content', () => {
    expect(
      finesseError({
        status: 400,
        object: { ApiErrors: { ApiError: { ErrorType: 'Invalid State', ErrorMessage: 'No' } } },
      }),
    ).to.deep.equal({ status: 400, errorType: 'Invalid State', errorMessage: 'No' });
    expect(
      finesseError({
        status: 503,
        object: { ApiErrors: { ApiError: [{ ErrorType: 'A', ErrorMessage: 'first' }, {}] } },
      }),
    ).to.deep.equal({ status: 503, errorType: 'A', errorMessage: 'first' });
    expect(
      finesseError({
        status: 500,
        content:
          '<ApiErrors><ApiError><ErrorType>X</ErrorType><ErrorMessage>a &amp; b</ErrorMessage></ApiError></ApiErrors>',
      }),
    ).to.deep.equal({ status: 500, errorType: 'X', errorMessage: 'a & b' });
    expect(finesseError('nonsense')).to.deep.equal({});
    expect(apiErrorFromXml('<html>oops</html>')).to.deep.equal({});
  });

  it('UPDATE_CALL_DATA XML escapes names and values', () => {
    const xml = updateCallDataXml({ callVariable1: '<a & "b">', "user.o'k": 'y' });
    expect(xml).to.equal(
      '<Dialog><requestedAction>UPDATE_CALL_DATA</requestedAction><mediaProperties><callvariables>' +
        '<CallVariable><name>callVariable1</name><value>&lt;a &amp; &quot;b&quot;&gt;</value></CallVariable>' +
        '<CallVariable><name>user.o&apos;k</name><value>y</value></CallVariable>' +
        '</callvariables></mediaProperties></Dialog>',
    );
    expect(
      new DOMParser().parseFromString(xml, 'application/xml').querySelector('parsererror'),
    ).to.equal(null);
  });
});
