import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { ResolvedRedisStoreOptions } from './redis-options.js';
import { defineScripts } from './redis-scripts.js';

/** Connection errors are logged at most once per this period (with a count of those suppressed). */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * The ioredis client of a Redis store: connecting in the background (never awaited: a receiver must
 * start, and answer 503, while Redis is down), with the store's scripts defined and its connection
 * errors logged through the injected logger — at most once per 30 s, since ioredis reports every failed
 * reconnect, and without a listener it would print each one to the console. On the first connection it
 * warns when the server may lose callbacks (see {@link checkServerConfig}).
 */
export function createRedisClient(options: ResolvedRedisStoreOptions): Redis {
  const client = new Redis(options.url, options.client);
  defineScripts(client);
  const { logger, prefix } = options;
  let lastLogAt = 0;
  let suppressed = 0;
  client.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLogAt < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    logger.warn({ err: error, prefix, suppressed }, 'redis store connection error');
    lastLogAt = now;
    suppressed = 0;
  });
  client.once('ready', () => void checkServerConfig(client, logger));
  client.on('ready', () => {
    if (lastLogAt > 0) logger.info({ prefix }, 'redis store connected again');
    lastLogAt = 0;
    suppressed = 0;
  });
  return client;
}

/**
 * Warns (once, never throws) when the Redis server may lose acknowledged callbacks: an evicting
 * `maxmemory-policy`, or neither AOF nor RDB snapshots. Managed services that disable `CONFIG` are
 * skipped silently.
 */
export async function checkServerConfig(client: Redis, logger: Logger): Promise<void> {
  try {
    const config = new Map<string, string>();
    for (const name of ['maxmemory-policy', 'appendonly', 'save']) {
      const [key, value] = (await client.config('GET', name)) as string[];
      if (key !== undefined && value !== undefined) config.set(key, value);
    }
    const policy = config.get('maxmemory-policy');
    if (policy !== undefined && policy !== 'noeviction') {
      logger.warn({ maxmemoryPolicy: policy }, 'redis maxmemory-policy is not noeviction: Redis may evict stored callbacks under memory pressure');
    }
    if (config.get('appendonly') === 'no' && config.get('save') === '') {
      logger.warn({}, 'redis has no persistence (appendonly no, no save points): a Redis restart loses every stored callback');
    }
  } catch {
    // CONFIG is often disabled on managed Redis; the check is advice only.
  }
}
