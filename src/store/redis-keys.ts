import type { CallbackState, DeliveryState } from './records.js';

/**
 * The key layout of the Redis store, under a prefix `P` (default `wecom-relay:`). Hashes are the truth;
 * every sorted set and set is an index that `RedisStore.reconcile()` can rebuild from the hashes.
 * Index members are `<seq>:<id>` (see `redis-scripts.ts`). The Lua scripts build the same names.
 *
 * | key                          | type  | holds                                                        |
 * |------------------------------|-------|--------------------------------------------------------------|
 * | `cb:<id>`                    | hash  | one callback (fields / event as JSON); absent field = null    |
 * | `cbx:all`                    | zset  | every callback, by receivedAt (listing)                      |
 * | `cbx:st:<state>`             | zset  | callbacks in that state, by receivedAt (listing, stats)      |
 * | `cbx:due`                    | zset  | pending, unleased callbacks, by nextAttemptAt (the inbox)    |
 * | `cbx:leased`                 | zset  | pending, leased callbacks, by leaseUntil (in flight)         |
 * | `cbx:processed`              | zset  | done callbacks, by processedAt (prune)                       |
 * | `dl:<eventId>:<target>`      | hash  | one delivery                                                 |
 * | `dla:<eventId>:<target>`     | list  | its attempts log: JSON entries, oldest first, last N kept     |
 * | `dlx:all`                    | zset  | every delivery, by createdAt                                 |
 * | `dlx:tgt:<target>`           | zset  | a target's deliveries, by createdAt                          |
 * | `dlx:st:<state>:<target>`    | zset  | a target's deliveries in that state, by createdAt            |
 * | `dlx:due:<target>`           | zset  | pending, unleased, by nextAttemptAt (the target's queue)     |
 * | `dlx:leased:<target>`        | zset  | pending, leased, by leaseUntil                               |
 * | `dlx:delivered`              | zset  | delivered deliveries, by deliveredAt (prune)                 |
 * | `dlx:ev:<eventId>`           | set   | the delivery ids of an event                                 |
 * | `dlx:targets`                | set   | target names that have deliveries                            |
 * | `kv:<ns>:<key>`              | hash  | {ns, key, value, canon, version, updatedAt, expiresAt}, PX   |
 * | `kvx:<ns>`                   | set   | the keys of a namespace                                      |
 * | `kvns`                       | set   | namespaces (for the prune sweep of `kvx:*`)                  |
 * | `lk:<key>`                   | hash  | a lock {token, expiresAt} (caller's clock), PX as GC         |
 * | `rate:<key>`                 | zset  | sends in the rolling window, by time                         |
 * | `ids:<set>`                  | zset  | an id set (reconciliation snapshot), every member at score 0 |
 * | `seq`                        | string| the insertion counter                                        |
 * | `meta`                       | string| set by reconcile; its absence means the indexes may be gone  |
 * | `reconciled`                 | string| a periodic reconcile ran within the interval (PX)            |
 * | `reconciling`                | string| the token of the process reconciling now (PX, server clock)  |
 *
 * `<ns>` is `encodeURIComponent`-escaped (so `kv:<ns>:<key>` is unambiguous whatever the namespace
 * holds); ids, keys and target names are used as they are.
 */
export class RedisKeys {
  /** The prefix every key starts with. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Relative names (the scripts add the prefix themselves); {@link RedisKeys.full} adds it. */
  full(relative: string): string {
    return this.prefix + relative;
  }

  /** The callback hash. */
  callback(id: string): string {
    return `cb:${id}`;
  }

  /** Callbacks by receivedAt: all of them, or those in `state`. */
  callbackIndex(state?: CallbackState): string {
    return state === undefined ? 'cbx:all' : `cbx:st:${state}`;
  }

  /** Deliveries by createdAt: all, a target's, or a target's in `state`. */
  deliveryIndex(target?: string, state?: DeliveryState): string {
    if (target === undefined) return 'dlx:all';
    return state === undefined ? `dlx:tgt:${target}` : `dlx:st:${state}:${target}`;
  }

  /** A delivery's attempts log (absent = no attempt logged, e.g. recorded by a version without the log). */
  attempts(deliveryId: string): string {
    return `dla:${deliveryId}`;
  }

  /** A target's queue of due deliveries. */
  deliveryDue(target: string): string {
    return `dlx:due:${target}`;
  }

  /** A target's leased deliveries. */
  deliveryLeased(target: string): string {
    return `dlx:leased:${target}`;
  }

  /** The delivery ids of one event. */
  eventDeliveries(eventId: string): string {
    return `dlx:ev:${eventId}`;
  }

  /** The set of target names. */
  get targets(): string {
    return 'dlx:targets';
  }

  /** The escaped form of a kv namespace. */
  namespace(ns: string): string {
    return encodeURIComponent(ns);
  }

  /** The start of every kv key of a namespace. */
  kvPrefix(ns: string): string {
    return `kv:${this.namespace(ns)}:`;
  }

  /** One kv value. */
  kv(ns: string, key: string): string {
    return this.kvPrefix(ns) + key;
  }

  /** The keys of a kv namespace. */
  kvIndex(ns: string): string {
    return `kvx:${this.namespace(ns)}`;
  }

  /** The set of kv namespaces (escaped). */
  get kvNamespaces(): string {
    return 'kvns';
  }

  /** A lock (`lk:`, not the string `lock:` keys of versions that locked on the server's clock). */
  lock(key: string): string {
    return `lk:${key}`;
  }

  /** An id set (`IdSets`): a sorted set ordered by member bytes. */
  idSet(set: string): string {
    return `ids:${set}`;
  }

  /** A rate-limit window. */
  rate(key: string): string {
    return `rate:${key}`;
  }

  /** The marker that the indexes are complete. */
  get meta(): string {
    return 'meta';
  }

  /** The marker that a periodic reconcile ran recently. */
  get reconciled(): string {
    return 'reconciled';
  }

  /** The lock of the reconcile run (internal housekeeping: on the Redis server's clock). */
  get reconciling(): string {
    return 'reconciling';
  }

  /** A SCAN `MATCH` pattern for every key starting with `relative` (the prefix's glob characters escaped). */
  match(relative: string): string {
    return `${(this.prefix + relative).replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  }
}
