/**
 * A sleep that ends early on {@link Waker.wake}: the daemon's loops sleep between polls and are woken
 * when the store reports new work in this process (or on shutdown). Timers are unref'd, so a sleeping
 * loop never keeps the process alive.
 */
export class Waker {
  private pending: (() => void) | undefined;

  /** Resolves after `ms`, or sooner when {@link wake} is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.pending === done) this.pending = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.pending = done;
    });
  }

  /** Ends the current sleep, if any. */
  wake(): void {
    this.pending?.();
  }
}
