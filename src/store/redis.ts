import type { Redis } from 'ioredis';
import { WecomRelayError } from '../errors.js';
import { createRedisClient } from './redis-client.js';
import { RedisKeyedState } from './redis-keyed-state.js';
import { RedisKeys } from './redis-keys.js';
import { resolveRedisStoreOptions, type RedisStoreOptions, type ResolvedRedisStoreOptions } from './redis-options.js';
import { RedisReader } from './redis-reader.js';
import { RedisReconciler, type ReconcileReport } from './redis-reconciler.js';
import { RedisWork } from './redis-work.js';
import { validateLimit, validatePutKv, validateRateLimit } from './sqlite-validate.js';
import type {
  AttemptOutcome, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryRecord, KvRecord,
  ListCallbacksQuery, ListDeliveriesQuery, NewCallback, PutCallbackResult, PutKvOptions, RateLimit, RateSlot, ReplaySelection,
  Store, StoreStats,
} from './store.js';

export type { RedisStoreOptions } from './redis-options.js';
export type { ReconcileReport } from './redis-reconciler.js';

/** Rows a list returns when the query gives no `limit` (as the SQLite store). */
const DEFAULT_LIST_LIMIT = 100;

/**
 * The Redis {@link Store}: any number of receivers and daemons, on any number of machines, share one
 * Redis (standalone or Sentinel-managed; not Cluster). Key layout: `redis-keys.ts`.
 *
 * **Durability is Redis's persistence.** `putCallback` resolves once Redis acknowledged the write, which
 * is in Redis's memory, not on disk. Run Redis with AOF (`appendonly yes`, `appendfsync everysec`, which
 * may lose about one second on a power loss, or `always`) and `maxmemory-policy noeviction`: an evicting
 * policy may drop callbacks. A Redis restarted without persistence loses everything, like a deleted
 * SQLite file. (The store warns at its first connection when it can see either problem.) The kv values
 * hold permanent codes and tokens: use a Redis of your own with AUTH, and `rediss://` across networks.
 *
 * **Why sorted sets and not streams.** The SPEC sketches "streams with consumer groups for the inbox and
 * deliveries, a sorted set for scheduled retries". The inbox and each target's queue are instead one
 * sorted set of due work (`cbx:due`, `dlx:due:<target>`, scored by `nextAttemptAt`) plus one of leased
 * work (`*:leased`, scored by `leaseUntil`, the equivalent of a consumer group's pending-entries list),
 * moved atomically by Lua scripts, because:
 * - the {@link Store} contract leases on the caller's clock (`claim({ now, leaseMs })`, re-claimable at
 *   exactly `now + leaseMs`), while XAUTOCLAIM's min-idle time runs on the Redis server's clock and
 *   cannot honour it (nor the fake clocks the tests use);
 * - retries need a sorted set anyway; with streams, every item would live in a stream, a PEL and a
 *   retry set at once, moved between them by a mover loop, with XACK + XDEL to keep streams from
 *   growing (svix PR #671) — three places to disagree instead of one;
 * - there is no consumer-group metadata that can be lost on its own, so the NOGROUP spin (svix#1844)
 *   cannot happen: a missing sorted set is just empty, and {@link RedisStore.reconcile} rebuilds every
 *   index from the hashes (triggered at once when the `meta` marker is missing, and periodically);
 * - the order of claims is the SQLite store's (due time, then insertion order), and a lease expires at a
 *   time the caller chose, so the lease ≥ delivery timeout rule (svix PR #2181) stays with the caller,
 *   who knows the timeout.
 *
 * Failures of Redis reject with `WecomRelayError('ERR_STORE_UNAVAILABLE')` carrying the cause. Commands
 * are bounded (`commandTimeoutMs`, `maxRetriesPerRequest`), so with Redis down `putCallback` rejects
 * within seconds and the receiver answers 503 (WeCom retries) instead of hanging.
 */
