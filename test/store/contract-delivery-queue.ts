import type { Test } from 'tap';
import type { WorkStore } from './contract-context.js';
import type { ContractContext } from './contract-context.js';

/** The `DeliveryQueue` part of the store contract (see `contract.ts`). */
export function deliveryQueueContract(t: Test, c: ContractContext): void {
  const { T0, open: openStore, callback, envelope, deliver, ids } = c;
  const open = (t: Test): Promise<WorkStore> => openStore(t);

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

  t.test('renewDeliveryLeases keeps a delivery\'s lease while it is renewed, and not once lost', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_1'), ['hook']);
    await deliver(store, callback('evt_2'), ['hook']);
    await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 2, leaseMs: 1000, now: T0 });
    t.same(await store.renewDeliveryLeases(['evt_1:hook', 'evt_2:hook'], 'W', T0 + 1500, T0 + 500), ['evt_1:hook', 'evt_2:hook'], 'both renewed');
    t.match(await store.getDelivery('evt_1:hook'), { leaseOwner: 'W', leaseUntil: T0 + 1500 }, 'the new lease is stored');
    t.same(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 5, leaseMs: 1000, now: T0 + 1200 }), [],
      'a renewed delivery is not claimable by another owner');
    t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 1, leaseMs: 1000, now: T0 + 1500 })), ['evt_1:hook'],
      'claimable once the renewed lease runs out');
    t.same(await store.renewDeliveryLeases(['evt_1:hook', 'evt_2:hook', 'evt_9:hook'], 'W', T0 + 3000, T0 + 1400), ['evt_2:hook'],
      'W still holds evt_2:hook only');
    t.same(await store.renewDeliveryLeases(['evt_1:hook'], 'V', T0 + 3000, T0 + 1400), [], 'another owner renews nothing');
    await store.recordAttempt('evt_2:hook', 'W', { state: 'delivered', countAttempt: true, now: T0 + 1401 });
    t.same(await store.renewDeliveryLeases(['evt_2:hook'], 'W', T0 + 3000, T0 + 1402), [], 'nor is a finished delivery renewed');
  });

  t.test('recordAttempts records a batch in order, skipping a lost lease in the middle', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_1'), ['hook']);
    await deliver(store, callback('evt_2'), ['hook']);
    await deliver(store, callback('evt_3'), ['hook']);
    await store.claimDeliveries({ target: 'hook', owner: 'W', limit: 3, leaseMs: 100, now: T0 });
    // evt_2's lease lapses and another worker takes it.
    await store.renewDeliveryLeases(['evt_1:hook', 'evt_3:hook'], 'W', T0 + 1000, T0 + 50);
    t.same(ids(await store.claimDeliveries({ target: 'hook', owner: 'X', limit: 3, leaseMs: 1000, now: T0 + 100 })), ['evt_2:hook'], 'X takes evt_2');
    const results = await store.recordAttempts([
      { id: 'evt_1:hook', owner: 'W', outcome: { state: 'delivered', countAttempt: true, status: 200, now: T0 + 200 } },
      { id: 'evt_2:hook', owner: 'W', outcome: { state: 'delivered', countAttempt: true, status: 200, now: T0 + 200 } },
      { id: 'evt_3:hook', owner: 'W', outcome: { state: 'pending', countAttempt: true, status: 503, nextAttemptAt: T0 + 5000, error: 'HTTP 503', now: T0 + 200 } },
    ]);
    t.same(results, [true, false, true], 'one boolean per entry, in order: the lost lease is false');
    t.match(await store.getDelivery('evt_1:hook'), { state: 'delivered', attempts: 1, deliveredAt: T0 + 200, leaseOwner: null }, 'the first is delivered');
    t.match(await store.getDelivery('evt_2:hook'), { state: 'pending', attempts: 0, leaseOwner: 'X' }, 'the middle one is untouched, still X\'s');
    t.match(await store.getDelivery('evt_3:hook'), { state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: T0 + 5000, leaseOwner: null },
      'the last is scheduled for a retry');
    t.same(await store.recordAttempts([]), [], 'an empty batch records nothing');
  });
}
