// Summary statistics for latency samples. Percentiles use the nearest-rank method: with n
// samples, p95 is the ceil(0.95·n)-th smallest, i.e. always a value that was actually observed
// (no interpolation that would flatter a small sample).

/** @param {number[]} xs @param {number} p 0..100 @returns {number} */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? NaN;
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

/** a / b as a ratio (2 decimals, 3 below 0.1 so a small ratio does not print as 0), or null when either side is missing */
export const ratio = (a, b) => {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  const r = a / b;
  return round(r, Math.abs(r) < 0.1 ? 3 : 2);
};
