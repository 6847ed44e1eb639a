import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { exists, isLive, toHash, toKvRecord } from './redis-records.js';
import { EXPIRY_SLACK_MS } from './redis-coordination.js';
import { runScript } from './redis-scripts.js';
import type { KvWrite, StoredKv } from './store-backend.js';


/**
 * The kv half of the Redis store's keyed state: values with TTL and newer-wins versions. Every
 * compare-and-write is one Lua script, so any number of processes sharing the Redis see each other's
 * writes atomically. Values come back parsed, unchecked; errors are left to the guard to map. Logical
 * expiry (`expiresAt` against the caller's `now`) decides; Redis `PEXPIRE` only collects garbage.
 */
export class RedisKeyedState {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** See `Store.getKv`. */
  async getKv(ns: string, key: string, now: number): Promise<StoredKv | undefined> {
    const hash = toHash(await this.#client.hgetall(this.#keys.full(this.#keys.kv(ns, key))));
    return exists(hash) && isLive(hash, now) ? toKvRecord(hash) : undefined;
  }

  /** See `Store.putKv`. The canonical JSON is stored beside the value, for `deleteKv({ ifValue })`. */
  async putKv(ns: string, key: string, put: KvWrite): Promise<boolean> {
    const ttlMs = put.expiresAt === null ? '' : String(Math.ceil(put.expiresAt - put.now) + EXPIRY_SLACK_MS);
    const written = await this.#run('kvPut', [
      this.#keys.kv(ns, key), this.#keys.kvIndex(ns), this.#keys.namespace(ns), key, ns, put.valueJson, put.canonicalJson,
      String(put.version), String(put.now), put.expiresAt === null ? '' : String(put.expiresAt), put.ifNewer ? '1' : '0', ttlMs,
    ]);
    return written === 1;
  }

  /** See `Store.deleteKv`: `ifValue` compares canonical JSON (key order does not matter). */
  async deleteKv(ns: string, key: string, ifCanonical?: string): Promise<boolean> {
    const deleted = await this.#run('kvDelete', [
      this.#keys.kv(ns, key), this.#keys.kvIndex(ns), key, ifCanonical === undefined ? '0' : '1', ifCanonical ?? '',
    ]);
    return deleted === 1;
  }

  /** See `Store.listKv`; sorted by key. Index entries whose value Redis expired are swept on the way. */
  async listKv(ns: string, now: number): Promise<Array<StoredKv & { readonly key: string }>> {
    const keys = (await this.#client.smembers(this.#keys.full(this.#keys.kvIndex(ns)))).sort();
    if (keys.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const key of keys) pipeline.hgetall(this.#keys.full(this.#keys.kv(ns, key)));
    const replies = (await pipeline.exec()) ?? [];
    const live: Array<StoredKv & { readonly key: string }> = [];
    const gone: string[] = [];
    replies.forEach(([error, reply], i) => {
      if (error) throw error;
      const hash = toHash(reply);
      const key = keys[i] as string;
      if (!exists(hash)) gone.push(key);
      else if (isLive(hash, now)) live.push({ key, ...toKvRecord(hash) });
    });
    if (gone.length > 0) await this.sweep(ns, gone);
    return live;
  }

  /** See `Store.takeKv`: read and delete in one script, so two takers never both get the value. */
  async takeKv(ns: string, key: string, now: number): Promise<StoredKv | undefined> {
    const hash = toHash(await this.#run('kvTake', [this.#keys.kv(ns, key), this.#keys.kvIndex(ns), key]));
    return exists(hash) && isLive(hash, now) ? toKvRecord(hash) : undefined;
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

  #run(name: Parameters<typeof runScript>[1], args: ReadonlyArray<string>): Promise<unknown> {
    return runScript(this.#client, name, [this.#keys.prefix, ...args]);
  }
}
