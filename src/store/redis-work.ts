import type { Redis } from 'ioredis';
import { toAttemptEntry } from './attempt-log.js';
import type { RedisKeys } from './redis-keys.js';
import { idOf, type RedisReader } from './redis-reader.js';
import type { RedisReconciler } from './redis-reconciler.js';
import { callbackFields, toCallbackRecord, toDeliveryRecord, toHash } from './redis-records.js';
import { runScript, runScripts, type ScriptArg, type ScriptName } from './redis-scripts.js';
import type {
  AttemptOutcome, AttemptRecord, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryClaimOptions, DeliveryRecord,
  NewCallback, ReplaySelection, StoreStats, TargetDeliveryStats,
} from './records.js';

/** `lastResponse` keeps the first characters of the response body only (as the SQLite store). */
const MAX_RESPONSE_CHARS = 2000;
/** Ids (or index entries) per script call in bulk operations; keeps each script short. */
const BULK = 500;
/** Most index entries one claim examines beyond `limit` (stale entries are fixed as they are met). */
const CLAIM_SLACK = 1000;

/**
 * The work queues of the Redis store — the inbox of callbacks and one queue of deliveries per target —
 * each state change one Lua script (`redis-scripts-work.ts`), with their stats and pruning. The guard has
 * checked the arguments; Redis errors are left to it to map, and it emits the change events.
 */
export class RedisWork {
  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #reader: RedisReader;
  readonly #reconciler: RedisReconciler;
  readonly #keep: number;

  constructor(client: Redis, keys: RedisKeys, reader: RedisReader, reconciler: RedisReconciler, attemptsPerDelivery: number) {
    this.#client = client;
    this.#keep = attemptsPerDelivery;
    this.#keys = keys;
    this.#reader = reader;
    this.#reconciler = reconciler;
  }

  /** See `Store.putCallback`: resolves whether it inserted. */
  async putCallback(callback: NewCallback): Promise<boolean> {
    return (await this.#run('putCallback', [callback.id, String(callback.receivedAt), ...callbackFields(callback)])) === 1;
  }

  /** See `Store.claimCallbacks`: counts an attempt per claim. */
  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    const rows = await this.#claim('cb', 'cbx:due', 'cbx:leased', claim);
    return rows.map(([flat]) => toCallbackRecord(toHash(flat)));
  }

  /** See `Store.completeCallback`: resolves the targets a delivery was created for, or undefined without the lease. */
  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<string[] | undefined> {
    const { event, targets, now } = completion;
    const [done, ...created] = await this.#run('completeCallback', [id, owner, String(now), JSON.stringify(event), event.type, ...targets]) as [number, ...string[]];
    return done === 1 ? created : undefined;
  }

  /** See `Store.deferCallback`. */
  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    return (await this.#run('deferCallback', [id, owner, String(deferral.nextAttemptAt), deferral.error])) === 1;
  }

  /** See `Store.failCallback`. */
  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    return (await this.#run('failCallback', [id, owner, error, String(now)])) === 1;
  }

