// What every benchmark gets: options, a logger, cleanups, an abort signal tied to its time
// budget, and helpers to report a goal or to stop with "not measured: <why>".
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a dependency of a benchmark has not landed (or cannot run here). */
export class NotMeasured extends Error {}

/**
 * One goal row. `met` is null when the value could not be measured, so a miss is never
 * confused with a gap.
 * @param {{ metric: string, value: number | null | undefined, op: '<=' | '>=', target: number, unit: string, note?: string, display?: string }} g
 */
export function goal({ metric, value, op, target, unit, note, display }) {
  const measured = typeof value === 'number' && Number.isFinite(value);
  return {
    metric,
    goal: `${op} ${target.toLocaleString('en-US')} ${unit}`,
    value: measured ? value : null,
    unit,
    met: measured ? (op === '<=' ? value <= target : value >= target) : null,
    ...(display ? { display } : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * One benchmark module's default export. `run` resolves with its report (goals, tables, notes,
 * data, …: see lib/report.mjs), or throws NotMeasured.
 * @typedef {{ title: string, goals?: { metric: string, goal: string }[],
 *   run: (ctx: BenchContext) => Promise<Record<string, any>> }} Benchmark
 */

/** What a benchmark gets. @typedef {ReturnType<typeof createContext>} BenchContext */

/**
 * @param {{ root: string, quick: boolean, signal: AbortSignal, svgs: Record<string, string>, benchId: string }} o
 */
export function createContext({ root, quick, signal, svgs, benchId }) {
  /** @type {(() => unknown)[]} */
  const cleanups = [];
  return {
    root,
    quick,
    signal,
    svgs,
    /** a benchmark may set this to report what it measured before it ran out of time */
    partial: /** @type {(() => Record<string, any> | null) | undefined} */ (undefined),
    log: (...a) => console.log(`[bench:${benchId}]`, ...a),
    /** run `fn` when the benchmark ends, whatever happens (LIFO) @param {() => unknown} fn */
    defer(fn) {
      cleanups.push(fn);
    },
    async cleanup() {
      for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
        try {
          await fn();
        } catch (e) {
          console.warn(`[bench:${benchId}] cleanup failed:`, e?.message ?? e);
        }
      }
    },
    /** stop with "not measured" unless every path exists (relative to the repo root) */
    /** @param {...string} paths */
    requireFiles(...paths) {
      const missing = paths.filter((p) => !existsSync(join(root, p)));
      if (missing.length) throw new NotMeasured(`not landed yet: ${missing.join(', ')}`);
    },
    /** @param {string} reason @returns {never} */
    notMeasured(reason) {
      throw new NotMeasured(reason);
    },
    checkAborted() {
      if (signal.aborted) throw new NotMeasured(`ran out of its time budget`);
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** resolves when `pred()` is truthy, polling every `everyMs`; rejects after `timeoutMs` */
export async function waitFor(pred, { timeoutMs = 10000, everyMs = 5, what = 'condition' } = {}) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (performance.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
