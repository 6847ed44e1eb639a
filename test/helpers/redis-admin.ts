import { Redis } from 'ioredis';

/** The shared Redis the CI entry point (`.ci/run`) starts. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A plain client for set-up, fault injection and clean-up, or undefined when no Redis answers PING at
 * `url` within about a second (the caller skips with a message instead of failing).
 */
export async function redisAdmin(url = SHARED_REDIS_URL): Promise<Redis | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch {
    client.disconnect();
    return undefined;
  }
}

/** Every key starting with `prefix` (SCAN, never KEYS). */
export async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes the keys under `prefix` whose relative name `keep` rejects; resolves the relative names deleted. */
export async function deleteKeysUnder(admin: Redis, prefix: string, keep: (relative: string) => boolean = () => false): Promise<string[]> {
  const doomed = (await keysUnder(admin, prefix)).filter((key) => !keep(key.slice(prefix.length)));
  for (let i = 0; i < doomed.length; i += 500) await admin.del(...doomed.slice(i, i + 500));
  return doomed.map((key) => key.slice(prefix.length));
}
