import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { retryIn } from './rate-window.js';
import type { RateLimit, RateSlots } from './records.js';
import type { RedisKeys } from './redis-keys.js';
import { runScript, type ScriptName } from './redis-scripts.js';

/**
 * Redis keeps locks and rate windows this much longer than their logical expiry. The logical expiry
 * (against the caller's `now`) is what decides; Redis `PEXPIRE` is only garbage collection, and the
 * slack keeps it from running ahead of a caller whose clock lags the Redis server's.
 */
export const EXPIRY_SLACK_MS = 60_000;

/**
 * Coordination in the Redis store: locks and the shared rolling-window rate limit, each one Lua script
 * on the caller's clock, so any number of processes sharing the Redis agree (and agree with SQLite).
 */
export class RedisCoordination {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** See `Store.acquireLock`: taken when absent or expired at `now`. */
  async acquireLock(key: string, ttlMs: number, now: number): Promise<string | undefined> {
    const token = randomUUID();
    const taken = await this.#run('lockAcquire', [this.#keys.lock(key), token, String(now), String(now + ttlMs), gcMs(ttlMs)]);
    return taken === 1 ? token : undefined;
  }

  /** See `Store.renewLock`. */
  async renewLock(key: string, token: string, ttlMs: number, now: number): Promise<boolean> {
    return (await this.#run('lockRenew', [this.#keys.lock(key), token, String(now), String(now + ttlMs), gcMs(ttlMs)])) === 1;
  }

  /** See `Store.releaseLock`: compare-and-delete in one script. */
  async releaseLock(key: string, token: string): Promise<boolean> {
    return (await this.#run('lockRelease', [this.#keys.lock(key), token])) === 1;
  }

  /**
   * See `Store.takeRateSlots`: a sorted set of send times per key, trimmed to the window, counted and
   * appended in one script, so N daemons together never exceed the limit.
   */
  async takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<RateSlots> {
    const [granted, oldest] = await this.#run('rateSlots', [
      this.#keys.rate(key), String(now), String(now - limit.intervalMs), String(limit.count), String(wanted),
      `${now}:${randomUUID()}`, gcMs(limit.intervalMs),
    ]) as [number, string];
    if (granted === wanted) return { granted, retryInMs: 0 };
    return { granted, retryInMs: retryIn(oldest === '' ? now : Number(oldest), limit, now) };
  }

  #run(name: ScriptName, args: readonly string[]): Promise<unknown> {
    return runScript(this.#client, name, [this.#keys.prefix, ...args]);
  }
}

function gcMs(ttlMs: number): string {
  return String(Math.ceil(ttlMs) + EXPIRY_SLACK_MS);
}
