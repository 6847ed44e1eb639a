import { WecomRelayError } from '../errors.js';
import { createStore, describeStoreSetting, type CreateStoreOptions, type StoreSetting } from '../store/create-store.js';
import type { Store } from '../store/store.js';

/**
 * What the adapters ({@link wecomCallback}, `startReceiver`, the CLI) do with a store URL: a factory for
 * the receiver core that opens it once (a failed open is retried by the next call), with errors that name
 * the store (`ERR_STORE_UNAVAILABLE: the store sqlite:/proc/nope/x.db could not be opened: …`), and a
 * `close()` for the store it opened.
 */
export function storeFromUrl(url: string | StoreSetting, options: CreateStoreOptions = {}): { open: () => Promise<Store>; close: () => Promise<void> } {
  let opening: Promise<Store> | undefined;
  return {
    open() {
      if (opening) return opening;
      const attempt = createStore(url, options).catch((cause: unknown) => {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause, message: `the store ${describeStoreSetting(url)} could not be opened: ${reason}` });
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
