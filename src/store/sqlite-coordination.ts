import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { retryIn } from './rate-window.js';
import type { RateLimit, RateSlots } from './records.js';
import type { Prepare } from './sqlite-statements.js';

/**
 * Coordination in the SQLite store: locks (table `locks`) and the shared rolling-window rate limit
 * (table `rate_slots`), on the caller's clock. Each method is one statement or one IMMEDIATE
 * transaction, so processes sharing the file agree.
 */
export class SqliteCoordination {
  readonly #prepare: Prepare;
  readonly #takeRateSlots: (key: string, limit: RateLimit, wanted: number, now: number) => RateSlots;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;
    // One IMMEDIATE transaction holds the write lock from the count to the inserts, so processes sharing
    // the file never both take the last slot.
    const take = db.transaction((key: string, limit: RateLimit, wanted: number, now: number): RateSlots => {
      prepare('DELETE FROM rate_slots WHERE key = ? AND at <= ?').run(key, now - limit.intervalMs);
      const used = prepare('SELECT COUNT(*) FROM rate_slots WHERE key = ?').pluck().get(key) as number;
      const granted = Math.max(0, Math.min(wanted, limit.count - used));
      const insert = prepare('INSERT INTO rate_slots (key, at, until) VALUES (?, ?, ?)');
      for (let i = 0; i < granted; i++) insert.run(key, now, now + limit.intervalMs);
      if (granted === wanted) return { granted, retryInMs: 0 };
      const oldest = prepare('SELECT MIN(at) FROM rate_slots WHERE key = ?').pluck().get(key) as number | null;
      return { granted, retryInMs: retryIn(oldest ?? now, limit, now) };
    });
    this.#takeRateSlots = (key, limit, wanted, now) => take.immediate(key, limit, wanted, now);
  }

  /** See `Store.acquireLock`: takes the lock when absent or expired at `now`, in one upsert. */
  acquireLock(key: string, ttlMs: number, now: number): string | undefined {
    const token = randomUUID();
    const result = this.#prepare(`INSERT INTO locks (key, token, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at
      WHERE locks.expires_at <= ?`).run(key, token, now + ttlMs, now);
    return result.changes > 0 ? token : undefined;
  }

  /** See `Store.renewLock`: only while `token` holds it, unexpired at `now`. */
  renewLock(key: string, token: string, ttlMs: number, now: number): boolean {
    return this.#prepare('UPDATE locks SET expires_at = ? WHERE key = ? AND token = ? AND expires_at > ?')
      .run(now + ttlMs, key, token, now).changes > 0;
  }

  /** See `Store.releaseLock`. */
  releaseLock(key: string, token: string): boolean {
    return this.#prepare('DELETE FROM locks WHERE key = ? AND token = ?').run(key, token).changes > 0;
  }

  /** See `Store.takeRateSlots`: one IMMEDIATE transaction (see the constructor). */
  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): RateSlots {
    return this.#takeRateSlots(key, limit, wanted, now);
  }

  /** Drops expired locks and rate slots (housekeeping, not counted). */
  prune(now: number): void {
    this.#prepare('DELETE FROM locks WHERE expires_at <= ?').run(now);
    this.#prepare('DELETE FROM rate_slots WHERE until <= ?').run(now);
  }
}
