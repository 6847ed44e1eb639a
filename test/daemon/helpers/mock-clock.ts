import type { Clock as MockClock } from '@tapjs/clock';
import type { Clock } from '../../../src/clock.js';

/** The daemon's {@link Clock} on tap's mock clock (`t.clock`): time moves only when the test advances it. */
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
