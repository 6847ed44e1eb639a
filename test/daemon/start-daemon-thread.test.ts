import { join } from 'node:path';
import { Registry } from 'prom-client';
import t from 'tap';
import { RelayMetrics } from '../../daemon/admin/metrics.js';
import { validateConfig } from '../../daemon/config.js';
import { startDaemonThread, threadSharesStore } from '../../daemon/start-daemon-thread.js';
import { eventId } from '../../src/events/event-id.js';
import { sampleCallback } from '../../src/events/samples.js';
import { silentLogger } from '../../src/logger.js';
import { createStore } from '../../src/store/create-store.js';
import { startRecordingTarget } from '../e2e/helpers/recording-target.js';

/**
 * The daemon thread of `start` (daemon/start-daemon-thread.ts) from the main thread's side: a put on the
 * receiver's store connection wakes the thread, which delivers with its own connection; metrics and
 * readiness come across the port; stop drains it and puts the registry back; a thread that cannot open
 * its store fails the start. (The spawned `start` with SIGTERM is test/cli/start-daemon-thread.test.ts.)
 */

const SUITE = 'ww917724cb573d8629';
const CORP = 'wxf8b4f85f3a794e77';
const logger = { ...silentLogger, level: 'silent' };

function configFor(store: string, targetUrl: string) {
  return validateConfig({
    suite: { id: SUITE, token: 'threadToken', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
    store, enrich: false, admin: { enabled: false }, log: { level: 'silent' },
    // A long poll: only the forwarded change can make the delivery quick.
    daemon: { pollIntervalMs: 60_000, shutdownTimeoutMs: 2_000 },
    targets: [{ name: 'hooks', url: targetUrl, format: 'json' }],
  }, {});
}

t.test('a put on the main connection is delivered by the thread; metrics and readiness cross the port; stop drains it', async (t) => {
  const target = await startRecordingTarget(t);
  const config = configFor(`sqlite:${join(t.testdir(), 'relay.db')}`, `${target.url}/hooks`);
  const store = await createStore(config.store);
  t.teardown(() => store.close());
  const metrics = new RelayMetrics({ defaultMetrics: false });
  const warnings: string[] = [];
  const watching = { ...logger, warn: (_obj: unknown, msg?: string) => { warnings.push(String(msg)); } };
  const thread = await startDaemonThread({ config, logger: watching, store, registry: metrics.registry });
  t.match(thread.owner, /^.+:\d+:[0-9a-f]{6}$/, 'the thread reports its lease owner');

  const sample = sampleCallback('add_external_contact', { suiteId: SUITE, corpId: CORP, now: new Date() });
  const id = eventId(SUITE, SUITE, sample.plaintext);
  await store.putCallback({
    id, endpoint: sample.endpoint, suiteId: SUITE, receiveId: SUITE, receivedAt: Date.now(), plaintext: sample.plaintext,
    fields: sample.fields, type: 'external_contact.added', corpId: CORP,
  });
  t.ok(await target.waitFor((requests) => requests.some((r) => r.complete && r.body.includes(id)), 20_000),
    'the thread delivered the callback long before its 60 s poll: the put woke it');

  const text = await metrics.registry.metrics();
  t.match(text, /^wecom_relay_delivery_attempts_total\{target="hooks",verdict="delivered"\} 1$/m, 'the main registry shows the thread\'s delivery');
  t.same(await thread.readiness(), { credentials: 'unmanaged' }, 'readiness comes from the thread (no suite secret: unmanaged)');

  await thread.stop(2_000);
  t.notMatch(await metrics.registry.metrics(), /verdict="delivered"/, 'after stop the registry has its own (empty) metrics back');
  await t.rejects(thread.readiness(), /exited/, 'and the thread is gone');
  t.same(warnings, [], 'it ended by itself after draining (not terminated)');
});

t.test('a thread that cannot open its store fails the start with the store error', async (t) => {
  const target = await startRecordingTarget(t);
  const dir = t.testdir();
  const main = await createStore(`sqlite:${join(dir, 'main.db')}`);
  t.teardown(() => main.close());
  // A file below a regular file: no connection can open it.
  const config = configFor(`sqlite:${join(dir, 'main.db', 'not-a-dir', 'relay.db')}`, `${target.url}/hooks`);
  const registry = new Registry();
  await t.rejects(startDaemonThread({ config, logger, store: main, registry }), { code: 'ERR_STORE_UNAVAILABLE' }, 'rejects with the store\'s code');
  t.equal(registry.getMetricsAsArray().length, 0, 'and mirrors no metrics');
});

t.test('an in-memory SQLite store cannot be shared with a thread', async (t) => {
  t.equal(threadSharesStore('sqlite::memory:'), false, 'sqlite::memory:');
  t.equal(threadSharesStore('file::memory:'), false, 'file::memory:');
  t.equal(threadSharesStore('sqlite:./data/relay.db'), true, 'a file');
  t.equal(threadSharesStore('redis://127.0.0.1:6379/0'), true, 'Redis');
});
