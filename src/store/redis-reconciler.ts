import { randomUUID } from 'node:crypto';
import { backoffMs } from '../backoff.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RedisKeys } from './redis-keys.js';
import { runScript, type ScriptName } from './redis-scripts.js';

/** What one {@link RedisReconciler.run} found. */
export interface ReconcileReport {
  /** Callback hashes re-indexed. */
  readonly callbacks: number;
  /** Delivery hashes re-indexed. */
  readonly deliveries: number;
  /** kv values re-indexed. */
  readonly kv: number;
}

/** How many keys one SCAN step and one script call handle. */
const BATCH = 500;
/** Only one process reconciles at a time; the lock outlives a slow run by far. */
const LOCK_TTL_MS = 5 * 60_000;
/** Failed runs are retried after 1 s, 2 s, 4 s … at most this long. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Rebuilds every index of the Redis store from the hashes, which are the truth. This is the Redis
 * store's answer to Svix's NOGROUP spin (svix#1844): there is no consumer-group metadata to lose, but
 * an index can still go (a `DEL`, an eviction under a wrong `maxmemory-policy`, a partial restore).
 * A run SCANs `cb:*`, `dl:*` and `kv:*` and puts each record back into the indexes its hash says it
 * belongs to (one atomic script per batch, so it never races a claim), then sets the `meta` marker.
 *
 * It runs when a claim finds `meta` missing (a flushed or restarted Redis, or deleted indexes: at once,
 * before the claim retries) and every `intervalMs` in the background from claiming processes (once per
 * interval across all of them, thanks to a `reconciled` marker that expires with the interval). Runs are
 * single-flight in a process and locked across processes; failures back off exponentially and are
 * logged at most once per backoff step, so a broken Redis never becomes a tight loop or a log flood.
 */
export class RedisReconciler {
  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #running: Promise<ReconcileReport | undefined> | undefined;
  #nextAt: number;
  #failures = 0;
  #closed = false;

  constructor(client: Redis, keys: RedisKeys, logger: Logger, intervalMs: number) {
    this.#client = client;
    this.#keys = keys;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#nextAt = intervalMs > 0 ? Date.now() + intervalMs : Number.POSITIVE_INFINITY;
  }

  /**
   * Called by each claim. With `metaMissing`, resolves once a run finished (or was skipped because
   * another process holds the lock or the last failure's backoff has not elapsed); otherwise starts a
   * background run when one is due and resolves at once. Never rejects.
   */
  async afterClaim(metaMissing: boolean): Promise<void> {
    if (this.#closed) return;
    if (this.#running !== undefined) {
      if (metaMissing) await this.#running;
      return;
    }
    // A missing marker runs at once, unless the last run failed and its backoff has not elapsed.
    const due = Date.now() >= this.#nextAt;
    if (!due && !(metaMissing && this.#failures === 0)) return;
    const run = this.#start(!metaMissing);
    if (metaMissing) await run;
  }

  /**
   * Runs at once, whatever the schedule, unless a run (in this or another process) holds the reconcile
   * lock: then resolves undefined. Rejects when Redis fails.
   */
  async run(): Promise<ReconcileReport | undefined> {
    const token = randomUUID();
    const lock = this.#keys.full(this.#keys.reconciling);
    if ((await this.#client.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return undefined;
    try {
      const callbacks = await this.#reindex('cb:', 'reconcileCallbacks');
      const deliveries = await this.#reindex('dl:', 'reconcileDeliveries');
      const kv = await this.#reindexKv();
      await this.#client.set(this.#keys.full(this.#keys.meta), JSON.stringify({ reconciledAt: Date.now() }));
      return { callbacks, deliveries, kv };
    } finally {
      await runScript(this.#client, 'reconcileUnlock', [this.#keys.prefix, this.#keys.reconciling, token]).catch(() => undefined);
    }
  }

  /** Starts no more runs (a run in flight finishes or fails quietly). */
  close(): void {
    this.#closed = true;
  }

  #start(periodic: boolean): Promise<ReconcileReport | undefined> {
    const running = (periodic ? this.#periodic() : this.run()).then(
      (report) => {
        this.#failures = 0;
        this.#nextAt = this.#intervalMs > 0 ? Date.now() + this.#intervalMs : Number.POSITIVE_INFINITY;
        if (report !== undefined) this.#logger.debug({ ...report }, 'redis store indexes reconciled');
        return report;
      },
      (error: unknown) => {
        this.#failures += 1;
        const delayMs = backoffMs(this.#failures - 1, { baseMs: 1000, maxMs: MAX_BACKOFF_MS });
        this.#nextAt = Date.now() + delayMs;
        if (!this.#closed) this.#logger.warn({ err: error, failures: this.#failures, retryInMs: delayMs }, 'redis store reconcile failed');
        return undefined;
      },
    ).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** A periodic run, unless any process ran one within the interval (so N daemons run one, not N). */
  async #periodic(): Promise<ReconcileReport | undefined> {
    const recent = this.#keys.full(this.#keys.reconciled);
    if ((await this.#client.set(recent, String(Date.now()), 'PX', this.#intervalMs, 'NX')) !== 'OK') return undefined;
    return this.run();
  }

  /** SCANs the hashes under `relative` and re-indexes them by batches; resolves how many existed. */
  async #reindex(relative: string, script: ScriptName): Promise<number> {
    const start = this.#keys.full(relative).length;
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#client.scan(cursor, 'MATCH', this.#keys.match(relative), 'COUNT', BATCH, 'TYPE', 'hash');
      cursor = next;
      if (keys.length > 0) total += Number(await runScript(this.#client, script, [this.#keys.prefix, ...keys.map((k) => k.slice(start))]));
    } while (cursor !== '0');
    return total;
  }

  async #reindexKv(): Promise<number> {
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#client.scan(cursor, 'MATCH', this.#keys.match('kv:'), 'COUNT', BATCH, 'TYPE', 'hash');
      cursor = next;
      if (keys.length === 0) continue;
      const read = this.#client.pipeline();
      for (const key of keys) read.hmget(key, 'ns', 'key');
      const write = this.#client.pipeline();
      for (const [error, reply] of (await read.exec()) ?? []) {
        const [ns, key] = (error ? [] : reply) as Array<string | null>;
        if (typeof ns !== 'string' || typeof key !== 'string') continue;
        write.sadd(this.#keys.full(this.#keys.kvIndex(ns)), key);
        write.sadd(this.#keys.full(this.#keys.kvNamespaces), this.#keys.namespace(ns));
        total += 1;
      }
      await write.exec();
    } while (cursor !== '0');
    return total;
  }
}
