import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

async function commandsProcessed(admin: Redis): Promise<number> {
  const match = /total_commands_processed:(\d+)/.exec(await admin.info('stats'));
  if (match === null) throw new Error('INFO stats has no total_commands_processed');
  return Number(match[1]);
}

/**
 * Commands per second the Redis server behind `admin` processed over `windowMs` (its own two INFO calls
 * excluded). On a server of the test's own, that is the relay processes' load: idle daemons poll at a
 * steady few dozen per second; a loop spinning on an error would show thousands.
 */
export async function commandRate(admin: Redis, windowMs: number): Promise<number> {
  const before = await commandsProcessed(admin);
  const started = Date.now();
  await delay(windowMs);
  const after = await commandsProcessed(admin);
  return ((after - before - 1) * 1000) / (Date.now() - started);
}
