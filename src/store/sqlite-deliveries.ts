import type Database from 'better-sqlite3';
import { deliveriesFilter, replayFilter } from './sqlite-filters.js';
import { toDeliveryRecord, type DeliveryRow } from './sqlite-rows.js';
import type { Prepare } from './sqlite-statements.js';
import { toAttemptEntry } from './attempt-log.js';
import type {
  AttemptOutcome, AttemptRecord, DeliveryAttempt, DeliveryClaimOptions, DeliveryRecord, ListDeliveriesQuery, ReplaySelection,
} from './records.js';

/** `lastResponse` keeps the first characters of the response body only. */
export const MAX_RESPONSE_CHARS = 2000;

/** Deliveries with the event they carry: stored once per callback, joined on read. */
const SELECT = 'SELECT d.*, c.event_json FROM deliveries d JOIN callbacks c ON c.id = d.event_id';

/** A row of `delivery_attempts`. */
interface AttemptRow {
  delivery_id: string;
  seq: number;
  replay: number;
  at: number;
  state: DeliveryAttempt['state'];
  counted: number;
  status: number | null;
  duration_ms: number | null;
  response: string | null;
  error: string | null;
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    deliveryId: row.delivery_id, seq: row.seq, replay: row.replay, at: row.at, state: row.state, counted: row.counted === 1,
    status: row.status, durationMs: row.duration_ms, response: row.response, error: row.error,
  };
}

/**
 * The delivery half of the SQLite store (table `deliveries`, one row per event and target, and its
 * attempts log `delivery_attempts`, the last `attemptsPerDelivery` rows per delivery), synchronous.
 * Each method is one statement or one IMMEDIATE transaction.
 */
export class SqliteDeliveries {
  readonly #prepare: Prepare;
  readonly #keep: number;
  readonly #claim: (claim: DeliveryClaimOptions) => DeliveryRecord[];
  readonly #recordAttempts: (batch: readonly AttemptRecord[]) => boolean[];

