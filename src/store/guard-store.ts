import { storeUnavailable, WecomRelayError } from '../errors.js';
import { validateActivityWindow } from './activity-window.js';
import { expected } from '../expected.js';
import { toKvWrite } from './kv-write.js';
import type { Namespace } from './namespaces.js';
import type {
  AttemptOutcome, AttemptRecord, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeleteKvOptions, DeliveryAttempt, DeliveryClaimOptions,
  DeliveryRecord, KvRecord, ListCallbacksQuery, ListDeliveriesQuery, NewCallback, PutCallbackResult, PutKvOptions, RateLimit, RateSlot,
  RateSlots, ReplaySelection, StoreStats, ActivityBucket,
} from './records.js';
import type { Awaitable, StoreBackend, StoredKv } from './store-backend.js';
import type { Store, StoreChange, StoreKind } from './store.js';
import {
  checkAttempts, checkCallbacksQuery, checkClaim, checkCompletion, checkCount, checkDeferral, checkDeliveriesQuery, checkDeliveryClaim,
  checkFailure, checkIds, checkKvKey, checkLock, checkName, checkNamespace, checkNewCallback, checkRateLimit, checkRenewal,
  checkReplaySelection, checkTime,
} from './validate-arguments.js';

/** Ids one id-set call takes at most (one statement / one command stays small). */
export const MAX_ID_BATCH = 10_000;

/** A set name and a batch of ids: non-empty strings, at most {@link MAX_ID_BATCH}. */
function checkIdBatch(set: string, ids: readonly string[]): void {
  checkName('set', set);
  checkIds('ids', ids);
  if (ids.length > MAX_ID_BATCH) throw expected('ids', `at most ${MAX_ID_BATCH} ids`, `${ids.length} ids`);
}

/** What the guard needs besides the implementation. */
export interface GuardOptions {
  /** Where the store is, for error messages, e.g. `sqlite:/var/lib/relay.db` or `redis://cache:6379/0` (never credentials). */
  readonly location: string;
  /** The clock of kv calls that give no `now`, and of `prune`'s housekeeping. */
  readonly now: () => number;
}

/**
 * The one guard around every store implementation ({@link StoreBackend}), so SQLite and Redis behave
 * the same at the edges:
 * - every argument is checked first (`validate-arguments.ts`): a mistake rejects with the same
 *   `TypeError` on both, before the implementation sees it; kv values are checked against their
 *   {@link Namespace} on write (`TypeError`) and on read (`ERR_STORE_UNAVAILABLE`: corrupt data is an
 *   error, not a cast);
 * - everything the implementation throws — a SQLite error, a Redis error, a `TypeError` from deep inside
 *   a client — rejects with `ERR_STORE_UNAVAILABLE` carrying it as `cause`, and a message naming the
 *   store and the setting: ``cannot write to sqlite:/var/lib/relay.db (setting `store`): SQLITE_BUSY``;
 * - change notifications come from here, after the write: a put or requeue tells `{ kind: 'callback' }`,
 *   deliveries created or replayed tell one `{ kind: 'delivery', target }` per target.
 */
export class GuardedStore implements Store {
  /** `sqlite` or `redis`. */
  readonly kind: StoreKind;
  /** Where the store is (see {@link GuardOptions.location}). */
  readonly location: string;

  readonly #backend: StoreBackend;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: StoreChange) => void>();
  #closed = false;

  constructor(kind: StoreKind, backend: StoreBackend, options: GuardOptions) {
    this.kind = kind;
    this.location = options.location;
    this.#backend = backend;
    this.#now = options.now;
  }

