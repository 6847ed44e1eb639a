import type { Clock } from '../../src/clock.js';
import type { RateLimit, Store } from '../../src/store/store.js';
import { endOfTurn } from '../end-of-turn.js';

/** Shortest wait between two tries when the store granted fewer slots than asked. */
const MIN_RETRY_MS = 5;

/** Options of {@link SharedRateSlots}. */
export interface SharedRateSlotsOptions {
  readonly store: Pick<Store, 'takeRateSlots'>;
  /** The store key of the limit, e.g. `target:<name>`. */
  readonly key: string;
  readonly limit: RateLimit;
  readonly clock: Clock;
  /** Most slots asked for in one round trip. @default 256 */
  readonly maxBatch?: number;
}

/**
 * The rate slots one target's sends take in the store, shared by every daemon: the sends waiting for a
 * slot in one turn of the event loop ({@link endOfTurn}) ask together, one `takeRateSlots` round trip for
 * all of them, first come first served; when the
 * store grants fewer, the rest wait the `retryInMs` it answered (on the injected clock) and ask again.
 */
export class SharedRateSlots {
  private readonly options: SharedRateSlotsOptions;
  private readonly waiting: Array<{ readonly resolve: (ok: boolean) => void; readonly reject: (err: unknown) => void }> = [];
  private pumping = false;
  private readonly closed = new AbortController();

  constructor(options: SharedRateSlotsOptions) {
    this.options = options;
  }

  /** Resolves true once a slot was taken for one send, false when {@link close}d first; rejects when the store fails. */
  take(): Promise<boolean> {
    if (this.closed.signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  /** Ends every wait with false (shutdown: the sends waiting are handed back). */
  close(): void {
    this.closed.abort();
    for (const w of this.waiting.splice(0)) w.resolve(false);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const { store, key, limit, clock, maxBatch = 256 } = this.options;
    try {
      await endOfTurn(); // the takes of this turn of the event loop ask together
      while (this.waiting.length > 0 && !this.closed.signal.aborted) {
        const wanted = Math.min(this.waiting.length, maxBatch);
        let answer: { readonly granted: number; readonly retryInMs: number };
        try {
          answer = await store.takeRateSlots(key, limit, wanted, clock.now());
        } catch (err) {
          for (const w of this.waiting.splice(0, wanted)) w.reject(err);
          continue;
        }
        for (const w of this.waiting.splice(0, Math.min(answer.granted, wanted))) w.resolve(true);
        if (answer.granted < wanted && this.waiting.length > 0) {
          await clock.sleep(Math.max(MIN_RETRY_MS, answer.retryInMs), this.closed.signal);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
