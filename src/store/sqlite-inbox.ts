import type Database from 'better-sqlite3';
import { callbacksFilter } from './sqlite-filters.js';
import { toCallbackRecord, type CallbackRow } from './sqlite-rows.js';
import type { Prepare } from './sqlite-statements.js';
import { expected } from './sqlite-validate.js';
import type {
  CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, ListCallbacksQuery, NewCallback, PutCallbackResult,
} from './store.js';

/** A callback serialized for the `callbacks` INSERT (parameters in column order). */
export type CallbackInsert = readonly unknown[];

/**
 * Checks and serializes a callback for {@link SqliteInbox.insertBatch}, so that a malformed one is
 * refused on its own (TypeError) instead of failing the group-commit batch it would have joined.
 */
export function toCallbackInsert(callback: NewCallback): CallbackInsert {
  const { id, endpoint, suiteId, receiveId, receivedAt, plaintext, fields, type, corpId } = callback ?? {};
  for (const [name, value] of Object.entries({ id, endpoint, suiteId, type })) {
    if (typeof value !== 'string' || value === '') throw expected(`callback.${name}`, 'a non-empty string', value);
  }
  // Empty is a real receiveid: third-party apps of an individual entity (个人主体) are sealed with ''.
  if (typeof receiveId !== 'string') throw expected('callback.receiveId', 'a string', receiveId);
  if (typeof plaintext !== 'string') throw expected('callback.plaintext', 'a string', plaintext);
  if (!Number.isFinite(receivedAt)) throw expected('callback.receivedAt', 'a finite number', receivedAt);
  if (corpId !== null && typeof corpId !== 'string') throw expected('callback.corpId', 'a string or null', corpId);
  const fieldsJson = fields !== null && typeof fields === 'object' ? JSON.stringify(fields) : undefined;
  if (fieldsJson === undefined) throw expected('callback.fields', 'an object', fields);
  return [id, endpoint, suiteId, receiveId, receivedAt, plaintext, fieldsJson, type, corpId, receivedAt];
}

/**
 * The inbox half of the SQLite store (table `callbacks`), synchronous. Each method is one statement or
 * one IMMEDIATE transaction; "holding the lease" means `lease_owner = owner` on a still-pending row, so
 * a worker whose lease lapsed and was re-claimed by another can no longer finish the callback.
 */
export class SqliteInbox {
  readonly #prepare: Prepare;
  readonly #insertBatch: (rows: readonly CallbackInsert[]) => PutCallbackResult[];
  readonly #complete: (id: string, owner: string, completion: CallbackCompletion) => number;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;
    const insert = prepare(`INSERT OR IGNORE INTO callbacks
      (id, endpoint, suite_id, receive_id, received_at, plaintext, fields_json, type, corp_id, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertBatch = db.transaction((rows: readonly CallbackInsert[]) =>
      rows.map((row): PutCallbackResult => ({ inserted: insert.run(...row).changes > 0 })));
    this.#insertBatch = (rows) => insertBatch.immediate(rows);

    const complete = db.transaction((id: string, owner: string, { event, targets, now }: CallbackCompletion): number => {
      // A corp learned while processing (create_auth names it only after the AuthCode exchange) fills a missing corp_id.
      const done = prepare(`UPDATE callbacks SET state = 'done', event_json = ?, processed_at = ?, last_error = NULL,
        lease_owner = NULL, lease_until = NULL, corp_id = COALESCE(corp_id, ?) WHERE id = ? AND state = 'pending' AND lease_owner = ?`)
        .run(JSON.stringify(event), now, event.source.corpId ?? null, id, owner);
      if (done.changes === 0) return -1;
      // OR IGNORE: a delivery that already exists for the pair (a re-processed callback) is left as it is.
      const insertDelivery = prepare(`INSERT OR IGNORE INTO deliveries
        (id, event_id, target, event_type, state, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`);
      let created = 0;
      for (const target of targets) created += insertDelivery.run(`${id}:${target}`, id, target, event.type, now, now, now).changes;
      return created;
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

  /** See `Store.completeCallback`: resolves -1 without the lease, else how many deliveries were created. */
  complete(id: string, owner: string, completion: CallbackCompletion): number {
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
}
