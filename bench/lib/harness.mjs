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

export function createContext({ root, quick, signal, svgs, benchId }) {
  const cleanups = [];
  return {
    root,
    quick,
    signal,
    svgs,
    log: (...a) => console.log(`[bench:${benchId}]`, ...a),
    /** run `fn` when the benchmark ends, whatever happens (LIFO) */
    defer(fn) {
      cleanups.push(fn);
    },
    async cleanup() {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await fn();
        } catch (e) {
          console.warn(`[bench:${benchId}] cleanup failed:`, e?.message ?? e);
        }
      }
    },
    /** stop with "not measured" unless every path exists (relative to the repo root) */
    requireFiles(...paths) {
      const missing = paths.filter((p) => !existsSync(join(root, p)));
      if (missing.length) throw new NotMeasured(`not landed yet: ${missing.join(', ')}`);
    },
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
