/**
 * Bytes of Redis memory per pending callback and per delivery, and Redis CPU per step, through the real
 * store (docs/scaling.md).
 *
 *   node bench/redis-memory.js [--count 10000] [--db 14] [--url redis://127.0.0.1:6379] [--force]
 *
 * Two passes, each on a fresh database `--db` (FLUSHDB of that database only, never another; it refuses
 * to flush a database holding keys that are not this store's unless `--force`):
 *
 * 1. `count` callbacks put (pending) → completed with ONE target (each a stored event + one pending
 *    delivery) → every delivery recorded delivered (what stays until retention pruning);
 * 2. `count` callbacks put → completed with FOUR targets; the difference to pass 1, divided by 3 × count,
 *    is what one more delivery of an event costs.
 *
 * The callbacks are the benchmark's distinct `add_external_contact` samples (bench/lib/fixtures.js),
 * normalized, without enrichment. Memory is measured two ways after each step: the sum of `MEMORY USAGE
 * key SAMPLES 0` over every key of the database (exact per key, and blind to other databases and other
 * clients' traffic on a shared server), and the change of `INFO memory` used_memory (the whole server:
 * also dictionary and allocator overheads, but moved by anything else running on it). Each step also
 * reports the Redis server's CPU time (`INFO cpu`, user + sys: command execution and network I/O) and
 * its Lua script calls (`INFO commandstats` evalsha/eval) per item, which bound how many callbacks and
 * deliveries one Redis serves; both are server-wide, so other clients' traffic during a step counts
 * too. The delivery step takes one shared rate slot per delivery, as a target worker does. Prints JSON.
 *
 * Needs the built library (`npm run build`) and a Redis.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createStore } from '../dist/src/store/create-store.js';
import { storedCallback } from './lib/fixtures.js';

const PREFIX = 'wecom-relay:';

const { values } = parseArgs({
  options: { count: { type: 'string' }, db: { type: 'string' }, url: { type: 'string' }, force: { type: 'boolean' } },
  strict: true,
});
const count = Number(values.count ?? 10_000);
const db = Number(values.db ?? 14);
const base = (values.url ?? 'redis://127.0.0.1:6379').replace(/\/+\d*$/, '');
if (!Number.isSafeInteger(count) || count < 100) throw new TypeError('--count expects an integer ≥ 100');
if (!Number.isSafeInteger(db) || db < 1 || db > 15) throw new TypeError('--db expects 1-15 (0 is left alone: it is the default database)');
const url = `${base}/${db}`;

const admin = new Redis(url, { maxRetriesPerRequest: 1 });

/** FLUSHDB of our database only, and only when everything in it is this store's. */
async function freshDatabase() {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const foreign = keys.find((k) => !k.startsWith(PREFIX));
    if (foreign && !values.force) throw new Error(`database ${db} holds a key that is not this store's (${foreign}): choose another --db, or --force`);
  } while (cursor !== '0');
  await admin.flushdb();
}

async function usedMemory() {
  const info = await admin.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/** Σ MEMORY USAGE over every key of the database, by key family (`cb`, `cbx`, `dl`, `dlx`, …). */
async function keyBytes() {
  const families = {};
  let total = 0;
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = admin.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const results = await pipeline.exec();
    batch.forEach((key, i) => {
      const bytes = Number(results[i][1] ?? 0);
      const family = key.slice(PREFIX.length).split(':')[0];
      families[family] = (families[family] ?? 0) + bytes;
      total += bytes;
      keys += 1;
    });
  } while (cursor !== '0');
  return { total, keys, families };
}

/** Redis server CPU seconds so far (user + sys, main thread and I/O). */
async function serverCpu() {
  const info = await admin.info('cpu');
  const read = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** Lua script calls and their execution time (µs) so far. */
async function scriptStats() {
  const info = await admin.info('commandstats');
  let calls = 0;
  let usec = 0;
  for (const m of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+),usec=(\d+)/gm)) {
    calls += Number(m[2]);
    usec += Number(m[3]);
  }
  return { calls, usec };
}

/** Runs `fn` and reports the server's CPU µs and script calls per item it cost. */
async function costOf(items, fn) {
  const [cpu0, scripts0, t0] = [await serverCpu(), await scriptStats(), performance.now()];
  await fn();
  const [cpu1, scripts1, t1] = [await serverCpu(), await scriptStats(), performance.now()];
  return {
    serverCpuUsPerItem: Math.round(((cpu1 - cpu0) * 1e6) / items),
    scriptCallsPerItem: Math.round((100 * (scripts1.calls - scripts0.calls)) / items) / 100,
    scriptUsPerItem: Math.round((scripts1.usec - scripts0.usec) / items),
    wallMs: Math.round(t1 - t0),
  };
}

