import type PQueue from 'p-queue';
import type { Clock } from '../src/clock.js';

/** Resolves when `queue` has no running or waiting task, or after `timeoutMs` on `clock`, whichever comes first. */
export async function idleWithin(queue: PQueue, timeoutMs: number, clock: Clock): Promise<void> {
  const controller = new AbortController();
  await Promise.race([queue.onIdle(), clock.sleep(timeoutMs, controller.signal)]);
  controller.abort();
}
