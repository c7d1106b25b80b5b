// Interaction properties in the shared store. The supervisor writes (control verbs, restores,
// relocations); every interaction server reads snapshots and pushes the delta log to its
// watchers, so the primary and the backup server push the same deltas, and either can die.
import { fault } from './ipc.mjs';
import { newId } from './common.mjs';

export function propertyStore(db) {
  const getRow = db.prepare('SELECT * FROM interactions WHERE id = ?');
  const putRow = db.prepare(
    'INSERT INTO interactions (id, version, properties) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, properties = excluded.properties',
  );
  const logDelta = db.prepare(
    'INSERT INTO property_deltas (interaction_id, version, payload) VALUES (?, ?, ?)',
  );
  const countSessions = db.prepare(
    "SELECT instance_id AS id, COUNT(*) AS n FROM sessions WHERE state = 'active' GROUP BY instance_id",
  );
  const insertSession = db.prepare(
    "INSERT INTO sessions (id, interaction_id, instance_id, state, epoch, last_seq, participants) VALUES (?, ?, ?, 'active', 1, 0, ?)",
  );

  function snapshot(interactionId) {
    const row = getRow.get(interactionId);
    if (!row) return undefined;
    return { interactionId, version: row.version, properties: JSON.parse(row.properties) };
  }

  /** One change = one delta with version + 1, committed together with the new state. */
  const setProperties = db.transaction((interactionId, set, unset) => {
    const current = snapshot(interactionId);
    if (!current) throw fault('unknown-interaction', `no interaction ${interactionId}`);
    const properties = { ...current.properties, ...set };
    for (const key of unset) delete properties[key];
    const delta = { interactionId, version: current.version + 1, set, unset };
    putRow.run(interactionId, delta.version, JSON.stringify(properties));
    logDelta.run(interactionId, delta.version, JSON.stringify(delta));
    return delta;
  });

  return {
    snapshot,
    setProperties: (interactionId, set, unset = []) =>
      setProperties.immediate(interactionId, set, unset),
    /** Fault injection: an arbitrary payload in the log, pushed as a `properties` event. */
    emitRaw(interactionId, payload) {
      logDelta.run(interactionId, null, JSON.stringify(payload ?? null));
    },
    /** A new chat on the least-loaded candidate (or the one asked for). */
    startChat({ customerName = 'Customer', instanceId, candidates }) {
      const loads = new Map(countSessions.all().map((r) => [r.id, r.n]));
      const pool = instanceId ? candidates.filter((c) => c.id === instanceId) : candidates;
      if (pool.length === 0) {
        throw fault(
          'not-found',
          instanceId ? `instance ${instanceId} cannot take chats` : 'no chat instance available',
        );
      }
      const target = [...pool].sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0))[0];
      const interactionId = newId('ix');
      const sessionId = newId('cs');
      const customer = {
        id: `customer-${interactionId}`,
        name: String(customerName).slice(0, 200),
        role: 'customer',
      };
      const properties = {
        'chat.sessionId': sessionId,
        'chat.instanceId': target.id,
        'chat.url': target.url,
        'chat.state': 'active',
        'chat.epoch': 1,
      };
      db.transaction(() => {
        insertSession.run(sessionId, interactionId, target.id, JSON.stringify([customer]));
        putRow.run(interactionId, 1, JSON.stringify(properties));
      }).immediate();
      return { interactionId, sessionId, instanceId: target.id };
    },
  };
}
