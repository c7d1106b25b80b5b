// The simulated survey IVR over the shared store, used by the PCS nodes and the supervisor
// (whose `pcs.ivr` control advances a request by hand). The rules themselves (which status
// follows which, what an event does, the score) are src/backend/rules.ts, shared with the mock.
import { rules } from './rules.mjs';

/** The seed surveys (one per dialed number; '8001' has none). */
export const surveys = rules.seededSurveys;

const nextRev = (db) =>
  db.prepare('SELECT COALESCE(MAX(rev), 0) + 1 AS rev FROM survey_requests').get().rev;

/** Sets a request's status (and score, next step) and logs the change for the nodes to push. */
function change(db, id, status, score, now, nextStepAt) {
  const rev = nextRev(db);
  db.prepare(
    'UPDATE survey_requests SET status = ?, score = ?, updated_at = ?, next_step_at = ?, rev = ? WHERE id = ?',
  ).run(status, score, now, nextStepAt, rev, id);
  db.prepare('INSERT INTO survey_changes (rev, request_id, status, score) VALUES (?, ?, ?, ?)').run(
    rev,
    id,
    status,
    score,
  );
}

/**
 * Moves one request one IVR step (requested/transferred/armed -> offered -> in-progress ->
 * completed). Returns true when it moved. Runs inside the caller's transaction.
 */
export function advance(db, row, now, stepMs) {
  const status = rules.ivrStep(row.status);
  if (!status) return false;
  const score = status === 'completed' ? rules.scoreFor(row.id) : null;
  change(db, row.id, status, score, now, rules.nextStepAfterStep(status, now, stepMs));
  return true;
}

/**
 * Records a gadget event (transferred | armed | cancelled) as rules.gadgetEvent says. The
 * cluster has no telephony: an armed call counts as hung up at once.
 */
export function applyEvent(db, row, event, now, stepMs) {
  const next = rules.gadgetEvent(row.status, event, false);
  if (!next) return false;
  const nextStepAt =
    next.nextStep === 'start' ? now + stepMs : next.nextStep === 'stop' ? null : row.next_step_at;
  change(db, row.id, next.status, row.score, now, nextStepAt);
  return true;
}

export { nextRev };