async function snapshot() {
  return { keys: await keyBytes(), usedMemory: await usedMemory() };
}

/** Per-item figures between two snapshots. */
function per(before, after, items) {
  const families = {};
  for (const name of new Set([...Object.keys(before.keys.families), ...Object.keys(after.keys.families)])) {
    families[name] = Math.round(((after.keys.families[name] ?? 0) - (before.keys.families[name] ?? 0)) / items);
  }
  return {
    keyBytes: Math.round((after.keys.total - before.keys.total) / items),
    usedMemoryBytes: Math.round((after.usedMemory - before.usedMemory) / items),
    byFamily: families,
  };
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** One pass: put `count` callbacks, complete them with `targets`, optionally deliver them all. */
async function pass(targets, deliver, offset) {
  await freshDatabase();
  const store = await createStore(url);
  const owner = 'bench-redis-memory';
  const now = Date.now();
  const date = new Date(now);
  const items = Array.from({ length: count }, (_, i) => storedCallback(offset + i, now, date));
  const steps = {};
  const cost = {};
  try {
    await store.ping();
    const empty = await snapshot();
    cost.put = await costOf(count, () => inBatches(items, 200, ({ callback }) => store.putCallback(callback)));
    const put = await snapshot();
    steps.pendingCallback = per(empty, put, count);

    const events = new Map(items.map((i) => [i.callback.id, i.event]));
    cost.claimAndComplete = await costOf(count, async () => {
      for (;;) {
        const claimed = await store.claimCallbacks({ owner, limit: 500, leaseMs: 600_000, now });
        if (claimed.length === 0) break;
        await inBatches(claimed, 200, (cb) => store.completeCallback(cb.id, owner, { event: events.get(cb.id), targets, now }));
      }
    });
    const completed = await snapshot();
    steps.completedWithDeliveries = per(empty, completed, count);
    steps.completionAdds = per(put, completed, count);

    if (deliver) {
      cost.claimRateSlotAndRecord = await costOf(count * targets.length, async () => {
        for (const target of targets) {
          for (;;) {
            const claimed = await store.claimDeliveries({ target, owner, limit: 500, leaseMs: 600_000, now });
            if (claimed.length === 0) break;
            await inBatches(claimed, 200, async (d) => {
              await store.takeRateSlot(`target:${target}`, { count: 1_000_000, intervalMs: 1_000 }, now);
              await store.recordAttempt(d.id, owner, { state: 'delivered', countAttempt: true, status: 200, response: '{"ok":true}', error: null, now });
            });
          }
        }
      });
      const delivered = await snapshot();
      steps.deliveredEvent = per(empty, delivered, count);
    }
    const stats = await store.stats(now);
    const sample = items[0].callback.id;
    return {
      targets: targets.length,
      steps,
      cost,
      totals: { keys: completed.keys.keys, keyBytes: completed.keys.total },
      stats: { callbacks: stats.callbacks, deliveries: Object.fromEntries(Object.entries(stats.deliveries).map(([t, s]) => [t, { pending: s.pending, delivered: s.delivered }])) },
      encodings: {
        callbackHash: await admin.object('ENCODING', `${PREFIX}cb:${sample}`),
        deliveryHash: await admin.object('ENCODING', `${PREFIX}dl:${sample}:${targets[0]}`),
      },
    };
  } finally {
    await store.close();
  }
}

const sizes = storedCallback(0, Date.now());
const server = await admin.info('server');
const config = Object.fromEntries((await admin.config('GET', 'hash-max-listpack-*')).reduce((acc, v, i, all) => (i % 2 ? acc : [...acc, [v, all[i + 1]]]), []));
try {
  const one = await pass(['sink'], true, 0);
  const four = await pass(['a', 'b', 'c', 'd'], false, count);
  const extraDelivery = {
    keyBytes: Math.round((four.steps.completedWithDeliveries.keyBytes - one.steps.completedWithDeliveries.keyBytes) / 3),
    usedMemoryBytes: Math.round((four.steps.completedWithDeliveries.usedMemoryBytes - one.steps.completedWithDeliveries.usedMemoryBytes) / 3),
  };
  await admin.flushdb();
  process.stdout.write(`${JSON.stringify({
    count, db,
    redis: /^redis_version:(.+)$/m.exec(server)?.[1]?.trim(),
    config,
    sample: { plaintextBytes: Buffer.byteLength(sizes.callback.plaintext), eventJsonBytes: Buffer.byteLength(JSON.stringify(sizes.event)) },
    oneTarget: one,
    fourTargets: four,
    extraDelivery,
  }, null, 2)}\n`);
} finally {
  admin.disconnect();
}
