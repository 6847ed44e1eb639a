import { setTimeout as delay } from 'node:timers/promises';

/**
 * Re-checks `check` every `intervalMs` until it resolves true (→ true) or `timeoutMs` passed (→ false).
 * For state held by other processes (a Redis store several daemons write), which no event in the test
 * process announces; a check that throws counts as false.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await delay(intervalMs);
  }
}
