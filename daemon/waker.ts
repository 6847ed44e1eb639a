import type { Clock } from '../src/clock.js';

/**
 * A sleep that ends early on {@link Waker.wake}: the daemon's loops sleep between polls and are woken
 * when the store reports new work in this process (or on shutdown). Sleeps go through the injected
 * {@link Clock}, so tests drive them with a mock clock.
 */
export class Waker {
  private readonly clock: Clock;
  private pending: AbortController | undefined;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Resolves after `ms`, or sooner when {@link wake} is called. */
  async sleep(ms: number): Promise<void> {
    const controller = new AbortController();
    this.pending = controller;
    try {
      await this.clock.sleep(ms, controller.signal);
    } finally {
      if (this.pending === controller) this.pending = undefined;
    }
  }

  /** Ends the current sleep, if any. Waking an already woken sleep does nothing (and allocates nothing). */
  wake(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    pending.abort();
  }
}
