import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { WecomRelayError } from '../../src/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { NewCallback } from '../../src/store/store.js';
import { storeContract } from './contract.js';
import { MIGRATIONS } from '../../src/store/sqlite-schema.js';
import { defineNamespace } from '../../src/store/namespaces.js';

/** A test namespace holding any JSON value. */
const anyNs = (name: string) => defineNamespace<unknown>(name, (value) => value);

const T0 = 1_700_000_000_000;

function callback(id: string, overrides: Partial<NewCallback> = {}): NewCallback {
  return {
    id,
    endpoint: 'data',
    suiteId: 'wwsuite',
    receiveId: 'wwsuite',
    receivedAt: T0,
    plaintext: `<xml><Id>${id}</Id></xml>`,
    fields: { Id: id },
    type: 'suite.ticket',
    corpId: null,
    ...overrides,
  };
}

/** A fresh store on a new file in the test's directory, closed at teardown. */
function openStore(t: Test, file = 'store.db', options: ConstructorParameters<typeof SqliteStore>[1] = {}): { store: SqliteStore; file: string } {
  const filename = path.join(t.testdir(), file);
  const store = new SqliteStore(filename, options);
  t.teardown(() => store.close());
  return { store, file: filename };
}

function isUnavailable(error: unknown): boolean {
  return error instanceof WecomRelayError && error.code === 'ERR_STORE_UNAVAILABLE';
}

const contractDir = t.testdir();
let contractFiles = 0;
await storeContract(t, 'sqlite (file)', async (options) => new SqliteStore(path.join(contractDir, `contract-${++contractFiles}.db`), options));
await storeContract(t, 'sqlite (:memory:)', async (options) => new SqliteStore(':memory:', options));

t.test('the database file, its directory and WAL companions are private', async (t) => {
  const dir = path.join(t.testdir(), 'nested', 'data');
  const filename = path.join(dir, 'relay.db');
  const store = new SqliteStore(filename);
  t.teardown(() => store.close());
  await store.putCallback(callback('evt_1'));

  t.equal(fs.statSync(filename).mode & 0o777, 0o600, 'the file is 0600');
  t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'a created directory is 0700');
  for (const companion of [`${filename}-wal`, `${filename}-shm`]) {
    t.equal(fs.statSync(companion).mode & 0o777, 0o600, `${path.basename(companion)} is 0600 too`);
  }
  const raw = new Database(filename, { readonly: true });
  t.teardown(() => raw.close());
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal', 'the journal is WAL');
});

t.test('an existing world-readable file is tightened to 0600', async (t) => {
  const filename = path.join(t.testdir(), 'loose.db');
  fs.writeFileSync(filename, '', { mode: 0o644 });
  fs.chmodSync(filename, 0o644);
  const store = new SqliteStore(filename);
  t.teardown(() => store.close());
  t.equal(fs.statSync(filename).mode & 0o777, 0o600, 'chmod 0600 on open');
});

t.test('two stores on one file share it like two processes', async (t) => {
  const { store: a, file } = openStore(t);
  const b = new SqliteStore(file);
  t.teardown(() => b.close());

  await a.putCallback(callback('evt_shared'));
  t.match(await b.getCallback('evt_shared'), { id: 'evt_shared', state: 'pending' }, 'a put through one is visible through the other');
  t.same(await b.putCallback(callback('evt_shared')), { inserted: false }, 'and idempotent across them');

  await Promise.all(Array.from({ length: 100 }, (_, i) => a.putCallback(callback(`evt_${i}`, { receivedAt: T0 + i }))));
  const seen = new Map<string, string>();
  let duplicates = 0;
  for (let round = 0; round < 100; round++) {
    const [fromA, fromB] = await Promise.all([
      a.claimCallbacks({ owner: 'A', limit: 7, leaseMs: 60_000, now: T0 + 1000 }),
      b.claimCallbacks({ owner: 'B', limit: 7, leaseMs: 60_000, now: T0 + 1000 }),
    ]);
    if (fromA.length + fromB.length === 0) break;
    for (const [owner, claimed] of [['A', fromA], ['B', fromB]] as const) {
      for (const record of claimed) {
        if (seen.has(record.id)) duplicates++;
        seen.set(record.id, owner);
      }
    }
  }
  t.equal(seen.size, 101, 'every callback was claimed');
  t.equal(duplicates, 0, 'no callback was handed to both');
  t.ok([...seen.values()].includes('A') && [...seen.values()].includes('B'), 'both instances got work');

  const token = await a.acquireLock('refresh', 60_000, T0);
  t.type(token, 'string', 'A takes the lock');
  t.equal(await b.acquireLock('refresh', 60_000, T0), undefined, 'B sees it held');
  const limit = { count: 2, intervalMs: 1000 };
  t.same([await a.takeRateSlot('hook', limit, T0), await b.takeRateSlot('hook', limit, T0), await a.takeRateSlot('hook', limit, T0)].map((s) => s.ok),
    [true, true, false], 'the rate limit is shared');
});

