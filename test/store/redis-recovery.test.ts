import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Logger } from '../../src/logger.js';
import { RedisStore, type RedisStoreOptions } from '../../src/store/redis.js';
import type { NewCallback } from '../../src/store/store.js';
import { keysUnder, redisAdmin } from '../helpers/redis-admin.js';
import { defineNamespace } from '../../src/store/namespaces.js';

/** A test namespace holding any JSON value. */
const anyNs = (name: string) => defineNamespace<unknown>(name, (value) => value);

const URL = 'redis://127.0.0.1:6379';
const SKIP = 'Redis not reachable at 127.0.0.1:6379 — skipping Redis store tests';

/** A logger that counts warnings. */
function countingLogger(): Logger & { warnings: number } {
  const logger = { warnings: 0, debug() {}, info() {}, warn() { logger.warnings += 1; }, error() {} };
  return logger;
}

const T0 = Date.now();
const callback = (id: string, overrides: Partial<NewCallback> = {}): NewCallback => ({
  id, endpoint: 'data', suiteId: 'wwsuite', receiveId: 'wwsuite', receivedAt: T0, plaintext: `<xml><Id>${id}</Id></xml>`,
  fields: { Id: id }, type: 'external_contact.add', corpId: 'wwcorp1', ...overrides,
});
const envelope = (id: string): EventEnvelope => ({
  id, type: 'external_contact.add', timestamp: new Date(T0).toISOString(), receivedAt: new Date(T0).toISOString(),
  source: { endpoint: 'data', suiteId: 'wwsuite', corpId: 'wwcorp1', agentId: null }, data: {}, enrichment: null, enrichmentError: null, raw: {},
});
const ids = (records: ReadonlyArray<{ id: string }>): string[] => records.map((r) => r.id);

t.test('Redis unreachable: writes reject with ERR_STORE_UNAVAILABLE instead of hanging', async (t) => {
  const logger = countingLogger();
  const store = await RedisStore.connect('redis://127.0.0.1:1', { prefix: 'wr:test:unreachable:', logger });
  t.teardown(() => store.close());
  await t.rejects(store.putCallback(callback('evt_1')), { code: 'ERR_STORE_UNAVAILABLE', status: 503 }, 'putCallback rejects (the receiver answers 503)');
  await t.rejects(store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 }), { code: 'ERR_STORE_UNAVAILABLE' }, 'claims reject too');
  await t.rejects(store.ping(), { code: 'ERR_STORE_UNAVAILABLE' }, 'ping rejects');
  const rejection = await store.putCallback(callback('evt_2')).catch((error: unknown) => error);
  t.ok(rejection instanceof Error && rejection.cause instanceof Error, 'the Redis error is kept as the cause');
  t.ok(logger.warnings >= 1 && logger.warnings <= 2, 'connection errors are logged, rate-limited');
  await t.resolves(store.close(), 'close resolves while Redis is down');
});

const admin = await redisAdmin(URL);
if (admin === undefined) {
  t.skip(SKIP, () => undefined);
} else {
  t.teardown(() => admin.quit().then(() => undefined));
  run(admin);
}

