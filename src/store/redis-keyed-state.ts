import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { canonicalJson } from './canonical-json.js';
import type { RedisKeys } from './redis-keys.js';
import { exists, isLive, toHash, toKvRecord } from './redis-records.js';
import { runScript } from './redis-scripts.js';
import type { ResolvedPutKv } from './sqlite-validate.js';
import type { KvRecord, RateLimit, RateSlot } from './store.js';

/**
 * Redis keeps expired kv values, rate windows and their index entries this much longer than their
 * logical expiry. The logical expiry (`expiresAt` against the caller's `now`) is what reads honour;
 * Redis `PEXPIRE` is only garbage collection, and the slack keeps it from running ahead of a caller
 * whose clock lags the Redis server's.
 */
const EXPIRY_SLACK_MS = 60_000;

/**
 * The small keyed state of the Redis store: kv values with TTL and newer-wins versions, locks and the
 * shared rolling-window rate limit. Every compare-and-write is one Lua script, so any number of
 * processes sharing the Redis see each other's writes atomically. Errors are left to the store to map.
 */
export class RedisKeyedState {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** See `Store.getKv`. */
  async getKv<T>(ns: string, key: string, now: number): Promise<KvRecord<T> | undefined> {
    const hash = toHash(await this.#client.hgetall(this.#keys.full(this.#keys.kv(ns, key))));
    return exists(hash) && isLive(hash, now) ? toKvRecord<T>(hash) : undefined;
  }

  /** See `Store.putKv`. The canonical JSON is stored beside the value, for `deleteKv({ ifValue })`. */
  async putKv(ns: string, key: string, put: ResolvedPutKv, value: unknown): Promise<boolean> {
    const ttlMs = put.expiresAt === null ? '' : String(Math.ceil(put.expiresAt - put.now) + EXPIRY_SLACK_MS);
    const written = await this.#run('kvPut', [
      this.#keys.kv(ns, key), this.#keys.kvIndex(ns), this.#keys.namespace(ns), key, ns, put.valueJson, canonicalJson(value) ?? 'null',
      String(put.version), String(put.now), put.expiresAt === null ? '' : String(put.expiresAt), put.ifNewer ? '1' : '0', ttlMs,
    ]);
    return written === 1;
  }

  /** See `Store.deleteKv`: `ifValue` compares canonical JSON (key order does not matter). */
  async deleteKv(ns: string, key: string, ifValue: unknown): Promise<boolean> {
    const conditional = ifValue !== undefined;
    const deleted = await this.#run('kvDelete', [
      this.#keys.kv(ns, key), this.#keys.kvIndex(ns), key, conditional ? '1' : '0', conditional ? canonicalJson(ifValue) ?? 'null' : '',
    ]);
    return deleted === 1;
  }

  /** See `Store.listKv`; sorted by key. Index entries whose value Redis expired are swept on the way. */
  async listKv<T>(ns: string, now: number): Promise<Array<KvRecord<T> & { readonly key: string }>> {
    const keys = (await this.#client.smembers(this.#keys.full(this.#keys.kvIndex(ns)))).sort();
    if (keys.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const key of keys) pipeline.hgetall(this.#keys.full(this.#keys.kv(ns, key)));
    const replies = (await pipeline.exec()) ?? [];
    const live: Array<KvRecord<T> & { readonly key: string }> = [];
    const gone: string[] = [];
    replies.forEach(([error, reply], i) => {
      if (error) throw error;
      const hash = toHash(reply);
      const key = keys[i] as string;
      if (!exists(hash)) gone.push(key);
      else if (isLive(hash, now)) live.push({ key, ...toKvRecord<T>(hash) });
    });
    if (gone.length > 0) await this.sweep(ns, gone);
    return live;
  }

  /** See `Store.takeKv`: read and delete in one script, so two takers never both get the value. */
  async takeKv<T>(ns: string, key: string, now: number): Promise<KvRecord<T> | undefined> {
    const hash = toHash(await this.#run('kvTake', [this.#keys.kv(ns, key), this.#keys.kvIndex(ns), key]));
    return exists(hash) && isLive(hash, now) ? toKvRecord<T>(hash) : undefined;
  }

  /** Drops the index entries of `keys` (of namespace `ns`) whose value is gone. */
  async sweep(ns: string, keys: readonly string[]): Promise<number> {
    const dropped = await this.#run('kvSweep', [this.#keys.kvIndex(ns), this.#keys.namespace(ns), this.#keys.kvPrefix(ns), ...keys]);
    return Number(dropped);
  }

  /** Sweeps every namespace's index (housekeeping for `prune`). */
  async sweepAll(): Promise<void> {
    for (const encoded of await this.#client.smembers(this.#keys.full(this.#keys.kvNamespaces))) {
      const ns = decodeURIComponent(encoded);
      const keys = await this.#client.smembers(this.#keys.full(this.#keys.kvIndex(ns)));
      // At least one call, even for an empty index: it also forgets the namespace once nothing is left.
      for (let i = 0; i < keys.length || i === 0; i += 500) await this.sweep(ns, keys.slice(i, i + 500));
    }
  }

  /** See `Store.acquireLock`: `SET NX PX`, so expiry follows the Redis server's clock. */
  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const set = await this.#client.set(this.#keys.full(this.#keys.lock(key)), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return set === 'OK' ? token : undefined;
  }

  /** See `Store.releaseLock`: compare-and-delete in one script. */
  async releaseLock(key: string, token: string): Promise<boolean> {
    return (await this.#run('lockRelease', [this.#keys.lock(key), token])) === 1;
  }

  /**
   * See `Store.takeRateSlot`: a sorted set of send times per key, trimmed to the window, counted and
   * appended in one script, so N daemons together never exceed the limit.
   */
  async takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot> {
    const reply = await this.#run('rateSlot', [
      this.#keys.rate(key), String(now), String(now - limit.intervalMs), String(limit.count), `${now}:${randomUUID()}`,
      String(Math.ceil(limit.intervalMs) + EXPIRY_SLACK_MS),
    ]) as [number, string];
    if (reply[0] === 1) return { ok: true };
    // The oldest send leaves the window at oldest + interval. Clamped to [1, interval] like the SQLite
    // store: a send recorded by a process whose clock runs ahead must not make us wait over one window.
    const wait = Number(reply[1]) + limit.intervalMs - now;
    return { ok: false, retryInMs: Math.min(limit.intervalMs, Math.max(1, wait)) };
  }

  #run(name: Parameters<typeof runScript>[1], args: ReadonlyArray<string>): Promise<unknown> {
    return runScript(this.#client, name, [this.#keys.prefix, ...args]);
  }
}
