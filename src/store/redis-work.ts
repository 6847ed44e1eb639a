import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { idOf, type RedisReader } from './redis-reader.js';
import type { RedisReconciler } from './redis-reconciler.js';
import { callbackFields, toCallbackRecord, toDeliveryRecord, toHash } from './redis-records.js';
import { runScript, type ScriptArg, type ScriptName } from './redis-scripts.js';
import { validateClaim } from './sqlite-validate.js';
import type {
  AttemptOutcome, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryRecord, DeliveryState, NewCallback,
  ReplaySelection, StoreStats, TargetDeliveryStats,
} from './store.js';

/** `lastResponse` keeps the first characters of the response body only (as the SQLite store). */
const MAX_RESPONSE_CHARS = 2000;
/** Ids (or index entries) per script call in bulk operations; keeps each script short. */
const BULK = 500;
/** Most index entries one claim examines beyond `limit` (stale entries are fixed as they are met). */
const CLAIM_SLACK = 1000;
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/**
 * The work queues of the Redis store — the inbox of callbacks and one queue of deliveries per target —
 * each state change one Lua script (`redis-scripts-work.ts`), with their stats and pruning. Validates its input (TypeError) and leaves
 * Redis errors to the store to map; the store also emits the change events.
 */
export class RedisWork {
  readonly #client: Redis;
  readonly #keys: RedisKeys;
  readonly #reader: RedisReader;
  readonly #reconciler: RedisReconciler;

  constructor(client: Redis, keys: RedisKeys, reader: RedisReader, reconciler: RedisReconciler) {
    this.#client = client;
    this.#keys = keys;
    this.#reader = reader;
    this.#reconciler = reconciler;
  }

  /** See `Store.putCallback`: resolves whether it inserted. */
  async putCallback(callback: NewCallback): Promise<boolean> {
    if (typeof callback?.id !== 'string' || callback.id === '') throw expected('callback.id', 'a non-empty string', callback?.id);
    if (!Number.isFinite(callback.receivedAt)) throw expected('callback.receivedAt', 'a finite number', callback.receivedAt);
    return (await this.#run('putCallback', [callback.id, String(callback.receivedAt), ...callbackFields(callback)])) === 1;
  }

  /** See `Store.claimCallbacks`: counts an attempt per claim. */
  async claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]> {
    const rows = await this.#claim('cb', 'cbx:due', 'cbx:leased', validateClaim(claim));
    return rows.map(([flat]) => toCallbackRecord(toHash(flat)));
  }

  /** See `Store.completeCallback`: resolves the number of deliveries created, or -1 without the lease. */
  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<number> {
    const { event, targets, now } = completion;
    for (const target of targets) {
      if (typeof target !== 'string' || target === '') throw expected('target', 'a non-empty string', target);
    }
    return Number(await this.#run('completeCallback', [id, owner, String(now), JSON.stringify(event), event.type, ...targets]));
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
  async claimDeliveries(claim: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]> {
    const { target } = claim;
    if (typeof target !== 'string' || target === '') throw expected('target', 'a non-empty string', target);
    const rows = await this.#claim('dl', this.#keys.deliveryDue(target), this.#keys.deliveryLeased(target), validateClaim(claim));
    return rows.map(([flat, event]) => toDeliveryRecord(toHash(flat), event));
  }

  /** See `Store.recordAttempt`; `lastResponse` keeps the first 2,000 characters. */
  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    const { state, countAttempt, now } = outcome;
    if (!DELIVERY_STATES.includes(state)) throw expected('outcome.state', `one of ${DELIVERY_STATES.join(', ')}`, state);
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
    const args = [id, owner, state, countAttempt ? '1' : '0', String(next), String(now), String(set.length / 2), ...set, ...unset];
    return (await this.#run('recordAttempt', args)) === 1;
  }

  /** See `Store.releaseDelivery`. */
  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    return (await this.#run('releaseDelivery', [id, owner])) === 1;
  }

  /**
   * See `Store.replayDeliveries`. A selection by filter collects the ids from the createdAt indexes
   * first; the script re-checks the state of each, so one that moved in between is left alone.
   */
  async replayDeliveries(selection: ReplaySelection, now: number): Promise<number> {
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
    let count = 0;
    for (const batch of batches(ids)) count += Number(await this.#run('replayDeliveries', [String(now), expectedState, ...batch]));
    return count;
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
    if (!Number.isFinite(before)) throw expected('before', 'a finite number', before);
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

  /** See `Store.renewCallbackLeases` / `Store.renewDeliveryLeases` (interim). */
  async renewLeases(kind: 'cb' | 'dl', ids: readonly string[], owner: string, leaseUntil: number): Promise<string[]> {
    const renewed: string[] = [];
    for (const batch of batches(ids)) renewed.push(...(await this.#run('renewLeases', [kind, owner, String(leaseUntil), ...batch]) as string[]));
    return renewed;
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

/** The one TypeError shape: ``Expected `name` to be …, got `value` (type)``. */
function expected(name: string, what: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${what}, got \`${String(value)}\` (${typeof value})`);
}
