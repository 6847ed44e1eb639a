import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { sealCallback } from '../../src/crypto/seal-callback.js';
import { eventId } from '../../src/events/event-id.js';
import { sampleCallback } from '../../src/events/samples.js';
import { createCallbackHandler } from '../../src/receiver/handle-callback.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { SUITE_ID, CORP_ID, startTestRelay, type SealedRequest } from '../e2e/helpers/test-relay.js';
import { startFaultyTarget } from './helpers/faulty-target.js';
import { holdExclusiveLock, injectSqliteFault } from './helpers/sqlite-faults.js';

/**
 * Store faults: the receiver answers 503 ERR_STORE_UNAVAILABLE when the store cannot take the write, stores
 * nothing half-way, and the retried callback (WeCom retries a 5xx) is stored exactly once and delivered.
 */

const target = { name: 'hooks', format: 'json', timeoutMs: 300, retrySchedule: [0, 1, 1], rateLimit: { count: 100, intervalMs: 100 } };

/** How many rows of `callbacks` have one of `ids`, read on a separate connection. */
function storedCount(file: string, ids: readonly string[]): number {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM callbacks WHERE id IN (SELECT value FROM json_each(?))').get(JSON.stringify(ids)) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

t.test('another process holds an EXCLUSIVE lock: 503 after the busy timeout, nothing stored; after release the retry is stored once and delivered', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'wecom-relay.db');
  // A short busy timeout, as a receiver should have: the answer must reach WeCom before its 5 s deadline.
  const store = new SqliteStore(file, { busyTimeoutMs: 500 });
  const sink = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, { dir, store, targets: [{ ...target, url: `${sink.url}/hooks` }], daemon: { leaseMs: 1000 } });
  t.teardown(async () => { await relay.stop(); await store.close(); });

  const lock = await holdExclusiveLock(t, file);
  const sent: SealedRequest[] = [0, 1, 2].map((seq) => relay.seal('add_external_contact', { seq }));
  for (const request of sent) {
    const started = performance.now();
    const answer = await relay.post(request);
    const ms = Math.round(performance.now() - started);
    t.equal(answer.status, 503, `callback answered 503 while the file is locked (${ms} ms)`);
    t.match(answer.body, /^ERR_STORE_UNAVAILABLE: .*SQLITE_BUSY/, 'with the stable code, naming SQLITE_BUSY');
  }
  t.equal(storedCount(file, sent.map((s) => s.eventId)), 0, 'nothing was stored (readers still work under the writer lock)');

  await lock.release();
  for (const request of sent) t.equal((await relay.post(request)).status, 200, 'the identical retry is acked once the lock is gone');
  for (const request of sent) t.equal((await relay.post(request)).status, 200, 'and a second retry is acked as a duplicate');
  t.equal(storedCount(file, sent.map((s) => s.eventId)), sent.length, 'each callback is stored exactly once');

  const ledger = await relay.settle(sent.map((s) => s.eventId), 20_000);
  t.equal(ledger.lost, 0, `no event lost${ledger.problems.length ? `: ${ledger.problems.join('; ')}` : ''}`);
  t.equal(ledger.delivered, sent.length, 'every event is delivered');
  t.equal(new Set(sink.seen.map((s) => s.eventId)).size, sent.length, 'and the target saw each one');
});

