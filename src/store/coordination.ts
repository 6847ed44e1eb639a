import type { RateLimit, RateSlot, RateSlots } from './records.js';

/**
 * Coordination between processes sharing a store: exclusive locks and shared rolling-window rate
 * limits, all on the caller's clock (`now`), so every implementation agrees with the caller about expiry.
 */
export interface Coordination {
  /** Acquires an exclusive lock until `now + ttlMs`; resolves a token to renew or release it with, or undefined if held. */
  acquireLock(key: string, ttlMs: number, now: number): Promise<string | undefined>;
  /** Extends a lock still held by `token` to `now + ttlMs`; false if it was lost (expired or taken). */
  renewLock(key: string, token: string, ttlMs: number, now: number): Promise<boolean>;
  /** Releases a lock only if `token` still holds it. */
  releaseLock(key: string, token: string): Promise<boolean>;
  /**
   * Shared rate limit: records one send to `key` if fewer than `limit.count` were recorded in the rolling
   * window `(now - limit.intervalMs, now]`, so every process sharing the store together respects it.
   * Otherwise resolves how long to wait before a slot frees up.
   */
  takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot>;
  /**
   * Up to `wanted` slots in one round trip: `granted` (0..wanted) recorded now; when fewer than wanted,
   * `retryInMs` until the next slot frees.
   */
  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<RateSlots>;
}
