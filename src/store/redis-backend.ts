import type { Redis } from 'ioredis';
import { redisActivity } from './redis-activity.js';
import { RedisAttempts } from './redis-attempts.js';
import type {
  AttemptRecord, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryAttempt, DeliveryClaimOptions, DeliveryRecord, ListCallbacksQuery,
  ListDeliveriesQuery, NewCallback, PutCallbackResult, RateLimit, RateSlots, ReplaySelection, StoreStats, ActivityBucket,
} from './records.js';
import { RedisCoordination } from './redis-coordination.js';
import { RedisIdSets } from './redis-id-sets.js';
import { RedisKeyedState } from './redis-keyed-state.js';
import { RedisKeys } from './redis-keys.js';
import type { ResolvedRedisStoreOptions } from './redis-options.js';
import { RedisReader } from './redis-reader.js';
import { RedisReconciler, type ReconcileReport } from './redis-reconciler.js';
import { RedisWork } from './redis-work.js';
import type { KvWrite, StoreBackend, StoredKv } from './store-backend.js';

/**
 * The Redis implementation under the guard: one ioredis client, every state change one Lua script (or
 * one pipeline of them), composed of the work queues (`redis-work.ts`), the reader, the kv state and
 * coordination. See `redis.ts` for durability and the key layout's reasons.
 */
export class RedisBackend implements StoreBackend {
  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #keyed: RedisKeyedState;
  readonly #coordination: RedisCoordination;
  readonly #idSets: RedisIdSets;
  readonly #reader: RedisReader;
  readonly #work: RedisWork;
  readonly #reconciler: RedisReconciler;
  readonly #attempts: RedisAttempts;

  constructor(client: Redis, options: ResolvedRedisStoreOptions) {
    this.#client = client;
    this.#keys = new RedisKeys(options.prefix);
    this.#keyed = new RedisKeyedState(client, this.#keys);
    this.#coordination = new RedisCoordination(client, this.#keys);
    this.#idSets = new RedisIdSets(client, this.#keys);
    this.#reader = new RedisReader(client, this.#keys);
    this.#reconciler = new RedisReconciler(client, this.#keys, options.logger, options.reconcileIntervalMs);
    this.#work = new RedisWork(client, this.#keys, this.#reader, this.#reconciler, options.attemptsPerDelivery);
    this.#attempts = new RedisAttempts(client, this.#keys);
  }

  async putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    return { inserted: await this.#work.putCallback(callback) };
  }

  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    return (await this.#reader.callbacks([id]))[0];
  }

  listCallbacks(query: ListCallbacksQuery, limit: number): Promise<CallbackRecord[]> {
    return this.#reader.listCallbacks(query, limit);
  }

  claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    return this.#work.claimCallbacks(claim);
  }

  completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<string[] | undefined> {
    return this.#work.completeCallback(id, owner, completion);
  }

  deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    return this.#work.deferCallback(id, owner, deferral);
  }

  failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    return this.#work.failCallback(id, owner, error, now);
  }

  requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    return this.#work.requeueCallbacks(ids, now);
  }

  renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]> {
    return this.#work.renewLeases('cb', ids, owner, leaseUntil, now);
  }

  claimDeliveries(claim: DeliveryClaimOptions): Promise<DeliveryRecord[]> {
    return this.#work.claimDeliveries(claim);
  }

  recordAttempts(batch: readonly AttemptRecord[]): Promise<boolean[]> {
    return this.#work.recordAttempts(batch);
  }

  releaseDelivery(id: string, owner: string): Promise<boolean> {
    return this.#work.releaseDelivery(id, owner);
  }

  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.#attempts.list(deliveryId);
  }

  listEventAttempts(eventId: string): Promise<DeliveryAttempt[]> {
    return this.#attempts.listForEvent(eventId);
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return (await this.#reader.deliveries([id]))[0]?.record;
  }

  listDeliveries(query: ListDeliveriesQuery, limit: number): Promise<DeliveryRecord[]> {
    return this.#reader.listDeliveries(query, limit);
  }

  replayDeliveries(selection: ReplaySelection, now: number): Promise<string[]> {
    return this.#work.replayDeliveries(selection, now);
  }

  renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]> {
    return this.#work.renewLeases('dl', ids, owner, leaseUntil, now);
  }

  getKv(ns: string, key: string, now: number): Promise<StoredKv | undefined> {
    return this.#keyed.getKv(ns, key, now);
  }

  putKv(ns: string, key: string, write: KvWrite): Promise<boolean> {
    return this.#keyed.putKv(ns, key, write);
  }

  deleteKv(ns: string, key: string, ifCanonical?: string): Promise<boolean> {
    return this.#keyed.deleteKv(ns, key, ifCanonical);
  }

  listKv(ns: string, now: number): Promise<Array<StoredKv & { readonly key: string }>> {
    return this.#keyed.listKv(ns, now);
  }

  takeKv(ns: string, key: string, now: number): Promise<StoredKv | undefined> {
    return this.#keyed.takeKv(ns, key, now);
  }

  acquireLock(key: string, ttlMs: number, now: number): Promise<string | undefined> {
    return this.#coordination.acquireLock(key, ttlMs, now);
  }

  renewLock(key: string, token: string, ttlMs: number, now: number): Promise<boolean> {
    return this.#coordination.renewLock(key, token, ttlMs, now);
  }

  releaseLock(key: string, token: string): Promise<boolean> {
    return this.#coordination.releaseLock(key, token);
  }

  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<RateSlots> {
    return this.#coordination.takeRateSlots(key, limit, wanted, now);
  }

  addIds(set: string, ids: readonly string[]): Promise<number> {
    return this.#idSets.add(set, ids);
  }

  removeIds(set: string, ids: readonly string[]): Promise<number> {
    return this.#idSets.remove(set, ids);
  }

  hasIds(set: string, ids: readonly string[]): Promise<boolean[]> {
    return this.#idSets.has(set, ids);
  }

  scanIds(set: string, after: string | null, limit: number): Promise<string[]> {
    return this.#idSets.scan(set, after, limit);
  }

  countIds(set: string): Promise<number> {
    return this.#idSets.count(set);
  }

  moveIds(from: string, to: string): Promise<void> {
    return this.#idSets.move(from, to);
  }

  deleteIds(set: string): Promise<number> {
    return this.#idSets.delete(set);
  }

  stats(): Promise<StoreStats> {
    return this.#work.stats();
  }

  activity(since: number, until: number, bucketMs: number): Promise<ActivityBucket[]> {
    return redisActivity(this.#client, this.#keys, since, until, bucketMs);
  }

  /** Delivered work older than `before`; then targets without deliveries and kv indexes of expired values (uncounted). */
  async prune(before: number): Promise<number> {
    const count = await this.#work.prune(before);
    await this.#keyed.sweepAll();
    return count;
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  /** See `RedisStore.reconcile`. */
  reconcile(): Promise<ReconcileReport | undefined> {
    return this.#reconciler.run();
  }

  /** Waits for the replies of commands already sent, then closes the connection. */
  async close(): Promise<void> {
    this.#reconciler.close();
    try {
      if (this.#client.status === 'ready') await this.#client.quit();
      else this.#client.disconnect();
    } catch {
      this.#client.disconnect();
    }
  }
}
