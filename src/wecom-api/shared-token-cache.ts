import { LRUCache } from 'lru-cache';
import { hasCode, WecomApiError, type WecomRelayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CREDENTIAL_NAMESPACES, refreshLockKey, type CredentialStore, type StoredToken, type TokenNamespace } from './credential-records.js';
import { classifyErrcode } from './errcode.js';
import { refreshShared } from './shared-refresh.js';
import { isTokenFresh, isTokenUsable } from './token-freshness.js';

export type { TokenNamespace } from './credential-records.js';

/** Settings of a {@link SharedTokenCache}; the token provider resolves the defaults. */
export interface SharedTokenCacheOptions {
  readonly store: CredentialStore;
  readonly now: () => number;
  readonly logger: Logger;
  /** Refresh this long before expiry (capped at 20 % of the lifetime). */
  readonly marginMs: number;
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  /** After a fetch failed at WeCom, how long to reuse that failure instead of fetching again. */
  readonly failureCooldownMs: number;
  /** In-memory entries. */
  readonly max: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Tokens in three layers: an lru-cache in this process, the shared store, and WeCom. A read that finds no
 * fresh token joins this process's one in-flight load for the key, which in turn joins the one refresher
 * across processes ({@link refreshShared}); the fetched token is written newer-wins (version = fetchedAt).
 *
 * When a refresh fails while the old token is still accepted, the old token is used until it expires. After
 * a failure at WeCom, further loads within the cooldown fail fast without calling WeCom: it throttles
 * token endpoints after ~2000 errors an hour ("1小时调用接口错误达到2000次就会限制"). Local failures (no
 * ticket, corp not authorized) and corp-gone errcodes are not cooled down: they cost WeCom nothing, and
 * the next call should see the corp's new state.
 */
export class SharedTokenCache {
  readonly #o: SharedTokenCacheOptions;
  readonly #memory: LRUCache<string, StoredToken>;
  readonly #flights = new Map<string, Promise<StoredToken>>();
  readonly #failures = new Map<string, { readonly until: number; readonly error: unknown }>();
  /**
   * The last value WeCom rejected per key, and when. Set before `invalidate` awaits anything, so a load that
   * read the store before the delete landed never brings that value back into memory or hands it out. A
   * token fetched at or after the rejection is taken even when WeCom handed out the same value again.
   */
  readonly #rejected: LRUCache<string, { readonly token: string; readonly at: number }>;

  constructor(options: SharedTokenCacheOptions) {
    this.#o = options;
    this.#memory = new LRUCache({ max: Math.max(1, options.max), perf: { now: () => options.now() } });
    this.#rejected = new LRUCache({ max: Math.max(1, options.max) });
  }

