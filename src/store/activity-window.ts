import { expected } from '../expected.js';

/** The most buckets one `activity` call may ask for (24 h in minutes is 1,440). */
export const MAX_ACTIVITY_BUCKETS = 10_000;

/** Validates the window of an activity query; throws `TypeError` in the store's one shape. */
export function validateActivityWindow(since: number, until: number, bucketMs: number): number {
  if (!Number.isSafeInteger(since)) throw expected('since', 'an integer (epoch ms)', since);
  if (!Number.isSafeInteger(until) || until <= since) throw expected('until', 'an integer greater than `since`', until);
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw expected('bucketMs', 'a positive integer', bucketMs);
  const count = Math.ceil((until - since) / bucketMs);
  if (count > MAX_ACTIVITY_BUCKETS) throw expected('bucketMs', `large enough for at most ${MAX_ACTIVITY_BUCKETS} buckets`, bucketMs);
  return count;
}

/** `count` empty buckets from `since`, `bucketMs` apart. */
export function emptyBuckets(since: number, bucketMs: number, count: number): Array<{ start: number; received: number; delivered: number; dead: number }> {
  return Array.from({ length: count }, (_, i) => ({ start: since + i * bucketMs, received: 0, delivered: 0, dead: 0 }));
}
