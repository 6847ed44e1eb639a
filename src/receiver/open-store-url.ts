import { WecomRelayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';

/** Options of {@link createStoreLazily}: those of the store module's `createStore`. */
export interface LazyCreateStoreOptions {
  /** The clock of a SQLite store. @default Date.now */
  readonly now?: () => number;
  /** Where a Redis store logs connection trouble. */
  readonly logger?: Logger;
}

/**
 * Opens a store URL (`sqlite:…`, `file:…`, `redis://…`, `rediss://…`; a Store object passes through),
 * loading the store module only now: importing the library (or passing it a Store object) never loads
 * better-sqlite3 or ioredis. Same contract as the store module's `createStore`.
 */
export async function createStoreLazily(url: string | Store, options: LazyCreateStoreOptions = {}): Promise<Store> {
  const { createStore } = await import('../store/create-store.js');
  return createStore(url, options);
}

/**
 * A URL without its credentials, fit for a message: a Redis URL may carry a password, a SQLite path is
 * shown whole (it is what the operator has to fix).
 */
export function describeStoreUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/]*@/i, '$1***@');
}

/**
 * What the adapters ({@link wecomCallback}, `startReceiver`, the CLI) do with a store URL: a factory for
 * the receiver core that opens it once (a failed open is retried by the next call), with errors that name
 * the store (`ERR_STORE_UNAVAILABLE: the store sqlite:/proc/nope/x.db could not be opened: …`), and a
 * `close()` for the store it opened.
 */
export function storeFromUrl(url: string, options: LazyCreateStoreOptions = {}): { open: () => Promise<Store>; close: () => Promise<void> } {
  let opening: Promise<Store> | undefined;
  return {
    open() {
      if (opening) return opening;
      const attempt = createStoreLazily(url, options).catch((cause: unknown) => {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause, message: `the store ${describeStoreUrl(url)} could not be opened: ${reason}` });
      });
      opening = attempt;
      attempt.catch(() => { if (opening === attempt) opening = undefined; });
      return attempt;
    },
    async close() {
      const store = await opening?.catch(() => undefined);
      opening = undefined;
      await store?.close();
    },
  };
}
