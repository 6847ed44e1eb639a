import type Database from 'better-sqlite3';
import { canonicalJson } from './canonical-json.js';
import { isLive, toKvRecord, type KvRow } from './sqlite-rows.js';
import type { Prepare } from './sqlite-statements.js';
import type { KvWrite, StoredKv } from './store-backend.js';

/**
 * The kv half of the SQLite store's keyed state: values with TTL and newer-wins versions (table `kv`).
 * Each method is one statement or one IMMEDIATE transaction, so processes sharing the file see each
 * other's writes atomically. Synchronous; values come back parsed, unchecked (the guard checks them).
 */
export class SqliteKeyedState {
  readonly #prepare: Prepare;
  readonly #deleteIfValue: (ns: string, key: string, canonical: string) => boolean;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;
    const deleteIfValue = db.transaction((ns: string, key: string, canonical: string): boolean => {
      const row = prepare('SELECT value_json FROM kv WHERE ns = ? AND key = ?').get(ns, key) as Pick<KvRow, 'value_json'> | undefined;
      if (row === undefined || canonicalJson(JSON.parse(row.value_json)) !== canonical) return false;
      return prepare('DELETE FROM kv WHERE ns = ? AND key = ?').run(ns, key).changes > 0;
    });
    this.#deleteIfValue = (ns, key, canonical) => deleteIfValue.immediate(ns, key, canonical);
  }

  /** See `Store.getKv`. */
  get(ns: string, key: string, now: number): StoredKv | undefined {
    const row = this.#prepare(
      'SELECT key, value_json, version, updated_at, expires_at FROM kv WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)',
    ).get(ns, key, now) as KvRow | undefined;
    return row === undefined ? undefined : toKvRecord(row);
  }

  /** See `Store.putKv`. */
  put(ns: string, key: string, { valueJson, now, version, ifNewer, expiresAt }: KvWrite): boolean {
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

  /** See `Store.deleteKv`: unconditional without `ifCanonical`; else compares canonical JSON. */
  delete(ns: string, key: string, ifCanonical?: string): boolean {
    if (ifCanonical === undefined) return this.#prepare('DELETE FROM kv WHERE ns = ? AND key = ?').run(ns, key).changes > 0;
    return this.#deleteIfValue(ns, key, ifCanonical);
  }

  /** See `Store.listKv`. */
  list(ns: string, now: number): Array<StoredKv & { readonly key: string }> {
    const rows = this.#prepare(
      'SELECT key, value_json, version, updated_at, expires_at FROM kv WHERE ns = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
    ).all(ns, now) as KvRow[];
    return rows.map((row) => ({ key: row.key, ...toKvRecord(row) }));
  }

  /** See `Store.takeKv`: one DELETE … RETURNING, so two takers never both get the value. */
  take(ns: string, key: string, now: number): StoredKv | undefined {
    const row = this.#prepare(
      'DELETE FROM kv WHERE ns = ? AND key = ? RETURNING key, value_json, version, updated_at, expires_at',
    ).get(ns, key) as KvRow | undefined;
    return row === undefined || !isLive(row, now) ? undefined : toKvRecord(row);
  }

  /** Drops expired kv values (housekeeping, not counted). */
  prune(now: number): void {
    this.#prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
  }
}
