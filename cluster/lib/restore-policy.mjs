// What the supervisor does when a killed chat instance's restore timer fires: a pure decision,
// so the policy is unit-tested (test/node/restore-policy.test.mjs) without forking a cluster.

/** Restores are retried for this long after the kill (Genesys). */
export const restoreGiveUpMs = 60_000;

/**
 * @param {{ shuttingDown: boolean, sessions: number, fromUsable: boolean, hasTarget: boolean,
 *   elapsedMs: number }} s the cluster as the timer finds it
 * @returns {'nothing' | 'retry' | 'move'} `move`: the sessions go to the target now; `retry`:
 *   no instance can take them yet, ask again after the delay; `nothing`: done or given up
 */
export function restoreStep({ shuttingDown, sessions, fromUsable, hasTarget, elapsedMs }) {
  if (shuttingDown || sessions === 0) return 'nothing';
  if (fromUsable) return 'nothing'; // revived meanwhile: it serves them again
  if (hasTarget) return 'move';
  return elapsedMs < restoreGiveUpMs ? 'retry' : 'nothing';
}

/** After a failed move: retry while within the give-up window. */
export const retryAfterFailure = (elapsedMs) => elapsedMs < restoreGiveUpMs;
