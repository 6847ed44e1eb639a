import type {
  AttemptRecord, CallbackCompletion, DeliveryAttempt, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryClaimOptions, DeliveryRecord, KvRecord,
  ListCallbacksQuery, ListDeliveriesQuery, NewCallback, PutCallbackResult, RateLimit, RateSlots, ReplaySelection, StoreStats, ActivityBucket,
} from './records.js';

/** A result, or a promise of it: SQLite answers synchronously, Redis asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/** A `putKv` with its arguments checked, serialized and resolved against the clock. */
export interface KvWrite {
  /** `JSON.stringify(value)`. */
  readonly valueJson: string;
  /** The canonical JSON of the value (sorted keys), compared by `deleteKv` with `ifValue`. */
  readonly canonicalJson: string;
  readonly now: number;
  readonly version: number;
  readonly ifNewer: boolean;
  readonly expiresAt: number | null;
}

/** A kv record as stored: the value parsed from JSON, not yet checked against its namespace. */
export type StoredKv = KvRecord<unknown>;

/**
 * What an implementation (SQLite, Redis) provides under the guard (`guard-store.ts`), which has already
 * checked every argument, resolved defaults (list limits, `now`), serialized kv values, and which maps
 * what the implementation throws to `ERR_STORE_UNAVAILABLE` and emits the changes. So an implementation
 * does storage only — and reports what it changed, for the change notifications.
 */
export interface StoreBackend {
  putCallback(callback: NewCallback): Promise<PutCallbackResult>;
  getCallback(id: string): Awaitable<CallbackRecord | undefined>;
  listCallbacks(query: ListCallbacksQuery, limit: number): Awaitable<CallbackRecord[]>;
  claimCallbacks(claim: ClaimOptions): Awaitable<CallbackRecord[]>;
  /** Resolves the targets a delivery was created for, or undefined when `owner` lacks the lease. */
  completeCallback(id: string, owner: string, completion: CallbackCompletion): Awaitable<readonly string[] | undefined>;
  deferCallback(id: string, owner: string, deferral: CallbackDeferral): Awaitable<boolean>;
  failCallback(id: string, owner: string, error: string, now: number): Awaitable<boolean>;
  requeueCallbacks(ids: readonly string[], now: number): Awaitable<number>;
  renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Awaitable<string[]>;

  claimDeliveries(claim: DeliveryClaimOptions): Awaitable<DeliveryRecord[]>;
  recordAttempts(batch: readonly AttemptRecord[]): Awaitable<boolean[]>;
  releaseDelivery(id: string, owner: string): Awaitable<boolean>;
  /** Oldest first. */
  listAttempts(deliveryId: string): Awaitable<DeliveryAttempt[]>;
  /** By delivery id, then oldest first. */
  listEventAttempts(eventId: string): Awaitable<DeliveryAttempt[]>;
  getDelivery(id: string): Awaitable<DeliveryRecord | undefined>;
  listDeliveries(query: ListDeliveriesQuery, limit: number): Awaitable<DeliveryRecord[]>;
  /** Resolves the target of each delivery re-queued (one entry per delivery). */
  replayDeliveries(selection: ReplaySelection, now: number): Awaitable<readonly string[]>;
  renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Awaitable<string[]>;

  getKv(ns: string, key: string, now: number): Awaitable<StoredKv | undefined>;
  putKv(ns: string, key: string, write: KvWrite): Awaitable<boolean>;
  /** Unconditional without `ifCanonical`; otherwise only while the stored canonical JSON equals it. */
  deleteKv(ns: string, key: string, ifCanonical?: string): Awaitable<boolean>;
  listKv(ns: string, now: number): Awaitable<Array<StoredKv & { readonly key: string }>>;
  takeKv(ns: string, key: string, now: number): Awaitable<StoredKv | undefined>;

  acquireLock(key: string, ttlMs: number, now: number): Awaitable<string | undefined>;
  renewLock(key: string, token: string, ttlMs: number, now: number): Awaitable<boolean>;
  releaseLock(key: string, token: string): Awaitable<boolean>;
  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Awaitable<RateSlots>;

  addIds(set: string, ids: readonly string[]): Awaitable<number>;
  removeIds(set: string, ids: readonly string[]): Awaitable<number>;
  hasIds(set: string, ids: readonly string[]): Awaitable<boolean[]>;
  scanIds(set: string, after: string | null, limit: number): Awaitable<string[]>;
  countIds(set: string): Awaitable<number>;
  moveIds(from: string, to: string): Awaitable<void>;
  deleteIds(set: string): Awaitable<number>;

  stats(now: number): Awaitable<StoreStats>;
  /** Validates its window itself (each backend's activity module), throwing `TypeError`. */
  activity(since: number, until: number, bucketMs: number): Awaitable<ActivityBucket[]>;
  prune(before: number, now: number): Awaitable<number>;
  ping(): Awaitable<void>;
  /** Finishes queued writes and closes; called once. */
  close(): Awaitable<void>;
}
