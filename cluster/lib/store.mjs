// The shared store: one SQLite file (better-sqlite3, WAL) that every cluster process opens.
// Whatever must outlive a SIGKILLed chat instance or PCS node lives here: sessions and their
// transcripts, interaction properties, survey requests and the PCS primary lease.
// See cluster/README.md ("Why SQLite") for the reasons.
import Database from 'better-sqlite3';

const schema = `
CREATE TABLE IF NOT EXISTS interactions (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  properties TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS property_deltas (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, -- every interaction server pushes rows past its cursor
  interaction_id TEXT NOT NULL,
  version INTEGER,                       -- NULL for injected raw payloads
  payload TEXT NOT NULL                  -- JSON, exactly what watchers receive
);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  interaction_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,           -- the one instance that serves it (fencing for writes)
  state TEXT NOT NULL,                 -- active | closed
  epoch INTEGER NOT NULL,              -- bumped at every restore / relocation
  last_seq INTEGER NOT NULL,
  participants TEXT NOT NULL,          -- JSON Participant[]
  fail_save TEXT                       -- next save fails: 'notice' | 'close' (fault injection)
);
CREATE TABLE IF NOT EXISTS messages (
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  client_msg_id TEXT,
  sender TEXT NOT NULL,                -- JSON Participant
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq),
  UNIQUE (session_id, client_msg_id)   -- idempotent send, enforced by the store itself
);
CREATE TABLE IF NOT EXISTS pcs_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  holder TEXT,
  epoch INTEGER NOT NULL,
  lease_until INTEGER NOT NULL
);
INSERT OR IGNORE INTO pcs_lease (id, holder, epoch, lease_until) VALUES (1, NULL, 0, 0);
CREATE TABLE IF NOT EXISTS survey_requests (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,                  -- JSON SurveyRequestBody
  status TEXT NOT NULL,
  score REAL,
  transfer TEXT NOT NULL,              -- JSON { dn, callVariables }
  node_id TEXT NOT NULL,               -- node that accepted it
  epoch INTEGER NOT NULL,              -- that node's epoch then
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_step_at INTEGER,                -- simulated IVR: when the primary advances it next
  rev INTEGER NOT NULL                 -- global change counter: nodes push rows with rev > last seen
);
CREATE INDEX IF NOT EXISTS survey_requests_rev ON survey_requests (rev);
-- every status change, in order: nodes push these, so two changes between two polls are both
-- heard (a row holds only the latest status)
CREATE TABLE IF NOT EXISTS survey_changes (
  rev INTEGER PRIMARY KEY,             -- the request row's rev after this change
  request_id TEXT NOT NULL,
  status TEXT NOT NULL,
  score REAL
);
`;

/** Opens the store; `create` also applies the schema (done once, by the supervisor). */
export function openStore(file, { create = false } = {}) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Writers from several processes queue on the file lock instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  // WAL + NORMAL: a committed transaction survives the SIGKILL of its process (not a power cut).
  db.pragma('synchronous = NORMAL');
  if (create) db.exec(schema);
  return db;
}

export function rowToMessage(row) {
  const message = {
    seq: row.seq,
    id: row.id,
    sessionId: row.session_id,
    from: JSON.parse(row.sender),
    text: row.text,
    ts: row.ts,
  };
  if (row.client_msg_id) message.clientMsgId = row.client_msg_id;
  return message;
}

export function transcript(db, sessionId, afterSeq = 0) {
  return db
    .prepare('SELECT * FROM messages WHERE session_id = ? AND seq > ? ORDER BY seq')
    .all(sessionId, afterSeq)
    .map(rowToMessage);
}

export function sessionByInteraction(db, interactionId) {
  return db.prepare('SELECT * FROM sessions WHERE interaction_id = ?').get(interactionId);
}

export function rowToSurveyAnswer(row) {
  const answer = {
    requestId: row.id,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    transfer: JSON.parse(row.transfer),
  };
  if (row.score !== null && row.score !== undefined) answer.score = row.score;
  return answer;
}

export function rowToSurveyRecord(row) {
  return {
    ...rowToSurveyAnswer(row),
    ...JSON.parse(row.body),
    nodeId: row.node_id,
    epoch: row.epoch,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
