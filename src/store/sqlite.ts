import type Database from 'better-sqlite3';
import { WecomRelayError } from '../errors.js';
import { GroupCommit } from './group-commit.js';
import { SqliteDeliveries } from './sqlite-deliveries.js';
import { SqliteInbox, toCallbackInsert, type CallbackInsert } from './sqlite-inbox.js';
import { SqliteKeyedState } from './sqlite-keyed-state.js';
import { pruneDelivered, readStats } from './sqlite-maintenance.js';
import { openSqlite } from './sqlite-open.js';
import { statementCache, type Prepare } from './sqlite-statements.js';
import { expected, validateClaim, validateLimit, validateOptions, validatePutKv, validateRateLimit } from './sqlite-validate.js';
import type {
  AttemptOutcome, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryRecord, KvRecord,
  ListCallbacksQuery, ListDeliveriesQuery, NewCallback, PutCallbackResult, PutKvOptions, RateLimit, RateSlot,
  ReplaySelection, Store, StoreStats,
} from './store.js';

/** Options of a {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * Open an existing file read-only (nothing created, migrated or written; writes reject with
   * `ERR_STORE_UNAVAILABLE`). For inspection tools.
   * @default false
   */
  readonly readonly?: boolean;
  /**
   * The clock for methods that take no explicit `now` (locks; kv when `now` is omitted; housekeeping in
   * `prune`).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How long a write waits for another process's write lock before failing with `SQLITE_BUSY`.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Largest group-commit batch of `putCallback`s written in one transaction.
   * @default 256
   */
  readonly maxBatch?: number;
}

/** Rows a list returns when the query gives no `limit`. */
const DEFAULT_LIST_LIMIT = 100;

/**
 * The SQLite {@link Store}: one file shared by the receiver and the daemon on one machine (WAL, file mode
 * 0600). `putCallback`s arriving in the same turn of the event loop are group-committed: one transaction,
 * one fsync. Every other method is one statement or one IMMEDIATE transaction, so several processes
 * (connections) may share the file safely.
 *
 * Durability is chosen per write. `synchronous=FULL` (fsync before the commit returns) for what a power
 * loss must not take back: the inbox (the receiver acks WeCom right after, and WeCom will not resend),
 * credentials and other keyed state (an AuthCode is single-use: a lost permanent code cannot be fetched
 * again), one-use takes and operator replays. `NORMAL` for the daemon's bookkeeping — claims, leases,
 * attempts, completions, rate slots, locks — which survives any process crash (WAL) and which a power
 * loss can only roll back to work that is then done again (a re-send, never a loss). A later FULL commit
 * also syncs every NORMAL commit before it. The split keeps the daemon's per-delivery writes off the
 * disk's fsync latency, which would otherwise bound delivery throughput and stall the receiver sharing
 * the event loop.
 *
 * better-sqlite3 is synchronous; the methods return promises to honour the {@link Store} contract, and
 * every database failure rejects with `WecomRelayError('ERR_STORE_UNAVAILABLE')` carrying the cause.
 * Bad arguments (an empty owner, a zero limit …) reject with `TypeError`.
 */
export class SqliteStore implements Store {
  /** Always `sqlite`. */
  readonly kind = 'sqlite' as const;
  /** The database file name (`:memory:` for an in-memory store). */
  readonly filename: string;

  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #prepare: Prepare;
  readonly #inbox: SqliteInbox;
  readonly #deliveries: SqliteDeliveries;
  readonly #keyed: SqliteKeyedState;
  readonly #puts: GroupCommit<CallbackInsert, PutCallbackResult>;
  readonly #listeners = new Set<() => void>();
  #closed = false;
  readonly #readonly: boolean;

