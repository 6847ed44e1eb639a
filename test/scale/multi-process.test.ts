import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import t from 'tap';
import { RedisStore } from '../../src/store/redis.js';
import { describeMissing } from './helpers/describe-missing.js';
import { pollUntil } from './helpers/poll-until.js';
import { startRecorderProcess, type RecordedArrival } from './helpers/recorder-process.js';
import { deleteKeysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';
import { startRelayProcess } from './helpers/relay-process.js';
import { busiestRollingWindow, maxInRollingWindow } from './helpers/rolling-window.js';
import { writeScaleConfig } from './helpers/scale-config.js';
import { postSealed, sealPosts } from './helpers/sealed-posts.js';

const EVENTS = 150;
const RATE = { count: 10, intervalMs: 1000 };
const CONCURRENCY = 2;
/** WeCom's pace in this test: 25 callbacks/s, against the target's 10/s. */
const POST_EVERY_MS = 40;
/** What one daemon's worker holds at most (claimed: waiting + in flight): concurrency + rateLimit.count. */
const IN_FLIGHT_BOUND = CONCURRENCY + RATE.count;

const admin = await redisAdmin();
if (admin === undefined) {
  t.skip(`Redis not reachable at ${SHARED_REDIS_URL.slice('redis://'.length)} — skipping the multi-process scale-out test`, () => undefined);
} else {
  t.teardown(() => admin.quit().then(() => undefined));

  t.test('two receivers and two daemons on one Redis deliver every event through a SIGKILL, within the shared rate limit', async (t) => {
    const began = Date.now();
    const prefix = `wr:scale:${randomBytes(6).toString('hex')}:`;
    // Registered first, so it runs last: after every process has stopped.
    t.teardown(() => deleteKeysUnder(admin, prefix));
    const store = `${SHARED_REDIS_URL}/0?prefix=${encodeURIComponent(prefix)}`;
    const target = await startRecorderProcess(t);
    const config = writeScaleConfig({ dir: t.testdir(), store, targetUrl: `${target.url}/hook`, rateLimit: RATE, concurrency: CONCURRENCY });

    const [serveA, serveB, daemonA, daemonB] = await Promise.all([
      startRelayProcess(t, 'serve', config.path),
      startRelayProcess(t, 'serve', config.path),
      startRelayProcess(t, 'daemon', config.path),
      startRelayProcess(t, 'daemon', config.path),
    ]);
    const receivers = [serveA.url, serveB.url];
    t.not(receivers[0], receivers[1], 'the two receivers listen on different ports');

    const posts = sealPosts({ suiteId: config.suiteId, keys: config.keys, count: EVENTS });
    const expected = new Set(posts.map((p) => p.id));
    t.equal(expected.size, EVENTS, 'the callbacks are distinct events');
    const distinctArrived = (requests: readonly RecordedArrival[]) => new Set(requests.map((r) => r.id)).size;

    // WeCom's pace is not ours to choose: post on a fixed schedule of 25/s, alternately to the two
    // receivers, while the daemons deliver at the target's 10/s — so a backlog builds, both daemons hold
    // claimed work when one is killed, and posting usually goes on across the kill.
    const answers: Array<{ status: number; body: string }> = [];
    const posting = (async () => {
      const start = Date.now();
      for (const [i, post] of posts.entries()) {
        await delay(Math.max(0, start + i * POST_EVERY_MS - Date.now()));
        answers.push(await postSealed(receivers[i % 2]!, post));
      }
    })();

    const relayStore = await RedisStore.connect(store);
    t.teardown(() => relayStore.close());
    const ownerA = String(daemonA.linesWith('daemon started')[0]?.owner);

    t.ok(await target.waitFor((r) => distinctArrived(r) >= EVENTS / 3, 60_000), 'a third of the events arrived before the kill');
    const readyBeforeKill = daemonA.linesWith('event ready').length;
    const arrivedAtKill = target.arrivals.length;
    t.equal(await daemonA.cli.stop('SIGKILL'), null, 'daemon A is killed by SIGKILL (no exit code, no drain)');
    const killedAt = Date.now();
    // What the dead daemon still holds: it comes back to daemon B only when the leases end.
    const pendingAtKill = await relayStore.listDeliveries({ target: 'hook', state: 'pending', limit: 1000 });
    const heldByA = pendingAtKill.filter((d) => d.leaseOwner === ownerA);
    const postedAtKill = answers.length;
    t.ok(heldByA.length > 0 && heldByA.length <= IN_FLIGHT_BOUND,
      `daemon A died holding ${heldByA.length} leased deliveries (between 1 and ${IN_FLIGHT_BOUND}), so the lease takeover is exercised`);
    await posting;

    t.equal(answers.length, EVENTS, 'every callback was posted');
    const notSuccess = answers.filter((a) => a.status !== 200 || a.body !== 'success');
    t.same(notSuccess, [], 'both receivers answered 200 `success` to every post');

    const allArrived = await target.waitFor((r) => distinctArrived(r) >= EVENTS, 90_000);
    const arrivedIds = new Set(target.arrivals.map((r) => r.id));
    t.ok(allArrived, `every event reached the target (${arrivedIds.size}/${EVENTS} distinct ids)${allArrived ? '' : `; stuck:\n${
      await describeMissing(relayStore, [...expected].filter((id) => !arrivedIds.has(id)))}\ndaemon B's last lines:\n${
      daemonB.cli.lines.slice(-15).map((l) => JSON.stringify(l)).join('\n')}`}`);

    // Wait until the store agrees nothing is left, so late duplicates (if any) are counted too.
    const settled = await pollUntil(async () => {
      const stats = await relayStore.stats(Date.now());
      return stats.callbacks.pending === 0 && stats.deliveries.hook?.pending === 0 && stats.deliveries.hook.delivered === EVENTS;
    }, 30_000);
    const stats = await relayStore.stats(Date.now());
    t.ok(settled, `the store shows every delivery delivered and none pending: ${JSON.stringify(stats.deliveries.hook)}`);
    t.match(stats, { callbacks: { pending: 0, failed: 0, done: EVENTS }, deliveries: { hook: { pending: 0, dead: 0, delivered: EVENTS } } },
      'no callback pending or failed, no delivery dead');

    const ids = target.arrivals.map((r) => r.id);
    const missing = [...expected].filter((id) => !ids.includes(id));
    t.same(missing, [], 'no event lost');
    t.same(ids.filter((id) => !expected.has(id)), [], 'nothing but the posted events arrived');
    const duplicates = ids.length - new Set(ids).size;
    t.ok(duplicates <= IN_FLIGHT_BOUND, `duplicates (${duplicates}) ≤ what the killed daemon could hold in flight (${IN_FLIGHT_BOUND})`);

    const busiest = maxInRollingWindow(target.arrivals.map((r) => r.at), RATE.intervalMs);
    const window = busiestRollingWindow(target.arrivals.map((r) => r.at), RATE.intervalMs);
    t.ok(busiest <= RATE.count * 1.25, `the busiest rolling ${RATE.intervalMs} ms window held ${busiest} requests (limit ${RATE.count}, ≤ 1.25× allowed; `
      + `arrivals at +${window.map((at) => at - window[0]!).join(', +')} ms)`);

    const sentAfterKill = new Set(target.arrivals.filter((r) => r.at > killedAt).map((r) => r.id));
    t.same(heldByA.map((d) => d.eventId).filter((id) => !sentAfterKill.has(id)), [],
      'every delivery daemon A held when it died was sent after its death (by daemon B, once the lease ended)');
    t.ok(readyBeforeKill > 0, `daemon A did share the work before it was killed (${readyBeforeKill} events processed)`);
    t.ok(daemonB.linesWith('event ready').length > 0, 'daemon B processed events too');
    t.same(daemonB.errorLines(), [], 'the surviving daemon logged no errors');
    t.same([...serveA.errorLines(), ...serveB.errorLines()], [], 'the receivers logged no errors');

    t.comment(`multi-process: ${EVENTS} events, ${target.arrivals.length} requests, ${duplicates} duplicates, busiest window ${busiest}/${RATE.count}, `
      + `killed daemon A after ${arrivedAtKill} requests (${postedAtKill} posted) holding ${heldByA.length} leased deliveries, finished ${Math.round((Date.now() - killedAt) / 100) / 10} s after the kill, `
      + `${Math.round((Date.now() - began) / 100) / 10} s in all`);
  });
}
