import { resolveAttemptsPerDelivery } from './attempt-log.js';
import { expected } from '../expected.js';

/** Options of a `SqliteStore`. */
export interface SqliteStoreOptions {
  /**
   * Open an existing file read-only (nothing created, migrated or written; writes reject with
   * `ERR_STORE_UNAVAILABLE`). For inspection tools.
   * @default false
   */
  readonly readonly?: boolean;
  /**
   * The clock of kv calls that give no `now`, and of `prune`'s housekeeping. Every other method takes
   * `now` from the caller.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How long a statement waits for another process's write lock before failing with `SQLITE_BUSY`
   * (then `ERR_STORE_UNAVAILABLE`). A receiver's connection wants this well under WeCom's 5 s answer
   * window (`createStore` uses 1000).
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * Largest group-commit batch of `putCallback`s written in one transaction.
   * @default 256
   */
  readonly maxBatch?: number;
  /**
   * Entries of each delivery's attempts log kept (the oldest go first), 1 to 10,000.
   * @default 50
   */
  readonly attemptsPerDelivery?: number;
}

/** {@link SqliteStoreOptions} with every default applied. */
export interface ResolvedSqliteStoreOptions {
  readonly readonly: boolean;
  readonly now: () => number;
  readonly busyTimeoutMs: number;
  readonly maxBatch: number;
  readonly attemptsPerDelivery: number;
}

/** Applies the defaults of {@link SqliteStoreOptions} and validates them. */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  const { readonly = false, now = Date.now, busyTimeoutMs = 5000, maxBatch = 256 } = options;
  if (typeof readonly !== 'boolean') throw expected('readonly', 'a boolean', readonly);
  if (typeof now !== 'function') throw expected('now', 'a function', now);
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw expected('busyTimeoutMs', 'a non-negative integer', busyTimeoutMs);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw expected('maxBatch', 'a positive integer', maxBatch);
  const attemptsPerDelivery = resolveAttemptsPerDelivery(options.attemptsPerDelivery);
  return { readonly, now, busyTimeoutMs, maxBatch, attemptsPerDelivery };
}
