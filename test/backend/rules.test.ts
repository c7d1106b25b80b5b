// The back-end rules as pure functions. The conformance suite (test/conformance/) checks that
// both back ends apply them; this pins the rules themselves, including the ones a client
// cannot easily provoke over the wire (truncation of long error messages).
import { expect } from '@open-wc/testing';
import {
  answerCode,
  errorMessageOf,
  gadgetEvent,
  httpStatusFor,
  ivrStep,
  maxErrorMessageChars,
  maxTokenChars,
  nextStepAfterStep,
  scoreFor,
  seededSurveys,
  surveysCopy,
  truncateErrorMessage,
  validToken,
} from '../../src/backend/rules.js';
import { ServerErrorCodes } from '../../src/protocol/errors.js';

describe('back-end rules', () => {
  it('every server error code has an HTTP status; an unknown code is a 500', () => {
    for (const code of Object.values(ServerErrorCodes))
      expect(httpStatusFor(code), code).to.be.within(400, 599);
    expect(httpStatusFor('unknown-session')).to.equal(404);
    expect(httpStatusFor('unknown-interaction')).to.equal(404);
    expect(httpStatusFor('not-primary')).to.equal(503);
    expect(httpStatusFor('explode')).to.equal(500);
    expect(httpStatusFor('toString')).to.equal(500);
    expect(answerCode('closed')).to.equal('closed');
    expect(answerCode('explode')).to.equal('internal');
    expect(answerCode(undefined)).to.equal('internal');
  });

  it('error messages are cut to maxErrorMessageChars', () => {
    expect(truncateErrorMessage('short')).to.equal('short');
    const long = 'x'.repeat(maxErrorMessageChars + 50);
    expect(truncateErrorMessage(long)).to.have.length(maxErrorMessageChars);
    expect(errorMessageOf(new Error(long))).to.have.length(maxErrorMessageChars);
    expect(errorMessageOf('plain')).to.equal('plain');
  });

  it('tokens: non-empty, at most maxTokenChars, not the rejected one', () => {
    expect(validToken('t'.repeat(maxTokenChars))).to.equal(true);
    expect(validToken('t'.repeat(maxTokenChars + 1))).to.equal(false);
    for (const bad of ['', 'bad-token', undefined, 42, null])
      expect(validToken(bad)).to.equal(false);
  });

  it('the IVR: requested/transferred/armed -> offered -> in-progress -> completed, then nothing', () => {
    expect(['requested', 'transferred', 'armed'].map((s) => ivrStep(s as 'armed'))).to.deep.equal([
      'offered',
      'offered',
      'offered',
    ]);
    expect(ivrStep('offered')).to.equal('in-progress');
    expect(ivrStep('in-progress')).to.equal('completed');
    for (const s of ['completed', 'failed', 'cancelled'] as const)
      expect(ivrStep(s)).to.equal(undefined);
    expect(nextStepAfterStep('offered', 1000, 200)).to.equal(1200);
    expect(nextStepAfterStep('completed', 1000, 200)).to.equal(null);
  });

  it('gadget events: transfer starts the IVR, cancel stops it, armed keeps it; no rewinds', () => {
    for (const telephony of [true, false]) {
      expect(gadgetEvent('requested', 'transferred', telephony)).to.deep.equal({
        status: 'transferred',
        nextStep: 'start',
      });
      expect(gadgetEvent('offered', 'cancelled', telephony)).to.deep.equal({
        status: 'cancelled',
        nextStep: 'stop',
      });
      expect(gadgetEvent('armed', 'transferred', telephony)?.status).to.equal('transferred');
      expect(gadgetEvent('offered', 'armed', telephony)).to.equal(undefined);
      expect(gadgetEvent('in-progress', 'transferred', telephony)).to.equal(undefined);
      expect(gadgetEvent('armed', 'armed', telephony)).to.equal(undefined);
      expect(gadgetEvent('completed', 'cancelled', telephony)).to.equal(undefined);
    }
    // armed marks the call: with calls, wait for the hang-up; without, it counts as hung up
    expect(gadgetEvent('requested', 'armed', true)).to.deep.equal({
      status: 'armed',
      nextStep: 'keep',
    });
    expect(gadgetEvent('requested', 'armed', false)).to.deep.equal({
      status: 'armed',
      nextStep: 'start',
    });
  });

  it('seed data: scores are stable in 1..5; the seed cannot be changed through a copy', () => {
    expect(scoreFor('sr-abc')).to.equal(scoreFor('sr-abc'));
    const scores = new Set(Array.from({ length: 50 }, (_, i) => scoreFor(`sr-${i}`)));
    expect([...scores].every((s) => s >= 1 && s <= 5)).to.equal(true);
    expect(scores.size).to.be.greaterThan(1);
    const copy = surveysCopy();
    expect(copy).to.deep.equal(seededSurveys);
    copy[0]!.channels.push('carrier-pigeon' as 'sms');
    expect(seededSurveys[0]!.channels).to.deep.equal(['ivr', 'sms']);
    expect(Object.isFrozen(seededSurveys)).to.equal(true);
  });
});
