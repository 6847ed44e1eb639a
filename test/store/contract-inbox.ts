import type { Test } from 'tap';
import type { NewCallback } from '../../src/store/store.js';
import type { WorkStore } from './contract-context.js';
import type { ContractContext } from './contract-context.js';

/** The `Inbox` part of the store contract (see `contract.ts`). */
export function inboxContract(t: Test, c: ContractContext): void {
  const { T0, open: openStore, callback, envelope, deliver, ids } = c;
  const open = (t: Test): Promise<WorkStore> => openStore(t);

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

  t.test('listCallbacks filters by app (the stored suiteId, SPEC §10)', async (t) => {
    const store = await open(t);
    await store.putCallback(callback('evt_s1', { receivedAt: T0 + 1, suiteId: 'wwCRMsuite' }));
    await store.putCallback(callback('evt_h1', { receivedAt: T0 + 2, suiteId: 'wwHRcontactEdit' }));
    await store.putCallback(callback('evt_s2', { receivedAt: T0 + 3, suiteId: 'wwCRMsuite' }));
    t.same(ids(await store.listCallbacks({ suiteId: 'wwCRMsuite' })), ['evt_s2', 'evt_s1'], 'one app\'s callbacks, newest first');
    t.same(ids(await store.listCallbacks({ suiteId: 'wwHRcontactEdit', limit: 5 })), ['evt_h1'], 'the other app');
    t.same(ids(await store.listCallbacks({ suiteId: 'wwnone' })), [], 'an app with none');
    t.same(ids(await store.listCallbacks({ suiteId: 'wwCRMsuite', limit: 1 })), ['evt_s2'], 'with a limit');
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

  t.test('completeCallback replaces the ingest-time type with the event\'s', async (t) => {
    const store = await open(t);
    const cb = callback('evt_typed', { type: 'change_external_contact' });
    await store.putCallback(cb);
    await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
    await store.completeCallback('evt_typed', 'A', { event: { ...envelope(cb), type: 'external_contact.add' }, targets: ['hook'], now: T0 + 1 });
    t.equal((await store.getCallback('evt_typed'))?.type, 'external_contact.add', 'the stored type is the normalized one');
    t.same(ids(await store.listCallbacks({ type: 'external_contact.*' })), ['evt_typed'], 'and listing by type finds it');
    t.same(ids(await store.listCallbacks({ type: 'change_external_contact' })), [], 'not under the ingest-time type');
    t.equal((await store.getDelivery('evt_typed:hook'))?.eventType, 'external_contact.add', 'its delivery carries the same type');
  });

  t.test('renewCallbackLeases keeps a lease while it is renewed', async (t) => {
    const store = await open(t);
    await store.putCallback(callback('evt_1'));
    await store.putCallback(callback('evt_2'));
    await store.claimCallbacks({ owner: 'A', limit: 2, leaseMs: 1000, now: T0 });
    t.same(await store.renewCallbackLeases(['evt_1', 'evt_2'], 'A', T0 + 1500, T0 + 500), ['evt_1', 'evt_2'], 'both renewed, in order');
    t.match(await store.getCallback('evt_1'), { leaseOwner: 'A', leaseUntil: T0 + 1500 }, 'the new lease is stored');
    t.same(await store.claimCallbacks({ owner: 'B', limit: 5, leaseMs: 1000, now: T0 + 1200 }), [], 'a renewed callback is not claimable by another owner');
    t.same(await store.renewCallbackLeases(['evt_1'], 'A', T0 + 2500, T0 + 1400), ['evt_1'], 'renewed again');
    t.same(ids(await store.claimCallbacks({ owner: 'B', limit: 5, leaseMs: 1000, now: T0 + 1500 })), ['evt_2'],
      'the one not renewed again becomes claimable when its lease runs out');
    t.equal(await store.completeCallback('evt_1', 'A', { event: envelope(callback('evt_1')), targets: [], now: T0 + 2000 }), true,
      'the holder of the renewed lease still finishes its work');
  });

  t.test('renewCallbackLeases leaves out leases that were lost', async (t) => {
    const store = await open(t);
    for (const id of ['evt_taken', 'evt_expired', 'evt_done', 'evt_mine']) await store.putCallback(callback(id));
    await store.claimCallbacks({ owner: 'A', limit: 4, leaseMs: 100, now: T0 });
    await store.renewCallbackLeases(['evt_taken', 'evt_done', 'evt_mine'], 'A', T0 + 1000, T0 + 50);
    // evt_expired ran out at +100 and B took it; evt_done was finished.
    t.same(ids(await store.claimCallbacks({ owner: 'B', limit: 5, leaseMs: 1000, now: T0 + 100 })), ['evt_expired'], 'B takes the lapsed one');
    await store.completeCallback('evt_done', 'A', { event: envelope(callback('evt_done')), targets: [], now: T0 + 101 });
    t.same(await store.renewCallbackLeases(['evt_expired', 'evt_done', 'evt_mine', 'evt_missing'], 'A', T0 + 2000, T0 + 200), ['evt_mine'],
      'only the lease A still holds is renewed (not one taken, finished or unknown)');
    t.same(await store.renewCallbackLeases(['evt_mine'], 'A', T0 + 3000, T0 + 2000), [], 'nor one that ran out at now');
    t.match(await store.getCallback('evt_expired'), { leaseOwner: 'B', leaseUntil: T0 + 1100 }, 'the new owner\'s lease is untouched');
    t.same(await store.renewCallbackLeases([], 'A', T0 + 3000, T0), [], 'an empty renewal is a no-op');
  });
}
