/**
 * The version-trust rule: how a client folds an interaction server's snapshots (watch answers)
 * and deltas into one state it can believe, without ever being blinded by one bad number.
 *
 * 1. Within bounds, a server's versions are believed. A delta applies on top of exactly the
 *    previous version (v + 1); a delta at or below the current version is a duplicate; one that
 *    skips versions asks for a re-watch (once per version).
 * 2. A snapshot is authoritative for its server: one at or above the current version replaces
 *    the state (the same version with other content too: the server knows best).
 * 3. A snapshot that would rewind what was seen, or jump more than `Limits.maxVersionJump` past
 *    it (no server makes a million changes between two looks; `version: 1e15` from a backup is
 *    a broken or hostile answer), is a contradiction: it is not applied, and a re-watch is asked.
 *    If the next answer agrees with the contradicting one (at or above it, within the bound), the
 *    server means it: it is taken as a new epoch of the version space. So the worst a bad number
 *    costs is one round trip, and no number can blind the client for good.
 * 4. A delta older than the last snapshot is a contradiction too (on one socket a server never
 *    sends one): re-watch.
 * 5. A refused update does not use up its version: when the owner refuses what the latest delta
 *    set (an endpoint off the allowlist, an unreadable endpoint), those keys go back to what they
 *    were and the version back to the one before, so the server's next genuine update for the
 *    same keys (the same version number) is taken.
 *
 * Pure: no sockets, no time. `PropertyStream` (src/core) feeds it and performs the re-watches.
 */
import { Limits } from './limits.js';
import type { Properties, PropertiesDelta, WatchAnswer } from './wire.js';

export interface VersionedProperties {
  readonly interactionId: string;
  readonly version: number;
  readonly properties: Readonly<Properties>;
}

export type RewatchReason = 'gap' | 'rewind' | 'jump' | 'older-than-snapshot';

export type TrustDecision =
  | { readonly kind: 'apply'; readonly state: VersionedProperties }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'rewatch'; readonly reason: RewatchReason; readonly from: number };

export interface VersionTrustOptions {
  /** default `Limits.maxVersionJump` */
  maxJump?: number;
  /** default `Limits.maxStoredProperties` */
  maxKeys?: number;
}

const ignore: TrustDecision = { kind: 'ignore' };

function sameProperties(a: Readonly<Properties>, b: Readonly<Properties>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

export class VersionTrust {
  readonly #maxJump: number;
  readonly #maxKeys: number;
  #state: VersionedProperties | null = null;
  /** version of the last snapshot taken: no delta below it can be genuine */
  #base = 0;
  /** the state before the latest delta and the keys it changed (rule 5) */
  #beforeDelta: { state: VersionedProperties; keys: readonly string[] } | null = null;
  /** a contradicting snapshot version waiting for the server to confirm it (rule 3) */
  #held: number | null = null;
  /** the version at which a re-watch was asked (asked once per version) */
  #asked: number | null = null;
  /** keys dropped from the latest input because the stored state is full */
  overflow: readonly string[] = [];

  constructor(o: VersionTrustOptions = {}) {
    this.#maxJump = o.maxJump ?? Limits.maxVersionJump;
    this.#maxKeys = o.maxKeys ?? Limits.maxStoredProperties;
  }

  get current(): VersionedProperties | null {
    return this.#state;
  }

  snapshot(answer: Pick<WatchAnswer, 'interactionId' | 'version' | 'properties'>): TrustDecision {
    this.overflow = [];
    const cur = this.#state;
    if (cur && answer.interactionId !== cur.interactionId) return ignore;
    const w = answer.version;
    const believable = !cur || (w >= cur.version && w - cur.version <= this.#maxJump);
    const confirmed = this.#held !== null && w >= this.#held && w - this.#held <= this.#maxJump;
    if (!believable && !confirmed) {
      this.#held = w;
      this.#asked = cur!.version;
      return { kind: 'rewatch', reason: w < cur!.version ? 'rewind' : 'jump', from: cur!.version };
    }
    this.#held = null;
    this.#asked = null;
    this.#base = w;
    this.#beforeDelta = null;
    const properties = this.#bounded({}, answer.properties);
    if (cur && cur.version === w && sameProperties(cur.properties, properties)) return ignore;
    this.#state = Object.freeze({
      interactionId: answer.interactionId,
      version: w,
      properties: Object.freeze(properties),
    });
    return { kind: 'apply', state: this.#state };
  }

  delta(d: PropertiesDelta): TrustDecision {
    this.overflow = [];
    const cur = this.#state;
    if (!cur || d.interactionId !== cur.interactionId) return ignore;
    if (d.version === cur.version + 1) {
      const next: Properties = { ...cur.properties };
      for (const key of d.unset) delete next[key];
      const properties = this.#bounded(next, d.set);
      this.#beforeDelta = { state: cur, keys: [...Object.keys(d.set), ...d.unset] };
      this.#asked = null;
      // the server goes on from where we are: a contradiction it made earlier is void
      this.#held = null;
      this.#state = Object.freeze({
        interactionId: cur.interactionId,
        version: d.version,
        properties: Object.freeze(properties),
      });
      return { kind: 'apply', state: this.#state };
    }
    const reason: RewatchReason | null =
      d.version > cur.version ? 'gap' : d.version < this.#base ? 'older-than-snapshot' : null;
    if (!reason || this.#asked === cur.version) return ignore;
    this.#asked = cur.version;
    return { kind: 'rewatch', reason, from: cur.version };
  }

  /**
   * The owner refused `keys` of the state at `version` (rule 5). When that state came from a
   * delta, the keys return to their previous values and the version to the previous one;
   * returns true then. A refused snapshot stays: it is the server's word (the owner keeps its
   * last good endpoint).
   */
  refuse(version: number, keys: readonly string[]): boolean {
    const cur = this.#state;
    const before = this.#beforeDelta;
    if (!cur || !before || cur.version !== version || before.state.version !== version - 1)
      return false;
    // a delta that did not touch the refused keys did not bring the refused value: it stands
    if (!keys.some((k) => before.keys.includes(k))) return false;
    const properties: Properties = { ...cur.properties };
    for (const key of keys) {
      const old = before.state.properties[key];
      if (old === undefined) delete properties[key];
      else properties[key] = old;
    }
    this.#state = Object.freeze({
      interactionId: cur.interactionId,
      version: version - 1,
      properties: Object.freeze(properties),
    });
    this.#beforeDelta = null;
    this.#asked = null;
    return true;
  }

  /** Adds `incoming` to `into`, never past `maxKeys` keys (new keys over it go to `overflow`). */
  #bounded(into: Properties, incoming: Readonly<Properties>): Properties {
    const over: string[] = [];
    let count = Object.keys(into).length;
    for (const [key, value] of Object.entries(incoming)) {
      if (!Object.prototype.hasOwnProperty.call(into, key)) {
        if (count >= this.#maxKeys) {
          over.push(key);
          continue;
        }
        count++;
      }
      into[key] = value;
    }
    this.overflow = over;
    return into;
  }
}
