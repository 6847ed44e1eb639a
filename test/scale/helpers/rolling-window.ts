/**
 * The most timestamps that fall in any window `[t, t + windowMs)` — the busiest rolling window, whatever
 * its alignment. `times` need not be sorted.
 */
export function maxInRollingWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** The timestamps of the busiest rolling window (the first one found), sorted. */
export function busiestRollingWindow(times: readonly number[], windowMs: number): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  let best: [number, number] = [0, 0];
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    if (end - start + 1 > best[1] - best[0]) best = [start, end + 1];
  }
  return sorted.slice(best[0], best[1]);
}
