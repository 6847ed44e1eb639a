import { Redis } from 'ioredis';
import type { ResolvedRedisStoreOptions } from './redis-options.js';
import { defineScripts } from './redis-scripts.js';

/** Connection errors are logged at most once per this period (with a count of those suppressed). */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * The ioredis client of a Redis store: connecting in the background (never awaited: a receiver must
 * start, and answer 503, while Redis is down), with the store's scripts defined and its connection
 * errors logged through the injected logger — at most once per 30 s, since ioredis reports every failed
 * reconnect, and without a listener it would print each one to the console.
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
  client.on('ready', () => {
    if (lastLogAt > 0) logger.info({ prefix }, 'redis store connected again');
    lastLogAt = 0;
    suppressed = 0;
  });
  return client;
}
