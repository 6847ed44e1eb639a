import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KvRecord, PutKvOptions, Store } from '../../src/store/store.js';

/** The keyed-state and lock part of the Store contract, which is all the credential code needs. */
export type KvStore = Pick<Store, 'getKv' | 'putKv' | 'deleteKv' | 'listKv' | 'takeKv' | 'acquireLock' | 'releaseLock'>;

interface Entry {
  readonly json: string;
  readonly version: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
}

/**
 * An in-memory stand-in for the kv + lock methods of `Store`, with the semantics of its TSDoc: expired values
 * are absent, `ifNewer` writes only over no live value or a lower version, `ifValue` deletes only a
 * deep-equal value, locks are exclusive until released or their ttl passes. Values are JSON round-tripped,
 * as a real store serializes them. Lock expiry uses `now` (inject the test's clock).
 *
 * Test-only: the lead will switch these tests to the real store.
 */
export class MemoryKv implements KvStore {
  readonly #entries = new Map<string, Entry>();
  readonly #locks = new Map<string, { readonly token: string; readonly until: number }>();
  readonly #now: () => number;
  /** Every acquireLock call, for assertions. */
  readonly lockAttempts: Array<{ readonly key: string; readonly acquired: boolean }> = [];

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async getKv<T = unknown>(ns: string, key: string, now = this.#now()): Promise<KvRecord<T> | undefined> {
    const entry = this.#live(ns, key, now);
    return entry && { value: JSON.parse(entry.json) as T, version: entry.version, updatedAt: entry.updatedAt, expiresAt: entry.expiresAt };
  }

  async putKv<T = unknown>(ns: string, key: string, value: T, options: PutKvOptions = {}): Promise<boolean> {
    const now = options.now ?? this.#now();
    const version = options.version ?? now;
    const existing = this.#live(ns, key, now);
    if (options.ifNewer === true && existing && !(version > existing.version)) {
      return false;
    }
    this.#entries.set(id(ns, key), {
      json: JSON.stringify(value),
      version,
      updatedAt: now,
      expiresAt: options.ttlMs === undefined ? null : now + options.ttlMs,
    });
    return true;
  }

  async deleteKv(ns: string, key: string, options: { readonly ifValue?: unknown } = {}): Promise<boolean> {
    const entry = this.#live(ns, key, this.#now());
    if (!entry) {
      this.#entries.delete(id(ns, key));
      return false;
    }
    if ('ifValue' in options && !isDeepStrictEqual(JSON.parse(entry.json), JSON.parse(JSON.stringify(options.ifValue)))) {
      return false;
    }
    return this.#entries.delete(id(ns, key));
  }

  async listKv<T = unknown>(ns: string, now = this.#now()): Promise<Array<KvRecord<T> & { readonly key: string }>> {
    const out: Array<KvRecord<T> & { readonly key: string }> = [];
    for (const name of this.#entries.keys()) {
      const [entryNs, key] = JSON.parse(name) as [string, string];
      if (entryNs !== ns) continue;
      const record = await this.getKv<T>(ns, key, now);
      if (record) out.push({ ...record, key });
    }
    return out;
  }

  async takeKv<T = unknown>(ns: string, key: string, now = this.#now()): Promise<KvRecord<T> | undefined> {
    const record = await this.getKv<T>(ns, key, now);
    this.#entries.delete(id(ns, key));
    return record;
  }

  async acquireLock(key: string, ttlMs: number): Promise<string | undefined> {
    const held = this.#locks.get(key);
    const now = this.#now();
    if (held && held.until > now) {
      this.lockAttempts.push({ key, acquired: false });
      return undefined;
    }
    const token = randomUUID();
    this.#locks.set(key, { token, until: now + ttlMs });
    this.lockAttempts.push({ key, acquired: true });
    return token;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    if (this.#locks.get(key)?.token !== token) return false;
    return this.#locks.delete(key);
  }

  #live(ns: string, key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(id(ns, key));
    return entry && (entry.expiresAt === null || entry.expiresAt > now) ? entry : undefined;
  }
}

function id(ns: string, key: string): string {
  return JSON.stringify([ns, key]);
}
