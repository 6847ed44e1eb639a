import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { runScript } from './redis-scripts.js';

/**
 * The id sets of the Redis store: one sorted set per set (`ids:<set>`), every member at score 0, so
 * ZRANGEBYLEX pages it in byte order (as SQLite's BINARY collation does) and ZMSCORE tests membership in
 * one round trip. A move is one script (RENAME, or a DEL when the source is empty): atomic for every
 * process sharing the Redis.
 */
export class RedisIdSets {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async add(set: string, ids: readonly string[]): Promise<number> {
    const args: Array<string | number> = [];
    for (const id of ids) args.push(0, id);
    return this.#client.zadd(this.#key(set), ...args);
  }

  remove(set: string, ids: readonly string[]): Promise<number> {
    return this.#client.zrem(this.#key(set), ...ids);
  }

  async has(set: string, ids: readonly string[]): Promise<boolean[]> {
    const scores = await this.#client.zmscore(this.#key(set), ...ids);
    return scores.map((score) => score !== null);
  }

  scan(set: string, after: string | null, limit: number): Promise<string[]> {
    return this.#client.zrangebylex(this.#key(set), after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, limit);
  }

  count(set: string): Promise<number> {
    return this.#client.zcard(this.#key(set));
  }

  async move(from: string, to: string): Promise<void> {
    await runScript(this.#client, 'idsMove', [this.#keys.prefix, this.#keys.idSet(from), this.#keys.idSet(to)]);
  }

  async delete(set: string): Promise<number> {
    const replies = (await this.#client.multi().zcard(this.#key(set)).del(this.#key(set)).exec()) ?? [];
    const [error, count] = replies[0] ?? [null, 0];
    if (error) throw error;
    return Number(count);
  }

  #key(set: string): string {
    return this.#keys.full(this.#keys.idSet(set));
  }
}
