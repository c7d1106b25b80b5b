// The supervisor's restore policy, without forking a cluster (cluster/lib/restore-policy.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  restoreGiveUpMs,
  restoreStep,
  retryAfterFailure,
} from '../../cluster/lib/restore-policy.mjs';

const base = { shuttingDown: false, sessions: 2, fromUsable: false, hasTarget: true, elapsedMs: 0 };

test('sessions of a dead instance move to a target', () => {
  assert.equal(restoreStep(base), 'move');
  assert.equal(restoreStep({ ...base, elapsedMs: restoreGiveUpMs + 1 }), 'move');
});

test('nothing to do: shutting down, no sessions, or the instance was revived meanwhile', () => {
  assert.equal(restoreStep({ ...base, shuttingDown: true }), 'nothing');
  assert.equal(restoreStep({ ...base, sessions: 0 }), 'nothing');
  assert.equal(restoreStep({ ...base, fromUsable: true }), 'nothing');
});

test('no instance can take them: retried until the give-up window closes', () => {
  const none = { ...base, hasTarget: false };
  assert.equal(restoreStep({ ...none, elapsedMs: 0 }), 'retry');
  assert.equal(restoreStep({ ...none, elapsedMs: restoreGiveUpMs - 1 }), 'retry');
  assert.equal(restoreStep({ ...none, elapsedMs: restoreGiveUpMs }), 'nothing');
  assert.equal(retryAfterFailure(restoreGiveUpMs - 1), true);
  assert.equal(retryAfterFailure(restoreGiveUpMs), false);
});
