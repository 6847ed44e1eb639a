import type { Test } from 'tap';
import type { Coordination } from '../../src/store/store.js';
import type { ContractContext } from './contract-context.js';

/** The `Coordination` part of the store contract (see `contract.ts`). */
export function coordinationContract(t: Test, c: ContractContext): void {
  const { T0, open: openStore } = c;
  const open = (t: Test): Promise<Coordination> => openStore(t);

  t.test('acquireLock is exclusive until release', async (t) => {
    const store = await open(t);
    const token = await store.acquireLock('refresh:suite', 60_000, T0);
    t.type(token, 'string', 'the first acquire gets a token');
    t.equal(await store.acquireLock('refresh:suite', 60_000, T0 + 1), undefined, 'a second acquire fails while held');
    t.type(await store.acquireLock('refresh:other', 60_000, T0 + 1), 'string', 'other keys are independent');
    t.equal(await store.releaseLock('refresh:suite', 'not-the-token'), false, 'a wrong token does not release');
    t.equal(await store.releaseLock('refresh:suite', token!), true, 'the holder releases');
    const next = await store.acquireLock('refresh:suite', 60_000, T0 + 2);
    t.type(next, 'string', 'acquirable after release');
    t.not(next, token, 'with a fresh token');
    t.equal(await store.releaseLock('refresh:suite', token!), false, 'a stale token cannot release the new holder');
  });

  t.test('a lock expires at now + ttlMs on the caller\'s clock', async (t) => {
    const store = await open(t);
    const first = await store.acquireLock('short', 1000, T0);
    t.type(first, 'string', 'held from T0 for 1 s');
    t.equal(await store.acquireLock('short', 1000, T0 + 999), undefined, 'still held 1 ms before expiry');
    const again = await store.acquireLock('short', 1000, T0 + 1000);
    t.type(again, 'string', 'free at expiry');
    t.equal(await store.releaseLock('short', first!), false, 'the expired holder can no longer release it');
  });

  t.test('renewLock extends a lock still held, and only that', async (t) => {
    const store = await open(t);
    const token = await store.acquireLock('refresh', 1000, T0);
    t.equal(await store.renewLock('refresh', token!, 1000, T0 + 900), true, 'the holder renews before expiry');
    t.equal(await store.acquireLock('refresh', 1000, T0 + 1500), undefined, 'so the lock is still held past the first expiry');
    t.equal(await store.renewLock('refresh', 'not-the-token', 1000, T0 + 1500), false, 'a wrong token does not renew');
    t.equal(await store.renewLock('refresh', token!, 1000, T0 + 1900), false, 'a lock that expired (at +1900) is lost, not renewed');
    const other = await store.acquireLock('refresh', 1000, T0 + 1900);
    t.type(other, 'string', 'another process takes it');
    t.equal(await store.renewLock('refresh', token!, 1000, T0 + 1901), false, 'and the old holder cannot renew it back');
    t.equal(await store.renewLock('missing', token!, 1000, T0), false, 'an absent lock is not renewed');
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

  t.test('takeRateSlots grants what fits in one step and says when the next slot frees', async (t) => {
    const store = await open(t);
    const limit = { count: 5, intervalMs: 1000 };
    t.same(await store.takeRateSlots('hook', limit, 3, T0), { granted: 3, retryInMs: 0 }, 'all 3 fit');
    t.same(await store.takeRateSlots('hook', limit, 3, T0 + 10), { granted: 2, retryInMs: 990 }, 'only 2 of 3: the oldest leaves at +1000');
    t.same(await store.takeRateSlots('hook', limit, 1, T0 + 20), { granted: 0, retryInMs: 980 }, 'none when full');
    t.same(await store.takeRateSlot('hook', limit, T0 + 20), { ok: false, retryInMs: 980 }, 'takeRateSlot sees the same window');
    t.same(await store.takeRateSlots('hook', limit, 4, T0 + 1000), { granted: 3, retryInMs: 10 }, 'the 3 slots of T0 freed; the next at +1010');
    t.same(await store.takeRateSlots('bot', limit, 9, T0), { granted: 5, retryInMs: 1000 }, 'more than count wanted: count granted, a window to wait');
  });

  t.test('concurrent takeRateSlots calls never grant more than the limit', async (t) => {
    const store = await open(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => store.takeRateSlots('hook', { count: 7, intervalMs: 60_000 }, 2, T0)));
    t.equal(results.reduce((sum, r) => sum + r.granted, 0), 7, 'exactly count slots granted in all');
    for (const r of results) if (r.granted < 2) t.ok(r.retryInMs > 0 && r.retryInMs <= 60_000, 'a short grant says how long to wait');
  });
}
