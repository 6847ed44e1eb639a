import { createHash } from 'node:crypto';

/**
 * The stable id of a callback: `evt_` + the first 32 hex characters of
 * sha256(suiteId NUL receiveId NUL plaintext). A WeCom retry carries the same plaintext, so it gets the
 * same id; two distinct events always differ somewhere in their plaintext, so they never share one
 * (hand-picked field subsets have dropped distinct same-second events in other SDKs). The NUL
 * separator keeps `("ab", "c")` and `("a", "bc")` apart.
 */
export function eventId(suiteId: string, receiveId: string, plaintext: string): string {
  const digest = createHash('sha256').update([suiteId, receiveId, plaintext].join('\u0000'), 'utf8').digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}
