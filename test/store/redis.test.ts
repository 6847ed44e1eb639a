import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Logger } from '../../src/logger.js';
import { checkServerConfig } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis.js';
import type { NewCallback, Store } from '../../src/store/store.js';
import { storeContract } from './contract.js';
import { keysUnder, redisAdmin } from '../helpers/redis-admin.js';
import { defineNamespace } from '../../src/store/namespaces.js';

/** A test namespace holding any JSON value. */
const anyNs = (name: string) => defineNamespace<unknown>(name, (value) => value);

const URL = 'redis://127.0.0.1:6379';
const SKIP = 'Redis not reachable at 127.0.0.1:6379 — skipping Redis store tests';

const admin = await redisAdmin(URL);
if (admin === undefined) {
  t.plan(0, SKIP);
} else {
  t.teardown(() => admin.quit().then(() => undefined));
  await run(admin);
}

async function run(admin: Redis): Promise<void> {
  const freshPrefix = (): string => `wr:test:${randomBytes(6).toString('hex')}:`;
  const dropKeys = async (prefix: string): Promise<void> => {
    const keys = await keysUnder(admin, prefix);
    if (keys.length > 0) await admin.del(...keys);
  };

  /** A store on a fresh prefix, closed and its keys deleted at the end of `t`. */
  async function open(t: Test, prefix = freshPrefix()): Promise<RedisStore> {
    const store = await RedisStore.connect(URL, { prefix });
    t.teardown(async () => {
      await store.close();
      await dropKeys(prefix);
    });
    return store;
  }

  const T0 = Date.now();
  const callback = (id: string, overrides: Partial<NewCallback> = {}): NewCallback => ({
    id, endpoint: 'data', suiteId: 'wwsuite', receiveId: 'wwsuite', receivedAt: T0, plaintext: `<xml><Id>${id}</Id></xml>`,
    fields: { SuiteId: 'wwsuite', Id: id }, type: 'external_contact.add', corpId: 'wwcorp1', ...overrides,
  });
  const envelope = (id: string): EventEnvelope => ({
    id, type: 'external_contact.add', timestamp: new Date(T0).toISOString(), receivedAt: new Date(T0).toISOString(),
    source: { endpoint: 'data', suiteId: 'wwsuite', corpId: 'wwcorp1', agentId: null }, data: {}, enrichment: null, enrichmentError: null, raw: {},
  });

  await storeContract(t, 'redis', (options) => RedisStore.connect(URL, { ...options, prefix: freshPrefix() }), (store: Store) => dropKeys((store as RedisStore).prefix));

  t.test('connect reads the prefix from the URL and validates its input', async (t) => {
    const prefix = freshPrefix();
    const store = await RedisStore.connect(`${URL}/0?prefix=${encodeURIComponent(prefix)}`);
    t.teardown(async () => {
      await store.close();
      await dropKeys(prefix);
    });
    t.equal(store.kind, 'redis', 'the kind is redis');
    t.equal(store.prefix, prefix, '?prefix= sets the prefix');
    await store.putCallback(callback('evt_prefixed'));
    t.equal(await admin.hget(`${prefix}cb:evt_prefixed`, 'id'), 'evt_prefixed', 'keys are written under the prefix');

    const defaulted = await RedisStore.connect(URL);
    t.equal(defaulted.prefix, 'wecom-relay:', 'the default prefix');
    await defaulted.close();

    await t.rejects(RedisStore.connect('http://127.0.0.1:6379'), { code: 'ERR_STORE_URL' }, 'a non-redis URL is ERR_STORE_URL');
    await t.rejects(RedisStore.connect(URL, { commandTimeoutMs: -1 }), TypeError, 'a bad option is a TypeError');
    await t.rejects(RedisStore.connect(URL, { prefix: '' }), TypeError, 'an empty prefix is a TypeError');
  });

  t.test('two receivers putting the same id concurrently insert it once', async (t) => {
    const prefix = freshPrefix();
    const a = await open(t, prefix);
    const b = await open(t, prefix);
    const puts = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).putCallback(callback('evt_dup', { plaintext: `copy ${i}` })));
    const results = await Promise.all(puts);
    t.equal(results.filter((r) => r.inserted).length, 1, 'exactly one put inserted');
    t.equal((await a.listCallbacks()).length, 1, 'one callback is stored');
    t.equal((await b.claimCallbacks({ owner: 'B', limit: 10, leaseMs: 1000, now: T0 })).length, 1, 'and it is queued once');
  });

  t.test('two daemons claiming concurrently never get the same work while leases hold', async (t) => {
    const prefix = freshPrefix();
    const a = await open(t, prefix);
    const b = await open(t, prefix);
    const N = 200;
    await Promise.all(Array.from({ length: N }, (_, i) => a.putCallback(callback(`evt_${i}`, { receivedAt: T0 + (i % 17) }))));

    const drainCallbacks = async (store: RedisStore, owner: string): Promise<string[]> => {
      const got: string[] = [];
      for (;;) {
        const claimed = await store.claimCallbacks({ owner, limit: 7, leaseMs: 600_000, now: T0 + 100 });
        if (claimed.length === 0) return got;
        for (const c of claimed) {
          got.push(c.id);
          await store.completeCallback(c.id, owner, { event: envelope(c.id), targets: ['hook'], now: T0 + 100 });
        }
      }
    };
    const [byA, byB] = await Promise.all([drainCallbacks(a, 'A'), drainCallbacks(b, 'B')]);
    t.equal(byA.length + byB.length, N, `${N} claims in all`);
    t.equal(new Set([...byA, ...byB]).size, N, 'every callback claimed exactly once');
    t.ok(byA.length > 0 && byB.length > 0, 'both daemons got work');
    t.match(await a.stats(T0), { callbacks: { pending: 0, done: N } }, 'all callbacks done');

    const drainDeliveries = async (store: RedisStore, owner: string): Promise<string[]> => {
      const got: string[] = [];
      for (;;) {
        const claimed = await store.claimDeliveries({ target: 'hook', owner, limit: 5, leaseMs: 600_000, now: T0 + 200 });
        if (claimed.length === 0) return got;
        for (const d of claimed) {
          got.push(d.id);
          await store.recordAttempt(d.id, owner, { state: 'delivered', countAttempt: true, status: 200, now: T0 + 200 });
        }
      }
    };
    const [dA, dB] = await Promise.all([drainDeliveries(a, 'A'), drainDeliveries(b, 'B')]);
    t.equal(dA.length + dB.length, N, `${N} delivery claims in all`);
    t.equal(new Set([...dA, ...dB]).size, N, 'every delivery claimed exactly once');
    t.same((await b.stats(T0)).deliveries, { hook: { pending: 0, delivered: N, dead: 0, oldestPendingAt: null } }, 'all delivered');
  });

  t.test('an unfinished claim comes back only after its lease, to another daemon', async (t) => {
    const prefix = freshPrefix();
    const a = await open(t, prefix);
    const b = await open(t, prefix);
    await a.putCallback(callback('evt_1'));
    t.equal((await a.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 30_000, now: T0 })).length, 1, 'A claims');
    t.same(await b.claimCallbacks({ owner: 'B', limit: 1, leaseMs: 30_000, now: T0 + 29_999 }), [], 'B gets nothing while A holds it');
    const [again] = await b.claimCallbacks({ owner: 'B', limit: 1, leaseMs: 30_000, now: T0 + 30_000 });
    t.match(again, { id: 'evt_1', leaseOwner: 'B', attempts: 2 }, 'B takes it over when the lease ends');
    t.equal(await a.completeCallback('evt_1', 'A', { event: envelope('evt_1'), targets: [], now: T0 + 30_001 }), false, 'A can no longer complete it');
  });

  t.test('equal timestamps list and claim in insertion order, as SQLite does', async (t) => {
    const store = await open(t);
    for (const id of ['evt_c', 'evt_a', 'evt_b']) await store.putCallback(callback(id));
    t.same((await store.listCallbacks()).map((c) => c.id), ['evt_b', 'evt_a', 'evt_c'], 'newest (last inserted) first');
    t.same((await store.claimCallbacks({ owner: 'A', limit: 3, leaseMs: 1000, now: T0 })).map((c) => c.id), ['evt_c', 'evt_a', 'evt_b'],
      'claimed first in, first out');
  });

  t.test('filtered lists page through indexes longer than one page', async (t) => {
    const store = await open(t);
    for (let i = 0; i < 240; i++) {
      await store.putCallback(callback(`evt_${i}`, { receivedAt: T0 + i, type: i % 4 === 0 ? 'contact.user.create' : 'external_contact.add' }));
    }
    const users = await store.listCallbacks({ type: 'contact.*', limit: 1000 });
    t.equal(users.length, 60, 'every match across pages');
    t.same(users.slice(0, 2).map((c) => c.id), ['evt_236', 'evt_232'], 'newest first');
    t.same((await store.listCallbacks({ type: 'contact.*', limit: 3, until: T0 + 232 })).map((c) => c.id), ['evt_228', 'evt_224', 'evt_220'],
      'limit and range apply to the matches');
    t.equal(users[0]?.plaintext, '<xml><Id>evt_236</Id></xml>', 'matches are read whole');

    const claimed = await store.claimCallbacks({ owner: 'A', limit: 240, leaseMs: 1000, now: T0 + 1000 });
    for (const c of claimed) {
      await store.completeCallback(c.id, 'A', { event: envelope(c.id), targets: [`t${Number(c.id.slice(4)) % 3}`], now: c.receivedAt });
    }
    const pending = await store.listDeliveries({ state: 'pending', limit: 5 });
    t.same(pending.map((d) => d.id), ['evt_239:t2', 'evt_238:t1', 'evt_237:t0', 'evt_236:t2', 'evt_235:t1'], 'a state across targets merges them newest first');
    t.equal((await store.listDeliveries({ target: 't0', limit: 1000 })).length, 80, 'a target lists all of its deliveries');
  });

  t.test('ids, targets and namespaces with colons and unicode round-trip', async (t) => {
    const store = await open(t);
    await store.putCallback(callback('evt:1:企业'));
    const [claimed] = await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
    t.equal(claimed?.id, 'evt:1:企业', 'an id with colons is claimed whole');
    await store.completeCallback('evt:1:企业', 'A', { event: envelope('evt:1:企业'), targets: ['team:ops'], now: T0 });
    const [d] = await store.claimDeliveries({ target: 'team:ops', owner: 'W', limit: 1, leaseMs: 1000, now: T0 });
    t.equal(d?.id, 'evt:1:企业:team:ops', 'the delivery of a target with a colon');
    t.same(await store.listDeliveries({ state: 'pending' }).then((l) => l.map((x) => x.id)), ['evt:1:企业:team:ops'], 'listed by state across targets');
    await store.putKv(anyNs('a:b'), 'c', 1, { now: T0 });
    await store.putKv(anyNs('a'), 'b:c', 2, { now: T0 });
    t.same((await store.listKv(anyNs('a:b'), T0)).map((r) => [r.key, r.value]), [['c', 1]], 'namespace a:b holds its own key');
    t.same((await store.listKv(anyNs('a'), T0)).map((r) => [r.key, r.value]), [['b:c', 2]], 'namespace a holds key b:c');
  });

  t.test('the rate limit is shared by every process', async (t) => {
    const prefix = freshPrefix();
    const a = await open(t, prefix);
    const b = await open(t, prefix);
    const limit = { count: 4, intervalMs: 60_000 };
    const slots = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).takeRateSlot('hook', limit, T0)));
    t.equal(slots.filter((s) => s.ok).length, 4, 'two processes together get exactly count slots');
    const token = await a.acquireLock('refresh', 60_000, T0);
    t.type(token, 'string', 'A takes the lock');
    t.equal(await b.acquireLock('refresh', 60_000, T0), undefined, 'B cannot while A holds it');
    t.equal(await b.releaseLock('refresh', token!), true, 'the token releases it from any process');
  });

  t.test('prune leaves no key of pruned work behind', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    for (let i = 0; i < 30; i++) {
      const id = `evt_${i}`;
      await store.putCallback(callback(id));
      await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
      await store.completeCallback(id, 'A', { event: envelope(id), targets: i % 3 === 0 ? [] : ['hook', 'bot'], now: T0 + 1 });
    }
    for (const target of ['hook', 'bot']) {
      for (const d of await store.claimDeliveries({ target, owner: 'W', limit: 100, leaseMs: 1000, now: T0 + 2 })) {
        await store.recordAttempt(d.id, 'W', { state: 'delivered', countAttempt: true, status: 200, now: T0 + 3 });
      }
    }
    await store.putKv(anyNs('cache'), 'short', 1, { now: T0, ttlMs: 5 });
    await admin.del(`${prefix}kv:cache:short`); // as if Redis had expired it
    await store.putKv(anyNs('tokens'), 'kept', 'v', { now: T0 });
    await store.takeRateSlot('hook', { count: 1, intervalMs: 1 }, T0);
    await admin.del(`${prefix}rate:hook`); // as if Redis had expired it

    t.equal(await store.prune(T0 + 10), 30 + 40, 'every callback and delivery pruned');
    const left = (await keysUnder(admin, prefix)).map((k) => k.slice(prefix.length)).sort();
    t.same(left, ['kv:tokens:kept', 'kvns', 'kvx:tokens', 'meta', 'seq'], 'only live kv values, their index, the marker and the counter remain');
    t.same(await store.stats(T0), { callbacks: { pending: 0, failed: 0, done: 0, oldestPendingAt: null }, deliveries: {} }, 'stats are empty');
  });

  t.test('a store written before the attempts log: no log reads as none, the next attempt starts one; reconcile keeps logs', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    await store.putCallback(callback('evt_old'));
    await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
    await store.completeCallback('evt_old', 'A', { event: envelope('evt_old'), targets: ['hook'], now: T0 + 1 });
    await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 2 });
    await store.recordAttempt('evt_old:hook', 'W', { state: 'dead', countAttempt: true, status: 500, now: T0 + 3 });
    // What the previous version left: the delivery hash without its counter, and no log list.
    await admin.del(`${prefix}dla:evt_old:hook`);
    await admin.hdel(`${prefix}dl:evt_old:hook`, 'attemptSeq');
    t.same(await store.listAttempts('evt_old:hook'), [], 'an absent log is an empty one');
    t.match(await store.getDelivery('evt_old:hook'), { state: 'dead', lastStatus: 500, attempts: 1 }, 'the delivery reads as before');

    await store.replayDeliveries({ ids: ['evt_old:hook'] }, T0 + 10);
    await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 10 });
    await store.recordAttempt('evt_old:hook', 'W', { state: 'delivered', countAttempt: true, status: 200, now: T0 + 11 });
    t.match(await store.listAttempts('evt_old:hook'), [{ seq: 1, replay: 1, state: 'delivered', status: 200 }], 'the next attempt starts the log');

    await store.reconcile();
    t.equal((await store.listAttempts('evt_old:hook')).length, 1, 'a reconcile (which rebuilds indexes from dl:* hashes) leaves the log alone');
  });

  t.test('the server check warns about settings that may lose callbacks', async (t) => {
    const messages: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (_obj, msg) => messages.push(msg ?? ''), error() {} };
    await checkServerConfig(admin, logger);
    const [, policy] = (await admin.config('GET', 'maxmemory-policy')) as string[];
    const [, aof] = (await admin.config('GET', 'appendonly')) as string[];
    const [, save] = (await admin.config('GET', 'save')) as string[];
    t.equal(messages.some((m) => m.includes('maxmemory-policy')), policy !== 'noeviction', 'an evicting policy is reported, noeviction is not');
    t.equal(messages.some((m) => m.includes('no persistence')), aof === 'no' && save === '', 'a Redis without persistence is reported');

    const broken = new Redis(URL, { lazyConnect: true });
    broken.config = (() => Promise.reject(new Error('ERR unknown command'))) as unknown as Redis['config'];
    await t.resolves(checkServerConfig(broken, logger), 'a disabled CONFIG command is ignored');
    broken.disconnect();
  });

  t.test('kv values carry a Redis expiry as garbage collection', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    await store.putKv(anyNs('cache'), 'k', 'v', { now: Date.now(), ttlMs: 10_000 });
    const ttl = await admin.pttl(`${prefix}kv:cache:k`);
    t.ok(ttl > 10_000 && ttl <= 70_000, 'the key expires a minute after its logical expiry');
    await store.putKv(anyNs('cache'), 'k', 'v2', { now: Date.now() });
    t.equal(await admin.pttl(`${prefix}kv:cache:k`), -1, 'a rewrite without ttl persists it');
  });

  t.test('whatever a read throws (a corrupt record) rejects with ERR_STORE_UNAVAILABLE, as on SQLite', async (t) => {
    const prefix = freshPrefix();
    const store = await open(t, prefix);
    await store.putCallback(callback('evt_corrupt'));
    await admin.hset(`${prefix}cb:evt_corrupt`, 'fields', '{not json');
    const error = await store.getCallback('evt_corrupt').catch((e: unknown) => e);
    t.match(error, { code: 'ERR_STORE_UNAVAILABLE', cause: SyntaxError }, 'mapped, with the parse error as cause');
    t.match((error as Error).message, /^cannot read from redis:\/\/127\.0\.0\.1:6379\/? \(setting `store`\): SyntaxError$/, 'naming the store and the setting');
  });

  t.test('a Redis that cannot be reached is named without its credentials', async (t) => {
    const store = await RedisStore.connect('redis://relay:hunter2@127.0.0.1:1/0', {
      prefix: freshPrefix(), connectTimeoutMs: 200, commandTimeoutMs: 300, maxRetriesPerRequest: 0,
    });
    t.teardown(() => store.close());
    const error = await store.putCallback(callback('evt_1')).catch((e: unknown) => e);
    t.match(error, { code: 'ERR_STORE_UNAVAILABLE' }, 'ERR_STORE_UNAVAILABLE');
    t.match((error as Error).message, /^cannot write to redis:\/\/127\.0\.0\.1:1\/0 \(setting `store`\)/, 'naming the store and the setting');
    t.notMatch((error as Error).message, /hunter2|relay@/, 'never the credentials');
  });

  t.test('locks and lease renewals run on the caller\'s clock, whatever the server\'s', async (t) => {
    const store = await open(t);
    const past = 1_000_000; // 1970: far from the server's clock
    const token = await store.acquireLock('k', 1000, past);
    t.equal(await store.acquireLock('k', 1000, past + 999), undefined, 'held until the caller\'s expiry');
    t.equal(await store.renewLock('k', token!, 1000, past + 999), true, 'renewed');
    t.type(await store.acquireLock('k', 1000, past + 1999), 'string', 'free at the renewed expiry');
  });
}
