import type { RateLimit } from './records.js';

/**
 * The wait until the oldest send in a full rolling window leaves it (at `oldest + interval`), clamped to
 * `[1, interval]`: a slot recorded by a process whose clock runs ahead must not make a caller wait longer
 * than one window. Both stores answer `retryInMs` with it.
 */
export function retryIn(oldest: number, limit: RateLimit, now: number): number {
  return Math.min(limit.intervalMs, Math.max(1, oldest + limit.intervalMs - now));
}
