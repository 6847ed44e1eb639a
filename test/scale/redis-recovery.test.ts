import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { RedisStore } from '../../src/store/redis.js';
import { commandRate } from './helpers/command-rate.js';
import { describeMissing } from './helpers/describe-missing.js';
import { pollUntil } from './helpers/poll-until.js';
import { startRecorderProcess, type RecordedArrival } from './helpers/recorder-process.js';
import { deleteKeysUnder, redisAdmin } from '../helpers/redis-admin.js';
import { redisServerAvailable, startOwnRedisServer } from './helpers/redis-server.js';
import { startRelayProcess } from './helpers/relay-process.js';
import { writeScaleConfig } from './helpers/scale-config.js';
import { postSealed, sealPosts } from './helpers/sealed-posts.js';

const RATE = { count: 20, intervalMs: 1000 };
const CONCURRENCY = 2;
/** What one daemon's worker holds at most (claimed: waiting + in flight): concurrency + rateLimit.count. */
const IN_FLIGHT_BOUND = CONCURRENCY + RATE.count;
/** Error lines a daemon may log over one outage: a few per loop as they back off, never one per poll. */
const ERROR_LINES_BOUND = 50;
/**
 * Commands per second one idle daemon may send: polling every 50 ms (the tests' pollIntervalMs) costs
 * about 170; a loop spinning on an error sends thousands.
 */
const IDLE_COMMANDS_PER_DAEMON = 400;

const distinctIds = (requests: readonly RecordedArrival[]) => new Set(requests.map((r) => r.id));
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

