/**
 * The mocked interaction server: a versioned property bag per interaction, a snapshot on
 * `watch`, then one `properties` delta per change with `version` + 1 (never skipped, never
 * reordered), like the reference cluster's interaction server.
 */
import { Limits } from '../protocol/limits.js';
import {
  InteractionEvents as E,
  watchRequest,
  type Properties,
  type PropertiesDelta,
} from '../protocol/wire.js';
import { object, string } from '../protocol/validate.js';
import { answer, MockFault, parse } from './common.js';
import { SioEndpoint } from './endpoint.js';
import type { MockSocket } from './sio-server.js';
import type { Timers } from './timers.js';

interface Interaction {
  version: number;
  properties: Properties;
}

const unwatchRequest = object({ interactionId: string({ min: 1, max: Limits.maxIdLength }) });
const room = (interactionId: string) => `i:${interactionId}`;

/**
 * Two interaction servers ('interactions' and 'interactions-b', primary and backup) over one
 * store, as the seed's HA pair: a client that loses one resyncs from the other with
 * `sinceVersion`, and both push the same deltas.
 */
export class InteractionServer {
  readonly #interactions = new Map<string, Interaction>();
  /** `${serverId} ${interactionId}` -> fields that replace the next watch answer's */
  readonly #nextWatch = new Map<string, { version?: unknown; properties?: unknown }>();
  readonly endpoints: SioEndpoint[];

  constructor(timers: Timers, validToken: (t: string | undefined) => boolean) {
    this.endpoints = ['interactions', 'interactions-b'].map(
      (id) =>
        new SioEndpoint({ id, timers, validToken, setup: (socket) => this.#setup(socket, id) }),
    );
  }

  endpoint(id: string): SioEndpoint {
    const e = this.endpoints.find((x) => x.id === id);
    if (!e) throw new MockFault('not-found', `no interaction server ${id}`);
    return e;
  }

  #setup(socket: MockSocket, serverId: string): void {
    socket.on(E.watch, (payload, ack) =>
      answer(ack, () => {
        const { interactionId } = parse(watchRequest(payload));
        const ix = this.#interactions.get(interactionId);
        if (!ix) throw new MockFault('unknown-interaction', `no interaction ${interactionId}`);
        // Joining and reading in one synchronous turn: no delta can fall between the snapshot
        // and the first pushed delta. The snapshot is always complete, whatever sinceVersion
        // says; the client simply replaces its state.
        socket.rooms.add(room(interactionId));
        const genuine = {
          ok: true,
          interactionId,
          version: ix.version,
          properties: { ...ix.properties },
        };
        const key = `${serverId} ${interactionId}`;
        const patch = this.#nextWatch.get(key);
        this.#nextWatch.delete(key);
        return { ...genuine, ...patch };
      }),
    );
    socket.on(E.unwatch, (payload, ack) =>
      answer(ack, () => {
        const { interactionId } = parse(unwatchRequest(payload));
        socket.rooms.delete(room(interactionId));
        return { ok: true };
      }),
    );
    socket.on(E.heartbeat, (_payload, ack) => answer(ack, () => ({ ok: true, t: Date.now() })));
  }

  #toWatchers(interactionId: string, payload: unknown): void {
    for (const e of this.endpoints) e.toRoom(room(interactionId), E.properties, payload);
  }

  create(interactionId: string, properties: Properties): void {
    this.#interactions.set(interactionId, { version: 1, properties: { ...properties } });
  }

  has(interactionId: string): boolean {
    return this.#interactions.has(interactionId);
  }

  get(interactionId: string): { version: number; properties: Properties } {
    const ix = this.#interactions.get(interactionId);
    if (!ix) throw new MockFault('unknown-interaction', `no interaction ${interactionId}`);
    return { version: ix.version, properties: { ...ix.properties } };
  }

  /**
   * Applies one change as one delta. Values are not checked against the property validator on
   * purpose: tests use this to push hostile values (a foreign `chat.url`, an oversized string)
   * and watch the client refuse them. Only the shape needed to keep the mock itself sane is kept.
   */
  setProperties(
    interactionId: string,
    set: Properties,
    unset: readonly string[] = [],
  ): PropertiesDelta {
    const ix = this.#interactions.get(interactionId);
    if (!ix) throw new MockFault('unknown-interaction', `no interaction ${interactionId}`);
    const delta: PropertiesDelta = {
      interactionId,
      version: ix.version + 1,
      set: { ...set },
      unset: [...unset],
    };
    ix.version = delta.version;
    for (const key of delta.unset) delete ix.properties[key];
    Object.assign(ix.properties, delta.set);
    this.#toWatchers(interactionId, delta);
    return delta;
  }

  /** Fault injection: the next watch of `interactionId` on server `serverId` is answered with
   *  these fields instead of the genuine ones (e.g. `{ version: 1e15 }`), once. */
  overrideNextWatch(
    serverId: string,
    interactionId: string,
    patch: { version?: unknown; properties?: unknown },
  ): void {
    this.endpoint(serverId);
    this.#nextWatch.set(`${serverId} ${interactionId}`, { ...patch });
  }

  /** Fault injection: an arbitrary payload as a `properties` event to the watchers. */
  emitRaw(interactionId: string, payload: unknown): void {
    this.#toWatchers(interactionId, payload);
  }
}
