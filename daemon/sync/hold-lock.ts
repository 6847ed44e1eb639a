import type { Clock } from '../../src/clock.js';
import type { Store } from '../../src/store/store.js';

/** A store lock held with a renewed lease. */
export interface HeldLock {
  /** Aborts when the lease was lost (renewal refused or failed): stop writing at once. */
  readonly signal: AbortSignal;
  /** Stops renewing and releases the lock (if still held). */
  release(): Promise<void>;
}

/**
 * Takes the store lock `key` for `ttlMs` and renews it every third of that until released, so exactly one
 * process on the store holds it while it works, and a killed holder's lock frees itself within `ttlMs`.
 * Resolves undefined when another process holds it.
 */
export async function holdLock(store: Pick<Store, 'acquireLock' | 'renewLock' | 'releaseLock'>, key: string, ttlMs: number, clock: Clock): Promise<HeldLock | undefined> {
  const token = await store.acquireLock(key, ttlMs, clock.now());
  if (token === undefined) return undefined;
  const lost = new AbortController();
  const stop = new AbortController();
  const renewing = (async () => {
    while (!stop.signal.aborted && !lost.signal.aborted) {
      await clock.sleep(Math.max(1, Math.floor(ttlMs / 3)), stop.signal);
      if (stop.signal.aborted) return;
      const renewed = await store.renewLock(key, token, ttlMs, clock.now()).catch(() => false);
      if (!renewed) lost.abort(new Error(`lost the lock ${key}`));
    }
  })();
  return {
    signal: lost.signal,
    async release() {
      stop.abort();
      await renewing;
      await store.releaseLock(key, token).catch(() => false);
    },
  };
}
