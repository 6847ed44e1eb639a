import type { RedisOptions } from 'ioredis';
import { resolveAttemptsPerDelivery } from './attempt-log.js';
import { backoffMs } from '../backoff.js';
import { WecomRelayError } from '../errors.js';
import { expected } from '../expected.js';
import { silentLogger, type Logger } from '../logger.js';

/** Options of `RedisStore.connect`. */
export interface RedisStoreOptions {
  /**
   * Prefix of every key, so several relays (or tests) can share one Redis database. Also settable as
   * the URL query parameter `?prefix=`; this option wins over the URL.
   * @default 'wecom-relay:'
   */
  readonly prefix?: string;
  /** Where connection problems and index repairs are logged (rate-limited). @default silentLogger */
  readonly logger?: Logger;
  /**
   * The clock of kv calls that give no `now`. Every other method (locks included) takes `now` from the
   * caller; Redis `PX` expiry is garbage collection only.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Longest a single Redis command may take, queued commands included, before it rejects with
   * `ERR_STORE_UNAVAILABLE`. Keeps `putCallback` well inside WeCom's 5 s answer window when Redis hangs.
   * @default 3000
   */
  readonly commandTimeoutMs?: number;
  /** Longest a TCP connect to Redis may take. @default 2000 */
  readonly connectTimeoutMs?: number;
  /**
   * Reconnection attempts a queued command survives before it rejects; keeps a down Redis from holding
   * requests forever (reconnecting itself goes on, with exponential backoff up to 2 s).
   * @default 2
   */
  readonly maxRetriesPerRequest?: number;
  /**
   * How often a claiming process rebuilds the indexes from the hashes (`reconcile()`), in the background;
   * 0 turns the periodic run off (a missing `meta` marker still triggers one at once).
   * @default 600000 (10 minutes)
   */
  readonly reconcileIntervalMs?: number;
  /** The Redis client name (`CLIENT SETNAME`), to spot this process in `CLIENT LIST`. @default 'wecom-relay' */
  readonly connectionName?: string;
  /**
   * Entries of each delivery's attempts log kept (the oldest go first), 1 to 10,000.
   * @default 50
   */
  readonly attemptsPerDelivery?: number;
  /** Extra ioredis options (TLS, username, …), applied before the store's own. */
  readonly redisOptions?: RedisOptions;
}

/** {@link RedisStoreOptions} with every default applied. */
export interface ResolvedRedisStoreOptions {
  readonly url: string;
  readonly prefix: string;
  readonly logger: Logger;
  readonly now: () => number;
  readonly reconcileIntervalMs: number;
  readonly attemptsPerDelivery: number;
  readonly client: RedisOptions;
}

/** The prefix used when neither the options nor the URL give one. */
export const DEFAULT_PREFIX = 'wecom-relay:';

/**
 * Reads the URL (taking `?prefix=` out of it) and the options, applying defaults.
 * @throws WecomRelayError('ERR_STORE_URL') when `url` is not a `redis://` or `rediss://` URL;
 * TypeError on an invalid option.
 */
export function resolveRedisStoreOptions(url: string, options: RedisStoreOptions): ResolvedRedisStoreOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new WecomRelayError('ERR_STORE_URL', { cause, message: 'the Redis store URL is not a valid redis:// or rediss:// URL' });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new WecomRelayError('ERR_STORE_URL', { message: `the Redis store URL must start with redis:// or rediss:// (got "${parsed.protocol}")` });
  }
  const urlPrefix = parsed.searchParams.get('prefix') ?? undefined;
  parsed.searchParams.delete('prefix');

  const {
    prefix = urlPrefix ?? DEFAULT_PREFIX, logger = silentLogger, now = Date.now, commandTimeoutMs = 3000, connectTimeoutMs = 2000,
    maxRetriesPerRequest = 2, reconcileIntervalMs = 600_000, connectionName = 'wecom-relay', redisOptions = {},
  } = options;
  if (typeof prefix !== 'string' || prefix === '') throw expected('prefix', 'a non-empty string', prefix);
  if (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function') throw expected('logger', 'a Logger', logger);
  if (typeof now !== 'function') throw expected('now', 'a function', now);
  if (!isPositiveInteger(commandTimeoutMs)) throw expected('commandTimeoutMs', 'a positive integer', commandTimeoutMs);
  if (!isPositiveInteger(connectTimeoutMs)) throw expected('connectTimeoutMs', 'a positive integer', connectTimeoutMs);
  if (!Number.isInteger(maxRetriesPerRequest) || maxRetriesPerRequest < 0) {
    throw expected('maxRetriesPerRequest', 'a non-negative integer', maxRetriesPerRequest);
  }
  if (!Number.isInteger(reconcileIntervalMs) || reconcileIntervalMs < 0) {
    throw expected('reconcileIntervalMs', 'a non-negative integer', reconcileIntervalMs);
  }
  if (typeof connectionName !== 'string') throw expected('connectionName', 'a string', connectionName);
  const attemptsPerDelivery = resolveAttemptsPerDelivery(options.attemptsPerDelivery);

  return {
    url: parsed.toString(),
    prefix,
    logger,
    now,
    reconcileIntervalMs,
    attemptsPerDelivery,
    client: {
      ...redisOptions,
      connectionName,
      connectTimeout: connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest,
      enableOfflineQueue: true,
      // Exponential backoff, capped: a Redis that stays down is retried every 2 s, never in a tight loop.
      retryStrategy: (times: number) => backoffMs(times - 1, { baseMs: 100, maxMs: 2000, maxStep: 10 }),
      // After a failover the old primary answers READONLY: reconnect (and resend) instead of failing.
      reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    },
  };
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}
