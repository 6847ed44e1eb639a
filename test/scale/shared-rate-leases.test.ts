import { randomBytes } from 'node:crypto';
import t from 'tap';
import { RedisStore } from '../../src/store/redis.js';
import { pollUntil } from './helpers/poll-until.js';
import { startRecorderProcess } from './helpers/recorder-process.js';
import { deleteKeysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';
import { startRelayProcess } from './helpers/relay-process.js';
import { maxInRollingWindow } from './helpers/rolling-window.js';
import { writeScaleConfig } from './helpers/scale-config.js';
import { postSealed, sealPosts } from './helpers/sealed-posts.js';

const EVENTS = 30;
const RATE = { count: 3, intervalMs: 1000 };
const DAEMONS = 3;
const CONCURRENCY = 2;

const admin = await redisAdmin();
if (admin === undefined) {
  t.skip(`Redis not reachable at ${SHARED_REDIS_URL.slice('redis://'.length)} — skipping the shared-rate lease test`, () => undefined);
} else {
  t.teardown(() => admin.quit().then(() => undefined));

  t.test('three daemons sharing a slow target send each event once: no lease runs out while a delivery waits for a shared slot', async (t) => {
    const began = Date.now();
    const prefix = `wr:scale:${randomBytes(6).toString('hex')}:`;
    t.teardown(() => deleteKeysUnder(admin, prefix));
    const store = `${SHARED_REDIS_URL}/0?prefix=${encodeURIComponent(prefix)}`;
    const target = await startRecorderProcess(t);
    // Each daemon claims up to concurrency + count = 5 deliveries, leased for max(leaseMs, 2 × 1000 + 2 × 1000)
    // = 4 s; three daemons share 3 sends/s, so a daemon's fifth waits ~5 s for a slot: past its lease.
    const config = writeScaleConfig({
      dir: t.testdir(), store, targetUrl: `${target.url}/hook`, rateLimit: RATE, concurrency: CONCURRENCY, timeoutMs: 1000, leaseMs: 1000,
    });
    const [serve] = await Promise.all([
      startRelayProcess(t, 'serve', config.path),
      ...Array.from({ length: DAEMONS }, () => startRelayProcess(t, 'daemon', config.path)),
    ]);

    const posts = sealPosts({ suiteId: config.suiteId, keys: config.keys, count: EVENTS });
    const answers = await Promise.all(posts.map((post) => postSealed(serve!.url, post)));
    t.same(answers.filter((a) => a.body !== 'success'), [], 'every callback is acked');

    const relayStore = await RedisStore.connect(store);
    t.teardown(() => relayStore.close());
    const settled = await pollUntil(async () => (await relayStore.stats(Date.now())).deliveries.hook?.delivered === EVENTS, 60_000);
    t.ok(settled, `every delivery is recorded delivered: ${JSON.stringify((await relayStore.stats(Date.now())).deliveries.hook)}`);
    const ids = target.arrivals.map((r) => r.id);
    t.equal(new Set(ids).size, EVENTS, 'every event arrived');
    const duplicates = ids.length - new Set(ids).size;
    t.equal(duplicates, 0, `no event was sent twice with no process failing (${duplicates} duplicates in ${ids.length} requests)`);
    const retried = (await relayStore.listDeliveries({ target: 'hook', limit: 1000 })).filter((d) => d.attempts > 1);
    t.same(retried.map((d) => [d.id, d.attempts, d.lastError]), [], 'no delivery needed a retry (the target always answers 200 at once)');
    const busiest = maxInRollingWindow(target.arrivals.map((r) => r.at), RATE.intervalMs);
    // A limit of 3 leaves no room for jitter at 1.25× (multi-process.test.ts checks that at 10/s); here the
    // check is only that the daemons share one limiter: apart, three would send 3 × 3 per second.
    t.ok(busiest <= RATE.count + CONCURRENCY, `the busiest rolling second held ${busiest} requests (limit ${RATE.count}; three separate limiters would allow ${RATE.count * DAEMONS})`);
    t.comment(`shared-rate leases: ${DAEMONS} daemons, ${EVENTS} events, ${ids.length} requests, ${duplicates} duplicates, busiest window ${busiest}/${RATE.count}, `
      + `${Math.round((Date.now() - began) / 100) / 10} s`);
  });
}
