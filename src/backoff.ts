import { expected } from './expected.js';

/** The shape of an exponential backoff: `baseMs × factor^step`, the exponent and the result capped. */
export interface BackoffOptions {
  /** The delay of step 0. */
  readonly baseMs: number;
  /** The longest delay returned. @default Infinity */
  readonly maxMs?: number;
  /** Growth per step. @default 2 */
  readonly factor?: number;
  /** Steps past this one no longer grow the delay (keeps `factor^step` finite). @default 30 */
  readonly maxStep?: number;
}

/**
 * The delay before retrying after `step` failed tries (0-based: the first retry waits `baseMs`):
 * `min(maxMs, baseMs × factor^min(step, maxStep))`. A fractional step is floored; a negative one counts
 * as 0. Every retry that backs off exponentially in the library and the daemon computes it here
 * (claim loops, re-processing, WeCom API retries, Redis reconnects and reconciliation), so the formulas
 * cannot drift apart. Pure and without jitter: callers that need jitter add it (see `retry-policy.ts`).
 *
 * @throws TypeError for a non-finite `step`, a `baseMs` or `maxMs` below 0, a `factor` below 1 or a
 *   negative `maxStep`.
 */
export function backoffMs(step: number, options: BackoffOptions): number {
  const { baseMs, maxMs = Number.POSITIVE_INFINITY, factor = 2, maxStep = 30 } = options;
  if (typeof step !== 'number' || !Number.isFinite(step)) throw expected('step', 'a finite number', step);
  if (!(baseMs >= 0) || !Number.isFinite(baseMs)) throw expected('baseMs', 'a finite number ≥ 0', baseMs);
  if (!(maxMs >= 0)) throw expected('maxMs', 'a number ≥ 0', maxMs);
  if (!(factor >= 1) || !Number.isFinite(factor)) throw expected('factor', 'a finite number ≥ 1', factor);
  if (!(maxStep >= 0)) throw expected('maxStep', 'a number ≥ 0', maxStep);
  const exponent = Math.min(Math.max(0, Math.floor(step)), Math.floor(maxStep));
  return Math.min(maxMs, baseMs * factor ** exponent);
}
