import type Database from 'better-sqlite3';
import { sqliteActivity } from './sqlite-activity.js';
import { GroupCommit } from './group-commit.js';
import type { ResolvedSqliteStoreOptions } from './sqlite-options.js';
import { SqliteCoordination } from './sqlite-coordination.js';
import { SqliteDeliveries } from './sqlite-deliveries.js';
import { SqliteIdSets } from './sqlite-id-sets.js';
import { SqliteInbox, toCallbackInsert, type CallbackInsert } from './sqlite-inbox.js';
import { SqliteKeyedState } from './sqlite-keyed-state.js';
import { pruneDelivered, readStats } from './sqlite-maintenance.js';
import { openSqlite } from './sqlite-open.js';
import { statementCache, type Prepare } from './sqlite-statements.js';
import type {
  AttemptRecord, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryAttempt, DeliveryClaimOptions, DeliveryRecord, ListCallbacksQuery,
  ListDeliveriesQuery, NewCallback, PutCallbackResult, RateLimit, RateSlots, ReplaySelection, StoreStats, ActivityBucket,
} from './records.js';
import type { KvWrite, StoreBackend, StoredKv } from './store-backend.js';

/**
 * The SQLite implementation under the guard: one connection, synchronous (better-sqlite3), every
 * method one statement or one IMMEDIATE transaction. `putCallback`s arriving in the same turn of the
 * event loop are group-committed: one transaction, one fsync.
 *
 * Durability is chosen per write. `synchronous=FULL` (fsync before the commit returns) for what a power
 * loss must not take back: the inbox (the receiver acks WeCom right after, and WeCom will not resend),
 * keyed state (an AuthCode is single-use: a lost permanent code cannot be fetched again), one-use takes
 * and operator replays. `NORMAL` for the daemon's bookkeeping — claims, leases, attempts, completions,
 * rate slots, locks — which survives any process crash (WAL) and which a power loss can only roll back
 * to work that is then done again (a re-send, never a loss). A later FULL commit also syncs every NORMAL
 * commit before it.
 */
export class SqliteBackend implements StoreBackend {
  readonly #db: Database.Database;
  readonly #readonly: boolean;
  readonly #prepare: Prepare;
  readonly #inbox: SqliteInbox;
  readonly #deliveries: SqliteDeliveries;
  readonly #keyed: SqliteKeyedState;
  readonly #coordination: SqliteCoordination;
  readonly #idSets: SqliteIdSets;
  readonly #puts: GroupCommit<CallbackInsert, PutCallbackResult>;

