// The cluster's rules are src/backend/rules.ts itself, bundled at start-up, not a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../cluster/lib/rules.mjs';
import { surveys } from '../../cluster/lib/surveys.mjs';
import { statusFor, validToken } from '../../cluster/lib/common.mjs';

test('the cluster uses the shared back-end rules', () => {
  assert.equal(validToken, rules.validToken);
  assert.equal(statusFor, rules.httpStatusFor);
  assert.equal(surveys, rules.seededSurveys);
  assert.equal(rules.maxTokenChars, 4096);
  assert.equal(validToken('t'.repeat(4097)), false);
  assert.equal(statusFor('unknown-session'), 404);
  assert.equal(rules.ivrStep('requested'), 'offered');
});
