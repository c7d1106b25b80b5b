// PCS seed data and the simulated survey IVR, shared by the PCS nodes and the supervisor
// (whose `pcs.ivr` control advances a request by hand).

/** One active survey per service (dialed number); '8001' has none. Same seed as the mock. */
export const surveys = [
  {
    id: 'srv-8000',
    name: 'Customer satisfaction',
    dialedNumber: '8000',
    surveyDn: '9100',
    channels: ['ivr', 'sms'],
    languages: ['en', 'es', 'fr'],
  },
];

/** Where the IVR goes next; `completed` carries a score. Only `pcs.ivr` (by hand) moves a
 * `requested` one: the automatic IVR waits for the gadget's transferred/armed event. */
const nextStatus = {
  requested: 'offered',
  transferred: 'offered',
  armed: 'offered',
  offered: 'in-progress',
  'in-progress': 'completed',
};

/** A stable 1..5 score per request, so tests can compare both back ends' records. */
export function scoreFor(requestId) {
  let h = 0;
  for (const c of requestId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 1 + (h % 5);
}

const nextRev = (db) =>
  db.prepare('SELECT COALESCE(MAX(rev), 0) + 1 AS rev FROM survey_requests').get().rev;

/**
 * Moves one request a step along offered -> in-progress -> completed. Returns true when it
 * moved. Runs inside the caller's transaction.
 */
export function advance(db, row, now, stepMs) {
  const status = nextStatus[row.status];
  if (!status) return false;
  const score = status === 'completed' ? scoreFor(row.id) : null;
  db.prepare(
    'UPDATE survey_requests SET status = ?, score = ?, updated_at = ?, next_step_at = ?, rev = ? WHERE id = ?',
  ).run(status, score, now, status === 'completed' ? null : now + stepMs, nextRev(db), row.id);
  return true;
}

/** Records a gadget event (transferred | armed | cancelled); the IVR starts after a stepMs. */
export function applyEvent(db, row, event, now, stepMs) {
  const terminal = ['completed', 'failed', 'cancelled'];
  if (terminal.includes(row.status) || row.status === event) return false;
  // A late 'armed' after the IVR already picked the call up must not rewind it.
  if (event !== 'cancelled' && !['requested', 'transferred', 'armed'].includes(row.status))
    return false;
  db.prepare(
    'UPDATE survey_requests SET status = ?, updated_at = ?, next_step_at = ?, rev = ? WHERE id = ?',
  ).run(event, now, event === 'cancelled' ? null : now + stepMs, nextRev(db), row.id);
  return true;
}

export { nextRev };
