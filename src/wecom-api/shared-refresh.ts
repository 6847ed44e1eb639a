import { WecomRelayError } from '../errors.js';
import type { CredentialStore, StoredToken } from './credential-records.js';

/** What {@link refreshShared} needs to know about one token. */
export interface SharedRefreshOptions {
  readonly store: CredentialStore;
  /** The clock the lock's expiry is reckoned on (the store's locks run on the caller's clock). */
  readonly now: () => number;
  /** e.g. `lock:suite_token:<suiteId>`. */
  readonly lockKey: string;
  /** How long a holder may keep the lock (a crashed holder blocks others at most this long). */
  readonly lockTtlMs: number;
  /** How long, in total, a process that did not get the lock waits for the holder's result. */
  readonly waitMs: number;
  /** Reads the token from the store. */
  readonly read: () => Promise<StoredToken | undefined>;
  /** Whether a token needs no refresh yet. */
  readonly isFresh: (token: StoredToken) => boolean;
  /** Whether a token is still accepted by WeCom (possibly inside the refresh margin). */
  readonly isUsable: (token: StoredToken) => boolean;
  /** Fetches a new token from WeCom and writes it newer-wins; resolves the token now current. */
  readonly fetch: () => Promise<StoredToken>;
  readonly sleep: (ms: number) => Promise<void>;
  /** For the timeout error, e.g. `suite_access_token`. */
  readonly what: string;
}

/** First and largest wait between polls of a process waiting for another one's refresh. */
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1000;

/**
 * Refreshes a token at most once across every process sharing the store (field complaints 4–5: JVM locks
 * don't protect several instances; without a re-check after the lock, two refreshes happen and the late
 * one clobbers the newer token).
 *
 * Winner: takes the store lock, **re-reads** the store and fetches only if the token is still stale.
 * Losers: return the current token at once if WeCom still accepts it (a refresh inside the margin is not
 * urgent); otherwise poll the store with backoff (50 ms doubling to 1 s) until the winner's token appears or
 * the lock frees up, for at most `waitMs` in total.
 *
 * @throws {WecomRelayError} `ERR_WECOM_API_HTTP` when no token appeared within `waitMs`; whatever `fetch`
 *   throws for the winner
 */
export async function refreshShared(options: SharedRefreshOptions): Promise<StoredToken> {
  let waited = 0;
  let step = FIRST_POLL_MS;
  for (;;) {
    const lock = await options.store.acquireLock(options.lockKey, options.lockTtlMs, options.now());
    if (lock !== undefined) {
      try {
        const current = await options.read();
        if (current && options.isFresh(current)) {
          return current;
        }
        return await options.fetch();
      } finally {
        // A lost release only delays the next refresher by the lock's ttl.
        await options.store.releaseLock(options.lockKey, lock).catch(() => false);
      }
    }
    const current = await options.read();
    if (current && (options.isFresh(current) || options.isUsable(current))) {
      return current;
    }
    if (waited >= options.waitMs) {
      throw new WecomRelayError('ERR_WECOM_API_HTTP', {
        message: `timed out after ${waited} ms waiting for another process to refresh the ${options.what}`,
      });
    }
    await options.sleep(step);
    waited += step;
    step = Math.min(step * 2, MAX_POLL_MS);
  }
}