function run(admin: Redis): void {
  const freshPrefix = (): string => `wr:test:${randomBytes(6).toString('hex')}:`;

  /** A store on a fresh (or given) prefix, closed and its keys deleted at the end of `t`. */
  async function open(t: Test, prefix: string, options: RedisStoreOptions = {}, url = URL): Promise<RedisStore> {
    const store = await RedisStore.connect(url, { prefix, ...options });
    t.teardown(async () => {
      await store.close();
      const keys = await keysUnder(admin, prefix);
      if (keys.length > 0) await admin.del(...keys);
    });
    return store;
  }

  /** Deletes the keys under `prefix` that `keep` rejects. */
  async function wipe(prefix: string, keep: (relative: string) => boolean = () => false): Promise<string[]> {
    const doomed = (await keysUnder(admin, prefix)).filter((k) => !keep(k.slice(prefix.length)));
    if (doomed.length > 0) await admin.del(...doomed);
    return doomed;
  }

  t.test('indexes deleted mid-run are rebuilt from the hashes by the next claim', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    for (let i = 0; i < 10; i++) await store.putCallback(callback(`evt_${i}`, { receivedAt: T0 + i }));
    const first = await store.claimCallbacks({ owner: 'A', limit: 4, leaseMs: 60_000, now: T0 + 10 });
    for (const c of first.slice(0, 3)) await store.completeCallback(c.id, 'A', { event: envelope(c.id), targets: ['hook'], now: T0 + 11 });

    const deleted = await wipe(prefix, (key) => key.startsWith('cb:') || key.startsWith('dl:'));
    t.ok(deleted.some((k) => k.endsWith('cbx:due')) && deleted.some((k) => k.endsWith('meta')), 'the queues, indexes and marker are gone');

    const claimed = await store.claimCallbacks({ owner: 'B', limit: 100, leaseMs: 60_000, now: T0 + 100 });
    t.same(ids(claimed), ['evt_4', 'evt_5', 'evt_6', 'evt_7', 'evt_8', 'evt_9'], 'the next claim gets the pending work, in order');
    t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'B', limit: 100, leaseMs: 60_000, now: T0 + 100 })),
      ['evt_0:hook', 'evt_1:hook', 'evt_2:hook'], 'and the deliveries');
    t.same(await store.claimCallbacks({ owner: 'C', limit: 100, leaseMs: 1000, now: T0 + 59_999 }), [], 'leases survive the rebuild');
    t.same(ids(await store.claimCallbacks({ owner: 'C', limit: 100, leaseMs: 1000, now: T0 + 60_010 })), ['evt_3'],
      'the callback A held comes back when its lease ends');
    t.equal((await store.listCallbacks()).length, 10, 'every callback is listed again');
    t.match(await store.stats(T0), { callbacks: { pending: 7, done: 3 }, deliveries: { hook: { pending: 3 } } }, 'stats are right again');
    t.ok(Number(await admin.get(`${prefix}seq`)) >= 13, 'the insertion counter is restored above every sequence in use');
  });

  t.test('a flushed prefix (a Redis restarted without persistence) answers empty claims, then works again', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    for (let i = 0; i < 5; i++) await store.putCallback(callback(`evt_${i}`));
    await store.claimCallbacks({ owner: 'A', limit: 2, leaseMs: 60_000, now: T0 });
    await wipe(prefix);

    for (let i = 0; i < 20; i++) {
      t.same(await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 + i }), [], `claim ${i + 1} resolves empty`);
    }
    t.same(await store.claimDeliveries({ target: 'hook', owner: 'A', limit: 10, leaseMs: 1000, now: T0 }), [], 'delivery claims resolve empty');
    t.same(await store.putCallback(callback('evt_0')), { inserted: true }, 'a put after the loss is stored (WeCom retries re-fill the inbox)');
    t.same(ids(await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 })), ['evt_0'], 'and claimable');
  });

  t.test('an index lost while the marker remains is repaired by reconcile()', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    for (let i = 0; i < 3; i++) await store.putCallback(callback(`evt_${i}`, { receivedAt: T0 + i }));
    await store.reconcile();
    await admin.del(`${prefix}cbx:due`);
    t.same(await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 + 10 }), [], 'the queue is empty without its index');
    t.match(await store.reconcile(), { callbacks: 3, deliveries: 0 }, 'reconcile re-indexes every callback');
    t.same(ids(await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 + 10 })), ['evt_0', 'evt_1', 'evt_2'], 'all claimable again');
  });

  t.test('a lost kv index is rebuilt too', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    await store.putKv(anyNs('corps'), 'a', 1, { now: T0 });
    await store.putKv(anyNs('corps'), 'b', 2, { now: T0 });
    await wipe(prefix, (key) => key.startsWith('kv:'));
    t.same(await store.listKv(anyNs('corps'), T0), [], 'the namespace lists nothing without its index');
    t.match(await store.reconcile(), { kv: 2 }, 'reconcile finds both values');
    t.same((await store.listKv(anyNs('corps'), T0)).map((r) => r.key), ['a', 'b'], 'listed again');
  });

  t.test('the script cache flushed (as after a Redis restart) is reloaded transparently', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    await store.putCallback(callback('evt_1'));
    await admin.script('FLUSH');
    t.same(await store.putCallback(callback('evt_2')), { inserted: true }, 'a put after SCRIPT FLUSH works');
    t.equal((await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 })).length, 2, 'and so does a claim');
  });

  t.test('a killed connection is re-established and the work goes through', async (t) => {
    const prefix = freshPrefix();
    const name = `wr-test-${randomBytes(4).toString('hex')}`;
    const store = await open(t, prefix, { connectionName: name });
    await store.ping();
    const list = await admin.client('LIST') as string;
    const id = /id=(\d+) .*name=(\S+)/g;
    const mine = [...list.matchAll(id)].find((m) => m[2] === name)?.[1];
    t.ok(mine, 'the store connection is named in CLIENT LIST');
    await admin.client('KILL', 'ID', mine!);
    t.same(await store.putCallback(callback('evt_1')), { inserted: true }, 'a put right after the kill succeeds on a new connection');
  });

  t.test('Redis going away and coming back: puts reject while it is gone, then succeed', async (t) => {
    const sockets = new Set<net.Socket>();
    const proxy = (): net.Server => net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    let server = proxy();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    t.teardown(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });

    const prefix = freshPrefix();
    const logger = countingLogger();
    const store = await open(t, prefix, { logger, reconcileIntervalMs: 0 }, `redis://127.0.0.1:${port}`);
    t.same(await store.putCallback(callback('evt_1')), { inserted: true }, 'a put through the proxy');

    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    await t.rejects(store.putCallback(callback('evt_2')), { code: 'ERR_STORE_UNAVAILABLE' }, 'a put while Redis is gone rejects');

    server = proxy();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    let result: unknown;
    // WeCom retries a 503'd callback; so does this loop (bounded by attempts, each bounded by the store).
    for (let attempt = 0; attempt < 20 && result === undefined; attempt++) {
      result = await store.putCallback(callback('evt_2')).catch(() => undefined);
    }
    t.same(result, { inserted: true }, 'once Redis is back, the retried put is stored');
    t.same(ids(await store.claimCallbacks({ owner: 'A', limit: 10, leaseMs: 1000, now: T0 })), ['evt_1', 'evt_2'], 'nothing was lost');
    t.ok(logger.warnings >= 1, 'the outage was logged');
  });
}
