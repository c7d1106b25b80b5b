/**
 * Interaction-server properties read key by key (the watch answer and every delta): what is bad
 * is dropped and named, the rest kept. Part of the wire protocol (wire.ts re-exports it); a
 * module of its own so that a bundle that never reads properties (the survey gadget outside the
 * interaction-stream mode) leaves it out.
 */
import { Limits } from './limits.js';
import { id, properties, Props, propertyValue, version, type Properties } from './properties.js';
import { isPlainObject, literal, object, type Result } from './validate.js';
import type { PropertiesDelta, WatchAnswer } from './wire.js';

/** A property the client did not keep, and why (for one `invalid-properties` report). */
export interface DroppedProperty {
  readonly key: string;
  readonly reason: string;
}

/** Properties as read key by key: the usable ones, and the ones dropped. */
export interface TolerantProperties {
  readonly properties: Properties;
  readonly dropped: readonly DroppedProperty[];
}

/** Names that would reach an object's prototype machinery if ever assigned with `[]=`. */
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);
const wellKnown = new Set<string>(Object.values(Props));

/**
 * Reads a `properties` object key by key. Interaction servers carry user data nobody here chose
 * (long notes, odd keys): a bad key is dropped and named in `dropped`, and the rest is kept, so
 * an unused property can never hide a relocation. Limits stay: values longer than
 * `maxPropertyLength`, keys longer than `maxPropertyKeyLength`, prototype names, and keys past
 * `maxPropertiesPerUpdate` (well-known keys are kept first) are dropped. Only a value that is
 * not an object at all fails.
 */
export function readProperties(raw: unknown, path = 'properties'): Result<TolerantProperties> {
  if (!isPlainObject(raw)) return properties(raw, path) as Result<never>;
  const out: Properties = Object.create(null) as Properties;
  const dropped: DroppedProperty[] = [];
  const keys = Object.keys(raw);
  // well-known keys first, so a flood of user data cannot push chat.url past the limit
  keys.sort((a, b) => Number(wellKnown.has(b)) - Number(wellKnown.has(a)));
  let kept = 0;
  for (const key of keys) {
    let reason: string | undefined;
    if (key.length < 1 || key.length > Limits.maxPropertyKeyLength)
      reason = `name longer than ${Limits.maxPropertyKeyLength}`;
    else if (prototypeKeys.has(key)) reason = 'reserved name';
    else if (kept >= Limits.maxPropertiesPerUpdate)
      reason = `over ${Limits.maxPropertiesPerUpdate} properties in one update`;
    else {
      const r = propertyValue(raw[key], key);
      if (!r.ok) reason = r.error;
      else {
        out[key] = r.value;
        kept++;
      }
    }
    if (reason) dropped.push({ key, reason });
  }
  return { ok: true, value: { properties: out, dropped } };
}

/** A watch answer read key by key (see {@link readProperties}). */
export interface TolerantWatchAnswer {
  readonly answer: WatchAnswer;
  readonly dropped: readonly DroppedProperty[];
}

const watchAnswerHead = object({ ok: literal(true), interactionId: id, version });

export function readWatchAnswer(raw: unknown): Result<TolerantWatchAnswer> {
  const head = watchAnswerHead(raw);
  if (!head.ok) return head;
  const props = readProperties((raw as Record<string, unknown>)['properties']);
  if (!props.ok) return props;
  return {
    ok: true,
    value: {
      answer: { ...head.value, properties: props.value.properties },
      dropped: props.value.dropped,
    },
  };
}

/** A delta read key by key (see {@link readProperties}); `unset` names that are not property
 *  names are dropped too. */
export interface TolerantDelta {
  readonly delta: PropertiesDelta;
  readonly dropped: readonly DroppedProperty[];
}

const deltaHead = object({ interactionId: id, version });

export function readDelta(raw: unknown): Result<TolerantDelta> {
  const head = deltaHead(raw);
  if (!head.ok) return head;
  const r = raw as Record<string, unknown>;
  const rawUnset = r['unset'] ?? [];
  if (!Array.isArray(rawUnset) || rawUnset.length > Limits.maxPropertiesPerUpdate)
    return {
      ok: false,
      error: `unset: expected array of at most ${Limits.maxPropertiesPerUpdate} items`,
    };
  const set = readProperties(r['set'] ?? {}, 'set');
  if (!set.ok) return set;
  const dropped = [...set.value.dropped];
  const unset: string[] = [];
  for (const key of rawUnset as unknown[]) {
    if (typeof key === 'string' && key.length >= 1 && key.length <= Limits.maxPropertyKeyLength)
      unset.push(key);
    else
      dropped.push({ key: String(key), reason: 'unset of something that is not a property name' });
  }
  return {
    ok: true,
    value: {
      delta: {
        interactionId: head.value.interactionId,
        version: head.value.version,
        set: set.value.properties,
        unset,
      },
      dropped,
    },
  };
}
