import { join } from 'node:path';
import t, { type Test } from 'tap';
import { sealCallback } from '../../src/crypto/seal-callback.js';
import { eventId } from '../../src/events/event-id.js';
import { sampleCallback } from '../../src/events/samples.js';
import { startReceiver, type StandaloneReceiver } from '../../src/receiver/standalone.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { CORP_ID, SUITE_ID, startTestRelay } from '../e2e/helpers/test-relay.js';
import { startFaultyTarget } from './helpers/faulty-target.js';

/**
 * Replay protection is two locks: a request captured on the wire can only be replayed inside the clock-skew
 * window (`receiver.maxClockSkewSeconds`, default 3600; the timestamp is signed, so it cannot be moved),
 * and inside the window the replay has the same event id, so it is acked and stored once.
 */

const PATH = '/api/v1/wecom/command';
/** One event time for the file: samples move theirs `seq` seconds back, so distinct seqs never collide. */
const EVENT_TIME = new Date();

interface Captured {
  readonly id: string;
  readonly query: Record<string, string>;
  readonly body: string;
}

function capture(keys: { token: string; encodingAESKey: string }, seq: number, timestamp: number): Captured {
  const sample = sampleCallback('add_external_contact', { suiteId: SUITE_ID, corpId: CORP_ID, now: EVENT_TIME, seq });
  const sealed = sealCallback({ ...keys, receiveId: SUITE_ID, plaintext: sample.plaintext, timestamp: String(timestamp) });
  return { id: eventId(SUITE_ID, SUITE_ID, sample.plaintext), query: { ...sealed.query }, body: sealed.body };
}

async function post(receiver: StandaloneReceiver, request: Captured, query: Record<string, string> = request.query): Promise<{ status: number; body: string }> {
  const response = await fetch(`${receiver.url}${PATH}?${new URLSearchParams(query).toString()}`, { method: 'POST', body: request.body });
  return { status: response.status, body: await response.text() };
}

/** A receiver on a SQLite file with a clock the test moves. */
async function receiverAt(t: Test, file: string, keys: { token: string; encodingAESKey: string }, clock: { now: number }, maxClockSkewSeconds?: number): Promise<{ receiver: StandaloneReceiver; store: SqliteStore }> {
  const store = new SqliteStore(file);
  const receiver = await startReceiver({
    suiteId: SUITE_ID, ...keys, store, host: '127.0.0.1', port: 0, now: () => clock.now,
    ...(maxClockSkewSeconds === undefined ? {} : { maxClockSkewSeconds }),
  });
  t.teardown(async () => { await receiver.close(); await store.close(); });
  return { receiver, store };
}

async function countStored(store: SqliteStore, id: string): Promise<number> {
  return (await store.listCallbacks({ limit: 1000 })).filter((c) => c.id === id).length;
}

t.test('the same request replayed: acked every time, stored once, also after a receiver restart (the store dedups, not only the cache)', async (t) => {
  const keys = generateSuiteKeys();
  const file = join(t.testdir(), 'relay.db');
  const clock = { now: Date.now() };
  const first = await receiverAt(t, file, keys, clock);
  const request = capture(keys, 1, Math.floor(clock.now / 1000));
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push((await post(first.receiver, request)).status);
  t.same(answers, [200, 200, 200, 200, 200], 'each replay is acked success (WeCom must stop retrying)');
  t.equal(await countStored(first.store, request.id), 1, 'stored once');
  await first.receiver.close();
  await first.store.close();

  const second = await receiverAt(t, file, keys, clock);
  t.equal((await post(second.receiver, request)).status, 200, 'a replay to a restarted receiver (empty in-memory cache) is acked');
  t.equal(await countStored(second.store, request.id), 1, 'and still stored once: the unique key holds');
});