if (!redisServerAvailable()) {
  t.skip('redis-server is not on PATH — skipping the Redis crash/recovery tests (they start a Redis of their own)', () => undefined);
} else {
  t.test('Redis killed with SIGKILL and restarted from its AOF: 503 during the outage, then every event delivered, no spin', async (t) => {
    const began = Date.now();
    const dir = t.testdir();
    mkdirSync(join(dir, 'redis'));
    const redis = await startOwnRedisServer(join(dir, 'redis'));
    t.teardown(() => redis.close());
    const store = `${redis.url}?prefix=${encodeURIComponent(`wr:recovery:${randomBytes(4).toString('hex')}:`)}`;
    const target = await startRecorderProcess(t);
    const config = writeScaleConfig({ dir, store, targetUrl: `${target.url}/hook`, rateLimit: RATE, concurrency: CONCURRENCY });
    const [serve, daemon] = await Promise.all([startRelayProcess(t, 'serve', config.path), startRelayProcess(t, 'daemon', config.path)]);

    const sealedAt = new Date();
    const before = sealPosts({ suiteId: config.suiteId, keys: config.keys, count: 60, now: sealedAt });
    const during = sealPosts({ suiteId: config.suiteId, keys: config.keys, count: 5, firstSeq: 60, now: sealedAt });
    const expected = new Set([...before, ...during].map((p) => p.id));
    t.equal(expected.size, 65, 'the callbacks are distinct events');

    const answers = await Promise.all(before.map((post) => postSealed(serve.url, post)));
    t.same(answers.filter((a) => a.status !== 200 || a.body !== 'success'), [], 'every callback posted before the crash is acked `success`');
    t.ok(await target.waitFor((r) => distinctIds(r).size >= 20, 30_000), 'deliveries are under way before the crash');

    await redis.crash();
    const crashedAt = Date.now();
    const arrivedAtCrash = distinctIds(target.arrivals).size;
    // WeCom goes on sending while Redis is down: the receiver must refuse (WeCom retries), never ack.
    const outage = await Promise.all(during.map(async (post) => {
      const sent = Date.now();
      const answer = await postSealed(serve.url, post);
      return { ...answer, ms: Date.now() - sent };
    }));
    t.same(outage.map((a) => a.status), during.map(() => 503), 'every callback posted while Redis is down is answered 503, none 200');
    const slowest = Math.max(...outage.map((a) => a.ms));
    t.ok(slowest < 5000, `the 503s come inside WeCom's 5 s answer window (slowest ${slowest} ms)`);
    // Keep Redis down a while: long enough for every loop of the daemon to fail and back off several times.
    await delay(Math.max(0, 4000 - (Date.now() - crashedAt)));
    await redis.restart();
    const outageMs = Date.now() - crashedAt;

    // WeCom retries what was refused: the same sealed request, until it is acked.
    for (const post of during) {
      const acked = await pollUntil(async () => (await postSealed(serve.url, post)).body === 'success', 20_000, 500);
      t.ok(acked, `the retried callback ${post.id} is acked once Redis is back`);
    }

    const relayStore = await RedisStore.connect(store);
    t.teardown(() => relayStore.close());
    const allArrived = await target.waitFor((r) => distinctIds(r).size >= expected.size, 60_000);
    const arrived = distinctIds(target.arrivals);
    t.ok(allArrived, `every event reached the target (${arrived.size}/${expected.size})${allArrived ? '' : `; stuck:\n${
      await describeMissing(relayStore, [...expected].filter((id) => !arrived.has(id)))}`}`);
    const settled = await pollUntil(async () => {
      const stats = await relayStore.stats(Date.now());
      return stats.callbacks.pending === 0 && stats.deliveries.hook?.pending === 0;
    }, 30_000);
    const stats = await relayStore.stats(Date.now());
    t.ok(settled, `nothing is left pending: ${JSON.stringify(stats)}`);
    t.match(stats, { callbacks: { pending: 0, failed: 0, done: expected.size }, deliveries: { hook: { pending: 0, dead: 0, delivered: expected.size } } },
      'the AOF kept every acked callback and delivery state: all done, all delivered, none dead');

    const ids = target.arrivals.map((r) => r.id);
    t.same([...expected].filter((id) => !ids.includes(id)), [], 'no event lost');
    t.same(ids.filter((id) => !expected.has(id)), [], 'nothing but the posted events arrived');
    const duplicates = ids.length - new Set(ids).size;
    t.ok(duplicates <= IN_FLIGHT_BOUND, `duplicates (${duplicates}) ≤ what the daemon held in flight at the crash (${IN_FLIGHT_BOUND})`);

    const daemonErrors = daemon.errorLines().length;
    t.ok(daemonErrors < ERROR_LINES_BOUND, `the daemon logged ${daemonErrors} error lines over a ${seconds(outageMs)} outage (< ${ERROR_LINES_BOUND}: it backs off, no spin)`);
    const serveErrors = serve.errorLines().length;
    t.ok(serveErrors <= during.length * 3, `the receiver logged ${serveErrors} error lines (about one per refused callback)`);
    t.ok(daemon.linesWith('redis store connected again').length >= 1 && serve.linesWith('redis store connected again').length >= 1,
      'both processes logged that they reconnected');

    const admin = await redisAdmin(redis.url);
    t.ok(admin, 'the restarted Redis answers');
    if (admin !== undefined) {
      t.teardown(() => admin.quit().then(() => undefined));
      const idle = await commandRate(admin, 2000);
      t.ok(idle < IDLE_COMMANDS_PER_DAEMON, `idle after recovery, the relay sends ${Math.round(idle)} commands/s to Redis (< ${IDLE_COMMANDS_PER_DAEMON}: polling, not spinning)`);
      t.comment(`redis crash: ${expected.size} events (${during.length} refused with 503 during the outage, acked on retry), crashed after ${arrivedAtCrash} delivered, `
        + `outage ${seconds(outageMs)}, slowest 503 ${slowest} ms, ${duplicates} duplicates, ${daemonErrors} daemon error lines, idle ${Math.round(idle)} commands/s, `
        + `${seconds(Date.now() - began)} in all`);
    }
  });

  t.test('index keys deleted mid-run (the lost-consumer-group case): the daemons rebuild them and deliver everything, no spin', async (t) => {
    const began = Date.now();
    const dir = t.testdir();
    mkdirSync(join(dir, 'redis'));
    const redis = await startOwnRedisServer(join(dir, 'redis'));
    t.teardown(() => redis.close());
    const admin = await redisAdmin(redis.url);
    if (admin === undefined) throw new Error(`the Redis started at ${redis.url} does not answer`);
    t.teardown(() => admin.quit().then(() => undefined));
    const prefix = `wr:reindex:${randomBytes(4).toString('hex')}:`;
    const store = `${redis.url}?prefix=${encodeURIComponent(prefix)}`;
    const target = await startRecorderProcess(t);
    const config = writeScaleConfig({ dir, store, targetUrl: `${target.url}/hook`, rateLimit: RATE, concurrency: CONCURRENCY });
    const [serve, daemonA, daemonB] = await Promise.all([
      startRelayProcess(t, 'serve', config.path), startRelayProcess(t, 'daemon', config.path), startRelayProcess(t, 'daemon', config.path),
    ]);

    const posts = sealPosts({ suiteId: config.suiteId, keys: config.keys, count: 90 });
    const expected = new Set(posts.map((p) => p.id));
    const answers: Array<{ status: number; body: string }> = [];
    // ~40/s against a 20/s target: a backlog in the queues when the indexes go.
    const posting = (async () => {
      for (const post of posts) {
        answers.push(await postSealed(serve.url, post));
        await delay(25);
      }
    })();

    t.ok(await target.waitFor((r) => distinctIds(r).size >= 30, 30_000), 'a third delivered before the indexes go');
    // Everything but the hashes (the truth): queues, lease sets, listings, the meta marker, the counter, rate windows.
    const deleted = await deleteKeysUnder(admin, prefix, (relative) => /^(cb|dl|kv):/.test(relative));
    const deletedAt = Date.now();
    t.ok(deleted.includes('meta') && deleted.includes('cbx:all') && deleted.includes('dlx:all'),
      `the marker and the indexes are gone (${deleted.length} keys: ${deleted.slice(0, 8).join(', ')}, …)`);
    await posting;
    t.same(answers.filter((a) => a.status !== 200 || a.body !== 'success'), [], 'every callback was acked `success`, before and after the deletion');

    const relayStore = await RedisStore.connect(store);
    t.teardown(() => relayStore.close());
    const allArrived = await target.waitFor((r) => distinctIds(r).size >= expected.size, 60_000);
    const arrived = distinctIds(target.arrivals);
    t.ok(allArrived, `every event reached the target (${arrived.size}/${expected.size})${allArrived ? '' : `; stuck:\n${
      await describeMissing(relayStore, [...expected].filter((id) => !arrived.has(id)))}`}`);
    const recoveredMs = Date.now() - deletedAt;
    const settled = await pollUntil(async () => {
      const stats = await relayStore.stats(Date.now());
      return stats.callbacks.pending === 0 && stats.deliveries.hook?.pending === 0;
    }, 30_000);
    const stats = await relayStore.stats(Date.now());
    t.ok(settled, `nothing is left pending: ${JSON.stringify(stats)}`);
    t.match(stats, { callbacks: { pending: 0, failed: 0, done: expected.size }, deliveries: { hook: { pending: 0, dead: 0, delivered: expected.size } } },
      'the rebuilt indexes count every callback done and every delivery delivered');
    t.ok(await admin.exists(`${prefix}meta`), 'a reconcile ran and set the marker again');

    const ids = target.arrivals.map((r) => r.id);
    t.same([...expected].filter((id) => !ids.includes(id)), [], 'no event lost');
    const duplicates = ids.length - new Set(ids).size;
    t.equal(duplicates, 0, 'no event sent twice: leases survive the rebuild (the lease is in the hash)');

    const errors = [daemonA.errorLines().length, daemonB.errorLines().length];
    t.ok(errors.every((n) => n < ERROR_LINES_BOUND), `the daemons logged ${errors.join(' and ')} error lines (< ${ERROR_LINES_BOUND} each: no spin)`);
    t.same(serve.errorLines(), [], 'the receiver logged no errors: putCallback writes the indexes it needs');
    const idle = await commandRate(admin, 2000);
    t.ok(idle < 2 * IDLE_COMMANDS_PER_DAEMON, `idle afterwards, the two daemons send ${Math.round(idle)} commands/s to Redis (< ${2 * IDLE_COMMANDS_PER_DAEMON}: polling, not spinning)`);
    t.comment(`index loss: ${expected.size} events, ${deleted.length} keys deleted after ${arrived.size >= 30 ? 30 : arrived.size}+ delivered, `
      + `all delivered ${seconds(recoveredMs)} after the deletion, ${duplicates} duplicates, error lines ${errors.join('/')}, idle ${Math.round(idle)} commands/s, `
      + `${seconds(Date.now() - began)} in all`);
  });
}