  /**
   * Opens (creating and migrating it if needed) the database at `filename`, or `:memory:`.
   * @throws TypeError on invalid options; `WecomRelayError('ERR_STORE_UNAVAILABLE')` when the file cannot
   * be opened or holds a schema from a newer version.
   */
  constructor(filename: string, options: SqliteStoreOptions = {}) {
    if (typeof filename !== 'string' || filename === '') throw expected('filename', 'a non-empty string', filename);
    const { readonly, now, busyTimeoutMs, maxBatch } = validateOptions(options);
    this.filename = filename;
    this.#now = now;
    this.#readonly = readonly;
    try {
      this.#db = openSqlite(filename, { readonly, busyTimeoutMs });
    } catch (error) {
      throw unavailable(error, 'the SQLite store could not be opened');
    }
    this.#prepare = statementCache(this.#db);
    this.#inbox = new SqliteInbox(this.#db, this.#prepare);
    this.#deliveries = new SqliteDeliveries(this.#db, this.#prepare);
    this.#keyed = new SqliteKeyedState(this.#db, this.#prepare);
    this.#puts = new GroupCommit({
      commit: (rows) => this.#durable(() => this.#inbox.insertBatch(rows)),
      mapError: (error) => unavailable(error, 'the store did not take the write'),
      maxBatch,
      onCommitted: (_rows, results) => {
        if (results.some((r) => r.inserted)) this.#emitChange();
      },
    });
  }

  /** How many group-commit transactions `putCallback` has run (for tests and metrics). */
  get putBatches(): number {
    return this.#puts.batches;
  }

  // ── Inbox ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * See {@link Store.putCallback}: queued for the group commit of this turn of the event loop; resolves
   * after COMMIT (fsync), or rejects with `ERR_STORE_UNAVAILABLE` together with its whole batch.
   */
  async putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    // Checked and serialized before queueing, so one bad callback cannot fail its whole batch.
    const row = toCallbackInsert(callback);
    this.#assertOpen();
    return this.#puts.push(row);
  }

  /** See {@link Store.getCallback}. */
  async getCallback(id: string): Promise<CallbackRecord | undefined> {
    return this.#op(() => this.#inbox.get(id));
  }

  /** See {@link Store.listCallbacks}; `limit` defaults to 100. */
  async listCallbacks(query: ListCallbacksQuery = {}): Promise<CallbackRecord[]> {
    const limit = validateLimit(query.limit, DEFAULT_LIST_LIMIT);
    return this.#op(() => this.#inbox.list(query, limit));
  }

  /** See {@link Store.claimCallbacks}: one UPDATE … RETURNING; each claim counts an attempt. */
  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    validateClaim(claim);
    return this.#op(() => this.#inbox.claim(claim));
  }

  /** See {@link Store.completeCallback}: event, state and deliveries in one IMMEDIATE transaction. */
  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean> {
    const created = this.#op(() => this.#inbox.complete(id, owner, completion));
    if (created > 0) this.#emitChange();
    return created >= 0;
  }

  /** See {@link Store.deferCallback}. */
  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    return this.#op(() => this.#inbox.defer(id, owner, deferral));
  }

  /** See {@link Store.failCallback}: `processedAt` is set to `now`. */
  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    return this.#op(() => this.#inbox.fail(id, owner, error, now));
  }

  /** See {@link Store.requeueCallbacks}: any state → pending, due now, attempts back to 0, lease dropped. */
  async requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    const count = this.#op(() => this.#inbox.requeue(ids, now));
    if (count > 0) this.#emitChange();
    return count;
  }

  // ── Deliveries ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.claimDeliveries}: the claim and the read of the events in one transaction. */
  async claimDeliveries(claim: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]> {
    validateClaim(claim);
    if (typeof claim.target !== 'string' || claim.target === '') throw expected('target', 'a non-empty string', claim.target);
    return this.#op(() => this.#deliveries.claim(claim));
  }

  /** See {@link Store.recordAttempt}; `lastResponse` keeps the first 2,000 characters. */
  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    return this.#op(() => this.#deliveries.recordAttempt(id, owner, outcome));
  }

  /** See {@link Store.releaseDelivery}. */
  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    return this.#op(() => this.#deliveries.release(id, owner));
  }

  /** See {@link Store.renewCallbackLeases} (interim: one UPDATE … RETURNING). */
  async renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, _now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.#op(() => this.#prepare(`UPDATE callbacks SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))
      AND state = 'pending' AND lease_owner = ? RETURNING id`).pluck().all(leaseUntil, JSON.stringify(ids), owner) as string[]);
  }

  /** See {@link Store.renewDeliveryLeases} (interim: one UPDATE … RETURNING). */
  async renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, _now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.#op(() => this.#prepare(`UPDATE deliveries SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))
      AND state = 'pending' AND lease_owner = ? RETURNING id`).pluck().all(leaseUntil, JSON.stringify(ids), owner) as string[]);
  }

  /** See {@link Store.recordAttempts} (interim: one transaction). */
  async recordAttempts(batch: ReadonlyArray<{ readonly id: string; readonly owner: string; readonly outcome: AttemptOutcome }>): Promise<boolean[]> {
    return this.#op(() => this.#db.transaction(() => batch.map((b) => this.#deliveries.recordAttempt(b.id, b.owner, b.outcome)))());
  }

  /** See {@link Store.getDelivery}. */
  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.#op(() => this.#deliveries.get(id));
  }

  /** See {@link Store.listDeliveries}; `limit` defaults to 100. */
  async listDeliveries(query: ListDeliveriesQuery = {}): Promise<DeliveryRecord[]> {
    const limit = validateLimit(query.limit, DEFAULT_LIST_LIMIT);
    return this.#op(() => this.#deliveries.list(query, limit));
  }

  /**
   * See {@link Store.replayDeliveries}: pending, due `now`, attempts 0, `replays` + 1, lease and
   * `deliveredAt` cleared; `lastStatus` / `lastResponse` / `lastError` are kept as history.
   */
  async replayDeliveries(selection: ReplaySelection, now: number): Promise<number> {
    const count = this.#op(() => this.#durable(() => this.#deliveries.replay(selection, now)));
    if (count > 0) this.#emitChange();
    return count;
  }

  // ── Keyed state and coordination ──────────────────────────────────────────────────────────────────

  /** See {@link Store.getKv}. */
  async getKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    const at = now ?? this.#now();
    return this.#op(() => this.#keyed.getKv<T>(ns, key, at));
  }

  /** See {@link Store.putKv}: `version` defaults to `now`, which defaults to the store's clock. */
  async putKv<T = unknown>(ns: string, key: string, value: T, options: PutKvOptions = {}): Promise<boolean> {
    const put = validatePutKv(value, options, this.#now);
    return this.#op(() => this.#durable(() => this.#keyed.putKv(ns, key, put)));
  }

  /**
   * See {@link Store.deleteKv}: `ifValue` compares canonical JSON (key order does not matter). An
   * `ifValue` key that is present but `undefined` matches nothing (it never deletes unconditionally).
   */
  async deleteKv(ns: string, key: string, options: { readonly ifValue?: unknown } = {}): Promise<boolean> {
    const conditional = 'ifValue' in options;
    return this.#op(() => this.#durable(() => this.#keyed.deleteKv(ns, key, conditional ? { ifValue: options.ifValue } : {})));
  }

  /** See {@link Store.listKv}; sorted by key. */
  async listKv<T = unknown>(ns: string, now?: number): Promise<Array<KvRecord<T> & { readonly key: string }>> {
    const at = now ?? this.#now();
    return this.#op(() => this.#keyed.listKv<T>(ns, at));
  }

  /** See {@link Store.takeKv}. */
  async takeKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined> {
    const at = now ?? this.#now();
    return this.#op(() => this.#durable(() => this.#keyed.takeKv<T>(ns, key, at)));
  }

  /** See {@link Store.acquireLock}; expiry follows the store's clock. */
  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw expected('ttlMs', 'a positive number', ttlMs);
    return this.#op(() => this.#keyed.acquireLock(key, ttlMs, this.#now()));
  }

  /** See {@link Store.releaseLock}. */
  async releaseLock(key: string, token: string): Promise<boolean> {
    return this.#op(() => this.#keyed.releaseLock(key, token));
  }

  /** See {@link Store.takeRateSlots} (interim: {@link takeRateSlot} until one is refused, in one IMMEDIATE transaction). */
  async takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<{ readonly granted: number; readonly retryInMs: number }> {
    validateRateLimit(limit);
    return this.#op(() => this.#db.transaction(() => {
      let granted = 0;
      while (granted < wanted) {
        const slot = this.#keyed.takeRateSlot(key, limit, now);
        if (!slot.ok) return { granted, retryInMs: slot.retryInMs };
        granted += 1;
      }
      return { granted, retryInMs: 0 };
    }).immediate());
  }

  /** See {@link Store.takeRateSlot}: one IMMEDIATE transaction, so processes sharing the file agree. */
  async takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot> {
    validateRateLimit(limit);
    return this.#op(() => this.#keyed.takeRateSlot(key, limit, now));
  }

  // ── Operations ────────────────────────────────────────────────────────────────────────────────────

  /** See {@link Store.stats}: read in one snapshot. */
  async stats(_now: number): Promise<StoreStats> {
    return this.#op(() => readStats(this.#db, this.#prepare));
  }

  /**
   * See {@link Store.prune}: deletes delivered deliveries with `deliveredAt < before`, then `done`
   * callbacks with `processedAt < before` that have no delivery left, and resolves how many rows of
   * those two kinds went. Also drops expired kv values, locks and rate slots (by the store's clock; not
   * counted). Pending, failed and dead work is never pruned.
   */
  async prune(before: number): Promise<number> {
    const now = this.#now();
    const count = this.#op(() => {
      const pruned = pruneDelivered(this.#db, this.#prepare, before);
      this.#keyed.prune(now);
      return pruned;
    });
    if (count > 0 && !this.#db.memory) {
      try {
        // Keep the WAL from growing while other processes keep reading (PASSIVE never waits).
        this.#db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Best effort: SQLite checkpoints on its own too, and the prune itself has committed.
      }
    }
    return count;
  }

  /** See {@link Store.ping}. */
  async ping(): Promise<void> {
    this.#op(() => this.#prepare('SELECT 1').get());
  }

  /** See {@link Store.onChange}. Listener errors are swallowed: a listener cannot fail a write. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Writes any queued `putCallback`s, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#puts.flush();
    this.#closed = true;
    this.#listeners.clear();
    this.#db.close();
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────────────

  /** Runs a database operation, mapping any failure to `ERR_STORE_UNAVAILABLE`. */
  #op<T>(operation: () => T): T {
    this.#assertOpen();
    try {
      return operation();
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Runs a write with `synchronous=FULL`: its commit is fsync'd (with every NORMAL commit before it). */
  #durable<T>(write: () => T): T {
    if (this.#readonly) return write();
    this.#db.pragma('synchronous = FULL');
    try {
      return write();
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { message: 'the store is closed' });
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
 * Wraps a database failure as `ERR_STORE_UNAVAILABLE`, naming the SQLite code (`SQLITE_BUSY`,
 * `SQLITE_FULL`, `SQLITE_READONLY` …) when there is one; the original error is the `cause`.
 */
function unavailable(error: unknown, what = 'the store operation failed'): WecomRelayError {
  if (error instanceof WecomRelayError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause: error, message: `${what}${detail}` });
}
