import { Clock as MockClock } from 'clock-mock';
import type { Clock } from '../../../src/clock.js';

const clocks = new WeakMap<object, MockClock>();

/**
 * The mock clock of one test (clock-mock, the clock tap's `t.clock` plugin wraps; used directly, since a
 * non-default tap plugin makes tap install a second copy of its plugins, which breaks `t.mockImport`).
 * Never entered globally: the code under test gets it through {@link clockOf}.
 */
export function mockClockOf(t: object): MockClock {
  let clock = clocks.get(t);
  if (!clock) {
    clock = new MockClock();
    clocks.set(t, clock);
  }
  return clock;
}

/** The daemon's {@link Clock} on a test's mock clock ({@link mockClockOf}): time moves only when the test advances it. */
export function clockOf(mock: MockClock): Clock {
  return {
    now: () => mock.now(),
    sleep: (ms, signal) => new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        mock.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = mock.setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
  };
}

/** Lets pending promise chains run (a few turns of the event loop; no time passes on any clock). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances the mock clock by `ms` in `stepMs` steps, letting the loops react between steps. */
export async function advance(mock: MockClock, ms: number, stepMs = 50): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await settle();
    mock.advance(Math.min(stepMs, ms - done));
  }
  await settle();
}
