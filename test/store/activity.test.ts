import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { NewCallback, Store } from '../../src/store/store.js';
import { keysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % HOUR);

const callback = (id: string, receivedAt: number): NewCallback => ({
  id, endpoint: 'command', suiteId: 'wwsuite', receiveId: 'wwsuite', receivedAt, plaintext: `<xml><Id>${id}</Id></xml>`,
  fields: { Id: id }, type: 'external_contact.added', corpId: 'wwcorp1',
});
const envelope = (id: string, at: number): EventEnvelope => ({
  id, type: 'external_contact.added', timestamp: new Date(at).toISOString(), receivedAt: new Date(at).toISOString(),
  source: { endpoint: 'command', suiteId: 'wwsuite', corpId: 'wwcorp1', agentId: null }, data: {}, enrichment: null, enrichmentError: null, raw: {},
});

/** Stores a callback at `at`, completes it with one delivery to `target`, and ends that delivery as `end` at `endAt`. */
async function seed(store: Store, id: string, at: number, end: 'delivered' | 'dead' | 'pending', endAt: number): Promise<void> {
  await store.putCallback(callback(id, at));
  const [claimed] = await store.claimCallbacks({ owner: 'o', limit: 1, leaseMs: 60_000, now: at });
  await store.completeCallback(claimed!.id, 'o', { event: envelope(id, at), targets: ['crm'], now: at });
  if (end === 'pending') return;
  const [delivery] = await store.claimDeliveries({ target: 'crm', owner: 'o', limit: 1, leaseMs: 60_000, now: endAt });
  await store.recordAttempt(delivery!.id, 'o', { state: end, countAttempt: true, status: end === 'dead' ? 400 : 200, now: endAt });
}

/** The contract of `Store.activity`, run on each store. */
async function activityContract(t: Test, open: (t: Test) => Promise<Store>): Promise<void> {
  t.test('counts received, delivered and dead per bucket, with empty buckets in between', async (t) => {
    const store = await open(t);
    await seed(store, 'evt_a', T0 + 10, 'delivered', T0 + 20);
    await seed(store, 'evt_b', T0 + 30, 'dead', T0 + HOUR + 5);           // received hour 0, died hour 1
    await seed(store, 'evt_c', T0 + 2 * HOUR + 1, 'pending', 0);
    await seed(store, 'evt_d', T0 - 5, 'delivered', T0 + 3 * HOUR);       // received before the window
    const buckets = await store.activity(T0, T0 + 4 * HOUR, HOUR);
    t.same(buckets, [
      { start: T0, received: 2, delivered: 1, dead: 0 },
      { start: T0 + HOUR, received: 0, delivered: 0, dead: 1 },
      { start: T0 + 2 * HOUR, received: 1, delivered: 0, dead: 0 },
      { start: T0 + 3 * HOUR, received: 0, delivered: 1, dead: 0 },
    ], 'each count lands in the bucket of its own time');
  });

  t.test('until is exclusive and a partial last bucket is kept', async (t) => {
    const store = await open(t);
    await seed(store, 'evt_e', T0 + HOUR, 'delivered', T0 + HOUR);
    await seed(store, 'evt_f', T0 + HOUR - 1, 'delivered', T0 + HOUR - 1);
    const buckets = await store.activity(T0, T0 + HOUR, 1_000_000);
    t.equal(buckets.length, 4, 'ceil(window / bucketMs) buckets');
    t.equal(buckets.reduce((n, b) => n + b.received, 0), 1, 'the callback at `until` is left out');
    t.equal(buckets[3]!.received, 1, 'the last, partial bucket counts its callback');
  });

  t.test('a replayed dead delivery no longer counts as dead', async (t) => {
    const store = await open(t);
    await seed(store, 'evt_g', T0, 'dead', T0 + 1);
    await store.replayDeliveries({ ids: ['evt_g:crm'] }, T0 + 2);
    const [bucket] = await store.activity(T0, T0 + HOUR, HOUR);
    t.same(bucket, { start: T0, received: 1, delivered: 0, dead: 0 }, 'only the current dead letters count');
  });

  t.test('rejects a bad window with a TypeError', async (t) => {
    const store = await open(t);
    await t.rejects(store.activity(T0, T0, HOUR), TypeError, 'until must be after since');
    await t.rejects(store.activity(T0, T0 + HOUR, 0), TypeError, 'bucketMs must be positive');
    await t.rejects(store.activity(T0, T0 + 24 * HOUR, 1), TypeError, 'too many buckets');
    await t.rejects(store.activity(Number.NaN, T0, HOUR), TypeError, 'since must be an integer');
  });
}

t.test('sqlite', async (t) => {
  await activityContract(t, async (t) => {
    const store = new SqliteStore(path.join(t.testdir(), 'store.db'));
    t.teardown(() => store.close());
    return store;
  });

  t.test('the counts are index-backed', async (t) => {
    const file = path.join(t.testdir(), 'store.db');
    const store = new SqliteStore(file);
    await store.activity(T0, T0 + HOUR, HOUR);
    await store.close();
    const db = new Database(file, { readonly: true });
    t.teardown(() => db.close());
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 1, 0, 1) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    t.match(plan('SELECT CAST((received_at - ?) / ? AS INTEGER) AS b, COUNT(*) FROM callbacks WHERE received_at >= ? AND received_at < ? GROUP BY b'), /USING COVERING INDEX callbacks_received/, 'received: callbacks_received');
    t.match(plan('SELECT CAST((delivered_at - ?) / ? AS INTEGER) AS b, COUNT(*) FROM deliveries WHERE delivered_at >= ? AND delivered_at < ? GROUP BY b'), /USING COVERING INDEX deliveries_delivered_at/, 'delivered: deliveries_delivered_at');
    t.match((db.prepare('EXPLAIN QUERY PLAN SELECT target, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries GROUP BY target, state').all() as Array<{ detail: string }>)[0]!.detail,
      /USING COVERING INDEX deliveries_target_state_created/, 'stats per target: one covering index');
    t.match(plan(`SELECT CAST((updated_at - ?) / ? AS INTEGER) AS b, COUNT(*) FROM deliveries WHERE state = 'dead' AND updated_at >= ? AND updated_at < ? GROUP BY b`), /USING COVERING INDEX deliveries_state_updated/, 'dead: deliveries_state_updated');
  });

  t.test('a read-only store answers without creating the indexes', async (t) => {
    const file = path.join(t.testdir(), 'store.db');
    const writer = new SqliteStore(file);
    await seed(writer, 'evt_r', T0, 'delivered', T0 + 1);
    await writer.close();
    const reader = new SqliteStore(file, { readonly: true });
    t.teardown(() => reader.close());
    const [bucket] = await reader.activity(T0, T0 + HOUR, HOUR);
    t.same(bucket, { start: T0, received: 1, delivered: 1, dead: 0 }, 'counted without the indexes');
  });
});

const admin = await redisAdmin();
t.test('redis', { skip: admin === undefined ? `Redis not reachable at ${SHARED_REDIS_URL} — skipping the Redis activity tests` : false }, async (t) => {
  t.teardown(() => admin!.quit().then(() => undefined));
  await activityContract(t, async (t) => {
    const prefix = `wr:test:${randomBytes(6).toString('hex')}:`;
    const store = await RedisStore.connect(SHARED_REDIS_URL, { prefix });
    t.teardown(async () => {
      await store.close();
      const keys = await keysUnder(admin!, prefix);
      if (keys.length > 0) await admin!.del(...keys);
    });
    return store;
  });
});
