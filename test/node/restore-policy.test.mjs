// The chat restore rule both back ends follow (src/backend/rules.ts restoreStep), as the
// cluster's supervisor gets it from its bundle: without forking a cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rules } from '../../cluster/lib/rules.mjs';

const { restoreGiveUpMs, restoreStep, retryRestoreAfterFailure } = rules;
const base = {
  shuttingDown: false,
  sessions: 2,
  fromUsable: false,
  hasOtherTarget: true,
  elapsedMs: 0,
};

test('sessions of a dead instance move to another instance', () => {
  assert.equal(restoreStep(base), 'move');
  assert.equal(restoreStep({ ...base, elapsedMs: restoreGiveUpMs + 1 }), 'move');
});

test('revived meanwhile: the sessions still go elsewhere, back only when it is the one left', () => {
  assert.equal(restoreStep({ ...base, fromUsable: true }), 'move');
  assert.equal(restoreStep({ ...base, fromUsable: true, hasOtherTarget: false }), 'move-back');
});

test('nothing to do: shutting down, or no sessions', () => {
  assert.equal(restoreStep({ ...base, shuttingDown: true }), 'nothing');
  assert.equal(restoreStep({ ...base, sessions: 0 }), 'nothing');
  assert.equal(restoreStep({ ...base, sessions: 0, fromUsable: true }), 'nothing');
});

test('no instance can take them: retried until the give-up window closes', () => {
  const none = { ...base, hasOtherTarget: false };
  assert.equal(restoreStep({ ...none, elapsedMs: 0 }), 'retry');
  assert.equal(restoreStep({ ...none, elapsedMs: restoreGiveUpMs - 1 }), 'retry');
  assert.equal(restoreStep({ ...none, elapsedMs: restoreGiveUpMs }), 'nothing');
  assert.equal(retryRestoreAfterFailure(restoreGiveUpMs - 1), true);
  assert.equal(retryRestoreAfterFailure(restoreGiveUpMs), false);
});