t.test('disk full while the receiver writes (SQLITE_FULL injected after the row went in): 503, the transaction rolls back, nothing stored', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'wecom-relay.db');
  const sink = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, { dir, targets: [{ ...target, url: `${sink.url}/hooks` }] });
  const sent: SealedRequest[] = [0, 1, 2, 3].map((seq) => relay.seal('add_external_contact', { seq }));

  const fault = injectSqliteFault(t, { match: 'INTO callbacks', code: 'SQLITE_FULL', message: 'database or disk is full', phase: 'after' });
  const answers = await Promise.all(sent.map((request) => relay.post(request)));
  t.same(answers.map((a) => a.status), sent.map(() => 503), 'every callback is answered 503');
  t.ok(answers.every((a) => /^ERR_STORE_UNAVAILABLE: .*SQLITE_FULL/.test(a.body)), 'with ERR_STORE_UNAVAILABLE naming SQLITE_FULL');
  t.ok(fault.hits >= 1, 'the fault fired after a row had been written inside the transaction');
  t.equal(storedCount(file, sent.map((s) => s.eventId)), 0, 'the rows written before the failure were rolled back: nothing half-way');
  t.equal((await relay.store.listCallbacks({ limit: 100 })).filter((c) => sent.some((s) => s.eventId === c.id)).length, 0, 'the store lists none of them');

  fault.clear();
  const retried = await Promise.all(sent.map((request) => relay.post(request)));
  t.same(retried.map((a) => a.status), sent.map(() => 200), 'once the disk has room, the retries are acked');
  t.equal(storedCount(file, sent.map((s) => s.eventId)), sent.length, 'each stored exactly once');
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost${ledger.problems.length ? `: ${ledger.problems.join('; ')}` : ''}`);
  t.equal(ledger.delivered, sent.length, 'every event is delivered');
});

t.test('a group-commit batch that fails on its third row rolls back the two before it: every caller gets 503, none is stored', async (t) => {
  const keys = generateSuiteKeys();
  const store = new SqliteStore(':memory:');
  t.teardown(() => store.close());
  const handler = createCallbackHandler({ suiteId: SUITE_ID, ...keys, store });
  const eventTime = new Date();
  const requests = [0, 1, 2, 3, 4].map((seq) => {
    const sample = sampleCallback('add_external_contact', { suiteId: SUITE_ID, corpId: CORP_ID, now: eventTime, seq });
    const sealed = sealCallback({ ...keys, receiveId: SUITE_ID, plaintext: sample.plaintext });
    return { id: eventId(SUITE_ID, SUITE_ID, sample.plaintext), query: new URLSearchParams(sealed.query).toString(), body: sealed.body };
  });
  const handle = (r: (typeof requests)[number]) => handler.handle({ method: 'POST', endpoint: 'command', query: r.query, readBody: async () => r.body });

  const batchesBefore = store.putBatches;
  const fault = injectSqliteFault(t, { match: 'INTO callbacks', code: 'SQLITE_FULL', message: 'database or disk is full', after: 2, times: 1, phase: 'before' });
  // Started in one turn of the event loop: the five writes share one group-commit transaction.
  const results = await Promise.all(requests.map(handle));
  t.equal(store.putBatches - batchesBefore, 1, 'the five writes went into one transaction');
  t.equal(fault.hits, 1, 'which failed on its third row');
  t.same(results.map((r) => r.status), [503, 503, 503, 503, 503], 'every caller of the batch is answered 503, including the two whose rows were written');
  t.same(results.map((r) => r.error?.code), requests.map(() => 'ERR_STORE_UNAVAILABLE'), 'with ERR_STORE_UNAVAILABLE');
  for (const r of requests) t.equal(await store.getCallback(r.id), undefined, `${r.id} is not stored`);

  const again = await Promise.all(requests.map(handle));
  t.same(again.map((r) => [r.status, r.duplicate]), requests.map(() => [200, false]), 'retried, each is stored fresh (no ghost from the failed batch)');
});

t.test('disk full when the daemon records a successful send: the lease lapses, the event is re-sent and ends delivered (at least once)', async (t) => {
  const dir = t.testdir();
  const sink = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, { dir, targets: [{ ...target, url: `${sink.url}/hooks` }], daemon: { leaseMs: 1000 } });
  const fault = injectSqliteFault(t, { match: 'UPDATE deliveries SET state = ?, attempts', code: 'SQLITE_FULL', message: 'database or disk is full', times: 1 });
  const sent = await relay.send('add_external_contact', { seq: 9 });
  t.equal(sent.answer.status, 200, 'the callback is acked');
  const ledger = await relay.settle([sent.eventId], 15_000);
  t.equal(fault.hits, 1, 'recording the first (successful) attempt failed');
  t.equal(ledger.lost, 0, `no event lost${ledger.problems.length ? `: ${ledger.problems.join('; ')}` : ''}`);
  t.equal(ledger.delivered, 1, 'the event ends delivered');
  t.equal(sink.seen.filter((s) => s.eventId === sent.eventId).length, 2, 'sent twice with the same webhook-id: at-least-once, which the receiver dedups');
});
