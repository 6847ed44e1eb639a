import type { Coordination } from './coordination.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { IdSets } from './id-sets.js';
import type { Inbox } from './inbox.js';
import type { KeyedState } from './keyed-state.js';
import type { ActivityBucket, StoreStats } from './records.js';

export type * from './records.js';
export type { Coordination } from './coordination.js';
export type { DeliveryQueue } from './delivery-queue.js';
export type { IdSets } from './id-sets.js';
export type { Inbox } from './inbox.js';
export type { KeyedState } from './keyed-state.js';
export type { Namespace } from './namespaces.js';

/** `sqlite` or `redis`. */
export type StoreKind = 'sqlite' | 'redis';

/**
 * What changed, as told to {@link Store.onChange} listeners in this process, so each wakes only the
 * worker concerned.
 */
export type StoreChange =
  /** A callback was put or requeued: wakes the consumer only. */
  | { readonly kind: 'callback' }
  /** Deliveries were created or replayed for `target`: wakes that target's worker only. */
  | { readonly kind: 'delivery'; readonly target: string };

/**
 * The durable state of the relay, shared by the receiver (which only ever calls `putCallback`) and the
 * daemon: the {@link Inbox}, the {@link DeliveryQueue}, {@link KeyedState} and {@link Coordination},
 * plus operations. Two implementations pass the same contract suite: SQLite (one machine; receiver and
 * daemon may be separate processes sharing the file) and Redis (any number of machines). Both are
 * wrapped by one guard (`guard-store.ts`) that validates every argument (`TypeError`), maps every
 * failure to `ERR_STORE_UNAVAILABLE` naming the store and the `store` setting, and emits the changes.
 *
 * Times are epoch milliseconds on the caller's clock: every time-dependent method takes `now`.
 */
export interface Store extends Inbox, DeliveryQueue, KeyedState, Coordination, IdSets {
  readonly kind: StoreKind;
  /** Counts for metrics and `/readyz`. */
  stats(now: number): Promise<StoreStats>;
  /**
   * Received / delivered / dead counts per `bucketMs` from `since` (inclusive) to `until` (exclusive), for
   * the console's chart (index-backed on SQLite; range scans of the time indexes on Redis).
   */
  activity(since: number, until: number, bucketMs: number): Promise<ActivityBucket[]>;
  /**
   * Deletes delivered deliveries (and callbacks whose deliveries are all delivered) older than `before`;
   * also drops kv values, locks and rate slots expired at `now` (default: the store's clock), uncounted.
   */
  prune(before: number, now?: number): Promise<number>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Calls `listener` (in this process only) after a change, so a daemon in the same process wakes at
   * once instead of waiting for its next poll. Listener errors are swallowed. Returns an unsubscribe.
   */
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Finishes queued writes, then closes. Idempotent. */
  close(): Promise<void>;
}
