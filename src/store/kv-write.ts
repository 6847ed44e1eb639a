import { expected } from '../expected.js';
import { canonicalJson } from './canonical-json.js';
import type { PutKvOptions } from './records.js';
import type { KvWrite } from './store-backend.js';

/**
 * Serializes a kv value and resolves `now` (default: `clock()`), `version` (default: `now`) and the
 * expiry of a `putKv`, checking each.
 * @throws TypeError on a value JSON cannot hold or an invalid option.
 */
export function toKvWrite(value: unknown, options: PutKvOptions, clock: () => number): KvWrite {
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  const valueJson = JSON.stringify(value) as string | undefined;
  const canonical = canonicalJson(value);
  if (valueJson === undefined || canonical === undefined) throw expected('value', 'JSON-serializable', value);
  const now = options.now ?? clock();
  const version = options.version ?? now;
  if (!Number.isFinite(now)) throw expected('now', 'a finite number', now);
  if (!Number.isFinite(version)) throw expected('version', 'a finite number', version);
  if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0)) {
    throw expected('ttlMs', 'a positive number', options.ttlMs);
  }
  if (options.ifNewer !== undefined && typeof options.ifNewer !== 'boolean') throw expected('ifNewer', 'a boolean', options.ifNewer);
  return {
    valueJson,
    canonicalJson: canonical,
    now,
    version,
    ifNewer: options.ifNewer ?? false,
    expiresAt: options.ttlMs === undefined ? null : now + options.ttlMs,
  };
}
