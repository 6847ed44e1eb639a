import type Database from 'better-sqlite3';
import { callbacksFilter } from './sqlite-filters.js';
import { toCallbackRecord, type CallbackRow } from './sqlite-rows.js';
import type { Prepare } from './sqlite-statements.js';
import type {
  CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, ListCallbacksQuery, NewCallback, PutCallbackResult,
} from './records.js';

/** A callback serialized for the `callbacks` INSERT (parameters in column order). */
export type CallbackInsert = readonly unknown[];

/** Serializes a (checked) callback for {@link SqliteInbox.insertBatch}. */
export function toCallbackInsert(callback: NewCallback): CallbackInsert {
  const { id, endpoint, suiteId, receiveId, receivedAt, plaintext, fields, type, corpId } = callback;
  return [id, endpoint, suiteId, receiveId, receivedAt, plaintext, JSON.stringify(fields), type, corpId, receivedAt];
}

/**
 * The inbox half of the SQLite store (table `callbacks`), synchronous. Each method is one statement or
 * one IMMEDIATE transaction; "holding the lease" means `lease_owner = owner` on a still-pending row, so
 * a worker whose lease lapsed and was re-claimed by another can no longer finish the callback.
 */
export class SqliteInbox {
  readonly #prepare: Prepare;
  readonly #insertBatch: (rows: readonly CallbackInsert[]) => PutCallbackResult[];
  readonly #complete: (id: string, owner: string, completion: CallbackCompletion) => string[] | undefined;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;
    const insert = prepare(`INSERT OR IGNORE INTO callbacks
      (id, endpoint, suite_id, receive_id, received_at, plaintext, fields_json, type, corp_id, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertBatch = db.transaction((rows: readonly CallbackInsert[]) =>
      rows.map((row): PutCallbackResult => ({ inserted: insert.run(...row).changes > 0 })));
    this.#insertBatch = (rows) => insertBatch.immediate(rows);

    const complete = db.transaction((id: string, owner: string, { event, targets, now }: CallbackCompletion): string[] | undefined => {
      // A corp learned while processing (create_auth names it only after the AuthCode exchange) fills a missing corp_id;
      // the ingest-time type gives way to the normalized event's.
      const done = prepare(`UPDATE callbacks SET state = 'done', event_json = ?, processed_at = ?, last_error = NULL, type = ?,
        lease_owner = NULL, lease_until = NULL, corp_id = COALESCE(corp_id, ?) WHERE id = ? AND state = 'pending' AND lease_owner = ?`)
        .run(JSON.stringify(event), now, event.type, event.source.corpId || null, id, owner);
      if (done.changes === 0) return undefined;
      // OR IGNORE: a delivery that already exists for the pair (a re-processed callback) is left as it is.
      const insertDelivery = prepare(`INSERT OR IGNORE INTO deliveries
        (id, event_id, target, event_type, state, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`);
      return targets.filter((target) => insertDelivery.run(`${id}:${target}`, id, target, event.type, now, now, now).changes > 0);
    });
    this.#complete = (id, owner, completion) => complete.immediate(id, owner, completion);
  }

  /** Inserts a group-commit batch in one transaction; one result per row, in order. */
  insertBatch(rows: readonly CallbackInsert[]): PutCallbackResult[] {
    return this.#insertBatch(rows);
  }

  /** See `Store.getCallback`. */
  get(id: string): CallbackRecord | undefined {
    const row = this.#prepare('SELECT * FROM callbacks WHERE id = ?').get(id) as CallbackRow | undefined;
    return row === undefined ? undefined : toCallbackRecord(row);
  }

  /** See `Store.listCallbacks`. */
  list(query: ListCallbacksQuery, limit: number): CallbackRecord[] {
    const filter = callbacksFilter(query);
    const rows = this.#prepare(`SELECT * FROM callbacks ${filter.sql} ORDER BY received_at DESC, rowid DESC LIMIT ?`)
      .all(...filter.params, limit) as CallbackRow[];
    return rows.map(toCallbackRecord);
  }

  /** See `Store.claimCallbacks`: one UPDATE … RETURNING (atomic across connections); counts an attempt. */
  claim({ owner, limit, leaseMs, now }: ClaimOptions): CallbackRecord[] {
    const rows = this.#prepare(`UPDATE callbacks SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
      WHERE id IN (SELECT id FROM callbacks
        WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
        ORDER BY next_attempt_at, received_at, rowid LIMIT ?)
      RETURNING *, rowid AS row_order`).all(owner, now + leaseMs, now, now, limit) as Array<CallbackRow & { row_order: number }>;
    // RETURNING does not keep the subquery's order.
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.received_at - b.received_at || a.row_order - b.row_order);
    return rows.map(toCallbackRecord);
  }

  /** See `Store.completeCallback`: resolves undefined without the lease, else the targets a delivery was created for. */
  complete(id: string, owner: string, completion: CallbackCompletion): string[] | undefined {
    return this.#complete(id, owner, completion);
  }

  /** See `Store.deferCallback`. */
  defer(id: string, owner: string, { nextAttemptAt, error }: CallbackDeferral): boolean {
    return this.#prepare(`UPDATE callbacks SET next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND state = 'pending' AND lease_owner = ?`).run(nextAttemptAt, error, id, owner).changes > 0;
  }

  /** See `Store.failCallback`; `processedAt` becomes `now`. */
  fail(id: string, owner: string, error: string, now: number): boolean {
    return this.#prepare(`UPDATE callbacks SET state = 'failed', last_error = ?, processed_at = ?, lease_owner = NULL,
      lease_until = NULL WHERE id = ? AND state = 'pending' AND lease_owner = ?`).run(error, now, id, owner).changes > 0;
  }

  /**
   * See `Store.requeueCallbacks`: any state → pending, due `now`, attempts back to 0, lease dropped (a
   * worker still holding it can no longer finish). The stored event and `lastError` stay until the
   * callback is processed again.
   */
  requeue(ids: readonly string[], now: number): number {
    return this.#prepare(`UPDATE callbacks SET state = 'pending', next_attempt_at = ?, attempts = 0,
      lease_owner = NULL, lease_until = NULL WHERE id IN (SELECT value FROM json_each(?))`).run(now, JSON.stringify(ids)).changes;
  }

  /** See `Store.renewCallbackLeases`: only leases `owner` still holds at `now`. */
  renew(ids: readonly string[], owner: string, leaseUntil: number, now: number): string[] {
    const renewed = new Set(this.#prepare(`UPDATE callbacks SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))
      AND state = 'pending' AND lease_owner = ? AND lease_until > ? RETURNING id`).pluck()
      .all(leaseUntil, JSON.stringify(ids), owner, now) as string[]);
    return [...new Set(ids)].filter((id) => renewed.has(id));
  }
}
