import { storeUnavailable } from '../errors.js';
import { expected } from '../expected.js';
import { createRedisClient } from './redis-client.js';
import { RedisBackend } from './redis-backend.js';
import { resolveRedisStoreOptions, type RedisStoreOptions } from './redis-options.js';
import type { ReconcileReport } from './redis-reconciler.js';
import { GuardedStore } from './guard-store.js';

export type { RedisStoreOptions } from './redis-options.js';
export type { ReconcileReport } from './redis-reconciler.js';

/**
 * The Redis `Store`: any number of receivers and daemons, on any number of machines, share one
 * Redis (standalone or Sentinel-managed; not Cluster). Key layout: `redis-keys.ts`.
 *
 * **Durability is Redis's persistence.** `putCallback` resolves once Redis acknowledged the write, which
 * is in Redis's memory, not on disk. Run Redis with AOF (`appendonly yes`, `appendfsync everysec`, which
 * may lose about one second on a power loss, or `always`) and `maxmemory-policy noeviction`: an evicting
 * policy may drop callbacks. A Redis restarted without persistence loses everything, like a deleted
 * SQLite file. (The store warns at its first connection when it can see either problem.) The kv values
 * hold permanent codes and tokens: use a Redis of your own with AUTH, and `rediss://` across networks.
 *
 * **Why sorted sets and not streams.** The SPEC sketches "streams with consumer groups for the inbox and
 * deliveries, a sorted set for scheduled retries". The inbox and each target's queue are instead one
 * sorted set of due work (`cbx:due`, `dlx:due:<target>`, scored by `nextAttemptAt`) plus one of leased
 * work (`*:leased`, scored by `leaseUntil`, the equivalent of a consumer group's pending-entries list),
 * moved atomically by Lua scripts, because:
 * - the `Store` contract leases on the caller's clock (`claim({ now, leaseMs })`, re-claimable at
 *   exactly `now + leaseMs`), while XAUTOCLAIM's min-idle time runs on the Redis server's clock and
 *   cannot honour it (nor the fake clocks the tests use);
 * - retries need a sorted set anyway; with streams, every item would live in a stream, a PEL and a
 *   retry set at once, moved between them by a mover loop, with XACK + XDEL to keep streams from
 *   growing (svix PR #671) — three places to disagree instead of one;
 * - there is no consumer-group metadata that can be lost on its own, so the NOGROUP spin (svix#1844)
 *   cannot happen: a missing sorted set is just empty, and {@link RedisStore.reconcile} rebuilds every
 *   index from the hashes (triggered at once when the `meta` marker is missing, and periodically);
 * - the order of claims is the SQLite store's (due time, then insertion order), and a lease expires at a
 *   time the caller chose, so the lease ≥ delivery timeout rule (svix PR #2181) stays with the caller,
 *   who knows the timeout.
 *
 * Arguments, error mapping and change notifications are the shared guard's (`guard-store.ts`): a Redis
 * failure rejects with `ERR_STORE_UNAVAILABLE` naming the store (without credentials), e.g.
 * ``cannot write to redis://cache:6379/0 (setting `store`): ECONNREFUSED``. Commands are bounded
 * (`commandTimeoutMs`, `maxRetriesPerRequest`), so with Redis down `putCallback` rejects within seconds
 * and the receiver answers 503 (WeCom retries) instead of hanging.
 */
export class RedisStore extends GuardedStore {
  /** The prefix of every key of this store. */
  readonly prefix: string;
  readonly #backend: RedisBackend;

  /**
   * Connects to the Redis at `url` (`redis://[user:password@]host[:port][/db][?prefix=…]` or
   * `rediss://…` for TLS). Resolves at once, without waiting for the connection: a receiver must start
   * (and answer 503) while Redis is down; use {@link RedisStore.ping} to wait for readiness.
   * @throws TypeError on invalid options; `WecomRelayError('ERR_STORE_URL')` on a URL that is not redis(s).
   */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    if (typeof url !== 'string') throw expected('url', 'a string', url);
    const resolved = resolveRedisStoreOptions(url, options);
    const backend = new RedisBackend(createRedisClient(resolved), resolved);
    return new RedisStore(backend, resolved.prefix, locationOf(resolved.url), resolved.now);
  }

  private constructor(backend: RedisBackend, prefix: string, location: string, now: () => number) {
    super('redis', backend, { location, now });
    this.prefix = prefix;
    this.#backend = backend;
  }

  /**
   * Rebuilds every index from the hashes now (see `redis-reconciler.ts`); claims already do this on
   * their own when the indexes look lost, and every `reconcileIntervalMs`. Resolves undefined when
   * another process is reconciling at the moment.
   */
  async reconcile(): Promise<ReconcileReport | undefined> {
    try {
      return await this.#backend.reconcile();
    } catch (error) {
      throw storeUnavailable(error, `cannot rebuild the indexes of ${this.location} (setting \`store\`)`);
    }
  }
}

/** The URL without credentials, as error messages name the store. */
function locationOf(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