export class RedisStore implements Store {
  /** Always `redis`. */
  readonly kind = 'redis' as const;
  /** The prefix of every key of this store. */
  readonly prefix: string;

  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #keyed: RedisKeyedState;
  readonly #reader: RedisReader;
  readonly #work: RedisWork;
  readonly #reconciler: RedisReconciler;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #closed = false;

  /**
   * Connects to the Redis at `url` (`redis://[user:password@]host[:port][/db][?prefix=…]` or
   * `rediss://…` for TLS). Resolves at once, without waiting for the connection: a receiver must start
   * (and answer 503) while Redis is down; use {@link RedisStore.ping} to wait for readiness.
   * @throws TypeError on invalid options; `WecomRelayError('ERR_STORE_URL')` on a URL that is not redis(s).
   */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    if (typeof url !== 'string') throw new TypeError(`Expected \`url\` to be a string, got \`${String(url)}\` (${typeof url})`);
    const resolved = resolveRedisStoreOptions(url, options);
    return new RedisStore(createRedisClient(resolved), resolved);
  }

  private constructor(client: Redis, options: ResolvedRedisStoreOptions) {
    this.prefix = options.prefix;
    this.#client = client;
    this.#now = options.now;
    this.#keys = new RedisKeys(options.prefix);
    this.#keyed = new RedisKeyedState(client, this.#keys);
    this.#reader = new RedisReader(client, this.#keys);
    this.#reconciler = new RedisReconciler(client, this.#keys, options.logger, options.reconcileIntervalMs);
    this.#work = new RedisWork(client, this.#keys, this.#reader, this.#reconciler);
  }

  // ── Inbox ─────────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.putCallback}: one script (exists? → hash + indexes); resolves once Redis acknowledged. */
  async putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    const inserted = await this.#op('the store did not take the write', () => this.#work.putCallback(callback));
    if (inserted) this.#emitChange();
    return { inserted };
  }

  /** See {@link Store.getCallback}. */
  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    return this.#op('the callback could not be read', async () => (await this.#reader.callbacks([id]))[0]);
  }

  /** See {@link Store.listCallbacks}; `limit` defaults to 100; ties in receivedAt: last inserted first. */
  async listCallbacks(query: ListCallbacksQuery = {}): Promise<CallbackRecord[]> {
    const limit = validateLimit(query.limit, DEFAULT_LIST_LIMIT);
    return this.#op('the callbacks could not be listed', () => this.#reader.listCallbacks(query, limit));
  }

  /** See {@link Store.claimCallbacks}: one script; counts an attempt per claim; ties: first inserted first. */
  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    return this.#op('the callbacks could not be claimed', () => this.#work.claimCallbacks(claim));
  }

  /** See {@link Store.completeCallback}: event, state and new deliveries in one script. */
  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean> {
    const created = await this.#op('the callback could not be completed', () => this.#work.completeCallback(id, owner, completion));
    if (created > 0) this.#emitChange();
    return created >= 0;
  }

  /** See {@link Store.deferCallback}. */
  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    return this.#op('the callback could not be deferred', () => this.#work.deferCallback(id, owner, deferral));
  }

  /** See {@link Store.failCallback}: `processedAt` is set to `now`. */
  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    return this.#op('the callback could not be failed', () => this.#work.failCallback(id, owner, error, now));
  }

  /** See {@link Store.requeueCallbacks}: any state → `pending`, due now, attempts back to 0, lease dropped. */
  async requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    const count = await this.#op('the callbacks could not be requeued', () => this.#work.requeueCallbacks(ids, now));
    if (count > 0) this.#emitChange();
    return count;
  }

  // ── Deliveries ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.claimDeliveries}: one script per call, reading each delivery's event with it. */
  async claimDeliveries(claim: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]> {
    return this.#op('the deliveries could not be claimed', () => this.#work.claimDeliveries(claim));
  }

  /** See {@link Store.recordAttempt}; `lastResponse` keeps the first 2,000 characters. */
  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.#op('the attempt could not be recorded', () => this.#work.recordAttempt(id, owner, outcome));
  }

  /** See {@link Store.releaseDelivery}. */
  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    return this.#op('the delivery could not be released', () => this.#work.releaseDelivery(id, owner));
  }

  /** See {@link Store.renewCallbackLeases} (interim: one script). */
  async renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, _now: number): Promise<string[]> {
    return this.#op('the leases could not be renewed', () => this.#work.renewLeases('cb', ids, owner, leaseUntil));
  }

  /** See {@link Store.renewDeliveryLeases} (interim: one script). */
  async renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, _now: number): Promise<string[]> {
    return this.#op('the leases could not be renewed', () => this.#work.renewLeases('dl', ids, owner, leaseUntil));
  }

  /** See {@link Store.recordAttempts} (interim: one script call per entry, pipelined by ioredis). */
  async recordAttempts(batch: ReadonlyArray<{ readonly id: string; readonly owner: string; readonly outcome: AttemptOutcome }>): Promise<boolean[]> {
    return this.#op('the attempts could not be recorded', () => Promise.all(batch.map((b) => this.#work.recordAttempt(b.id, b.owner, b.outcome))));
  }

  /** See {@link Store.getDelivery}. */
  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.#op('the delivery could not be read', async () => (await this.#reader.deliveries([id]))[0]?.record);
  }

  /** See {@link Store.listDeliveries}; `limit` defaults to 100; ties in createdAt: last created first. */
  async listDeliveries(query: ListDeliveriesQuery = {}): Promise<DeliveryRecord[]> {
    const limit = validateLimit(query.limit, DEFAULT_LIST_LIMIT);
    return this.#op('the deliveries could not be listed', () => this.#reader.listDeliveries(query, limit));
  }

  /**
   * See {@link Store.replayDeliveries}: pending, due `now`, attempts 0, `replays` + 1, lease and
   * `deliveredAt` cleared; `lastStatus` / `lastResponse` / `lastError` are kept as history.
   */
  async replayDeliveries(selection: ReplaySelection, now: number): Promise<number> {
    const count = await this.#op('the deliveries could not be replayed', () => this.#work.replayDeliveries(selection, now));
    if (count > 0) this.#emitChange();
    return count;
  }

  // ── Keyed state and coordination ──────────────────────────────────────────────────────────────────

  /** See {@link Store.getKv}. */
  async getKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    const at = now ?? this.#now();
    return this.#op('the value could not be read', () => this.#keyed.getKv<T>(ns, key, at));
  }

  /**
   * See {@link Store.putKv}: `version` defaults to `now`, which defaults to the store's clock. With
   * `ttlMs`, Redis also expires the key (a minute after `expiresAt`, as garbage collection only).
   */
  async putKv<T = unknown>(ns: string, key: string, value: T, options: PutKvOptions = {}): Promise<boolean> {
    const put = validatePutKv(value, options, this.#now);
    return this.#op('the value could not be written', () => this.#keyed.putKv(ns, key, put, value));
  }

  /** See {@link Store.deleteKv}: `ifValue` compares canonical JSON (key order does not matter). */
  async deleteKv(ns: string, key: string, options: { readonly ifValue?: unknown } = {}): Promise<boolean> {
    return this.#op('the value could not be deleted', () => this.#keyed.deleteKv(ns, key, options.ifValue));
  }

  /** See {@link Store.listKv}; sorted by key. */
  async listKv<T = unknown>(ns: string, now?: number): Promise<Array<KvRecord<T> & { readonly key: string }>> {
    const at = now ?? this.#now();
    return this.#op('the values could not be listed', () => this.#keyed.listKv<T>(ns, at));
  }

  /** See {@link Store.takeKv}. */
  async takeKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    const at = now ?? this.#now();
    return this.#op('the value could not be taken', () => this.#keyed.takeKv<T>(ns, key, at));
  }

  /** See {@link Store.acquireLock}: `SET NX PX`, so expiry follows the Redis server's clock. */
  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TypeError(`Expected \`ttlMs\` to be a positive number, got \`${String(ttlMs)}\` (${typeof ttlMs})`);
    return this.#op('the lock could not be taken', () => this.#keyed.acquireLock(key, ttlMs));
  }

  /** See {@link Store.releaseLock}. */
  async releaseLock(key: string, token: string): Promise<boolean> {
    return this.#op('the lock could not be released', () => this.#keyed.releaseLock(key, token));
  }

  /** See {@link Store.takeRateSlots} (interim: {@link takeRateSlot} until one is refused). */
  async takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<{ readonly granted: number; readonly retryInMs: number }> {
    let granted = 0;
    while (granted < wanted) {
      const slot = await this.takeRateSlot(key, limit, now);
      if (!slot.ok) return { granted, retryInMs: slot.retryInMs };
      granted += 1;
    }
    return { granted, retryInMs: 0 };
  }

  /** See {@link Store.takeRateSlot}: one script over a sorted set, shared by every process. */
  async takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot> {
    validateRateLimit(limit);
    return this.#op('the rate slot could not be taken', () => this.#keyed.takeRateSlot(key, limit, now));
  }

  // ── Operations ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.stats}: read in one script (one snapshot). */
  async stats(_now: number): Promise<StoreStats> {
    return this.#op('the stats could not be read', () => this.#work.stats());
  }

  /**
   * See {@link Store.prune}: deletes delivered deliveries with `deliveredAt < before`, then `done`
   * callbacks with `processedAt < before` that have no delivery left, and resolves how many of those
   * two kinds went. Also forgets targets without deliveries and sweeps kv indexes of values Redis
   * expired (not counted). Pending, failed and dead work is never pruned.
   */
  async prune(before: number): Promise<number> {
    return this.#op('the store could not be pruned', async () => {
      const count = await this.#work.prune(before);
      await this.#keyed.sweepAll();
      return count;
    });
  }

  /**
   * Rebuilds every index from the hashes now (see `redis-reconciler.ts`); claims already do this on
   * their own when the indexes look lost, and every `reconcileIntervalMs`. Resolves undefined when
   * another process is reconciling at the moment.
   */
  async reconcile(): Promise<ReconcileReport | undefined> {
    return this.#op('the indexes could not be rebuilt', () => this.#reconciler.run());
  }

  /** See {@link Store.ping}: a Redis `PING`, bounded like every command. */
  async ping(): Promise<void> {
    await this.#op('redis did not answer', () => this.#client.ping());
  }

  /** See {@link Store.onChange}: this process only. Listener errors are swallowed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Waits for the replies of commands already sent, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#reconciler.close();
    try {
      if (this.#client.status === 'ready') await this.#client.quit();
      else this.#client.disconnect();
    } catch {
      this.#client.disconnect();
    }
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────────────

  /** Runs a Redis operation, mapping any failure to `ERR_STORE_UNAVAILABLE`. */
  async #op<T>(what: string, operation: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { message: 'the store is closed' });
    try {
      return await operation();
    } catch (error) {
      throw unavailable(error, what);
    }
  }

  #emitChange(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A wake-up hint only: the daemon also polls, so a throwing listener loses nothing.
      }
    }
  }
}

/**
 * Wraps a Redis failure as `ERR_STORE_UNAVAILABLE`, naming the error class or Redis error code (the
 * message is left out: a connection error may name the host); the original error is the `cause`.
 */
function unavailable(error: unknown, what: string): Error {
  if (error instanceof WecomRelayError || error instanceof TypeError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const reply = error instanceof Error && error.name === 'ReplyError' ? /^[A-Z]+/.exec(error.message)?.[0] : undefined;
  const name = typeof code === 'string' ? code : reply ?? (error instanceof Error ? error.name : typeof error);
  return new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause: error, message: `${what} (${name})` });
}
