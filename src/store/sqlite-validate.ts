import type { ClaimOptions, PutKvOptions, RateLimit } from './store.js';
import type { SqliteStoreOptions } from './sqlite.js';

/** {@link SqliteStoreOptions} with every default applied. */
export interface ResolvedSqliteStoreOptions {
  readonly readonly: boolean;
  readonly now: () => number;
  readonly busyTimeoutMs: number;
  readonly maxBatch: number;
}

/** A `putKv` call, checked and resolved against the clock. */
export interface ResolvedPutKv {
  readonly valueJson: string;
  readonly now: number;
  readonly version: number;
  readonly ifNewer: boolean;
  readonly expiresAt: number | null;
}

/** The one TypeError shape: ``Expected `name` to be …, got `value` (type)``. */
export function expected(name: string, what: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${what}, got \`${String(value)}\` (${typeof value})`);
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** Applies the defaults of {@link SqliteStoreOptions} and validates them. */
export function validateOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  const { readonly = false, now = Date.now, busyTimeoutMs = 5000, maxBatch = 256 } = options;
  if (typeof readonly !== 'boolean') throw expected('readonly', 'a boolean', readonly);
  if (typeof now !== 'function') throw expected('now', 'a function', now);
  if (!isNonNegativeInteger(busyTimeoutMs)) throw expected('busyTimeoutMs', 'a non-negative integer', busyTimeoutMs);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw expected('maxBatch', 'a positive integer', maxBatch);
  return { readonly, now, busyTimeoutMs, maxBatch };
}

/** Validates a list `limit`, applying `fallback` when absent. */
export function validateLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw expected('limit', 'a positive integer', limit);
  return limit;
}

/** Validates the options of a claim. */
export function validateClaim(claim: ClaimOptions): ClaimOptions {
  if (typeof claim.owner !== 'string' || claim.owner === '') throw expected('owner', 'a non-empty string', claim.owner);
  if (!Number.isInteger(claim.limit) || claim.limit < 1) throw expected('limit', 'a positive integer', claim.limit);
  if (!Number.isFinite(claim.leaseMs) || claim.leaseMs <= 0) throw expected('leaseMs', 'a positive number', claim.leaseMs);
  if (!Number.isFinite(claim.now)) throw expected('now', 'a finite number', claim.now);
  return claim;
}

/** Validates a rate limit. */
export function validateRateLimit(limit: RateLimit): void {
  if (!Number.isInteger(limit.count) || limit.count < 1) throw expected('limit.count', 'a positive integer', limit.count);
  if (!Number.isFinite(limit.intervalMs) || limit.intervalMs <= 0) throw expected('limit.intervalMs', 'a positive number', limit.intervalMs);
}

/** Serializes a kv value and resolves `now`, `version` and the expiry of a `putKv`. */
export function validatePutKv(value: unknown, options: PutKvOptions, clock: () => number): ResolvedPutKv {
  const valueJson = JSON.stringify(value) as string | undefined;
  if (valueJson === undefined) throw expected('value', 'JSON-serializable', value);
  const now = options.now ?? clock();
  const version = options.version ?? now;
  if (!Number.isFinite(now)) throw expected('now', 'a finite number', now);
  if (!Number.isFinite(version)) throw expected('version', 'a finite number', version);
  if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0)) {
    throw expected('ttlMs', 'a positive number', options.ttlMs);
  }
  return { valueJson, now, version, ifNewer: options.ifNewer ?? false, expiresAt: options.ttlMs === undefined ? null : now + options.ttlMs };
}
