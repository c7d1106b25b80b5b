// Summary statistics for latency samples. Percentiles use the nearest-rank method: with n
// samples, p95 is the ceil(0.95·n)-th smallest, i.e. always a value that was actually observed
// (no interpolation that would flatter a small sample).

/** @param {number[]} xs @param {number} p 0..100 */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** @param {number[]} xs */
export function summarize(xs) {
  const finite = xs.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN, mean: NaN };
  const sum = finite.reduce((a, b) => a + b, 0);
  return {
    n: finite.length,
    median: percentile(finite, 50),
    p95: percentile(finite, 95),
    min: Math.min(...finite),
    max: Math.max(...finite),
    mean: sum / finite.length,
  };
}

export const round = (x, digits = 1) =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/** a / b as a ratio rounded to 2 decimals, or null when either side is missing */
export const ratio = (a, b) =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? round(a / b, 2) : null;
