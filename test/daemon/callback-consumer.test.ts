import t, { type Test } from 'tap';
import { CallbackConsumer } from '../../daemon/consumer/callback-consumer.js';
import type { Enricher } from '../../daemon/consumer/process-callback.js';
import type { Logger } from '../../src/logger.js';
import { makeTarget } from '../helpers/delivery-fixtures.js';
import { FakeStore } from './helpers/fake-store.js';
import { advance, clockOf, mockClockOf, settle } from './helpers/mock-clock.js';

const START = 1_800_000_000_000;
const FIELDS = {
  SuiteId: 'ww917724cb573d8629', AuthCorpId: 'wxf8b4f85f3a794e77', InfoType: 'change_external_contact', TimeStamp: '1403610513',
  ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w',
};

function setup(t: Test, enrich: Enricher | null = null) {
  mockClockOf(t).travel(START);
  const clock = clockOf(mockClockOf(t));
  const store = new FakeStore();
  const logs: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const log = (level: string) => (obj: object, msg?: string) => logs.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const processed: Array<[string, string, number]> = [];
  const created: string[][] = [];
  const consumer = new CallbackConsumer({
    store: store.asStore(), owner: 'me', logger, clock, concurrency: 2, leaseMs: 15_000, pollIntervalMs: 500,
    context: {
      suiteIds: ['ww917724cb573d8629'], tokens: null, enrich, logger, now: clock.now,
      targets: [makeTarget({ name: 'hooks' }), makeTarget({ name: 'other', events: ['contact.*'] })],
      maxEnrichDelayMs: 3_600_000,
    },
    onProcessed: (cb, outcome, targets) => processed.push([cb.id, outcome, targets]),
    onDeliveriesCreated: (targets) => created.push([...targets]),
  });
  t.teardown(() => consumer.stop(0));
  const add = (id: string, attempts = 0) => store.addCallback(id, { fields: FIELDS, receivedAt: START, type: 'external_contact.added', attempts });
  return { store, consumer, logs, processed, created, add };
}

/** An enricher that answers only when the test says so. */
function heldEnricher() {
  const waiting: Array<() => void> = [];
  const enrich: Enricher = () => new Promise((resolve) => waiting.push(() => resolve({ kind: 'done', enrichment: { ok: true }, error: null })));
  return { enrich, answerAll: () => { for (const answer of waiting.splice(0)) answer(); }, get pending() { return waiting.length; } };
}

t.test('claims stored callbacks, completes each with its routed targets and wakes their workers', async (t) => {
  const { store, consumer, processed, created, add } = setup(t);
  add('evt_1');
  add('evt_2');
  consumer.start();
  await settle();
  t.equal(store.callbacks.get('evt_1')?.state, 'done', 'evt_1 is done');
  t.equal(store.callbacks.get('evt_2')?.state, 'done', 'evt_2 is done');
  t.equal(store.callbacks.get('evt_1')?.event?.type, 'external_contact.added', 'the normalized event is stored');
  t.ok(store.deliveries.has('evt_1:hooks'), 'a delivery to the matching target');
  t.notOk(store.deliveries.has('evt_1:other'), 'none to the target whose globs do not match');
  t.same(processed, [['evt_1', 'complete', 1], ['evt_2', 'complete', 1]], 'each reported complete with one target');
  t.same(created, [['hooks'], ['hooks']], 'the target workers are told');
  t.equal(consumer.inFlight, 0, 'nothing held afterwards');
});

t.test('a callback stored later is picked up at the next poll, or at once when woken', async (t) => {
  const { store, consumer, add } = setup(t);
  consumer.start();
  await settle();
  add('evt_late');
  await advance(mockClockOf(t), 500, 500);
  t.equal(store.callbacks.get('evt_late')?.state, 'done', 'found at the next poll');
  add('evt_woken');
  consumer.wake();
  await settle();
  t.equal(store.callbacks.get('evt_woken')?.state, 'done', 'found at once when woken');
});

