/**
 * Time as the daemon's loops see it: the current epoch milliseconds and a sleep. Injected everywhere a
 * loop waits, so tests drive time with a mock clock (tap's `t.clock`) instead of waiting on real timers.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds, or as soon as `signal` aborts (at once when it already has).
   * Never rejects: a woken sleep is a normal end. The timer must not keep the process alive.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now` and an unref'd `setTimeout`. Both globals are looked up on every call, so a
 * test that installs a mock clock globally (`t.clock.enter()`) drives this one too.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal): Promise<void> => new Promise<void>((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    (timer as { unref?: () => void }).unref?.();
    signal?.addEventListener('abort', done, { once: true });
  }),
});