  /** Opens (creating and migrating it if needed) the database; throws what SQLite or the file system threw. */
  constructor(filename: string, options: ResolvedSqliteStoreOptions) {
    this.#db = openSqlite(filename, options);
    this.#readonly = options.readonly;
    this.#prepare = statementCache(this.#db);
    this.#inbox = new SqliteInbox(this.#db, this.#prepare);
    this.#deliveries = new SqliteDeliveries(this.#db, this.#prepare, options.attemptsPerDelivery);
    this.#keyed = new SqliteKeyedState(this.#db, this.#prepare);
    this.#coordination = new SqliteCoordination(this.#db, this.#prepare);
    this.#idSets = new SqliteIdSets(this.#db, this.#prepare);
    this.#puts = new GroupCommit({
      commit: (rows) => this.#durable(() => this.#inbox.insertBatch(rows)),
      // The guard maps the error; every put of the batch gets the same one.
      mapError: (error) => (error instanceof Error ? error : new Error(String(error))),
      maxBatch: options.maxBatch,
    });
  }

  /** How many group-commit transactions `putCallback` has run. */
  get putBatches(): number {
    return this.#puts.batches;
  }

  /** Queued for the group commit of this turn of the event loop; settles after COMMIT (fsync). */
  putCallback(callback: NewCallback): Promise<PutCallbackResult> {
    // Serialized before queueing, so one bad callback cannot fail its whole batch.
    return this.#puts.push(toCallbackInsert(callback));
  }

  getCallback(id: string): CallbackRecord | undefined {
    return this.#inbox.get(id);
  }

  listCallbacks(query: ListCallbacksQuery, limit: number): CallbackRecord[] {
    return this.#inbox.list(query, limit);
  }

  claimCallbacks(claim: ClaimOptions): CallbackRecord[] {
    return this.#inbox.claim(claim);
  }

  completeCallback(id: string, owner: string, completion: CallbackCompletion): string[] | undefined {
    return this.#inbox.complete(id, owner, completion);
  }

  deferCallback(id: string, owner: string, deferral: CallbackDeferral): boolean {
    return this.#inbox.defer(id, owner, deferral);
  }

  failCallback(id: string, owner: string, error: string, now: number): boolean {
    return this.#inbox.fail(id, owner, error, now);
  }

  requeueCallbacks(ids: readonly string[], now: number): number {
    return this.#inbox.requeue(ids, now);
  }

  renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): string[] {
    return this.#inbox.renew(ids, owner, leaseUntil, now);
  }

  claimDeliveries(claim: DeliveryClaimOptions): DeliveryRecord[] {
    return this.#deliveries.claim(claim);
  }

  recordAttempts(batch: readonly AttemptRecord[]): boolean[] {
    return this.#deliveries.recordAttempts(batch);
  }

  releaseDelivery(id: string, owner: string): boolean {
    return this.#deliveries.release(id, owner);
  }

  listAttempts(deliveryId: string): DeliveryAttempt[] {
    return this.#deliveries.attempts(deliveryId);
  }

  listEventAttempts(eventId: string): DeliveryAttempt[] {
    return this.#deliveries.eventAttempts(eventId);
  }

  getDelivery(id: string): DeliveryRecord | undefined {
    return this.#deliveries.get(id);
  }

  listDeliveries(query: ListDeliveriesQuery, limit: number): DeliveryRecord[] {
    return this.#deliveries.list(query, limit);
  }

  replayDeliveries(selection: ReplaySelection, now: number): string[] {
    return this.#durable(() => this.#deliveries.replay(selection, now));
  }

  renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): string[] {
    return this.#deliveries.renew(ids, owner, leaseUntil, now);
  }

  getKv(ns: string, key: string, now: number): StoredKv | undefined {
    return this.#keyed.get(ns, key, now);
  }

  putKv(ns: string, key: string, write: KvWrite): boolean {
    return this.#durable(() => this.#keyed.put(ns, key, write));
  }

  deleteKv(ns: string, key: string, ifCanonical?: string): boolean {
    return this.#durable(() => this.#keyed.delete(ns, key, ifCanonical));
  }

  listKv(ns: string, now: number): Array<StoredKv & { readonly key: string }> {
    return this.#keyed.list(ns, now);
  }

  takeKv(ns: string, key: string, now: number): StoredKv | undefined {
    return this.#durable(() => this.#keyed.take(ns, key, now));
  }

  acquireLock(key: string, ttlMs: number, now: number): string | undefined {
    return this.#coordination.acquireLock(key, ttlMs, now);
  }

  renewLock(key: string, token: string, ttlMs: number, now: number): boolean {
    return this.#coordination.renewLock(key, token, ttlMs, now);
  }

  releaseLock(key: string, token: string): boolean {
    return this.#coordination.releaseLock(key, token);
  }

  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): RateSlots {
    return this.#coordination.takeRateSlots(key, limit, wanted, now);
  }

  addIds(set: string, ids: readonly string[]): number {
    return this.#idSets.add(set, ids);
  }

  removeIds(set: string, ids: readonly string[]): number {
    return this.#idSets.remove(set, ids);
  }

  hasIds(set: string, ids: readonly string[]): boolean[] {
    return this.#idSets.has(set, ids);
  }

  scanIds(set: string, after: string | null, limit: number): string[] {
    return this.#idSets.scan(set, after, limit);
  }

  countIds(set: string): number {
    return this.#idSets.count(set);
  }

  moveIds(from: string, to: string): void {
    this.#idSets.move(from, to);
  }

  deleteIds(set: string): number {
    return this.#idSets.delete(set);
  }

  stats(): StoreStats {
    return readStats(this.#db, this.#prepare);
  }

  activity(since: number, until: number, bucketMs: number): ActivityBucket[] {
    return sqliteActivity(this.#db, this.#prepare, since, until, bucketMs)();
  }

  /** Deletes delivered work older than `before`, then expired kv values, locks and rate slots (uncounted). */
  prune(before: number, now: number): number {
    const pruned = pruneDelivered(this.#db, this.#prepare, before);
    this.#keyed.prune(now);
    this.#coordination.prune(now);
    if (pruned > 0 && !this.#db.memory) {
      try {
        // Keep the WAL from growing while other processes keep reading (PASSIVE never waits).
        this.#db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Best effort: SQLite checkpoints on its own too, and the prune itself has committed.
      }
    }
    return pruned;
  }

  ping(): void {
    this.#prepare('SELECT 1').get();
  }

  /** Writes any queued `putCallback`s, then closes the database. */
  close(): void {
    this.#puts.flush();
    this.#db.close();
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
}
