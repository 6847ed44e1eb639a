import type { Test } from 'tap';
import type { StoreChange } from '../../src/store/store.js';
import type { ContractContext } from './contract-context.js';

/** The operations (stats, prune, onChange, ping, close) of `Store` part of the store contract (see `contract.ts`). */
export function operationsContract(t: Test, c: ContractContext): void {
  const { T0, open, callback, envelope, deliver, openBare } = c;

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

  t.test('onChange tells what changed: a callback, or deliveries of one target', async (t) => {
    const store = await open(t);
    const changes: StoreChange[] = [];
    const off = store.onChange((change) => changes.push(change));
    const take = (): StoreChange[] => changes.splice(0);

    await store.putCallback(callback('evt_1'));
    t.same(take(), [{ kind: 'callback' }], 'a put wakes the consumer only');
    await store.putCallback(callback('evt_1'));
    t.same(take(), [], 'a duplicate put changes nothing and tells nothing');

    await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 });
    await store.completeCallback('evt_1', 'A', { event: envelope(callback('evt_1')), targets: ['hook', 'bot'], now: T0 });
    t.same(take().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [{ kind: 'delivery', target: 'bot' }, { kind: 'delivery', target: 'hook' }], 'new deliveries wake their targets, one change each');

    t.equal(await store.requeueCallbacks(['evt_1'], T0 + 1), 1, 'requeued');
    t.same(take(), [{ kind: 'callback' }], 'a requeue wakes the consumer');
    await store.claimCallbacks({ owner: 'A', limit: 1, leaseMs: 1000, now: T0 + 1 });
    await store.completeCallback('evt_1', 'A', { event: envelope(callback('evt_1')), targets: ['hook', 'sink'], now: T0 + 2 });
    t.same(take(), [{ kind: 'delivery', target: 'sink' }], 'a re-completion tells only the target that got a new delivery');

    await store.replayDeliveries({ ids: ['evt_1:hook', 'evt_1:sink'] }, T0 + 3);
    t.same(take().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [{ kind: 'delivery', target: 'hook' }, { kind: 'delivery', target: 'sink' }], 'a replay wakes each target replayed');
    await store.replayDeliveries({ ids: ['evt_9:none'] }, T0 + 3);
    t.same(take(), [], 'a replay of nothing tells nothing');

    off();
    await store.putCallback(callback('evt_2'));
    t.same(take(), [], 'not called once unsubscribed');
    store.onChange(() => {
      throw new Error('a broken listener');
    });
    t.same(await store.putCallback(callback('evt_3')), { inserted: true }, 'a throwing listener does not fail the write');
  });

  t.test('ping answers while open; close ends the store', async (t) => {
    const { store, cleanup } = await openBare();
    t.teardown(cleanup);
    await t.resolves(store.ping(), 'ping resolves');
    await store.close();
    await t.rejects(store.ping(), { code: 'ERR_STORE_UNAVAILABLE', message: /\(setting `store`\): the store is closed$/ }, 'ping rejects once closed, naming the setting');
    await t.rejects(store.putCallback(callback('evt_1')), { code: 'ERR_STORE_UNAVAILABLE' }, 'so does a put');
    await t.resolves(store.close(), 'close is idempotent');
  });
}
