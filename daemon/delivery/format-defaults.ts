import type { TargetFormat } from './target.js';

/** The per-format limits a target gets when its config does not set them. */
export interface FormatDefaults {
  /** At most `count` sends per rolling `intervalMs` (p-queue `intervalCap` / `interval`, `strict: true`). */
  readonly rateLimit: { readonly count: number; readonly intervalMs: number };
  /** Parallel sends. 1 for chat bots, so p-queue's count of *starts* equals the platform's count of sends. */
  readonly concurrency: number;
  /** Per-attempt HTTP timeout. */
  readonly timeoutMs: number;
}

/** Per-attempt timeout for every format: within Standard Webhooks' 15–30 s, Convoy's default. */
const TIMEOUT_MS = 10_000;

/**
 * Default limits per format (downstream.md §5.2), with headroom under each platform's published limit:
 *
 * - `slack`: 1 msg/s per webhook ("1 per second, short bursts allowed"; 429 + `Retry-After` beyond).
 * - `wecom-bot`: 18/min against 20/min per robot; failed sends count too, and 45009 costs a minute.
 * - `dingtalk`: 18/min against 20/min per robot; going over throttles the robot for 10 minutes.
 * - `feishu`: 4/s against 5/s per bot. Feishu *also* caps a bot at 100/min, which a single window cannot
 *   express: at 4/s a sustained burst reaches 100 in 25 s, so the queue should stack a second limiter
 *   (≈ 90/min) or rely on the 11232 pause.
 * - `json`: 50/s with 4 in flight, a polite default for a generic endpoint.
 *
 * @default timeoutMs 10 000 ms for every format.
 */
export const FORMAT_DEFAULTS: Readonly<Record<TargetFormat, FormatDefaults>> = Object.freeze({
  json: { rateLimit: { count: 50, intervalMs: 1_000 }, concurrency: 4, timeoutMs: TIMEOUT_MS },
  slack: { rateLimit: { count: 1, intervalMs: 1_000 }, concurrency: 1, timeoutMs: TIMEOUT_MS },
  'wecom-bot': { rateLimit: { count: 18, intervalMs: 60_000 }, concurrency: 1, timeoutMs: TIMEOUT_MS },
  dingtalk: { rateLimit: { count: 18, intervalMs: 60_000 }, concurrency: 1, timeoutMs: TIMEOUT_MS },
  feishu: { rateLimit: { count: 4, intervalMs: 1_000 }, concurrency: 1, timeoutMs: TIMEOUT_MS },
});
