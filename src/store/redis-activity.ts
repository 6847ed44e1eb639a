import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { idOf } from './redis-reader.js';
import { emptyBuckets, validateActivityWindow } from './activity-window.js';
import type { ActivityBucket } from './store.js';

/** Index members read per ZRANGE page and hashes per pipeline. */
const PAGE = 1000;

/**
 * `Store.activity` on Redis, read-only and without scripts: received from `cbx:all` (scored by
 * receivedAt) and delivered from `dlx:delivered` (scored by deliveredAt), both range scans of the
 * window; dead from each target's `dlx:st:dead:<target>`, whose score is the creation time, so every
 * dead delivery's hash is read for its `state` and `updatedAt` (the time it died). Dead letters are few
 * (and an operator replays or keeps them), so that walk stays small.
 */
export async function redisActivity(client: Redis, keys: RedisKeys, since: number, until: number, bucketMs: number): Promise<ActivityBucket[]> {
  const count = validateActivityWindow(since, until, bucketMs);
  const buckets = emptyBuckets(since, bucketMs, count);
  const bump = (field: 'received' | 'delivered' | 'dead', at: number) => {
    if (at < since || at >= until) return;
    const bucket = buckets[Math.floor((at - since) / bucketMs)];
    if (bucket) bucket[field]++;
  };
  const scan = async (index: string, field: 'received' | 'delivered') => {
    for (let offset = 0; ; offset += PAGE) {
      const page = await client.zrangebyscore(keys.full(index), since, `(${until}`, 'WITHSCORES', 'LIMIT', offset, PAGE);
      for (let i = 1; i < page.length; i += 2) bump(field, Number(page[i]));
      if (page.length < PAGE * 2) return;
    }
  };
  await scan(keys.callbackIndex(), 'received');
  await scan('dlx:delivered', 'delivered');
  for (const target of await client.smembers(keys.full(keys.targets))) {
    const index = keys.full(keys.deliveryIndex(target, 'dead'));
    for (let offset = 0; ; offset += PAGE) {
      const members = await client.zrange(index, offset, offset + PAGE - 1);
      if (members.length === 0) break;
      const pipeline = client.pipeline();
      for (const member of members) pipeline.hmget(keys.full(`dl:${idOf(member)}`), 'state', 'updatedAt');
      for (const [error, reply] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const [state, updatedAt] = reply as [string | null, string | null];
        if (state === 'dead' && updatedAt !== null) bump('dead', Number(updatedAt));
      }
      if (members.length < PAGE) break;
    }
  }
  return buckets;
}