  /** See `Store.requeueCallbacks`. */
  async requeueCallbacks(ids: readonly string[], now: number): Promise<number> {
    let count = 0;
    for (const batch of batches(ids)) count += Number(await this.#run('requeueCallbacks', [String(now), ...batch]));
    return count;
  }

  /** See `Store.claimDeliveries`: each delivery's event is read in the same script. */
  async claimDeliveries(claim: DeliveryClaimOptions): Promise<DeliveryRecord[]> {
    const { target } = claim;
    const rows = await this.#claim('dl', this.#keys.deliveryDue(target), this.#keys.deliveryLeased(target), claim);
    return rows.map(([flat, event]) => toDeliveryRecord(toHash(flat), event));
  }

  /** See `Store.recordAttempts`: one script per attempt (its log entry included), all in one pipeline (one round trip). */
  async recordAttempts(batch: readonly AttemptRecord[]): Promise<boolean[]> {
    const replies = await runScripts(this.#client, batch.map(({ id, owner, outcome }) =>
      ['recordAttempt', [this.#keys.prefix, ...attemptArgs(id, owner, outcome, this.#keep)]] as const));
    return replies.map((reply) => reply === 1);
  }

  /** See `Store.renewCallbackLeases` / `renewDeliveryLeases`. */
  async renewLeases(kind: 'cb' | 'dl', ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]> {
    const renewed = new Set<string>();
    for (const batch of batches(ids)) {
      for (const id of await this.#run('renewLeases', [kind, owner, String(leaseUntil), String(now), ...batch]) as string[]) renewed.add(id);
    }
    return [...new Set(ids)].filter((id) => renewed.has(id));
  }

  /** See `Store.releaseDelivery`. */
  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    return (await this.#run('releaseDelivery', [id, owner])) === 1;
  }

  /**
   * See `Store.replayDeliveries`. A selection by filter collects the ids from the createdAt indexes
   * first; the script re-checks the state of each, so one that moved in between is left alone.
   */
  async replayDeliveries(selection: ReplaySelection, now: number): Promise<string[]> {
    let ids: readonly string[];
    let expectedState = '';
    if ('ids' in selection) {
      ids = selection.ids;
    } else {
      const { target, state } = selection;
      expectedState = state ?? '';
      // A state without a target walks every target's state index; otherwise one index holds them all.
      const targets = target === undefined && state !== undefined ? await this.#client.smembers(this.#keys.full(this.#keys.targets)) : [target];
      const members = await Promise.all(targets.map((t) => this.#reader.members(this.#keys.deliveryIndex(t, t === undefined ? undefined : state), selection)));
      ids = members.flat().map(idOf);
    }
    const targets: string[] = [];
    for (const batch of batches(ids)) targets.push(...await this.#run('replayDeliveries', [String(now), expectedState, ...batch]) as string[]);
    return targets;
  }

  /** See `Store.stats`: one script, so one snapshot. */
  async stats(): Promise<StoreStats> {
    const [pending, done, failed, oldest, targets] = await this.#run('stats', []) as
      [number, number, number, string, Array<[string, number, number, number, string]>];
    const deliveries: Record<string, TargetDeliveryStats> = {};
    for (const [target, p, delivered, dead, oldestPending] of targets) {
      if (p + delivered + dead > 0) deliveries[target] = { pending: p, delivered, dead, oldestPendingAt: oldestPending === '' ? null : Number(oldestPending) };
    }
    return { callbacks: { pending, failed, done, oldestPendingAt: oldest === '' ? null : Number(oldest) }, deliveries };
  }

  /**
   * See `Store.prune` (kv housekeeping aside): batches of delivered deliveries, then batches of done
   * callbacks left without deliveries, then targets left without deliveries. Resolves the first two counts.
   */
  async prune(before: number): Promise<number> {
    let count = 0;
    let examined: number;
    do {
      const [seen, deleted] = await this.#run('pruneDeliveries', [String(before), String(BULK)]) as [number, number];
      examined = seen;
      count += deleted;
    } while (examined === BULK);
    // Callbacks kept because deliveries remain stay in the index: skip them in later batches.
    let offset = 0;
    do {
      const [seen, kept, deleted] = await this.#run('pruneCallbacks', [String(before), String(BULK), String(offset)]) as [number, number, number];
      examined = seen;
      offset += kept;
      count += deleted;
    } while (examined === BULK);
    for (const target of await this.#client.smembers(this.#keys.full(this.#keys.targets))) await this.#run('pruneTarget', [target]);
    return count;
  }

  /**
   * Claims from one queue. When the claim reports the `meta` marker missing (indexes possibly lost),
   * waits for a reconcile, then claims again for what is still wanted.
   */
  async #claim(kind: 'cb' | 'dl', due: string, leased: string, claim: ClaimOptions): Promise<Array<[unknown, string]>> {
    const { owner, limit, leaseMs, now } = claim;
    const once = async (wanted: number): Promise<[number, Array<[unknown, string]>]> => await this.#run('claim', [
      kind, due, leased, owner, String(wanted), String(now), String(now + leaseMs), String(wanted + CLAIM_SLACK),
    ]) as [number, Array<[unknown, string]>];
    const [meta, rows] = await once(limit);
    await this.#reconciler.afterClaim(meta === 0);
    if (meta === 0 && rows.length < limit) rows.push(...(await once(limit - rows.length))[1]);
    return rows;
  }

  #run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    return runScript(this.#client, name, [this.#keys.prefix, ...args]);
  }
}

/** `ids` without duplicates, in chunks of {@link BULK}. */
function batches(ids: readonly string[]): string[][] {
  const unique = [...new Set(ids)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += BULK) out.push(unique.slice(i, i + BULK));
  return out;
}

/**
 * The `recordAttempt` script's arguments after the prefix; `lastResponse` keeps the first 2,000 characters.
 * The log entry is JSON the script completes: `{"seq":…,"replay":…,` + this text without its `{`.
 */
function attemptArgs(id: string, owner: string, outcome: AttemptOutcome, keep: number): string[] {
  const { state, countAttempt, now } = outcome;
  const next = outcome.nextAttemptAt ?? now;
  const set: string[] = ['state', state, 'nextAttemptAt', String(next), 'updatedAt', String(now)];
  const unset: string[] = ['leaseOwner', 'leaseUntil'];
  const field = (name: string, value: string | number | null | undefined): void => {
    if (value === null || value === undefined) unset.push(name);
    else set.push(name, String(value));
  };
  field('lastStatus', outcome.status);
  field('lastResponse', outcome.response?.slice(0, MAX_RESPONSE_CHARS));
  field('lastError', outcome.error);
  if (state === 'delivered') set.push('deliveredAt', String(now));
  const entry = JSON.stringify(toAttemptEntry(outcome)).slice(1);
  return [id, owner, state, countAttempt ? '1' : '0', String(next), String(now), String(keep), entry, String(set.length / 2), ...set, ...unset];
}
