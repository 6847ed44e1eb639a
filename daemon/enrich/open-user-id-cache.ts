import { LRUCache } from 'lru-cache';
import type { Logger } from '../../src/logger.js';
import { silentLogger } from '../../src/logger.js';
import { namespaces } from '../../src/store/namespaces.js';
import { USERID_BATCH_SIZE } from '../../src/wecom-api/suite-api.js';
import { corpCall, type EnrichDeps } from './corp-call.js';

/** The store namespace of cached conversions; keys are `${corpId}:${userId}`. */
export const OPEN_USERID_NS = namespaces.openUserId;

/** A cached conversion: the open_userid, or WeCom's verdict that the userid is invalid. */
export type OpenUserIdEntry = string | { readonly invalid: true };

const INVALID: OpenUserIdEntry = Object.freeze({ invalid: true as const });

/** Options of {@link OpenUserIdCache}. */
export interface OpenUserIdCacheOptions {
  readonly api: EnrichDeps['api'];
  readonly tokens: EnrichDeps['tokens'];
  readonly store: EnrichDeps['store'];
  /** @default a logger that discards everything */
  readonly logger?: Logger;
  readonly onApiCall?: EnrichDeps['onApiCall'];
  /** @default Date.now */
  readonly now?: () => number;
  /** Lookups of one corp arriving within this window share one call. @default 20 */
  readonly windowMs?: number;
  /** Entries kept in memory (in front of the store). @default 10000 */
  readonly max?: number;
  /**
   * Store lifetime of a negative entry (an id WeCom called invalid). Absent = forever: a bad id is never
   * sent twice, because many bad ids block the API for the corp for a day (doc 97062). @default undefined
   */
  readonly invalidTtlMs?: number;
}

interface Waiter {
  readonly resolve: (openUserId: string | null) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingBatch {
  readonly ids: Map<string, Waiter[]>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Converts plaintext userids to open_userids (`batch/userid_to_openuserid`, doc 97062) with as few calls
 * as possible, because "若出错的次数较多,会导致1天不可调用":
 *
 * - answers come from memory (lru-cache), then the store (ns {@link OPEN_USERID_NS}), then WeCom;
 * - lookups of one corp within `windowMs` coalesce into one call of up to 1000 ids (more ids make more
 *   calls of ≤ 1000), and an id already being looked up is never queued a second time;
 * - both results and invalid ids are cached, so an id WeCom rejected is never sent again (invalid ids are
 *   in the store before the answer is given; open ids follow in the background, see {@link settled}).
 *
 * A failed call (transient or not) rejects its waiters and caches nothing; an id WeCom neither converted
 * nor called invalid resolves null and is not cached.
 */
export class OpenUserIdCache {
  readonly #deps: Pick<EnrichDeps, 'api' | 'tokens' | 'store' | 'onApiCall'>;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #invalidTtlMs: number | undefined;
  readonly #memory: LRUCache<string, OpenUserIdEntry>;
  readonly #pending = new Map<string, PendingBatch>();
  /** One lookup per `${corpId}:${userId}` at a time, from the first cache read to WeCom's answer. */
  readonly #flights = new Map<string, Promise<string | null>>();
  /** The chain of background writes of open ids (see {@link OpenUserIdCache.settled}). */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: OpenUserIdCacheOptions) {
    this.#deps = { api: options.api, tokens: options.tokens, store: options.store, onApiCall: options.onApiCall };
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#windowMs = nonNegative('windowMs', options.windowMs ?? 20);
    this.#invalidTtlMs = options.invalidTtlMs === undefined ? undefined : nonNegative('invalidTtlMs', options.invalidTtlMs);
    this.#memory = new LRUCache({ max: Math.max(1, nonNegative('max', options.max ?? 10_000)) });
  }

  /**
   * Resolves once every conversion answered so far is in the store (open ids are written in the background
   * after the waiters are answered; invalid ids before). For shutdown and tests.
   */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.#writes;
      await current;
    } while (current !== this.#writes);
  }

  /**
   * The cached answer without calling WeCom: the open_userid, null when WeCom called the id invalid, or
   * undefined when unknown. Used where a call would likely spend the error budget (a deleted member).
   */
  async peek(corpId: string, userId: string): Promise<string | null | undefined> {
    const key = `${corpId}:${userId}`;
    const entry = this.#memory.get(key) ?? (await this.#deps.store.getKv(OPEN_USERID_NS, key, this.#now()))?.value;
    if (entry === undefined) return undefined;
    this.#memory.set(key, entry);
    return typeof entry === 'string' ? entry : null;
  }

