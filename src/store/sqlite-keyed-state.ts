import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalJson } from './canonical-json.js';
import { isLive, toKvRecord, type KvRow } from './sqlite-rows.js';
import type { Prepare } from './sqlite-statements.js';
import type { KvRecord, RateLimit, RateSlot } from './store.js';
import type { ResolvedPutKv } from './sqlite-validate.js';

/**
 * The small keyed state of the SQLite store: kv with TTL and newer-wins versions, locks and the shared
 * rolling-window rate limit. Each method is one statement or one IMMEDIATE transaction, so processes
 * sharing the file see each other's writes atomically. Synchronous: the store wraps it in promises and
 * maps failures to `ERR_STORE_UNAVAILABLE`.
 */
export class SqliteKeyedState {
  readonly #prepare: Prepare;
  readonly #deleteIfValue: (ns: string, key: string, expected: string | undefined) => boolean;
  readonly #takeRateSlot: (key: string, limit: RateLimit, now: number) => RateSlot;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;

    const deleteIfValue = db.transaction((ns: string, key: string, expected: string | undefined): boolean => {
      const row = prepare('SELECT value_json FROM kv WHERE ns = ? AND key = ?').get(ns, key) as Pick<KvRow, 'value_json'> | undefined;
      // `expected` is undefined for an `ifValue` JSON cannot hold: nothing stored equals it.
      if (row === undefined || expected === undefined || canonicalJson(JSON.parse(row.value_json)) !== expected) return false;
      return prepare('DELETE FROM kv WHERE ns = ? AND key = ?').run(ns, key).changes > 0;
    });
    this.#deleteIfValue = (ns, key, expected) => deleteIfValue.immediate(ns, key, expected);

    // One IMMEDIATE transaction holds the write lock from the count to the insert, so processes sharing
    // the file never both take the last slot.
    const takeRateSlot = db.transaction((key: string, limit: RateLimit, now: number): RateSlot => {
      prepare('DELETE FROM rate_slots WHERE key = ? AND at <= ?').run(key, now - limit.intervalMs);
      const { used, oldest } = prepare('SELECT COUNT(*) AS used, MIN(at) AS oldest FROM rate_slots WHERE key = ?')
        .get(key) as { used: number; oldest: number | null };
      if (used < limit.count) {
        prepare('INSERT INTO rate_slots (key, at, until) VALUES (?, ?, ?)').run(key, now, now + limit.intervalMs);
        return { ok: true };
      }
      // The oldest send leaves the window at oldest + interval. Clamped to [1, interval]: a slot recorded
      // by a process whose clock runs ahead must not make us wait longer than one window.
      const wait = (oldest ?? now) + limit.intervalMs - now;
      return { ok: false, retryInMs: Math.min(limit.intervalMs, Math.max(1, wait)) };
    });
    this.#takeRateSlot = (key, limit, now) => takeRateSlot.immediate(key, limit, now);
  }

  /** See `Store.getKv`. */
  getKv<T>(ns: string, key: string, now: number): KvRecord<T> | undefined {
    const row = this.#prepare(
      'SELECT key, value_json, version, updated_at, expires_at FROM kv WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ).get(ns, key, now) as KvRow | undefined;
    return row === undefined ? undefined : toKvRecord<T>(row);
  }

  /** See `Store.putKv`, with the value serialized and the defaults resolved. */
  putKv(ns: string, key: string, { valueJson, now, version, ifNewer, expiresAt }: ResolvedPutKv): boolean {
    const upsert = `INSERT INTO kv (ns, key, value_json, version, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (ns, key) DO UPDATE SET value_json = excluded.value_json, version = excluded.version,
        updated_at = excluded.updated_at, expires_at = excluded.expires_at`;
    if (!ifNewer) {
      this.#prepare(upsert).run(ns, key, valueJson, version, now, expiresAt);
      return true;
    }
    // An expired value counts as absent, so anything replaces it.
    const result = this.#prepare(`${upsert}
      WHERE excluded.version > kv.version OR (kv.expires_at IS NOT NULL AND kv.expires_at <= ?)`,
    ).run(ns, key, valueJson, version, now, expiresAt, now);
    return result.changes > 0;
  }

  /** See `Store.deleteKv`; without an `ifValue` key it deletes unconditionally. */
  deleteKv(ns: string, key: string, options: { readonly ifValue?: unknown }): boolean {
    if (!('ifValue' in options)) {
      return this.#prepare('DELETE FROM kv WHERE ns = ? AND key = ?').run(ns, key).changes > 0;
    }
    return this.#deleteIfValue(ns, key, canonicalJson(options.ifValue));
  }

  /** See `Store.listKv`. */
  listKv<T>(ns: string, now: number): Array<KvRecord<T> & { readonly key: string }> {
    const rows = this.#prepare(
      'SELECT key, value_json, version, updated_at, expires_at FROM kv WHERE ns = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
    ).all(ns, now) as KvRow[];
    return rows.map((row) => ({ key: row.key, ...toKvRecord<T>(row) }));
  }

  /** See `Store.takeKv`: one DELETE … RETURNING, so two takers never both get the value. */
  takeKv<T>(ns: string, key: string, now: number): KvRecord<T> | undefined {
    const row = this.#prepare(
      'DELETE FROM kv WHERE ns = ? AND key = ? RETURNING key, value_json, version, updated_at, expires_at',
    ).get(ns, key) as KvRow | undefined;
    return row === undefined || !isLive(row, now) ? undefined : toKvRecord<T>(row);
  }

  /** See `Store.acquireLock`: takes the lock when absent or expired, in one upsert. */
  acquireLock(key: string, ttlMs: number, now: number): string | undefined {
    const token = randomUUID();
    const result = this.#prepare(`INSERT INTO locks (key, token, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
      WHERE locks.expires_at <= ?`).run(key, token, now + ttlMs, now);
    return result.changes > 0 ? token : undefined;
  }

  /** See `Store.releaseLock`. */
  releaseLock(key: string, token: string): boolean {
    return this.#prepare('DELETE FROM locks WHERE key = ? AND token = ?').run(key, token).changes > 0;
  }

  /** See `Store.takeRateSlot`: one IMMEDIATE transaction (see the constructor). */
  takeRateSlot(key: string, limit: RateLimit, now: number): RateSlot {
    return this.#takeRateSlot(key, limit, now);
  }

  /** Drops expired kv values, locks and rate slots; returns nothing (housekeeping, not counted). */
  prune(now: number): void {
    this.#prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
    this.#prepare('DELETE FROM locks WHERE expires_at <= ?').run(now);
    this.#prepare('DELETE FROM rate_slots WHERE until <= ?').run(now);
  }
}