t.test('group commit', async (t) => {
  t.test('concurrent puts share one transaction', async (t) => {
    const { store } = openStore(t);
    const before = store.putBatches;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.putCallback(callback(`evt_${i}`))));
    t.ok(results.every((r) => r.inserted), 'all 200 inserted');
    t.equal(store.putBatches - before, 1, '200 puts in the same tick cost one transaction');
    t.equal((await store.listCallbacks({ limit: 1000 })).length, 200, 'all stored');
  });

  t.test('a batch is flushed when it reaches maxBatch', async (t) => {
    const { store } = openStore(t, 'batched.db', { maxBatch: 50 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.putCallback(callback(`evt_${i}`))));
    t.equal(store.putBatches, 4, '200 puts in batches of 50');
  });

  t.test('sequential puts each commit before resolving', async (t) => {
    const { store, file } = openStore(t);
    await store.putCallback(callback('evt_1'));
    await store.putCallback(callback('evt_2'));
    t.equal(store.putBatches, 2, 'one transaction per awaited put');
    const raw = new Database(file, { readonly: true });
    t.teardown(() => raw.close());
    t.equal(raw.prepare('SELECT COUNT(*) FROM callbacks').pluck().get(), 2, 'committed: another connection sees both');
  });

  t.test('a failing batch rejects every put and stores none of it', async (t) => {
    const { store, file } = openStore(t);
    await store.putCallback(callback('evt_before'));
    const saboteur = new Database(file);
    t.teardown(() => saboteur.close());
    saboteur.exec(`CREATE TRIGGER fail_one BEFORE INSERT ON callbacks WHEN NEW.id = 'evt_bad'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);

    const puts = ['evt_a', 'evt_b', 'evt_bad', 'evt_c'].map((id) => store.putCallback(callback(id)));
    const settled = await Promise.allSettled(puts);
    t.ok(settled.every((s) => s.status === 'rejected' && isUnavailable(s.reason)), 'every put of the batch rejects with ERR_STORE_UNAVAILABLE');
    const first = settled[0];
    t.ok(first?.status === 'rejected' && (first.reason as Error).cause instanceof Error, 'with the SQLite error as cause');
    t.same((await store.listCallbacks()).map((c) => c.id), ['evt_before'], 'nothing of the batch was written');

    saboteur.exec('DROP TRIGGER fail_one');
    t.same(await store.putCallback(callback('evt_a')), { inserted: true }, 'the next batch works');
  });

  t.test('a busy database rejects with ERR_STORE_UNAVAILABLE after busyTimeoutMs', async (t) => {
    const { store, file } = openStore(t, 'busy.db', { busyTimeoutMs: 50 });
    const holder = new Database(file);
    t.teardown(() => holder.close());
    holder.exec('BEGIN IMMEDIATE');
    const error = await store.putCallback(callback('evt_1')).catch((e: unknown) => e);
    t.ok(isUnavailable(error), 'rejected with ERR_STORE_UNAVAILABLE');
    t.match((error as Error).cause, { code: 'SQLITE_BUSY' }, 'caused by SQLITE_BUSY');
    holder.exec('ROLLBACK');
    t.same(await store.putCallback(callback('evt_1')), { inserted: true }, 'works once the lock is gone');
  });

  t.test('a read-only store rejects writes and still reads', async (t) => {
    const { store, file } = openStore(t);
    await store.putCallback(callback('evt_1'));
    const readonly = new SqliteStore(file, { readonly: true });
    t.teardown(() => readonly.close());
    const results = await Promise.allSettled([readonly.putCallback(callback('evt_2')), readonly.putCallback(callback('evt_3'))]);
    t.ok(results.every((r) => r.status === 'rejected' && isUnavailable(r.reason)), 'puts reject with ERR_STORE_UNAVAILABLE');
    t.match(await readonly.getCallback('evt_1'), { id: 'evt_1' }, 'reads work');
    t.equal(await store.getCallback('evt_2'), undefined, 'nothing was written');
    await t.rejects(readonly.putKv(anyNs('ns'), 'k', 1), { code: 'ERR_STORE_UNAVAILABLE' }, 'other writes reject the same way');
  });

  t.test('a malformed callback is refused alone, not with its batch', async (t) => {
    const { store } = openStore(t);
    const bad = { ...callback('evt_bad'), fields: undefined } as unknown as NewCallback;
    const settled = await Promise.allSettled([store.putCallback(callback('evt_1')), store.putCallback(bad), store.putCallback(callback('evt_2'))]);
    t.same(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled'], 'only the malformed put rejects');
    t.ok(settled[1]?.status === 'rejected' && settled[1].reason instanceof TypeError, 'with a TypeError');
    t.equal(store.putBatches, 1, 'the good ones still shared one transaction');
    t.same((await store.listCallbacks()).map((c) => c.id).sort(), ['evt_1', 'evt_2'], 'and were stored');
  });

  t.test('close writes queued puts first', async (t) => {
    const { store, file } = openStore(t);
    const pending = store.putCallback(callback('evt_queued'));
    await store.close();
    t.same(await pending, { inserted: true }, 'the queued put resolved');
    const reopened = new SqliteStore(file);
    t.teardown(() => reopened.close());
    t.ok(await reopened.getCallback('evt_queued'), 'and is on disk');
  });
});

t.test('a closed store rejects with ERR_STORE_UNAVAILABLE', async (t) => {
  const { store } = openStore(t);
  await store.close();
  await t.rejects(store.putCallback(callback('evt_1')), { code: 'ERR_STORE_UNAVAILABLE' }, 'putCallback');
  await t.rejects(store.listCallbacks(), { code: 'ERR_STORE_UNAVAILABLE' }, 'listCallbacks');
  await t.resolves(store.close(), 'close is idempotent');
});

t.test('a schema from a newer version is refused', async (t) => {
  const filename = path.join(t.testdir(), 'future.db');
  await new SqliteStore(filename).close();
  const raw = new Database(filename);
  raw.pragma('user_version = 99');
  raw.close();
  t.throws(() => new SqliteStore(filename), { code: 'ERR_STORE_UNAVAILABLE' }, 'opening fails with ERR_STORE_UNAVAILABLE');
});

t.test('a file written by the version before the attempts log migrates: old deliveries read as before, with an empty log', async (t) => {
  const filename = path.join(t.testdir(), 'v1.db');
  const raw = new Database(filename);
  raw.exec(MIGRATIONS[0]!);
  raw.pragma('user_version = 1');
  raw.prepare(`INSERT INTO callbacks (id, endpoint, suite_id, receive_id, received_at, plaintext, fields_json, type, state, next_attempt_at, event_json, processed_at)
    VALUES ('evt_old', 'data', 'wwsuite', 'wwsuite', ?, '<xml/>', '{}', 'suite.ticket', 'done', ?, ?, ?)`)
    .run(T0, T0, JSON.stringify({ id: 'evt_old', type: 'suite.ticket' }), T0 + 1);
  raw.prepare(`INSERT INTO deliveries (id, event_id, target, event_type, state, attempts, next_attempt_at, last_status, last_response, last_error, created_at, updated_at)
    VALUES ('evt_old:hook', 'evt_old', 'hook', 'suite.ticket', 'dead', 3, ?, 502, 'bad gateway', 'HTTP 502', ?, ?)`).run(T0 + 1, T0 + 1, T0 + 9);
  raw.close();

  const store = new SqliteStore(filename);
  t.teardown(() => store.close());
  t.match(await store.getDelivery('evt_old:hook'), { state: 'dead', attempts: 3, lastStatus: 502, lastResponse: 'bad gateway' }, 'the old delivery reads as before');
  t.same(await store.listAttempts('evt_old:hook'), [], 'its attempts predate the log: none listed');
  t.same(await store.listEventAttempts('evt_old'), [], 'nor for its event');
  await store.replayDeliveries({ ids: ['evt_old:hook'] }, T0 + 100);
  await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 100 });
  await store.recordAttempt('evt_old:hook', 'W', { state: 'delivered', countAttempt: true, status: 200, response: 'ok', now: T0 + 101 });
  t.match(await store.listAttempts('evt_old:hook'), [{ seq: 1, replay: 1, state: 'delivered', status: 200, response: 'ok' }], 'the next attempt starts the log');
  const check = new Database(filename, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length, 'the file is at the current schema version');
  check.close();
});

t.test('attemptsPerDelivery is validated', async (t) => {
  const dir = t.testdir();
  for (const bad of [0, 1.5, 10_001, '5']) {
    t.throws(() => new SqliteStore(path.join(dir, 'x.db'), { attemptsPerDelivery: bad as number }), TypeError, `attemptsPerDelivery ${JSON.stringify(bad)}`);
  }
});

t.test('options are validated at construction', async (t) => {
  const dir = t.testdir();
  t.throws(() => new SqliteStore(''), TypeError, 'an empty filename');
  t.throws(() => new SqliteStore(42 as unknown as string), TypeError, 'a non-string filename');
  t.throws(() => new SqliteStore(path.join(dir, 'a.db'), { maxBatch: 0 }), TypeError, 'maxBatch < 1');
  t.throws(() => new SqliteStore(path.join(dir, 'b.db'), { busyTimeoutMs: -1 }), TypeError, 'a negative busyTimeoutMs');
  t.throws(() => new SqliteStore(path.join(dir, 'c.db'), { now: 5 as unknown as () => number }), TypeError, 'a non-function clock');
});

t.test('the injected clock drives kv defaults (locks take the caller\'s now)', async (t) => {
  let now = T0;
  const store = new SqliteStore(':memory:', { now: () => now });
  t.teardown(() => store.close());
  now = T0 + 1000;
  await store.putKv(anyNs('ns'), 'k', 'v', { ttlMs: 10 });
  t.match(await store.getKv(anyNs('ns'), 'k'), { version: T0 + 1000, updatedAt: T0 + 1000, expiresAt: T0 + 1010 }, 'now and version default to the clock');
  now = T0 + 1010;
  t.equal(await store.getKv(anyNs('ns'), 'k'), undefined, 'expired by the clock');
});

t.test('prune drops expired kv values, locks and rate slots', async (t) => {
  let now = T0;
  const { store, file } = openStore(t, 'prune.db', { now: () => now });
  await store.putKv(anyNs('ns'), 'short', 1, { ttlMs: 10 });
  await store.putKv(anyNs('ns'), 'forever', 2);
  await store.acquireLock('lock', 10, T0);
  await store.takeRateSlot('hook', { count: 5, intervalMs: 10 }, T0);
  now = T0 + 10;
  t.equal(await store.prune(T0), 0, 'no delivery or callback counted');
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.same(raw.prepare('SELECT key FROM kv').pluck().all(), ['forever'], 'only the live kv value is left');
  t.equal(raw.prepare('SELECT COUNT(*) FROM locks').pluck().get(), 0, 'the expired lock is gone');
  t.equal(raw.prepare('SELECT COUNT(*) FROM rate_slots').pluck().get(), 0, 'the stale rate slot is gone');
});
