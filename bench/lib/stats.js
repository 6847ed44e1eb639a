/**
 * Percentiles and small formatting helpers for the benchmarks. Latencies are milliseconds.
 */

/**
 * The value at percentile `p` (0–100) of an ascending array, nearest-rank method (no interpolation, so
 * p99.9 of 20,000 samples is the 19,980th sample: a real observed latency).
 * @param {ArrayLike<number>} sorted ascending
 * @param {number} p
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * p50 / p90 / p99 / p99.9 / max / mean of a set of latencies.
 * @param {ArrayLike<number>} latencies
 */
export function summarize(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    samples: sorted.length,
    mean: round(sorted.length === 0 ? Number.NaN : sum / sorted.length),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    p999: round(percentile(sorted, 99.9)),
    max: round(sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]),
  };
}

/** Rounds to `digits` decimals (3 by default). */
export function round(value, digits = 3) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `a / b` rounded to 3 decimals, NaN-safe. */
export function ratio(a, b) {
  return b > 0 ? round(a / b) : Number.NaN;
}

/**
 * A plain-text table: `rows` are arrays of cells, the first row is the header.
 * @param {ReadonlyArray<ReadonlyArray<unknown>>} rows
 */
export function table(rows) {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : String(cell ?? ''))));
  const widths = text[0].map((_, i) => Math.max(...text.map((row) => (row[i] ?? '').length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(text[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}

function formatNumber(value) {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}