t.test('a replayed request through receiver and daemon is delivered once', async (t) => {
  const sink = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, { dir: t.testdir(), targets: [{ name: 'hooks', url: `${sink.url}/hooks`, format: 'json', rateLimit: { count: 100, intervalMs: 1000 } }] });
  const request = relay.seal('add_external_contact', { seq: 2 });
  for (let i = 0; i < 3; i++) t.equal((await relay.post(request)).status, 200, `replay ${i + 1} acked`);
  const ledger = await relay.settle([request.eventId], 10_000);
  t.equal(ledger.lost, 0, 'the event is accounted for');
  t.equal(ledger.deliveries.get(request.eventId)?.length, 1, 'one delivery for the three requests');
  t.equal(sink.seen.length, 1, 'the target received it once');
});

t.test('stale and future timestamps are refused with 401 ERR_WECOM_TIMESTAMP_SKEW; the edges of the window are accepted', async (t) => {
  const keys = generateSuiteKeys();
  const clock = { now: Date.now() };
  const { receiver, store } = await receiverAt(t, join(t.testdir(), 'relay.db'), keys, clock);
  const nowSeconds = Math.floor(clock.now / 1000);
  const cases: Array<[string, number, number]> = [
    ['an hour and a second old', nowSeconds - 3601, 401],
    ['an hour and a second ahead', nowSeconds + 3601, 401],
    ['a day old', nowSeconds - 86_400, 401],
    ['from 2014 (the official test vectors)', 1_403_610_513, 401],
    ['59 minutes old', nowSeconds - 3540, 200],
    ['59 minutes ahead', nowSeconds + 3540, 200],
  ];
  for (const [label, timestamp, status] of cases) {
    const request = capture(keys, 10 + cases.findIndex((c) => c[0] === label), timestamp);
    const answer = await post(receiver, request);
    t.equal(answer.status, status, `a request ${label} → ${status}`);
    if (status === 401) {
      t.match(answer.body, /^ERR_WECOM_TIMESTAMP_SKEW/, `${label}: the stable code`);
      t.equal(await store.getCallback(request.id), undefined, `${label}: nothing stored`);
    }
  }
  const request = capture(keys, 30, nowSeconds);
  t.match(await post(receiver, request, { ...request.query, timestamp: 'yesterday' }), { status: 401 }, 'a non-numeric timestamp is refused');
});

t.test('a captured request replayed after the window has passed is refused, and re-dating it breaks the signature', async (t) => {
  const keys = generateSuiteKeys();
  const clock = { now: Date.now() };
  const { receiver, store } = await receiverAt(t, join(t.testdir(), 'relay.db'), keys, clock);
  const request = capture(keys, 40, Math.floor(clock.now / 1000));
  t.equal((await post(receiver, request)).status, 200, 'the original is accepted');

  clock.now += 3601 * 1000;
  const late = await post(receiver, request);
  t.equal(late.status, 401, 'the same bytes an hour and a second later are refused');
  t.match(late.body, /^ERR_WECOM_TIMESTAMP_SKEW/, 'as outside the clock-skew window');

  const redated = await post(receiver, request, { ...request.query, timestamp: String(Math.floor(clock.now / 1000)) });
  t.equal(redated.status, 401, 'moving the timestamp back into the window is refused');
  t.match(redated.body, /^ERR_WECOM_SIGNATURE_MISMATCH/, 'because the timestamp is signed');
  t.equal(await countStored(store, request.id), 1, 'still stored once');
});

t.test('maxClockSkewSeconds: 0 turns the window off (documented for the 2014 test vectors): dedup alone then guards replays', async (t) => {
  const keys = generateSuiteKeys();
  const clock = { now: Date.now() };
  const { receiver, store } = await receiverAt(t, join(t.testdir(), 'relay.db'), keys, clock, 0);
  const request = capture(keys, 50, 1_403_610_513);
  t.equal((await post(receiver, request)).status, 200, 'a 2014 timestamp is accepted with the window off');
  t.equal((await post(receiver, request)).status, 200, 'its replay is acked');
  t.equal(await countStored(store, request.id), 1, 'and stored once');
});