  async putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    checkNewCallback(callback);
    const result = await this.#run('write to', () => this.#backend.putCallback(callback));
    if (result.inserted) this.#emit({ kind: 'callback' });
    return result;
  }

  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    checkName('id', id);
    return this.#run('read from', () => this.#backend.getCallback(id));
  }

  async listCallbacks(query: ListCallbacksQuery = {}): Promise<CallbackRecord[]> {
    const limit = checkCallbacksQuery(query);
    return this.#run('read from', () => this.#backend.listCallbacks(query, limit));
  }

  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    checkClaim(claim);
    return this.#run('claim from', () => this.#backend.claimCallbacks(claim));
  }

  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean> {
    checkCompletion(id, owner, completion);
    const created = await this.#run('write to', () => this.#backend.completeCallback(id, owner, completion));
    if (created === undefined) return false;
    for (const target of new Set(created)) this.#emit({ kind: 'delivery', target });
    return true;
  }

  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    checkDeferral(id, owner, deferral);
    return this.#run('write to', () => this.#backend.deferCallback(id, owner, deferral));
  }

  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    checkFailure(id, owner, error, now);
    return this.#run('write to', () => this.#backend.failCallback(id, owner, error, now));
  }

  async requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    checkIds('ids', ids);
    checkTime('now', now);
    const count = await this.#run('write to', () => this.#backend.requeueCallbacks(ids, now));
    if (count > 0) this.#emit({ kind: 'callback' });
    return count;
  }

  async renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]> {
    checkRenewal(ids, owner, leaseUntil, now);
    if (ids.length === 0) return [];
    return this.#run('renew leases in', () => this.#backend.renewCallbackLeases(ids, owner, leaseUntil, now));
  }

  async claimDeliveries(claim: DeliveryClaimOptions): Promise<DeliveryRecord[]> {
    checkDeliveryClaim(claim);
    return this.#run('claim from', () => this.#backend.claimDeliveries(claim));
  }

  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    checkAttempts([{ id, owner, outcome }], 'attempt');
    const [recorded] = await this.#run('write to', () => this.#backend.recordAttempts([{ id, owner, outcome }]));
    return recorded === true;
  }

  async recordAttempts(batch: readonly AttemptRecord[]): Promise<boolean[]> {
    checkAttempts(batch);
    if (batch.length === 0) return [];
    return this.#run('write to', () => this.#backend.recordAttempts(batch));
  }

  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    checkName('id', id);
    checkName('owner', owner);
    return this.#run('write to', () => this.#backend.releaseDelivery(id, owner));
  }

  async listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    checkName('deliveryId', deliveryId);
    return this.#run('read from', () => this.#backend.listAttempts(deliveryId));
  }

  async listEventAttempts(eventId: string): Promise<DeliveryAttempt[]> {
    checkName('eventId', eventId);
    return this.#run('read from', () => this.#backend.listEventAttempts(eventId));
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    checkName('id', id);
    return this.#run('read from', () => this.#backend.getDelivery(id));
  }

  async listDeliveries(query: ListDeliveriesQuery = {}): Promise<DeliveryRecord[]> {
    const limit = checkDeliveriesQuery(query);
    return this.#run('read from', () => this.#backend.listDeliveries(query, limit));
  }

  async replayDeliveries(selection: ReplaySelection, now: number): Promise<number> {
    checkReplaySelection(selection);
    checkTime('now', now);
    const targets = await this.#run('write to', () => this.#backend.replayDeliveries(selection, now));
    for (const target of new Set(targets)) this.#emit({ kind: 'delivery', target });
    return targets.length;
  }

  async renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]> {
    checkRenewal(ids, owner, leaseUntil, now);
    if (ids.length === 0) return [];
    return this.#run('renew leases in', () => this.#backend.renewDeliveryLeases(ids, owner, leaseUntil, now));
  }

  async getKv<T>(ns: Namespace<T>, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    checkKvKey(ns, key);
    const at = this.#at(now);
    const stored = await this.#run('read from', () => this.#backend.getKv(ns.name, key, at));
    return stored === undefined ? undefined : this.#typed(ns, stored);
  }

  async putKv<T>(ns: Namespace<T>, key: string, value: T, options: PutKvOptions = {}): Promise<boolean> {
    checkKvKey(ns, key);
    ns.check(value, 'value');
    const write = toKvWrite(value, options, this.#now);
    return this.#run('write to', () => this.#backend.putKv(ns.name, key, write));
  }

  async deleteKv<T>(ns: Namespace<T>, key: string, options: DeleteKvOptions<T> = {}): Promise<boolean> {
    checkKvKey(ns, key);
    if (!('ifValue' in options)) return this.#run('write to', () => this.#backend.deleteKv(ns.name, key));
    // An ifValue JSON cannot hold (undefined …) equals no stored value: nothing is deleted.
    const canonical = options.ifValue === undefined ? undefined : toKvWrite(options.ifValue, {}, this.#now).canonicalJson;
    if (canonical === undefined) return this.#run('read from', () => false);
    return this.#run('write to', () => this.#backend.deleteKv(ns.name, key, canonical));
  }

  async listKv<T>(ns: Namespace<T>, now?: number): Promise<Array<KvRecord<T> & { readonly key: string }>> {
    checkNamespace(ns);
    const at = this.#at(now);
    const stored = await this.#run('read from', () => this.#backend.listKv(ns.name, at));
    return stored.map((record) => ({ key: record.key, ...this.#typed(ns, record) }));
  }

  async takeKv<T>(ns: Namespace<T>, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    checkKvKey(ns, key);
    const at = this.#at(now);
    const stored = await this.#run('write to', () => this.#backend.takeKv(ns.name, key, at));
    return stored === undefined ? undefined : this.#typed(ns, stored);
  }

  async acquireLock(key: string, ttlMs: number, now: number): Promise<string | undefined> {
    checkLock(key, ttlMs, now);
    return this.#run('lock in', () => this.#backend.acquireLock(key, ttlMs, now));
  }

  async renewLock(key: string, token: string, ttlMs: number, now: number): Promise<boolean> {
    checkLock(key, ttlMs, now, token);
    return this.#run('lock in', () => this.#backend.renewLock(key, token, ttlMs, now));
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    checkName('key', key);
    checkName('token', token);
    return this.#run('lock in', () => this.#backend.releaseLock(key, token));
  }

  async takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot> {
    const { granted, retryInMs } = await this.takeRateSlots(key, limit, 1, now);
    return granted === 1 ? { ok: true } : { ok: false, retryInMs };
  }

  async takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<RateSlots> {
    checkName('key', key);
    checkRateLimit(limit);
    checkCount('wanted', wanted);
    checkTime('now', now);
    return this.#run('take rate slots in', () => this.#backend.takeRateSlots(key, limit, wanted, now));
  }

  async addIds(set: string, ids: readonly string[]): Promise<number> {
    checkIdBatch(set, ids);
    if (ids.length === 0) return 0;
    return this.#run('write to', () => this.#backend.addIds(set, ids));
  }

  async removeIds(set: string, ids: readonly string[]): Promise<number> {
    checkIdBatch(set, ids);
    if (ids.length === 0) return 0;
    return this.#run('write to', () => this.#backend.removeIds(set, ids));
  }

  async hasIds(set: string, ids: readonly string[]): Promise<boolean[]> {
    checkIdBatch(set, ids);
    if (ids.length === 0) return [];
    return this.#run('read from', () => this.#backend.hasIds(set, ids));
  }

  async scanIds(set: string, after: string | null, limit: number): Promise<string[]> {
    checkName('set', set);
    if (after !== null) checkName('after', after);
    checkCount('limit', limit);
    if (limit > MAX_ID_BATCH) throw expected('limit', `at most ${MAX_ID_BATCH}`, limit);
    return this.#run('read from', () => this.#backend.scanIds(set, after, limit));
  }

  async countIds(set: string): Promise<number> {
    checkName('set', set);
    return this.#run('read from', () => this.#backend.countIds(set));
  }

  async moveIds(from: string, to: string): Promise<void> {
    checkName('from', from);
    checkName('to', to);
    if (from === to) throw expected('to', 'a set other than `from`', to);
    await this.#run('write to', () => this.#backend.moveIds(from, to));
  }

  async deleteIds(set: string): Promise<number> {
    checkName('set', set);
    return this.#run('write to', () => this.#backend.deleteIds(set));
  }

  async stats(now: number): Promise<StoreStats> {
    checkTime('now', now);
    return this.#run('read from', () => this.#backend.stats(now));
  }

  async activity(since: number, until: number, bucketMs: number): Promise<ActivityBucket[]> {
    validateActivityWindow(since, until, bucketMs);
    return this.#run('read from', () => this.#backend.activity(since, until, bucketMs));
  }

  async prune(before: number, now?: number): Promise<number> {
    checkTime('before', before);
    const at = this.#at(now);
    return this.#run('prune', () => this.#backend.prune(before, at));
  }

  async ping(): Promise<void> {
    await this.#run('reach', () => this.#backend.ping());
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    if (typeof listener !== 'function') throw expected('listener', 'a function', listener);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    try {
      await this.#backend.close();
    } catch (error) {
      throw storeUnavailable(error, this.#what('close'));
    }
  }

  /** Runs one implementation call, mapping whatever it throws to `ERR_STORE_UNAVAILABLE`. */
  async #run<T>(action: string, operation: () => Awaitable<T>): Promise<T> {
    if (this.#closed) throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { message: `${this.#what(action)}: the store is closed` });
    try {
      return await operation();
    } catch (error) {
      throw storeUnavailable(error, this.#what(action));
    }
  }

  #what(action: string): string {
    return `cannot ${action} ${this.location} (setting \`store\`)`;
  }

  #at(now: number | undefined): number {
    const at = now ?? this.#now();
    checkTime('now', at);
    return at;
  }

  /** A stored value checked against its namespace: a value of the wrong shape is corrupt data, not a cast. */
  #typed<T>(ns: Namespace<T>, stored: StoredKv): KvRecord<T> {
    try {
      return { value: ns.check(stored.value, ns.name), version: stored.version, updatedAt: stored.updatedAt, expiresAt: stored.expiresAt };
    } catch (cause) {
      throw storeUnavailable(cause, `${this.location} holds a value in namespace ${ns.name} that is not of its shape (setting \`store\`)`);
    }
  }

  #emit(change: StoreChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // A wake-up hint only: the daemon also polls, so a throwing listener loses nothing.
      }
    }
  }
}