  /**
   * The open_userid of `userId` in `corpId`, or null when WeCom calls the id invalid (or leaves it out).
   * Rejects with the API's error when the conversion call fails.
   */
  lookup(corpId: string, userId: string): Promise<string | null> {
    const key = `${corpId}:${userId}`;
    let flight = this.#flights.get(key);
    if (!flight) {
      flight = this.#resolve(corpId, userId).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    return flight;
  }

  async #resolve(corpId: string, userId: string): Promise<string | null> {
    const cached = await this.peek(corpId, userId);
    if (cached !== undefined) return cached;
    return new Promise<string | null>((resolve, reject) => this.#enqueue(corpId, userId, { resolve, reject }));
  }

  #enqueue(corpId: string, userId: string, waiter: Waiter): void {
    let batch = this.#pending.get(corpId);
    if (!batch) {
      batch = { ids: new Map(), timer: undefined };
      this.#pending.set(corpId, batch);
      batch.timer = setTimeout(() => this.#flush(corpId), this.#windowMs);
    }
    const waiters = batch.ids.get(userId);
    if (waiters) waiters.push(waiter);
    else batch.ids.set(userId, [waiter]);
    if (batch.ids.size >= USERID_BATCH_SIZE) this.#flush(corpId);
  }

  #flush(corpId: string): void {
    const batch = this.#pending.get(corpId);
    if (!batch) return;
    this.#pending.delete(corpId);
    clearTimeout(batch.timer);
    const entries = [...batch.ids];
    for (let start = 0; start < entries.length; start += USERID_BATCH_SIZE) {
      void this.#convert(corpId, new Map(entries.slice(start, start + USERID_BATCH_SIZE)));
    }
  }

  async #convert(corpId: string, ids: Map<string, Waiter[]>): Promise<void> {
    const api = 'batch/userid_to_openuserid';
    try {
      const answer = await corpCall(this.#deps, corpId, api, undefined, (token, options) =>
        this.#deps.api.userIdToOpenUserId(token, [...ids.keys()], options));
      const found = new Map<string, OpenUserIdEntry>();
      for (const item of answer.open_userid_list) {
        if (ids.has(item.userid) && typeof item.open_userid === 'string' && item.open_userid !== '') found.set(item.userid, item.open_userid);
      }
      for (const invalid of answer.invalid_userid_list) if (ids.has(invalid) && !found.has(invalid)) found.set(invalid, INVALID);
      if (answer.invalid_userid_list.length > 0) {
        this.#logger.warn({ corpId, invalid: answer.invalid_userid_list.length }, 'userid_to_openuserid called some ids invalid; cached so they are never sent again');
      }
      for (const [userId, entry] of found) this.#memory.set(`${corpId}:${userId}`, entry);
      // Invalid ids are stored before anyone hears the answer: they must survive a restart.
      for (const [userId, entry] of found) if (typeof entry !== 'string') await this.#persist(corpId, userId, entry);
      for (const [userId, waiters] of ids) {
        const entry = found.get(userId);
        for (const waiter of waiters) waiter.resolve(typeof entry === 'string' ? entry : null);
      }
      // Open ids are stored afterwards, one write per turn of the event loop: a SQLite store commits each
      // write synchronously, and a 1000-id answer must not hold the waiters (or the loop) meanwhile.
      const positives = [...found].filter((pair): pair is [string, string] => typeof pair[1] === 'string');
      this.#writes = this.#writes.then(() => this.#storeSlowly(corpId, positives));
    } catch (error) {
      for (const waiters of ids.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  async #storeSlowly(corpId: string, entries: ReadonlyArray<[string, string]>): Promise<void> {
    for (const [userId, entry] of entries) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.#persist(corpId, userId, entry);
    }
  }

  /** Never rejects: memory still has the entry; after a restart WeCom may be asked once more. */
  async #persist(corpId: string, userId: string, entry: OpenUserIdEntry): Promise<void> {
    const ttl = typeof entry === 'string' || this.#invalidTtlMs === undefined ? {} : { ttlMs: this.#invalidTtlMs };
    try {
      await this.#deps.store.putKv(OPEN_USERID_NS, `${corpId}:${userId}`, entry, { ...ttl, now: this.#now() });
    } catch (error) {
      this.#logger.warn({ corpId, err: error instanceof Error ? error.message : String(error) }, 'could not store an open_userid conversion');
    }
  }
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-negative number, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}