  constructor(db: Database.Database, prepare: Prepare, attemptsPerDelivery: number) {
    this.#prepare = prepare;
    this.#keep = attemptsPerDelivery;
    // The claim and the read of the claimed rows' events in one transaction: one consistent snapshot.
    const claim = db.transaction(({ target, owner, limit, leaseMs, now }: DeliveryClaimOptions) => {
      const claimed = prepare(`UPDATE deliveries SET lease_owner = ?, lease_until = ?
        WHERE id IN (SELECT id FROM deliveries
          WHERE target = ? AND state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
          ORDER BY next_attempt_at, rowid LIMIT ?)
        RETURNING id`).pluck().all(owner, now + leaseMs, target, now, now, limit) as string[];
      if (claimed.length === 0) return [];
      const rows = prepare(`${SELECT} WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at, d.rowid`)
        .all(JSON.stringify(claimed)) as DeliveryRow[];
      return rows.map(toDeliveryRecord);
    });
    this.#claim = (options) => claim.immediate(options);
    const recordAttempts = db.transaction((batch: readonly AttemptRecord[]) =>
      batch.map(({ id, owner, outcome }) => this.#recordAttempt(id, owner, outcome)));
    this.#recordAttempts = (batch) => recordAttempts.immediate(batch);
  }

  /** See `Store.claimDeliveries`: no attempt is counted until {@link recordAttempt}. */
  claim(options: DeliveryClaimOptions): DeliveryRecord[] {
    return this.#claim(options);
  }

  /** See `Store.recordAttempts`: the whole batch in one IMMEDIATE transaction (one commit). */
  recordAttempts(batch: readonly AttemptRecord[]): boolean[] {
    return this.#recordAttempts(batch);
  }

  /**
   * One attempt (see `Store.recordAttempt`): needs the lease; counts the attempt if asked; `pending`
   * without `nextAttemptAt` is due at `now`; `delivered` stamps `deliveredAt`; the lease is released.
   * A recorded outcome is appended to the attempts log, and the log trimmed to its last entries.
   */
  #recordAttempt(id: string, owner: string, outcome: AttemptOutcome): boolean {
    const { state, countAttempt, now } = outcome;
    const response = outcome.response == null ? null : outcome.response.slice(0, MAX_RESPONSE_CHARS);
    const row = this.#prepare(`UPDATE deliveries SET state = ?, attempts = attempts + ?, next_attempt_at = ?,
      last_status = ?, last_response = ?, last_error = ?, updated_at = ?, attempt_seq = attempt_seq + 1,
      delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END, lease_owner = NULL, lease_until = NULL
      WHERE id = ? AND state = 'pending' AND lease_owner = ? RETURNING replays, attempt_seq, created_at`).raw().get(
      state, countAttempt ? 1 : 0, outcome.nextAttemptAt ?? now, outcome.status ?? null, response, outcome.error ?? null, now,
      state, now, id, owner,
    ) as [number, number, number] | undefined;
    if (row === undefined) return false;
    const [replays, seq, createdAt] = row;
    const entry = toAttemptEntry(outcome);
    this.#prepare(`INSERT INTO delivery_attempts (created_at, delivery_id, seq, replay, at, state, counted, status, duration_ms, response, error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      createdAt, id, seq, replays, entry.at, entry.state, entry.counted ? 1 : 0, entry.status, entry.durationMs, entry.response, entry.error,
    );
    if (seq > this.#keep) {
      this.#prepare('DELETE FROM delivery_attempts WHERE created_at = ? AND delivery_id = ? AND seq <= ?').run(createdAt, id, seq - this.#keep);
    }
    return true;
  }

  /** See `Store.listAttempts`: the delivery's row gives the log's key prefix (its created_at). */
  attempts(deliveryId: string): DeliveryAttempt[] {
    const rows = this.#prepare(`SELECT a.* FROM deliveries d JOIN delivery_attempts a ON a.created_at = d.created_at AND a.delivery_id = d.id
      WHERE d.id = ? ORDER BY a.seq`).all(deliveryId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  /** See `Store.listEventAttempts`: the event's deliveries by their index, each log by its key. */
  eventAttempts(eventId: string): DeliveryAttempt[] {
    const rows = this.#prepare(`SELECT a.* FROM deliveries d JOIN delivery_attempts a ON a.created_at = d.created_at AND a.delivery_id = d.id
      WHERE d.event_id = ? ORDER BY a.delivery_id, a.seq`).all(eventId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  /** See `Store.releaseDelivery`. */
  release(id: string, owner: string): boolean {
    return this.#prepare('UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?')
      .run(id, owner).changes > 0;
  }

  /** See `Store.getDelivery`. */
  get(id: string): DeliveryRecord | undefined {
    const row = this.#prepare(`${SELECT} WHERE d.id = ?`).get(id) as DeliveryRow | undefined;
    return row === undefined ? undefined : toDeliveryRecord(row);
  }

  /** See `Store.listDeliveries`. */
  list(query: ListDeliveriesQuery, limit: number): DeliveryRecord[] {
    const filter = deliveriesFilter(query);
    const rows = this.#prepare(`${SELECT} ${filter.sql} ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?`)
      .all(...filter.params, limit) as DeliveryRow[];
    return rows.map(toDeliveryRecord);
  }

  /**
   * See `Store.replayDeliveries`: pending, due `now`, attempts 0, `replays` + 1, lease and `deliveredAt`
   * cleared; `lastStatus` / `lastResponse` / `lastError` are kept as history until the next attempt.
   */
  replay(selection: ReplaySelection, now: number): string[] {
    const filter = replayFilter(selection);
    return this.#prepare(`UPDATE deliveries SET state = 'pending', attempts = 0, replays = replays + 1, next_attempt_at = ?,
      updated_at = ?, delivered_at = NULL, lease_owner = NULL, lease_until = NULL ${filter.sql} RETURNING target`).pluck()
      .all(now, now, ...filter.params) as string[];
  }

  /** See `Store.renewDeliveryLeases`: only leases `owner` still holds at `now`. */
  renew(ids: readonly string[], owner: string, leaseUntil: number, now: number): string[] {
    const renewed = new Set(this.#prepare(`UPDATE deliveries SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))
      AND state = 'pending' AND lease_owner = ? AND lease_until > ? RETURNING id`).pluck()
      .all(leaseUntil, JSON.stringify(ids), owner, now) as string[]);
    return [...new Set(ids)].filter((id) => renewed.has(id));
  }
}
