import { Redis } from 'ioredis';
import { WecomRelayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { RedisKeyedState } from './redis-keyed-state.js';
import { RedisKeys } from './redis-keys.js';
import { resolveRedisStoreOptions, type RedisStoreOptions, type ResolvedRedisStoreOptions } from './redis-options.js';
import { idOf, RedisReader } from './redis-reader.js';
import { RedisReconciler, type ReconcileReport } from './redis-reconciler.js';
import { callbackFields, exists, toCallbackRecord, toDeliveryRecord, toHash } from './redis-records.js';
import { defineScripts, runScript, type ScriptArg, type ScriptName } from './redis-scripts.js';
import { validateClaim, validateLimit, validatePutKv, validateRateLimit } from './sqlite-validate.js';
import type {
  AttemptOutcome, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryRecord, DeliveryState, KvRecord,
  ListCallbacksQuery, ListDeliveriesQuery, NewCallback, PutCallbackResult, PutKvOptions, RateLimit, RateSlot, ReplaySelection,
  Store, StoreStats, TargetDeliveryStats,
} from './store.js';

export type { RedisStoreOptions } from './redis-options.js';
export type { ReconcileReport } from './redis-reconciler.js';

/** Rows a list returns when the query gives no `limit` (as the SQLite store). */
const DEFAULT_LIST_LIMIT = 100;
/** `lastResponse` keeps the first characters of the response body only (as the SQLite store). */
const MAX_RESPONSE_CHARS = 2000;
/** Ids per script call in bulk operations (requeue, replay); keeps each script short. */
const BULK = 500;
/** Most index entries one claim examines beyond `limit` (stale entries are fixed as they are met). */
const CLAIM_SLACK = 1000;
/** Connection errors are logged at most once per this period (with a count of those suppressed). */
const ERROR_LOG_INTERVAL_MS = 30_000;
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/**
 * The Redis {@link Store}: any number of receivers and daemons, on any number of machines, share one
 * Redis (standalone or Sentinel-managed; not Cluster). Key layout: `redis-keys.ts`.
 *
 * **Durability is Redis's persistence.** `putCallback` resolves once Redis acknowledged the write, which
 * is in Redis's memory, not on disk. Run Redis with AOF (`appendonly yes`, `appendfsync everysec`, which
 * may lose about one second on a power loss, or `always`) and `maxmemory-policy noeviction`: an evicting
 * policy may drop callbacks. A Redis restarted without persistence loses everything, like a deleted
 * SQLite file.
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
  readonly #reconciler: RedisReconciler;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #closed = false;
  #lastErrorLogAt = 0;
  #suppressedErrors = 0;

  /**
   * Connects to the Redis at `url` (`redis://[user:password@]host[:port][/db][?prefix=…]` or
   * `rediss://…` for TLS). Resolves at once, without waiting for the connection: a receiver must start
   * (and answer 503) while Redis is down; use {@link RedisStore.ping} to wait for readiness.
   * @throws TypeError on invalid options; `WecomRelayError('ERR_STORE_URL')` on a URL that is not redis(s).
   */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    if (typeof url !== 'string') throw new TypeError(`Expected \`url\` to be a string, got \`${String(url)}\` (${typeof url})`);
    const resolved = resolveRedisStoreOptions(url, options);
    return new RedisStore(new Redis(resolved.url, resolved.client), resolved);
  }

  private constructor(client: Redis, options: ResolvedRedisStoreOptions) {
    this.prefix = options.prefix;
    this.#client = client;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#keys = new RedisKeys(options.prefix);
    this.#keyed = new RedisKeyedState(client, this.#keys);
    this.#reader = new RedisReader(client, this.#keys);
    this.#reconciler = new RedisReconciler(client, this.#keys, options.logger, options.reconcileIntervalMs);
    defineScripts(client);
    // Without a listener ioredis would print every connection error to the console.
    client.on('error', (error: unknown) => this.#logConnectionError(error));
    client.on('ready', () => {
      if (this.#lastErrorLogAt > 0) this.#logger.info({ prefix: this.prefix }, 'redis store connected again');
      this.#lastErrorLogAt = 0;
      this.#suppressedErrors = 0;
    });
  }

  // ── Inbox ─────────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.putCallback}: one script (exists? → hash + indexes); resolves once Redis acknowledged. */
  async putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    if (typeof callback?.id !== 'string' || callback.id === '') {
      throw new TypeError(`Expected \`callback.id\` to be a non-empty string, got \`${String(callback?.id)}\` (${typeof callback?.id})`);
    }
    const args = [callback.id, String(callback.receivedAt), ...callbackFields(callback)];
    const inserted = (await this.#run('putCallback', args, 'the store did not take the write')) === 1;
    if (inserted) this.#emitChange();
    return { inserted };
  }

  /** See {@link Store.getCallback}. */
  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    return this.#op('the callback could not be read', async () => {
      const hash = toHash(await this.#client.hgetall(this.#keys.full(this.#keys.callback(id))));
      return exists(hash) ? toCallbackRecord(hash) : undefined;
    });
  }

  /** See {@link Store.listCallbacks}; `limit` defaults to 100; ties in receivedAt: last inserted first. */
  async listCallbacks(query: ListCallbacksQuery = {}): Promise<CallbackRecord[]> {
    const limit = validateLimit(query.limit, DEFAULT_LIST_LIMIT);
    return this.#op('the callbacks could not be listed', () => this.#reader.listCallbacks(query, limit));
  }

  /** See {@link Store.claimCallbacks}: one script; counts an attempt per claim. */
  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    const rows = await this.#claim('cb', 'cbx:due', 'cbx:leased', validateClaim(claim));
    return rows.map(([flat]) => toCallbackRecord(toHash(flat)));
  }

  /** See {@link Store.completeCallback}: event, state and new deliveries in one script. */
  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean> {
    const { event, targets, now } = completion;
    for (const target of targets) {
      if (typeof target !== 'string' || target === '') throw new TypeError(`Expected \`target\` to be a non-empty string, got \`${String(target)}\` (${typeof target})`);
    }
    const created = Number(await this.#run('completeCallback', [id, owner, String(now), JSON.stringify(event), event.type, ...targets]));
    if (created > 0) this.#emitChange();
    return created >= 0;
  }

  /** See {@link Store.deferCallback}. */
  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    return (await this.#run('deferCallback', [id, owner, String(deferral.nextAttemptAt), deferral.error])) === 1;
  }

  /** See {@link Store.failCallback}: `processedAt` is set to `now`. */
  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    return (await this.#run('failCallback', [id, owner, error, String(now)])) === 1;
  }

  /** See {@link Store.requeueCallbacks}: any state → `pending`, due now, attempts back to 0, lease dropped. */
  async requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    let count = 0;
    for (const batch of batches(ids)) count += Number(await this.#run('requeueCallbacks', [String(now), ...batch]));
    if (count > 0) this.#emitChange();
    return count;
  }

  // ── Deliveries ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.claimDeliveries}: one script per call, reading each delivery's event with it. */
  async claimDeliveries(claim: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]> {
    const { target } = claim;
    if (typeof target !== 'string' || target === '') throw new TypeError(`Expected \`target\` to be a non-empty string, got \`${String(target)}\` (${typeof target})`);
    const rows = await this.#claim('dl', this.#keys.deliveryDue(target), this.#keys.deliveryLeased(target), validateClaim(claim));
    return rows.map(([flat, event]) => toDeliveryRecord(toHash(flat), event));
  }

  /** See {@link Store.recordAttempt}; `lastResponse` keeps the first 2,000 characters. */
  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    const { state, countAttempt, now } = outcome;
    if (!DELIVERY_STATES.includes(state)) throw new TypeError(`Expected \`outcome.state\` to be one of ${DELIVERY_STATES.join(', ')}, got \`${String(state)}\` (${typeof state})`);
    const next = outcome.nextAttemptAt ?? now;
    const set: string[] = ['state', state, 'nextAttemptAt', String(next), 'updatedAt', String(now)];
    const unset: string[] = ['leaseOwner', 'leaseUntil'];
    const field = (name: string, value: string | number | null | undefined): void => {
      if (value === null || value === undefined) unset.push(name);
      else set.push(name, String(value));
    };
    field('lastStatus', outcome.status);
    field('lastResponse', outcome.response?.slice(0, MAX_RESPONSE_CHARS));
    field('lastError', outcome.error);
    if (state === 'delivered') set.push('deliveredAt', String(now));
    const args = [id, owner, state, countAttempt ? '1' : '0', String(next), String(now), String(set.length / 2), ...set, ...unset];
    return (await this.#run('recordAttempt', args)) === 1;
  }

  /** See {@link Store.releaseDelivery}. */
  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    return (await this.#run('releaseDelivery', [id, owner])) === 1;
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
    let ids: readonly string[];
    let expected = '';
    if ('ids' in selection) {
      ids = selection.ids;
    } else {
      expected = selection.state ?? '';
      ids = await this.#op('the deliveries could not be listed', async () => {
        const { target, state } = selection;
        const targets = target === undefined && state !== undefined ? await this.#client.smembers(this.#keys.full(this.#keys.targets)) : [target];
        const members = await Promise.all(targets.map((t) => this.#reader.members(this.#keys.deliveryIndex(t, t === undefined ? undefined : state), selection)));
        return members.flat().map(idOf);
      });
    }
    let count = 0;
    for (const batch of batches(ids)) count += Number(await this.#run('replayDeliveries', [String(now), expected, ...batch]));
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

  /** See {@link Store.takeRateSlot}: one script over a sorted set, shared by every process. */
  async takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot> {
    validateRateLimit(limit);
    return this.#op('the rate slot could not be taken', () => this.#keyed.takeRateSlot(key, limit, now));
  }

  // ── Operations ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.stats}: read in one script (one snapshot). */
  async stats(_now: number): Promise<StoreStats> {
    const [pending, done, failed, oldest, targets] = await this.#run('stats', []) as [number, number, number, string, Array<[string, number, number, number, string]>];
    const deliveries: Record<string, TargetDeliveryStats> = {};
    for (const [target, p, delivered, dead, oldestPending] of targets) {
      if (p + delivered + dead > 0) deliveries[target] = { pending: p, delivered, dead, oldestPendingAt: oldestPending === '' ? null : Number(oldestPending) };
    }
    return { callbacks: { pending, failed, done, oldestPendingAt: oldest === '' ? null : Number(oldest) }, deliveries };
  }

  /**
   * See {@link Store.prune}: deletes delivered deliveries with `deliveredAt < before`, then `done`
   * callbacks with `processedAt < before` that have no delivery left, and resolves how many of those
   * two kinds went. Also forgets targets without deliveries and sweeps kv indexes of values Redis
   * expired (not counted). Pending, failed and dead work is never pruned.
   */
  async prune(before: number): Promise<number> {
    if (!Number.isFinite(before)) throw new TypeError(`Expected \`before\` to be a finite number, got \`${String(before)}\` (${typeof before})`);
    let count = 0;
    let examined: number;
    do {
      const [seen, deleted] = await this.#run('pruneDeliveries', [String(before), String(BULK)]) as [number, number];
      examined = seen;
      count += deleted;
    } while (examined === BULK);
    let offset = 0;
    do {
      const [seen, kept, deleted] = await this.#run('pruneCallbacks', [String(before), String(BULK), String(offset)]) as [number, number, number];
      examined = seen;
      offset += kept;
      count += deleted;
    } while (examined === BULK);
    await this.#op('the store could not be pruned', async () => {
      for (const target of await this.#client.smembers(this.#keys.full(this.#keys.targets))) {
        await runScript(this.#client, 'pruneTarget', [this.prefix, target]);
      }
      await this.#keyed.sweepAll();
    });
    return count;
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

  /**
   * Claims from one queue. When the claim reports the `meta` marker missing (indexes possibly lost),
   * waits for a reconcile, then claims again for what is still wanted.
   */
  async #claim(kind: 'cb' | 'dl', due: string, leased: string, claim: ClaimOptions): Promise<Array<[unknown, string]>> {
    const { owner, limit, leaseMs, now } = claim;
    const once = async (wanted: number): Promise<[number, Array<[unknown, string]>]> =>
      await this.#run('claim', [kind, due, leased, owner, String(wanted), String(now), String(now + leaseMs), String(wanted + CLAIM_SLACK)]) as [number, Array<[unknown, string]>];
    const [meta, rows] = await once(limit);
    if (this.#closed) return rows;
    await this.#reconciler.afterClaim(meta === 0);
    if (meta === 0 && rows.length < limit) rows.push(...(await once(limit - rows.length))[1]);
    return rows;
  }

  #run(name: ScriptName, args: readonly ScriptArg[], what = 'the store operation failed'): Promise<unknown> {
    return this.#op(what, () => runScript(this.#client, name, [this.prefix, ...args]));
  }

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

  /** Logs connection errors at most once per 30 s: ioredis reports every failed reconnect. */
  #logConnectionError(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastErrorLogAt < ERROR_LOG_INTERVAL_MS) {
      this.#suppressedErrors += 1;
      return;
    }
    this.#logger.warn({ err: error, prefix: this.prefix, suppressed: this.#suppressedErrors }, 'redis store connection error');
    this.#lastErrorLogAt = now;
    this.#suppressedErrors = 0;
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

/** `ids` without duplicates, in chunks of {@link BULK}. */
function batches(ids: readonly string[]): string[][] {
  const unique = [...new Set(ids)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += BULK) out.push(unique.slice(i, i + BULK));
  return out;
}
