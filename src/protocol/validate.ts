/**
 * A deliberately small runtime validator for everything received from a server.
 *
 * Why not zod/valibot: the wire format is small and flat, the gadgets ship as self-contained
 * bundles with tight size budgets (chat panel <= 30 KB gzip), and we need exactly three things:
 * a type guard, a precise path in the error, and inferred types. ~1 KB does that.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** A validator checks an unknown value and returns it typed, or a readable error with a path. */
export type Validator<T> = (value: unknown, path?: string) => Result<T>;

/** The type a validator produces. */
export type Infer<V> = V extends Validator<infer T> ? T : never;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (path: string, expected: string, value: unknown): Result<never> => ({
  ok: false,
  error: `${path || 'value'}: expected ${expected}, got ${describe(value)}`,
});

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  return typeof value;
}

export const string =
  (opts: { min?: number; max?: number; pattern?: RegExp } = {}): Validator<string> =>
  (v, path = '') => {
    if (typeof v !== 'string') return fail(path, 'string', v);
    if (opts.min !== undefined && v.length < opts.min)
      return fail(path, `string of at least ${opts.min} chars`, v);
    if (opts.max !== undefined && v.length > opts.max)
      return fail(path, `string of at most ${opts.max} chars`, v);
    if (opts.pattern && !opts.pattern.test(v))
      return fail(path, `string matching ${opts.pattern}`, v);
    return ok(v);
  };

export const number =
  (opts: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> =>
  (v, path = '') => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(path, 'finite number', v);
    if (opts.integer && !Number.isInteger(v)) return fail(path, 'integer', v);
    if (opts.min !== undefined && v < opts.min) return fail(path, `number >= ${opts.min}`, v);
    if (opts.max !== undefined && v > opts.max) return fail(path, `number <= ${opts.max}`, v);
    return ok(v);
  };

export const boolean =
  (): Validator<boolean> =>
  (v, path = '') =>
    typeof v === 'boolean' ? ok(v) : fail(path, 'boolean', v);

export const literal =
  <const L extends readonly (string | number | boolean)[]>(...values: L): Validator<L[number]> =>
  (v, path = '') =>
    values.includes(v as L[number]) ? ok(v as L[number]) : fail(path, values.join(' | '), v);

export const optional =
  <T>(inner: Validator<T>): Validator<T | undefined> =>
  (v, path = '') =>
    v === undefined ? ok(undefined) : inner(v, path);

export const nullable =
  <T>(inner: Validator<T>): Validator<T | null> =>
  (v, path = '') =>
    v === null ? ok(null) : inner(v, path);

export const array =
  <T>(inner: Validator<T>, opts: { max?: number } = {}): Validator<T[]> =>
  (v, path = '') => {
    if (!Array.isArray(v)) return fail(path, 'array', v);
    if (opts.max !== undefined && v.length > opts.max)
      return fail(path, `array of at most ${opts.max} items`, v);
    const out: T[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = inner(v[i], `${path}[${i}]`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return ok(out);
  };

/** A plain object whose values all pass `inner` (keys are strings, at most `max`). */
export const record =
  <T>(
    inner: Validator<T>,
    opts: { max?: number; key?: Validator<string> } = {},
  ): Validator<Record<string, T>> =>
  (v, path = '') => {
    if (!isPlainObject(v)) return fail(path, 'object', v);
    const keys = Object.keys(v);
    if (opts.max !== undefined && keys.length > opts.max)
      return fail(path, `object with at most ${opts.max} keys`, v);
    const out: Record<string, T> = Object.create(null) as Record<string, T>;
    for (const k of keys) {
      if (opts.key) {
        const kr = opts.key(k, `${path}{key}`);
        if (!kr.ok) return kr;
      }
      const r = inner(v[k], path ? `${path}.${k}` : k);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return ok(out);
  };

type Shape = Record<string, Validator<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: undefined extends Infer<S[K]> ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** An object with the given fields. Unknown fields are dropped (never passed on). */
export const object =
  <S extends Shape>(shape: S): Validator<ObjectOf<S>> =>
  (v, path = '') => {
    if (!isPlainObject(v)) return fail(path, 'object', v);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const r = shape[key]!(v[key], path ? `${path}.${key}` : key);
      if (!r.ok) return r;
      if (r.value !== undefined) out[key] = r.value;
    }
    return ok(out as ObjectOf<S>);
  };

export const union =
  <T extends readonly Validator<unknown>[]>(...options: T): Validator<Infer<T[number]>> =>
  (v, path = '') => {
    const errors: string[] = [];
    for (const option of options) {
      const r = option(v, path);
      if (r.ok) return r as Result<Infer<T[number]>>;
      errors.push(r.error);
    }
    return { ok: false, error: errors.join('; or ') };
  };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
