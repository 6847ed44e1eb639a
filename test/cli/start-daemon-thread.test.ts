import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import {
  bodies, newSuite, newWebhookSecret, outputOf, relayConfig, spawnRelay, startRecordingTarget, trigger, waitForEventType, writeConfig,
} from '../helpers/cli-fixture.js';
import { deleteKeysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';

/**
 * `wecom-relay start` runs the daemon in a worker thread (daemon/start-daemon-thread.ts), so the
 * receiver keeps its event loop: a callback posted to the receiver still wakes the daemon and is
 * delivered, `/metrics` and `/readyz` on the main thread report the thread's daemon, and SIGTERM
 * drains both and exits 0.
 */
async function startThroughTheThread(t: Test, store: string | undefined): Promise<void> {
  const dir = t.testdir();
  const hooks = await startRecordingTarget(t);
  const config = writeConfig(dir, relayConfig({
    dir,
    suite: newSuite(),
    withoutSecret: true,
    enrich: false,
    ...(store ? { store } : {}),
    admin: { enabled: true, host: '127.0.0.1', port: 0 },
    // A long poll interval: only the forwarded change can make the delivery quick.
    daemon: { pollIntervalMs: 30_000 },
    targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, secret: newWebhookSecret() }],
  }));
  const start = await spawnRelay(t, 'start', config);
  const threadLine = await start.cli.waitForLine((l) => l.msg === 'daemon thread started');
  t.ok(Number(threadLine.threadId) >= 1, `the daemon runs in worker thread ${String(threadLine.threadId)}`);
  const daemonStarted = start.cli.lines.find((l) => l.msg === 'daemon started');
  t.equal(daemonStarted?.thread, 'daemon', 'and logs from there, to the same stdout, tagged thread: daemon');
  t.equal(daemonStarted?.pid, threadLine.pid, 'in the same process');
  const admin = String((await start.cli.waitForLine((l) => l.msg === 'admin listening (/healthz, /readyz, /metrics)')).url);

  const sent = await trigger('add_external_contact', config, start.url!);
  t.equal(sent.code, 0, 'the receiver acked the callback', outputOf(sent));
  t.ok(await waitForEventType(hooks, 'external_contact.added', 20_000), 'the daemon thread delivered it, well before its 30 s poll: the put woke it');
  t.equal(bodies(hooks).filter((b) => b.type === 'external_contact.added').length, 1, 'once');

  const metrics = await (await fetch(`${admin}/metrics`)).text();
  t.match(metrics, /^wecom_relay_delivery_attempts_total\{target="hooks",verdict="delivered"\} 1$/m, '/metrics shows the thread\'s delivery');
  t.match(metrics, /^wecom_relay_callbacks_processed_total\{outcome="[a-z_]+",app="[^"]+"\} 1$/m, 'and its processed callback');
  t.match(metrics, /^wecom_relay_stored_total\{endpoint="command"\} 1$/m, 'beside the receiver\'s own counters');
  t.match(metrics, /^wecom_relay_delivery_duration_seconds_count\{target="hooks"\} 1$/m, 'and the thread\'s histogram');
  t.equal(metrics.match(/^# TYPE wecom_relay_delivery_attempts_total /gm)?.length, 1, 'each metric once');
  const ready = await fetch(`${admin}/readyz`);
  t.equal(ready.status, 200, '/readyz answers 200');
  t.same(await ready.json(), { status: 'ready', store: 'ok', credentials: 'unmanaged' }, 'with the thread\'s credential facts');

  t.equal(await start.cli.stop('SIGTERM'), 0, 'SIGTERM: start exits 0');
  t.ok(start.cli.lines.some((l) => l.msg === 'daemon stopped' && l.thread === 'daemon'), 'the daemon thread drained and logged it before the process ended');
  t.ok(start.cli.lines.some((l) => l.msg === 'stopped'), 'then the main thread logged "stopped"');
}

t.test('start on a SQLite file: a callback is delivered through the daemon thread, /metrics and /readyz see it, SIGTERM exits 0', async (t) => {
  await startThroughTheThread(t, undefined);
});

t.test('start on Redis: the same, the thread on its own Redis connection', async (t) => {
  const admin = await redisAdmin();
  if (!admin) {
    t.skip(`no Redis at ${SHARED_REDIS_URL}: skipping the Redis variant`, () => undefined);
    return;
  }
  const prefix = `wecom-relay-test:thread-${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeysUnder(admin, prefix);
    admin.disconnect();
  });
  await startThroughTheThread(t, `${SHARED_REDIS_URL}/0?prefix=${encodeURIComponent(prefix)}`);
});