  /** A fresh token for `ns`/`key`; `fetch` is called at most once across processes when none is. */
  get(ns: TokenNamespace, key: string, fetch: () => Promise<StoredToken>): Promise<StoredToken> {
    const id = `${ns.name}:${key}`;
    const cached = this.#memory.get(id);
    if (cached && isTokenFresh(cached, this.#o.now(), this.#o.marginMs)) return Promise.resolve(cached);
    let flight = this.#flights.get(id);
    if (!flight) {
      flight = this.#load(ns, key, fetch).finally(() => this.#flights.delete(id));
      this.#flights.set(id, flight);
    }
    return flight;
  }

  /** Writes a token newer-wins and resolves the token now current (a newer stored one wins). */
  async put(ns: TokenNamespace, key: string, token: StoredToken): Promise<StoredToken> {
    const now = this.#o.now();
    const ttlMs = Math.max(1, token.expiresAt - now);
    if (await this.#o.store.putKv(ns, key, token, { version: token.fetchedAt, ifNewer: true, ttlMs, now })) {
      this.#remember(ns, key, token);
      return token;
    }
    const current = (await this.#o.store.getKv(ns, key, now))?.value;
    return current && isTokenUsable(current, now) ? current : token;
  }

  /**
   * Forgets the token only while it is still `failingToken`, in memory and in the store (deleteKv ifValue),
   * so a late failure never deletes a newer token (WxJava #1300/#324). Resolves whether the store copy went.
   */
  async invalidate(ns: TokenNamespace, key: string, failingToken: string): Promise<boolean> {
    const id = `${ns.name}:${key}`;
    this.#rejected.set(id, { token: failingToken, at: this.#o.now() });
    if (this.#memory.get(id)?.token === failingToken) this.#memory.delete(id);
    const stored = await this.#o.store.getKv(ns, key, this.#o.now());
    if (!stored || stored.value.token !== failingToken) return false;
    return this.#o.store.deleteKv(ns, key, { ifValue: stored.value });
  }

  /** Drops this process's memory of `ns`/`key` (token and fetch failure); the store is left alone. */
  forget(ns: TokenNamespace, key: string): void {
    this.#memory.delete(`${ns.name}:${key}`);
    this.#failures.delete(`${ns.name}:${key}`);
  }

  /** Lets the next load fetch at once (e.g. a new suite_ticket may cure 40085). */
  clearFailure(ns: TokenNamespace, key: string): void {
    this.#failures.delete(`${ns.name}:${key}`);
  }

  async #load(ns: TokenNamespace, key: string, fetch: () => Promise<StoredToken>): Promise<StoredToken> {
    const { store, now, marginMs } = this.#o;
    const id = `${ns.name}:${key}`;
    // A value WeCom rejected is no token, whatever the store still says (its delete may not have landed).
    const read = async () => {
      const value = (await store.getKv(ns, key, now()))?.value;
      return value && !this.#isRejected(id, value) ? value : undefined;
    };
    const stored = await read();
    if (stored && isTokenFresh(stored, now(), marginMs)) {
      this.#remember(ns, key, stored);
      return stored;
    }
    const failure = this.#failures.get(id);
    if (failure && now() < failure.until) {
      if (stored && isTokenUsable(stored, now())) return stored;
      throw failure.error;
    }
    try {
      const token = await refreshShared({
        store,
        now,
        lockKey: refreshLockKey(ns, key),
        lockTtlMs: this.#o.lockTtlMs,
        waitMs: this.#o.lockWaitMs,
        read,
        isFresh: (t) => isTokenFresh(t, now(), marginMs),
        isUsable: (t) => isTokenUsable(t, now()),
        fetch: async () => this.put(ns, key, await fetch()),
        sleep: this.#o.sleep,
        what: ns === CREDENTIAL_NAMESPACES.suiteToken ? 'suite_access_token' : `access_token of corp ${key}`,
      });
      this.#failures.delete(id);
      this.#remember(ns, key, token);
      return token;
    } catch (error) {
      const corpGone = error instanceof WecomApiError && classifyErrcode(error.errcode) === 'corp_gone';
      if ((hasCode(error, 'ERR_WECOM_API') && !corpGone) || hasCode(error, 'ERR_WECOM_API_HTTP')) {
        this.#failures.set(id, { until: now() + this.#o.failureCooldownMs, error });
      }
      if (stored && isTokenUsable(stored, now())) {
        this.#o.logger.warn({ ns, key, code: (error as WecomRelayError).code }, 'token refresh failed; using the current token until it expires');
        return stored;
      }
      throw error;
    }
  }

  #isRejected(id: string, token: StoredToken): boolean {
    const rejected = this.#rejected.get(id);
    return rejected !== undefined && rejected.token === token.token && token.fetchedAt < rejected.at;
  }

  #remember(ns: TokenNamespace, key: string, token: StoredToken): void {
    if (this.#isRejected(`${ns.name}:${key}`, token)) return;
    const ttl = token.expiresAt - this.#o.now();
    if (ttl > 0) this.#memory.set(`${ns.name}:${key}`, token, { ttl });
  }
}
