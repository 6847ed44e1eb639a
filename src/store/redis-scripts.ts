import type { Redis } from 'ioredis';
import { IDS_MOVE } from './redis-scripts-ids.js';
import * as keyed from './redis-scripts-keyed.js';
import * as upkeep from './redis-scripts-upkeep.js';
import * as work from './redis-scripts-work.js';

/**
 * Shared by every script: `P` is the key prefix (always `ARGV[1]`); index members are `<seq>:<id>`,
 * where `seq` is a zero-padded insertion counter, so entries with equal scores sort in insertion order
 * (as SQLite's rowid does) and `idOf` recovers the id (ids may contain `:`, sequences never do).
 */
const PRELUDE = `
local P = ARGV[1]
local function mem(seq, id) return seq .. ':' .. id end
local function idOf(m) return string.sub(m, string.find(m, ':', 1, true) + 1) end
local function nextSeq() return string.format('%015d', redis.call('INCR', P .. 'seq')) end
`;

/** Every script the Redis store runs, by name. */
const SCRIPTS = {
  putCallback: work.PUT_CALLBACK,
  claim: work.CLAIM,
  completeCallback: work.COMPLETE_CALLBACK,
  deferCallback: work.DEFER_CALLBACK,
  failCallback: work.FAIL_CALLBACK,
  requeueCallbacks: work.REQUEUE_CALLBACKS,
  recordAttempt: work.RECORD_ATTEMPT,
  releaseDelivery: work.RELEASE_DELIVERY,
  replayDeliveries: work.REPLAY_DELIVERIES,
  renewLeases: work.RENEW_LEASES,
  readDeliveries: work.READ_DELIVERIES,
  readEventAttempts: work.READ_EVENT_ATTEMPTS,
  stats: upkeep.STATS,
  pruneDeliveries: upkeep.PRUNE_DELIVERIES,
  pruneCallbacks: upkeep.PRUNE_CALLBACKS,
  pruneTarget: upkeep.PRUNE_TARGET,
  reconcileCallbacks: upkeep.RECONCILE_CALLBACKS,
  reconcileDeliveries: upkeep.RECONCILE_DELIVERIES,
  kvPut: keyed.KV_PUT,
  kvDelete: keyed.KV_DELETE,
  kvTake: keyed.KV_TAKE,
  kvSweep: keyed.KV_SWEEP,
  lockAcquire: keyed.LOCK_ACQUIRE,
  lockRenew: keyed.LOCK_RENEW,
  lockRelease: keyed.LOCK_RELEASE,
  rateSlots: keyed.RATE_SLOTS,
  reconcileUnlock: keyed.RECONCILE_UNLOCK,
  idsMove: IDS_MOVE,
} as const;

/** The name of one of the store's Lua scripts. */
export type ScriptName = keyof typeof SCRIPTS;

/** An argument of a script (sent as a string). */
export type ScriptArg = string | number;

type ScriptMethod = (...args: ScriptArg[]) => Promise<unknown>;

const COMMAND_PREFIX = 'wecomRelay_';

/**
 * Registers every script on `client` (ioredis `defineCommand`: EVALSHA, falling back to EVAL after a
 * `NOSCRIPT`, e.g. once Redis restarted and lost its script cache). Scripts take no KEYS: every name is built from the prefix in `ARGV[1]`, which is fine on a
 * standalone or Sentinel-managed Redis but not on Redis Cluster.
 */
export function defineScripts(client: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    client.defineCommand(`${COMMAND_PREFIX}${name}`, { numberOfKeys: 0, lua: PRELUDE + lua });
  }
}

/** Runs a script defined by {@link defineScripts}; `args` follow the script's `ARGV` (prefix first). */
export function runScript(client: Redis, name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
  const method = (client as unknown as Record<string, ScriptMethod>)[`${COMMAND_PREFIX}${name}`];
  if (method === undefined) throw new Error(`script ${name} is not defined on this client`);
  return method.apply(client, [...args]);
}

/**
 * Runs several scripts in one pipeline (one round trip); resolves their replies in order, or rejects
 * with the first error.
 */
export async function runScripts(client: Redis, calls: ReadonlyArray<readonly [ScriptName, readonly ScriptArg[]]>): Promise<unknown[]> {
  const pipeline = client.pipeline();
  for (const [name, args] of calls) {
    const method = (pipeline as unknown as Record<string, ScriptMethod>)[`${COMMAND_PREFIX}${name}`];
    if (method === undefined) throw new Error(`script ${name} is not defined on this client`);
    method.apply(pipeline, [...args]);
  }
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
