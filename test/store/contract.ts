/**
 * The Store contract: one suite every Store implementation must pass (SQLite and Redis run the same
 * one). It uses only the public {@link Store} interface and passes `now` explicitly everywhere the
 * interface takes it — times are offsets from a real epoch (`Date.now()` when the suite starts), so a
 * store that mirrors TTLs into real expiry (Redis `PX`) behaves the same. The only real-time wait is the
 * lock expiry test, since `acquireLock` takes no `now`.
 *
 * Usage, from another test file:
 *
 *     import t from 'tap';
 *     import { storeContract } from './contract.js';
 *     await storeContract(t, 'redis', () => RedisStore.connect(url), (store) => flush(store));
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { CallbackRecord, DeliveryRecord, NewCallback, Store } from '../../src/store/store.js';

/** Opens a fresh, empty store for one test. */
export type MakeStore = () => Promise<Store>;
/** Called after a test closed its store, e.g. to delete its keys or file. */
export type CleanupStore = (store: Store) => Promise<void> | void;

/**
 * Registers the contract suite as a subtest `"<name> store contract"` of `t`. Every subtest gets its own
 * store from `makeStore` (which must return an empty one), closes it at teardown, then calls `cleanup`.
 */
export async function storeContract(t: Test, name: string, makeStore: MakeStore, cleanup?: CleanupStore): Promise<void> {
  await t.test(`${name} store contract`, async (t) => {
    const T0 = Date.now();

    async function open(t: Test): Promise<Store> {
      const store = await makeStore();
      t.teardown(async () => {
        await store.close().catch(() => undefined);
        await cleanup?.(store);
      });
      return store;
    }

    function callback(id: string, overrides: Partial<NewCallback> = {}): NewCallback {
      return {
        id,
        endpoint: 'data',
        suiteId: 'wwsuite',
        receiveId: 'wwsuite',
        receivedAt: T0,
        plaintext: `<xml><SuiteId><![CDATA[wwsuite]]></SuiteId><Id>${id}</Id></xml>`,
        fields: { SuiteId: 'wwsuite', InfoType: 'change_external_contact', MsgId: '7412589630147258369', List: { Item: ['a', 'b'] } },
        type: 'external_contact.add',
        corpId: 'wwcorp1',
        ...overrides,
      };
    }

    function envelope(cb: NewCallback): EventEnvelope {
      return {
        id: cb.id,
        type: cb.type,
        timestamp: new Date(cb.receivedAt).toISOString(),
        receivedAt: new Date(cb.receivedAt).toISOString(),
        source: { endpoint: cb.endpoint, suiteId: cb.suiteId, corpId: cb.corpId, agentId: null },
        data: { externalUserId: 'wmABC', nested: { list: [1, 2, 3] } },
        enrichment: null,
        enrichmentError: null,
        raw: cb.fields,
      };
    }

    /** Puts, claims and completes a callback: resolves its deliveries (one per target). */
    async function deliver(store: Store, cb: NewCallback, targets: readonly string[], now = cb.receivedAt): Promise<void> {
      await store.putCallback(cb);
      const [claimed] = await store.claimCallbacks({ owner: 'setup', limit: 1, leaseMs: 1000, now: Math.max(now, cb.receivedAt) });
      if (claimed?.id !== cb.id) throw new Error(`setup: expected to claim ${cb.id}, got ${claimed?.id}`);
      if (!(await store.completeCallback(cb.id, 'setup', { event: envelope(cb), targets, now }))) throw new Error('setup: complete failed');
    }

    const ids = (records: ReadonlyArray<CallbackRecord | DeliveryRecord>): string[] => records.map((r) => r.id);

    // ── Inbox ───────────────────────────────────────────────────────────────────────────────────────

    t.test('putCallback stores a callback exactly as given', async (t) => {
      const store = await open(t);
      const cb = callback('evt_1');
      t.same(await store.putCallback(cb), { inserted: true }, 'the first put inserts');
      const got = await store.getCallback('evt_1');
      t.match(got, { ...cb, fields: cb.fields }, 'every field of the callback is kept');
      t.same(got?.fields, cb.fields, 'fields keep strings, arrays and nesting (no number coercion)');
      t.match(got, { state: 'pending', attempts: 0, nextAttemptAt: T0, leaseOwner: null, leaseUntil: null, lastError: null, event: null, processedAt: null },
        'a new callback is pending, due at once, unleased and unprocessed');
      t.equal(await store.getCallback('evt_missing'), undefined, 'an unknown id is undefined');
    });

    t.test('putCallback keeps an empty receiveid (individual-entity apps are sealed with it)', async (t) => {
      const store = await open(t);
      t.same(await store.putCallback(callback('evt_empty_rid', { receiveId: '' })), { inserted: true }, 'inserted');
      t.equal((await store.getCallback('evt_empty_rid'))?.receiveId, '', 'read back as the empty string');
    });

    t.test('putCallback is idempotent on id', async (t) => {
      const store = await open(t);
      await store.putCallback(callback('evt_1'));
      t.same(await store.putCallback(callback('evt_1', { plaintext: 'changed', type: 'other' })), { inserted: false }, 'a second put is not inserted');
      const got = await store.getCallback('evt_1');
      t.equal(got?.plaintext, callback('evt_1').plaintext, 'the second put changes nothing');
      t.equal(got?.type, 'external_contact.add', 'the type is the first one');
    });

    t.test('50 concurrent puts of distinct ids are all inserted and listed', async (t) => {
      const store = await open(t);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.putCallback(callback(`evt_${i}`, { receivedAt: T0 + i }))));
      t.ok(results.every((r) => r.inserted), 'every put inserted');
      const listed = await store.listCallbacks({ limit: 100 });
      t.equal(listed.length, 50, 'all 50 are listed');
      t.same(new Set(ids(listed)), new Set(Array.from({ length: 50 }, (_, i) => `evt_${i}`)), 'with their ids');
    });

    t.test('concurrent puts of the same id insert exactly once', async (t) => {
      const store = await open(t);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.putCallback(callback('evt_same'))));
      t.equal(results.filter((r) => r.inserted).length, 1, 'exactly one put inserted');
      t.equal((await store.listCallbacks()).length, 1, 'one callback is stored');
    });

    t.test('listCallbacks filters and orders newest first', async (t) => {
      const store = await open(t);
      await store.putCallback(callback('evt_a', { receivedAt: T0 + 1, type: 'external_contact.add', corpId: 'wwcorp1' }));
      await store.putCallback(callback('evt_b', { receivedAt: T0 + 2, type: 'external_contact.del_follow_user', corpId: 'wwcorp2' }));
      await store.putCallback(callback('evt_c', { receivedAt: T0 + 3, type: 'external_chat.update', corpId: 'wwcorp1' }));
      await store.putCallback(callback('evt_d', { receivedAt: T0 + 4, type: 'suite.ticket', corpId: null }));
      await store.putCallback(callback('evt_e', { receivedAt: T0 + 5, type: 'external_contactX', corpId: 'wwcorp1' }));
      // evt_a → done, evt_b → failed.
      await store.claimCallbacks({ owner: 'w', limit: 2, leaseMs: 1000, now: T0 + 2 });
      await store.completeCallback('evt_a', 'w', { event: envelope(callback('evt_a')), targets: [], now: T0 + 10 });
      await store.failCallback('evt_b', 'w', 'boom', T0 + 10);

      t.same(ids(await store.listCallbacks()), ['evt_e', 'evt_d', 'evt_c', 'evt_b', 'evt_a'], 'newest first');
      t.same(ids(await store.listCallbacks({ limit: 2 })), ['evt_e', 'evt_d'], 'limit keeps the newest');
      t.same(ids(await store.listCallbacks({ state: 'pending' })), ['evt_e', 'evt_d', 'evt_c'], 'by state pending');
      t.same(ids(await store.listCallbacks({ state: 'done' })), ['evt_a'], 'by state done');
      t.same(ids(await store.listCallbacks({ state: 'failed' })), ['evt_b'], 'by state failed');
      t.same(ids(await store.listCallbacks({ type: 'external_contact.*' })), ['evt_b', 'evt_a'], 'a type glob matches the family only');
      t.same(ids(await store.listCallbacks({ type: 'external_*' })), ['evt_e', 'evt_c', 'evt_b', 'evt_a'], 'a prefix glob');
      t.same(ids(await store.listCallbacks({ type: 'suite.ticket' })), ['evt_d'], 'an exact type');
      t.same(ids(await store.listCallbacks({ type: '*' })).length, 5, '* matches every type');
      t.same(ids(await store.listCallbacks({ corpId: 'wwcorp1' })), ['evt_e', 'evt_c', 'evt_a'], 'by corp');
      t.same(ids(await store.listCallbacks({ since: T0 + 2, until: T0 + 4 })), ['evt_c', 'evt_b'], 'since is inclusive, until exclusive');
      t.same(ids(await store.listCallbacks({ corpId: 'wwcorp1', state: 'pending', type: 'external_*' })), ['evt_e', 'evt_c'], 'filters combine');
    });

    // ── Claims ──────────────────────────────────────────────────────────────────────────────────────

    t.test('claimCallbacks leases the oldest due callbacks, up to limit', async (t) => {
      const store = await open(t);
      await store.putCallback(callback('evt_2', { receivedAt: T0 + 2 }));
      await store.putCallback(callback('evt_1', { receivedAt: T0 + 1 }));
      await store.putCallback(callback('evt_3', { receivedAt: T0 + 3 }));
      await store.putCallback(callback('evt_future', { receivedAt: T0 + 5000 }));

      const claimed = await store.claimCallbacks({ owner: 'A', limit: 2, leaseMs: 1000, now: T0 + 10 });
      t.same(ids(claimed), ['evt_1', 'evt_2'], 'oldest first, limit respected');
      t.match(claimed[0], { leaseOwner: 'A', leaseUntil: T0 + 1010, attempts: 1, state: 'pending' }, 'leased to the owner, attempt counted');
      t.match(await store.getCallback('evt_1'), { leaseOwner: 'A', leaseUntil: T0 + 1010, attempts: 1 }, 'the lease is stored');

      t.same(ids(await store.claimCallbacks({ owner: 'B', limit: 10, leaseMs: 1000, now: T0 + 20 })), ['evt_3'],
        'leased callbacks and callbacks not yet due are not claimable');
      t.same(await store.claimCallbacks({ owner: 'B', limit: 10, leaseMs: 1000, now: T0 + 1009 }), [], 'nothing before the lease expires');

      const again = await store.claimCallbacks({ owner: 'B', limit: 10, leaseMs: 10_000, now: T0 + 1010 });
      t.same(ids(again), ['evt_1', 'evt_2'], 'an expired lease is claimable again');
      t.match(again[0], { leaseOwner: 'B', attempts: 2 }, 'by the new owner, counting another attempt');

      t.same(ids(await store.claimCallbacks({ owner: 'C', limit: 10, leaseMs: 1000, now: T0 + 5000 })), ['evt_3', 'evt_future'],
        'a callback is due at its nextAttemptAt (and evt_3\'s lease has lapsed)');
    });

    t.test('completeCallback stores the event, finishes the callback and creates deliveries once', async (t) => {
      const store = await open(t);
      const cb = callback('evt_1');
      await store.putCallback(cb);
      await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
      const event = envelope(cb);

      t.equal(await store.completeCallback('evt_1', 'B', { event, targets: ['hook'], now: T0 + 5 }), false, 'a non-owner is ignored');
      t.equal((await store.listDeliveries()).length, 0, 'and creates nothing');

      t.equal(await store.completeCallback('evt_1', 'A', { event, targets: ['hook', 'bot'], now: T0 + 5 }), true, 'the owner completes');
      const done = await store.getCallback('evt_1');
      t.match(done, { state: 'done', processedAt: T0 + 5, leaseOwner: null, leaseUntil: null }, 'done, lease cleared');
      t.same(done?.event, event, 'the event is stored as given');

      const deliveries = await store.listDeliveries();
      t.same(new Set(ids(deliveries)), new Set(['evt_1:hook', 'evt_1:bot']), 'one delivery per target, id eventId:target');
      const hook = await store.getDelivery('evt_1:hook');
      t.match(hook, {
        eventId: 'evt_1', target: 'hook', eventType: 'external_contact.add', state: 'pending', attempts: 0, replays: 0,
        nextAttemptAt: T0 + 5, leaseOwner: null, leaseUntil: null, lastStatus: null, lastResponse: null, lastError: null,
        createdAt: T0 + 5, deliveredAt: null,
      }, 'pending and due at once');
      t.same(hook?.event, event, 'the delivery carries the event');

      t.equal(await store.completeCallback('evt_1', 'A', { event, targets: ['hook', 'bot'], now: T0 + 6 }), false, 'a second complete is ignored');
      t.equal((await store.listDeliveries()).length, 2, 'no delivery is duplicated');
    });

    t.test('completeCallback fills a missing corpId from the event, and never overwrites one', async (t) => {
      const store = await open(t);
      const unknown = callback('evt_nocorp', { corpId: null });
      const known = callback('evt_corp', { corpId: 'wwkept' });
      await store.putCallback(unknown);
      await store.putCallback(known);
      await store.claimCallbacks({ owner: 'A', limit: 2, leaseMs: 1000, now: T0 });
      const withCorp = (cb: NewCallback) => ({ ...envelope(cb), source: { ...envelope(cb).source, corpId: 'wwlearned' } });
      await store.completeCallback('evt_nocorp', 'A', { event: withCorp(unknown), targets: [], now: T0 + 1 });
      await store.completeCallback('evt_corp', 'A', { event: withCorp(known), targets: [], now: T0 + 1 });
      t.equal((await store.getCallback('evt_nocorp'))?.corpId, 'wwlearned', 'the corp learned while processing is recorded');
      t.equal((await store.getCallback('evt_corp'))?.corpId, 'wwkept', 'a corp the callback named is kept');
      t.same(ids(await store.listCallbacks({ corpId: 'wwlearned' })), ['evt_nocorp'], 'and it can be listed by that corp');
    });

    t.test('a complete after losing the lease is ignored', async (t) => {
      const store = await open(t);
      const cb = callback('evt_1');
      await store.putCallback(cb);
      await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 100, now: T0 });
      await store.claimCallbacks({ owner: 'B', limit: 1, leaseMs: 100, now: T0 + 100 });
      t.equal(await store.completeCallback('evt_1', 'A', { event: envelope(cb), targets: ['hook'], now: T0 + 101 }), false, 'A lost the lease to B');
      t.equal(await store.completeCallback('evt_1', 'B', { event: envelope(cb), targets: ['hook'], now: T0 + 102 }), true, 'B holds it');
    });

    t.test('re-completing a requeued callback leaves existing deliveries as they are', async (t) => {
      const store = await open(t);
      const cb = callback('evt_1');
      await deliver(store, cb, ['hook']);
      const [d] = await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 });
      await store.recordAttempt(d!.id, 'W', { state: 'delivered', countAttempt: true, status: 200, now: T0 + 1 });

      t.equal(await store.requeueCallbacks(['evt_1'], T0 + 2), 1, 'requeued');
      const [again] = await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 + 2 });
      t.equal(again?.id, 'evt_1', 'claimable again');
      t.equal(await store.completeCallback('evt_1', 'A', { event: envelope(cb), targets: ['hook', 'bot'], now: T0 + 3 }), true, 'completed again');
      t.match(await store.getDelivery('evt_1:hook'), { state: 'delivered', attempts: 1, deliveredAt: T0 + 1 }, 'the existing delivery is untouched');
      t.match(await store.getDelivery('evt_1:bot'), { state: 'pending', createdAt: T0 + 3 }, 'the new target gets one');
    });

    t.test('deferCallback, failCallback and requeueCallbacks', async (t) => {
      const store = await open(t);
      await store.putCallback(callback('evt_1'));
      await store.putCallback(callback('evt_2', { receivedAt: T0 + 1 }));
      await store.claimCallbacks({ owner: 'A', limit: 2, leaseMs: 1000, now: T0 + 1 });

      t.equal(await store.deferCallback('evt_1', 'B', { nextAttemptAt: T0 + 500, error: 'x', now: T0 + 2 }), false, 'defer needs the lease');
      t.equal(await store.deferCallback('evt_1', 'A', { nextAttemptAt: T0 + 500, error: 'token expired', now: T0 + 2 }), true, 'the owner defers');
      t.match(await store.getCallback('evt_1'), { state: 'pending', nextAttemptAt: T0 + 500, lastError: 'token expired', leaseOwner: null, leaseUntil: null },
        'deferred: pending later, error recorded, lease cleared');
      t.same(await store.claimCallbacks({ owner: 'B', limit: 5, leaseMs: 1000, now: T0 + 499 }), [], 'not claimable before nextAttemptAt');
      t.same(ids(await store.claimCallbacks({ owner: 'B', limit: 5, leaseMs: 100_000, now: T0 + 500 })), ['evt_1'], 'claimable at nextAttemptAt');

      t.equal(await store.failCallback('evt_2', 'B', 'nope', T0 + 3), false, 'fail needs the lease');
      t.equal(await store.failCallback('evt_2', 'A', 'unparseable', T0 + 3), true, 'the owner fails it');
      t.match(await store.getCallback('evt_2'), { state: 'failed', lastError: 'unparseable', leaseOwner: null }, 'failed with its error');
      t.same(await store.claimCallbacks({ owner: 'C', limit: 5, leaseMs: 1000, now: T0 + 10_000 }), [], 'a failed callback is not claimed');
      t.same(ids(await store.listCallbacks({ state: 'failed' })), ['evt_2'], 'but it is listed');

      t.equal(await store.requeueCallbacks(['evt_2', 'evt_missing'], T0 + 20_000), 1, 'requeue counts what it requeued');
      t.match(await store.getCallback('evt_2'), { state: 'pending', nextAttemptAt: T0 + 20_000, leaseOwner: null }, 'pending and due now');
      t.same(ids(await store.claimCallbacks({ owner: 'C', limit: 5, leaseMs: 1000, now: T0 + 20_000 })), ['evt_2'], 'and claimable');
      t.equal(await store.requeueCallbacks([], T0), 0, 'an empty requeue is a no-op');
    });

    // ── Deliveries ──────────────────────────────────────────────────────────────────────────────────

    t.test('claimDeliveries claims per target, oldest due first, with the event', async (t) => {
      const store = await open(t);
      const first = callback('evt_1', { receivedAt: T0 + 1 });
      const second = callback('evt_2', { receivedAt: T0 + 2 });
      await deliver(store, second, ['hook', 'bot'], T0 + 20);
      await deliver(store, first, ['hook', 'bot'], T0 + 10);

      t.same(ids(await store.claimDeliveries({ target: 'bot', owner: 'Y', limit: 10, leaseMs: 1, now: T0 + 15 })), ['evt_1:bot'],
        'only deliveries due by now (a delivery is due from its creation)');
      const claimed = await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 30 });
      t.same(ids(claimed), ['evt_1:hook'], 'the oldest due delivery of that target, limit respected');
      t.match(claimed[0], { leaseOwner: 'W', leaseUntil: T0 + 1030, attempts: 0, target: 'hook' }, 'leased, no attempt counted yet');
      t.same(claimed[0]?.event, envelope(first), 'with its event');

      t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 10, leaseMs: 10_000, now: T0 + 30 })), ['evt_2:hook'],
        'a leased delivery is skipped');
      t.same(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 10, leaseMs: 1000, now: T0 + 1029 }), [], 'until its lease expires');
      t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 10, leaseMs: 1000, now: T0 + 1030 })), ['evt_1:hook'],
        'then it is claimable again');
      t.same(ids(await store.claimDeliveries({ target: 'bot', owner: 'X', limit: 10, leaseMs: 1000, now: T0 + 30 })), ['evt_1:bot', 'evt_2:bot'],
        'other targets are separate queues');
      t.same(await store.claimDeliveries({ target: 'nobody', owner: 'X', limit: 10, leaseMs: 1000, now: T0 + 30 }), [], 'an unknown target has none');
    });

    t.test('recordAttempt counts attempts, schedules retries and finishes deliveries', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_1'), ['hook', 'bot', 'sink']);
      const claim = (target: string, now: number) => store.claimDeliveries({ target, owner: 'W', limit: 1, leaseMs: 1000, now });

      await claim('hook', T0);
      const body = 'x'.repeat(10_000);
      t.equal(await store.recordAttempt('evt_1:hook', 'V', { state: 'pending', countAttempt: true, now: T0 + 1 }), false, 'a non-owner is ignored');
      t.equal(await store.recordAttempt('evt_1:hook', 'W', { state: 'pending', countAttempt: true, nextAttemptAt: T0 + 60_000, status: 503, response: body, error: 'HTTP 503', now: T0 + 1 }),
        true, 'the owner records a failed attempt');
      const retried = await store.getDelivery('evt_1:hook');
      t.match(retried, { state: 'pending', attempts: 1, nextAttemptAt: T0 + 60_000, lastStatus: 503, lastError: 'HTTP 503', updatedAt: T0 + 1, leaseOwner: null, leaseUntil: null },
        'attempt counted, retry scheduled, lease cleared');
      t.ok(retried?.lastResponse && retried.lastResponse.length <= 2000 && body.startsWith(retried.lastResponse), 'the response is kept truncated');
      t.equal(await store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, now: T0 + 2 }), false, 'a second record without a claim is ignored');
      t.same(await claim('hook', T0 + 59_999), [], 'not claimable before the retry time');

      await claim('hook', T0 + 60_000);
      await store.recordAttempt('evt_1:hook', 'W', { state: 'pending', countAttempt: false, nextAttemptAt: T0 + 61_000, status: 429, now: T0 + 60_001 });
      t.match(await store.getDelivery('evt_1:hook'), { attempts: 1, lastStatus: 429, nextAttemptAt: T0 + 61_000 }, 'a rate-limit pause is not counted');

      await claim('hook', T0 + 61_000);
      await store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, status: 200, response: 'ok', now: T0 + 61_001 });
      t.match(await store.getDelivery('evt_1:hook'), { state: 'delivered', attempts: 2, deliveredAt: T0 + 61_001, lastStatus: 200, lastResponse: 'ok', lastError: null },
        'delivered');
      t.same(await claim('hook', T0 + 100_000), [], 'a delivered delivery is never claimed');

      await claim('bot', T0);
      await store.recordAttempt('evt_1:bot', 'W', { state: 'dead', countAttempt: true, status: 400, response: 'bad', error: 'HTTP 400', now: T0 + 5 });
      t.match(await store.getDelivery('evt_1:bot'), { state: 'dead', attempts: 1, lastStatus: 400, deliveredAt: null }, 'dead');
      t.same(await claim('bot', T0 + 100_000), [], 'a dead delivery is never claimed');

      await claim('sink', T0);
      await store.recordAttempt('evt_1:sink', 'W', { state: 'pending', countAttempt: true, status: null, error: 'ECONNRESET', now: T0 + 5 });
      t.match(await store.getDelivery('evt_1:sink'), { lastStatus: null, lastError: 'ECONNRESET', nextAttemptAt: T0 + 5 },
        'a network error has no status; without nextAttemptAt it is due now');
    });

    t.test('releaseDelivery gives a claim back untouched', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_1'), ['hook']);
      await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 1, leaseMs: 1000, now: T0 });
      t.equal(await store.releaseDelivery('evt_1:hook', 'V'), false, 'a non-owner cannot release');
      t.equal(await store.releaseDelivery('evt_1:hook', 'W'), true, 'the owner releases');
      t.match(await store.getDelivery('evt_1:hook'), { leaseOwner: null, leaseUntil: null, attempts: 0, state: 'pending' }, 'no attempt counted');
      t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'V', limit: 1, leaseMs: 1000, now: T0 })), ['evt_1:hook'], 'claimable at once');
    });

    t.test('getDelivery and listDeliveries', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_1', { receivedAt: T0 + 1 }), ['hook', 'bot'], T0 + 10);
      await deliver(store, callback('evt_2', { receivedAt: T0 + 2 }), ['hook'], T0 + 20);
      await store.claimDeliveries({ target: 'bot', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 30 });
      await store.recordAttempt('evt_1:bot', 'W', { state: 'dead', countAttempt: true, status: 404, now: T0 + 31 });

      t.equal(await store.getDelivery('evt_9:hook'), undefined, 'an unknown id is undefined');
      t.same(ids(await store.listDeliveries()).slice(0, 1), ['evt_2:hook'], 'newest first');
      t.equal((await store.listDeliveries()).length, 3, 'all listed');
      t.equal((await store.listDeliveries({ limit: 1 })).length, 1, 'limit');
      t.same(new Set(ids(await store.listDeliveries({ target: 'hook' }))), new Set(['evt_1:hook', 'evt_2:hook']), 'by target');
      t.same(ids(await store.listDeliveries({ state: 'dead' })), ['evt_1:bot'], 'by state');
      t.same(new Set(ids(await store.listDeliveries({ eventId: 'evt_1' }))), new Set(['evt_1:hook', 'evt_1:bot']), 'by event');
      t.same(ids(await store.listDeliveries({ since: T0 + 11, until: T0 + 21 })), ['evt_2:hook'], 'by creation time');
      t.same(ids(await store.listDeliveries({ target: 'hook', state: 'pending', eventId: 'evt_2' })), ['evt_2:hook'], 'filters combine');
      const listed = await store.listDeliveries({ eventId: 'evt_2' });
      t.equal(listed[0]?.event.id, 'evt_2', 'listed deliveries carry their event');
    });

    t.test('replayDeliveries by ids gives a fresh retry budget', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_1'), ['hook', 'bot']);
      for (const target of ['hook', 'bot']) {
        await store.claimDeliveries({ target, owner: 'W', limit: 1, leaseMs: 1000, now: T0 });
        await store.recordAttempt(`evt_1:${target}`, 'W', { state: 'dead', countAttempt: true, status: 400, error: 'HTTP 400', now: T0 + 1 });
      }
      t.equal(await store.replayDeliveries({ ids: ['evt_1:hook', 'evt_9:nope'] }, T0 + 100), 1, 'resolves how many were re-queued');
      t.match(await store.getDelivery('evt_1:hook'), { state: 'pending', attempts: 0, replays: 1, nextAttemptAt: T0 + 100, leaseOwner: null },
        'pending, due now, attempts reset, replays counted');
      t.match(await store.getDelivery('evt_1:bot'), { state: 'dead', replays: 0 }, 'others untouched');
      t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 5, leaseMs: 1000, now: T0 + 100 })), ['evt_1:hook'], 'claimable');
      t.equal(await store.replayDeliveries({ ids: [] }, T0 + 100), 0, 'an empty id list replays nothing');
    });

    t.test('replayDeliveries by target, state and time range', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_1', { receivedAt: T0 + 1 }), ['hook', 'bot'], T0 + 10);
      await deliver(store, callback('evt_2', { receivedAt: T0 + 2 }), ['hook'], T0 + 20);
      await deliver(store, callback('evt_3', { receivedAt: T0 + 3 }), ['hook'], T0 + 30);
      const kill = async (id: string, target: string): Promise<void> => {
        const claimed = await store.claimDeliveries({ target, owner: 'W', limit: 10, leaseMs: 1000, now: T0 + 40 });
        for (const d of claimed) {
          await store.recordAttempt(d.id, 'W', d.id === id ? { state: 'dead', countAttempt: true, now: T0 + 41 } : { state: 'delivered', countAttempt: true, now: T0 + 41 });
        }
      };
      await kill('evt_1:hook', 'hook'); // evt_1:hook dead, evt_2:hook and evt_3:hook delivered
      await kill('evt_1:bot', 'bot'); // evt_1:bot dead

      t.equal(await store.replayDeliveries({ target: 'hook', state: 'dead' }, T0 + 50), 1, 'only the dead deliveries of that target');
      t.match(await store.getDelivery('evt_1:hook'), { state: 'pending', replays: 1 }, 'replayed');
      t.match(await store.getDelivery('evt_1:bot'), { state: 'dead', replays: 0 }, 'another target untouched');
      t.match(await store.getDelivery('evt_2:hook'), { state: 'delivered', replays: 0 }, 'another state untouched');

      t.equal(await store.replayDeliveries({ target: 'hook', since: T0 + 20, until: T0 + 30 }, T0 + 60), 1, 'by creation time, until exclusive');
      t.match(await store.getDelivery('evt_2:hook'), { state: 'pending', replays: 1, deliveredAt: null }, 'a delivered one can be re-sent');
      t.match(await store.getDelivery('evt_3:hook'), { state: 'delivered', replays: 0 }, 'outside the range untouched');
    });

    // ── Keyed state ─────────────────────────────────────────────────────────────────────────────────

    t.test('putKv and getKv round-trip values with versions', async (t) => {
      const store = await open(t);
      const value = { token: 'abc', expiresIn: 7200, nested: [1, { a: null }] };
      t.equal(await store.putKv('tokens', 'suite', value, { now: T0, version: 7 }), true, 'a put writes');
      t.same(await store.getKv('tokens', 'suite', T0), { value, version: 7, updatedAt: T0, expiresAt: null }, 'value, version and times');
      t.equal(await store.getKv('tokens', 'missing', T0), undefined, 'an absent key is undefined');
      t.equal(await store.getKv('other', 'suite', T0), undefined, 'namespaces are separate');
      await store.putKv('tokens', 'defaulted', 'v', { now: T0 + 5 });
      t.match(await store.getKv('tokens', 'defaulted', T0 + 5), { value: 'v', version: T0 + 5 }, 'the version defaults to now');
      await store.putKv('tokens', 'suite', 'replaced', { now: T0 + 1, version: 1 });
      t.match(await store.getKv('tokens', 'suite', T0 + 1), { value: 'replaced', version: 1 }, 'a plain put overwrites whatever the version');
    });

    t.test('putKv ifNewer is newer-wins', async (t) => {
      const store = await open(t);
      t.equal(await store.putKv('ticket', 's', 'v10', { version: 10, ifNewer: true, now: T0 }), true, 'writes when absent');
      t.equal(await store.putKv('ticket', 's', 'v9', { version: 9, ifNewer: true, now: T0 }), false, 'an older version does not overwrite');
      t.equal(await store.putKv('ticket', 's', 'v10b', { version: 10, ifNewer: true, now: T0 }), false, 'nor does an equal one');
      t.match(await store.getKv('ticket', 's', T0), { value: 'v10', version: 10 }, 'the stored value is unchanged');
      t.equal(await store.putKv('ticket', 's', 'v11', { version: 11, ifNewer: true, now: T0 }), true, 'a newer version overwrites');
      t.match(await store.getKv('ticket', 's', T0), { value: 'v11', version: 11 }, 'newer stored');
    });

    t.test('kv values expire after ttlMs', async (t) => {
      const store = await open(t);
      await store.putKv('cache', 'k', { n: 1 }, { ttlMs: 1000, now: T0, version: 5 });
      t.match(await store.getKv('cache', 'k', T0 + 999), { value: { n: 1 }, expiresAt: T0 + 1000 }, 'live before expiry');
      t.equal(await store.getKv('cache', 'k', T0 + 1000), undefined, 'gone at expiry');
      t.same(await store.listKv('cache', T0 + 1000), [], 'not listed once expired');
      t.equal(await store.putKv('cache', 'k', { n: 2 }, { version: 1, ifNewer: true, now: T0 + 1000 }), true, 'an expired value counts as absent for ifNewer');
      t.match(await store.getKv('cache', 'k', T0 + 1000), { value: { n: 2 }, version: 1, expiresAt: null }, 'replaced, without a ttl');
    });

    t.test('listKv lists the live values of a namespace', async (t) => {
      const store = await open(t);
      await store.putKv('corps', 'b', 2, { now: T0 });
      await store.putKv('corps', 'a', 1, { now: T0 });
      await store.putKv('corps', 'gone', 0, { now: T0, ttlMs: 10 });
      await store.putKv('other', 'c', 3, { now: T0 });
      const listed = await store.listKv<number>('corps', T0 + 10);
      t.same(listed.map((r) => [r.key, r.value]).sort(), [['a', 1], ['b', 2]], 'live values of that namespace only');
      t.same(await store.listKv('empty', T0), [], 'an empty namespace lists nothing');
    });

    t.test('deleteKv ifValue deletes only the expected value', async (t) => {
      const store = await open(t);
      await store.putKv('tokens', 'corp', { token: 't1', at: 1 }, { now: T0 });
      t.equal(await store.deleteKv('tokens', 'corp', { ifValue: { token: 't0', at: 1 } }), false, 'a different value is kept');
      t.ok(await store.getKv('tokens', 'corp', T0), 'still there');
      t.equal(await store.deleteKv('tokens', 'corp', { ifValue: { at: 1, token: 't1' } }), true, 'a deep-equal value (any key order) is deleted');
      t.equal(await store.getKv('tokens', 'corp', T0), undefined, 'gone');
      await store.putKv('tokens', 'corp', 'x', { now: T0 });
      t.equal(await store.deleteKv('tokens', 'corp'), true, 'an unconditional delete');
      t.equal(await store.deleteKv('tokens', 'corp'), false, 'nothing left to delete');
    });

    t.test('takeKv takes a value once', async (t) => {
      const store = await open(t);
      await store.putKv('install', 'state1', { redirect: '/ok' }, { now: T0, ttlMs: 600_000 });
      const takes = await Promise.all([store.takeKv('install', 'state1', T0 + 1), store.takeKv('install', 'state1', T0 + 1)]);
      t.equal(takes.filter((r) => r !== undefined).length, 1, 'two concurrent takes: exactly one gets the value');
      t.same(takes.find((r) => r !== undefined)?.value, { redirect: '/ok' }, 'the value');
      t.equal(await store.takeKv('install', 'state1', T0 + 2), undefined, 'a later take gets nothing');
      await store.putKv('install', 'state2', 'v', { now: T0, ttlMs: 10 });
      t.equal(await store.takeKv('install', 'state2', T0 + 10), undefined, 'an expired value cannot be taken');
    });

    // ── Coordination ────────────────────────────────────────────────────────────────────────────────

    t.test('acquireLock is exclusive until release', async (t) => {
      const store = await open(t);
      const token = await store.acquireLock('refresh:suite', 60_000);
      t.type(token, 'string', 'the first acquire gets a token');
      t.equal(await store.acquireLock('refresh:suite', 60_000), undefined, 'a second acquire fails while held');
      t.type(await store.acquireLock('refresh:other', 60_000), 'string', 'other keys are independent');
      t.equal(await store.releaseLock('refresh:suite', 'not-the-token'), false, 'a wrong token does not release');
      t.equal(await store.releaseLock('refresh:suite', token!), true, 'the holder releases');
      const next = await store.acquireLock('refresh:suite', 60_000);
      t.type(next, 'string', 'acquirable after release');
      t.not(next, token, 'with a fresh token');
      t.equal(await store.releaseLock('refresh:suite', token!), false, 'a stale token cannot release the new holder');
    });

    t.test('an expired lock can be acquired again', async (t) => {
      const store = await open(t);
      t.type(await store.acquireLock('short', 1), 'string', 'held for 1 ms');
      let again: string | undefined;
      // acquireLock takes no `now`: poll real time briefly (bounded) until the 1 ms lease lapses.
      for (let i = 0; i < 200 && again === undefined; i++) {
        again = await store.acquireLock('short', 60_000);
        if (again === undefined) await delay(5);
      }
      t.type(again, 'string', 'acquired once expired');
    });

    t.test('takeRateSlot keeps a rolling window', async (t) => {
      const store = await open(t);
      const limit = { count: 3, intervalMs: 1000 };
      for (const at of [0, 10, 20]) t.same(await store.takeRateSlot('hook', limit, T0 + at), { ok: true }, `slot at +${at}`);
      t.same(await store.takeRateSlot('hook', limit, T0 + 30), { ok: false, retryInMs: 970 }, 'full: wait until the oldest leaves the window');
      t.same(await store.takeRateSlot('bot', limit, T0 + 30), { ok: true }, 'keys are independent');
      t.same(await store.takeRateSlot('hook', limit, T0 + 999), { ok: false, retryInMs: 1 }, 'still full just before');
      t.same(await store.takeRateSlot('hook', limit, T0 + 1000), { ok: true }, 'the window is (now - interval, now]');
      const slot = await store.takeRateSlot('hook', limit, T0 + 1001);
      t.same(slot, { ok: false, retryInMs: 9 }, 'full again until +10 leaves');
    });

    t.test('concurrent takeRateSlot calls never exceed the limit', async (t) => {
      const store = await open(t);
      const slots = await Promise.all(Array.from({ length: 10 }, () => store.takeRateSlot('hook', { count: 3, intervalMs: 60_000 }, T0)));
      t.equal(slots.filter((s) => s.ok).length, 3, 'exactly count slots granted');
      for (const s of slots) if (!s.ok) t.ok(s.retryInMs > 0 && s.retryInMs <= 60_000, 'a positive wait within one interval');
    });

    // ── Operations ──────────────────────────────────────────────────────────────────────────────────

    t.test('stats counts callbacks and deliveries', async (t) => {
      const store = await open(t);
      t.same(await store.stats(T0), { callbacks: { pending: 0, failed: 0, done: 0, oldestPendingAt: null }, deliveries: {} }, 'an empty store');
      await deliver(store, callback('evt_1', { receivedAt: T0 + 1 }), ['hook', 'bot'], T0 + 10);
      await store.putCallback(callback('evt_2', { receivedAt: T0 + 2 }));
      await store.putCallback(callback('evt_3', { receivedAt: T0 + 3 }));
      await store.putCallback(callback('evt_4', { receivedAt: T0 + 4 }));
      await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 + 20 });
      await store.failCallback('evt_2', 'A', 'x', T0 + 21);
      await store.claimDeliveries({ target: 'bot', owner: 'W', limit: 1, leaseMs: 1000, now: T0 + 20 });
      await store.recordAttempt('evt_1:bot', 'W', { state: 'delivered', countAttempt: true, now: T0 + 21 });

      const stats = await store.stats(T0 + 30);
      t.same(stats.callbacks, { pending: 2, failed: 1, done: 1, oldestPendingAt: T0 + 3 }, 'callbacks by state, oldest pending by receivedAt');
      t.same(stats.deliveries, {
        hook: { pending: 1, delivered: 0, dead: 0, oldestPendingAt: T0 + 10 },
        bot: { pending: 0, delivered: 1, dead: 0, oldestPendingAt: null },
      }, 'deliveries by target and state');
    });

    t.test('prune removes delivered work and keeps pending, failed and dead work', async (t) => {
      const store = await open(t);
      await deliver(store, callback('evt_old', { receivedAt: T0 + 1 }), ['hook'], T0 + 10);
      await deliver(store, callback('evt_mixed', { receivedAt: T0 + 2 }), ['hook', 'bot'], T0 + 10);
      await deliver(store, callback('evt_recent', { receivedAt: T0 + 3 }), ['hook'], T0 + 10);
      await store.putCallback(callback('evt_pending', { receivedAt: T0 + 4 }));
      await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 10, leaseMs: 1000, now: T0 + 20 });
      await store.recordAttempt('evt_old:hook', 'W', { state: 'delivered', countAttempt: true, now: T0 + 21 });
      await store.recordAttempt('evt_mixed:hook', 'W', { state: 'delivered', countAttempt: true, now: T0 + 21 });
      await store.recordAttempt('evt_recent:hook', 'W', { state: 'delivered', countAttempt: true, now: T0 + 500 });
      await store.claimDeliveries({ target: 'bot', owner: 'W', limit: 10, leaseMs: 1000, now: T0 + 20 });
      await store.recordAttempt('evt_mixed:bot', 'W', { state: 'dead', countAttempt: true, now: T0 + 21 });

      t.ok((await store.prune(T0 + 100)) > 0, 'resolves a positive count');
      t.equal(await store.getDelivery('evt_old:hook'), undefined, 'an old delivered delivery is pruned');
      t.equal(await store.getCallback('evt_old'), undefined, 'with its callback, all of whose deliveries are gone');
      t.equal(await store.getDelivery('evt_mixed:hook'), undefined, 'a delivered delivery of a mixed event is pruned');
      t.match(await store.getDelivery('evt_mixed:bot'), { state: 'dead' }, 'a dead delivery is kept');
      t.match(await store.getCallback('evt_mixed'), { state: 'done' }, 'its callback is kept for replays');
      t.match(await store.getDelivery('evt_recent:hook'), { state: 'delivered' }, 'a recent delivery is kept');
      t.ok(await store.getCallback('evt_recent'), 'with its callback');
      t.match(await store.getCallback('evt_pending'), { state: 'pending' }, 'a pending callback is kept');
      t.same((await store.replayDeliveries({ ids: ['evt_mixed:bot'] }, T0 + 200)), 1, 'a kept dead delivery can still be replayed');
      t.same((await store.getDelivery('evt_mixed:bot'))?.event.id, 'evt_mixed', 'and still carries its event');
    });

    t.test('onChange fires after a put and after deliveries are created', async (t) => {
      const store = await open(t);
      let calls = 0;
      const off = store.onChange(() => calls++);
      await store.putCallback(callback('evt_1'));
      t.ok(calls >= 1, 'called after a put');
      const afterPut = calls;
      await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
      await store.completeCallback('evt_1', 'A', { event: envelope(callback('evt_1')), targets: ['hook'], now: T0 });
      t.ok(calls > afterPut, 'called after deliveries are created');
      off();
      const before = calls;
      await store.putCallback(callback('evt_2'));
      t.equal(calls, before, 'not called once unsubscribed');
      store.onChange(() => {
        throw new Error('a broken listener');
      });
      t.same(await store.putCallback(callback('evt_3')), { inserted: true }, 'a throwing listener does not fail the write');
    });

    t.test('ping answers while open; close ends the store', async (t) => {
      const store = await makeStore();
      t.teardown(() => cleanup?.(store));
      await t.resolves(store.ping(), 'ping resolves');
      await store.close();
      await t.rejects(store.ping(), 'ping rejects once closed');
    });
  });
}