t.test('the lease is renewed while a slow enrichment runs, so the callback is still completed', async (t) => {
  const held = heldEnricher();
  const { store, consumer, add } = setup(t, held.enrich);
  add('evt_slow');
  consumer.start();
  await settle();
  t.equal(held.pending, 1, 'enrichment is running');
  await advance(mockClockOf(t), 20_000, 1_000);
  t.ok((store.calls['renewCallbackLeases'] ?? 0) >= 4, 'renewed every third of the lease');
  t.ok(store.callbacks.get('evt_slow')!.leaseUntil! > START + 20_000, 'the lease reaches past the original 15 s');
  held.answerAll();
  await settle();
  t.equal(store.callbacks.get('evt_slow')?.state, 'done', 'completed after 20 s of enrichment');
  t.same(store.callbacks.get('evt_slow')?.event?.enrichment, { ok: true }, 'with its enrichment');
});

t.test('a callback whose lease was lost while it was processed is not completed by this owner', async (t) => {
  const held = heldEnricher();
  const { store, consumer, logs, processed, add } = setup(t, held.enrich);
  add('evt_lost');
  consumer.start();
  await settle();
  store.steal('evt_lost', 'other-daemon');
  await advance(mockClockOf(t), 5_000, 1_000);
  held.answerAll();
  await settle();
  t.equal(store.calls['completeCallback'] ?? 0, 0, 'completion is not even attempted');
  t.equal(store.callbacks.get('evt_lost')?.state, 'pending', 'left to the new owner');
  t.same(processed, [], 'not reported as processed');
  t.ok(logs.some((l) => l.level === 'warn' && l.obj['eventId'] === 'evt_lost' && /lease lost/.test(l.msg)), 'the lost lease is logged');
});

t.test('a failure while finishing defers the callback with a growing delay, and fails it after five attempts', async (t) => {
  const { store, consumer, processed, add } = setup(t);
  store.fail.add('completeCallback');
  add('evt_a', 2);
  add('evt_b', 5);
  consumer.start();
  await settle();
  const a = store.callbacks.get('evt_a')!;
  t.equal(a.state, 'pending', 'evt_a is kept pending');
  t.equal(a.nextAttemptAt, START + 20_000, 'after its third attempt it waits 5 s × 2² (the shared backoff)');
  t.match(a.lastError, /completeCallback failed/, 'with the error');
  t.equal(store.callbacks.get('evt_b')?.state, 'failed', 'evt_b, on its sixth attempt, is failed (kept, replayable)');
  t.same(processed.map(([id, outcome]) => [id, outcome]).sort(), [['evt_a', 'defer'], ['evt_b', 'failed']], 'both reported');
});

t.test('claim failures are retried with backoff, and work resumes when the store is back', async (t) => {
  const { store, consumer, logs, add } = setup(t);
  store.fail.add('claimCallbacks');
  add('evt_1');
  consumer.start();
  await settle();
  t.ok(logs.some((l) => l.level === 'error' && /claiming callbacks failed/.test(l.msg)), 'the failure is logged');
  store.fail.delete('claimCallbacks');
  await advance(mockClockOf(t), 1_000, 500);
  t.equal(store.callbacks.get('evt_1')?.state, 'done', 'processed once the store answers again');
});

t.test('stop waits for the callbacks being processed, renewing their leases meanwhile', async (t) => {
  const held = heldEnricher();
  const { store, consumer, add } = setup(t, held.enrich);
  add('evt_1');
  consumer.start();
  await settle();
  let stopped = false;
  const stopping = consumer.stop(60_000).then(() => { stopped = true; });
  await advance(mockClockOf(t), 10_000, 1_000);
  t.notOk(stopped, 'still waiting for the callback in progress');
  t.ok((store.calls['renewCallbackLeases'] ?? 0) >= 2, 'its lease is renewed while stopping');
  held.answerAll();
  await settle();
  await stopping;
  t.equal(store.callbacks.get('evt_1')?.state, 'done', 'the in-flight callback was finished');
});
