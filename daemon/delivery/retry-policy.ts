/**
 * The default attempt ladder, in seconds before each attempt: the Svix / Standard Webhooks schedule
 * (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; ≈ 27.6 h from first to last attempt). Its
 * length, 8, is the attempt budget.
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);

/** ±20 % jitter, as Svix: a retry storm after an outage spreads out instead of arriving in lockstep. */
const JITTER = 0.2;

/** The longest pause a `Retry-After` header may impose: a hostile or buggy value must not park a target for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The delay before the next attempt of a delivery that has had `attemptsMade` attempts, or null when the
 * budget is spent. `schedule[i]` is the delay in seconds before attempt `i + 1` (so `schedule[0]`, normally
 * 0, precedes the first attempt) and `schedule.length` is the number of attempts allowed. The delay is
 * drawn uniformly from [0.8 ×, 1.2 ×) the entry; a 0 s entry stays 0. Rate-limit pauses do not go through
 * here: they do not consume the budget.
 *
 * Pure: the randomness is injected (`random` returns a number in [0, 1), like `Math.random`).
 *
 * @throws TypeError for a negative or non-integer `attemptsMade`, or a schedule entry that is not a
 *   finite number ≥ 0.
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): number | null {
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 0) {
    throw new TypeError(`Expected \`attemptsMade\` to be a non-negative integer, got \`${attemptsMade}\` (${typeof attemptsMade})`);
  }
  for (const seconds of schedule) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new TypeError(`Expected \`schedule\` entries to be finite numbers ≥ 0, got \`${String(seconds)}\` (${typeof seconds})`);
    }
  }
  const seconds = schedule[attemptsMade];
  if (seconds === undefined) return null;
  if (seconds === 0) return 0;
  // Clamp a misbehaving random source into [0, 1] so the bounds hold whatever it returns.
  const drawn = random();
  const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0.5;
  return Math.round(seconds * 1000 * (1 - JITTER + 2 * JITTER * r));
}

/**
 * Parses an HTTP `Retry-After` value into milliseconds from `now`: either delta-seconds (`"120"`) or an
 * HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`). The result is clamped to [0, {@link MAX_RETRY_AFTER_MS}];
 * a date in the past gives 0. Missing or unparseable values give null (the caller uses its default).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (/[a-z]/i.test(text)) {
    // Only strings with letters can be HTTP-dates; Date.parse('-5') would otherwise be the year -5.
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  } else {
    return null;
  }
  return Math.min(Math.max(Math.round(ms), 0), MAX_RETRY_AFTER_MS);
}
