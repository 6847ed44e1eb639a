import type { Test } from 'tap';
import type { ContractContext } from './contract-context.js';
import type { Store } from '../../src/store/store.js';

/** The attempts log of the `DeliveryQueue` (`listAttempts`, `listEventAttempts`), part of the store contract (see `contract.ts`). */
export function attemptsLogContract(t: Test, c: ContractContext): void {
  const { T0, open, callback, deliver } = c;
  const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
  const claim = (store: Store, target: string, now: number, owner = 'W') => store.claimDeliveries({ target, owner, limit: 10, leaseMs: 1000, now });

  t.test('every recorded outcome is logged, oldest first, with its status, time, duration and a bounded excerpt', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_1'), ['hook', 'bot']);
    t.same(await store.listAttempts('evt_1:hook'), [], 'no attempt yet: an empty log');
    t.same(await store.listAttempts('evt_9:nope'), [], 'an unknown delivery has an empty log');

    await claim(store, 'hook', T0);
    t.equal(await store.recordAttempt('evt_1:hook', 'V', { state: 'pending', countAttempt: true, status: 500, now: T0 + 1 }), false, 'a non-owner is ignored');
    // Multi-byte text, quotes, a line separator and markup: the excerpt must stay whole characters and round-trip.
    const body = `{"errmsg":"\u2028</script>"}${'€'.repeat(5000)}`;
    await store.recordAttempt('evt_1:hook', 'W', {
      state: 'pending', countAttempt: true, nextAttemptAt: T0 + 1000, status: 503, response: body, error: 'HTTP 503: busy', durationMs: 42, now: T0 + 10,
    });
    await claim(store, 'hook', T0 + 1000);
    await store.recordAttempt('evt_1:hook', 'W', { state: 'pending', countAttempt: false, nextAttemptAt: T0 + 2000, status: 429, error: 'rate limited', now: T0 + 1001 });
    await claim(store, 'hook', T0 + 2000);
    await store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, status: 200, response: 'ok', durationMs: 7.4, now: T0 + 2002 });

    const log = await store.listAttempts('evt_1:hook');
    t.same(log.map((a) => a.seq), [1, 2, 3], 'three entries, numbered in order (the non-owner\'s outcome is not one)');
    t.same(log[0], {
      deliveryId: 'evt_1:hook', seq: 1, replay: 0, at: T0 + 10, state: 'pending', counted: true, status: 503, durationMs: 42,
      response: log[0]?.response, error: 'HTTP 503: busy',
    }, 'the failed attempt: status, time, duration, reason');
    const excerpt = log[0]?.response ?? '';
    t.ok(bytes(excerpt) <= 512 && bytes(excerpt) > 500, `the excerpt is bounded to 512 bytes of UTF-8 (${bytes(excerpt)})`);
    t.ok(body.startsWith(excerpt) && !excerpt.includes('\uFFFD'), 'a prefix of the body, cut between characters');
    t.match(log[1], { seq: 2, state: 'pending', counted: false, status: 429, response: null, durationMs: null, error: 'rate limited' },
      'a rate-limit pause is logged, marked uncounted');
    t.match(log[2], { seq: 3, state: 'delivered', counted: true, status: 200, response: 'ok', durationMs: 7, error: null, at: T0 + 2002 },
      'the delivered attempt last (duration in whole ms)');
    t.same(await store.listAttempts('evt_1:bot'), [], 'another delivery of the event has its own (empty) log');
    t.match(await store.getDelivery('evt_1:hook'), { lastStatus: 200, lastResponse: 'ok', attempts: 2 }, 'the last attempt on the delivery is as before');
  });

  t.test('a replay appends further attempts after the earlier ones', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_1'), ['hook']);
    await claim(store, 'hook', T0);
    await store.recordAttempt('evt_1:hook', 'W', { state: 'dead', countAttempt: true, status: 400, response: 'bad', error: 'HTTP 400: bad', now: T0 + 1 });
    await store.replayDeliveries({ ids: ['evt_1:hook'] }, T0 + 100);
    await claim(store, 'hook', T0 + 100);
    await store.recordAttempts([{ id: 'evt_1:hook', owner: 'W', outcome: { state: 'delivered', countAttempt: true, status: 204, now: T0 + 101 } }]);
    await store.replayDeliveries({ ids: ['evt_1:hook'] }, T0 + 200);
    await claim(store, 'hook', T0 + 200);
    await store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, status: 200, now: T0 + 201 });

    const log = await store.listAttempts('evt_1:hook');
    t.same(log.map((a) => [a.seq, a.replay, a.state, a.status]), [[1, 0, 'dead', 400], [2, 1, 'delivered', 204], [3, 2, 'delivered', 200]],
      'the failed attempt, then each replay\'s attempt after it, numbered on (the retry budget restarts, the log does not)');
    t.match(await store.getDelivery('evt_1:hook'), { attempts: 1, replays: 2 }, 'the delivery counts attempts since the last replay');
  });

  t.test('listEventAttempts reads every delivery\'s log of one event, by delivery then oldest first', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_1'), ['hook', 'bot']);
    await deliver(store, callback('evt_2'), ['hook']);
    const fail = (id: string, now: number) => ({ id, owner: 'W', outcome: { state: 'pending' as const, countAttempt: true, nextAttemptAt: now + 1, status: 502, now } });
    for (const now of [T0, T0 + 10]) {
      await claim(store, 'hook', now);
      await claim(store, 'bot', now);
      await store.recordAttempts([fail('evt_1:hook', now + 1), fail('evt_2:hook', now + 1), fail('evt_1:bot', now + 2)]);
    }
    const log = await store.listEventAttempts('evt_1');
    t.same(log.map((a) => [a.deliveryId, a.seq, a.at]), [
      ['evt_1:bot', 1, T0 + 2], ['evt_1:bot', 2, T0 + 12], ['evt_1:hook', 1, T0 + 1], ['evt_1:hook', 2, T0 + 11],
    ], 'both deliveries of evt_1, not evt_2\'s');
    t.same(await store.listEventAttempts('evt_9'), [], 'an unknown event has none');
  });

  t.test('the log keeps the last attemptsPerDelivery entries', async (t) => {
    const store = await open(t, { attemptsPerDelivery: 3 });
    await deliver(store, callback('evt_1'), ['hook', 'bot']);
    for (let i = 0; i < 5; i++) {
      await claim(store, 'hook', T0 + i * 10);
      await store.recordAttempt('evt_1:hook', 'W', { state: 'pending', countAttempt: true, nextAttemptAt: T0 + (i + 1) * 10, status: 500 + i, now: T0 + i * 10 + 1 });
    }
    await claim(store, 'bot', T0);
    await store.recordAttempt('evt_1:bot', 'W', { state: 'delivered', countAttempt: true, status: 200, now: T0 + 1 });
    t.same((await store.listAttempts('evt_1:hook')).map((a) => [a.seq, a.status]), [[3, 502], [4, 503], [5, 504]], 'the oldest two dropped, numbering kept');
    t.same((await store.listEventAttempts('evt_1')).map((a) => `${a.deliveryId}#${a.seq}`), ['evt_1:bot#1', 'evt_1:hook#3', 'evt_1:hook#4', 'evt_1:hook#5'],
      'the event view is bounded the same way');
    t.match(await store.getDelivery('evt_1:hook'), { attempts: 5 }, 'the delivery still counts every attempt');
  });

  t.test('prune deletes a delivery\'s log with the delivery; dead and recent work keeps its log', async (t) => {
    const store = await open(t);
    await deliver(store, callback('evt_old'), ['hook', 'bot']);
    await deliver(store, callback('evt_new', { receivedAt: T0 + 50 }), ['hook']);
    await claim(store, 'hook', T0 + 50);
    await claim(store, 'bot', T0 + 50);
    await store.recordAttempts([
      { id: 'evt_old:hook', owner: 'W', outcome: { state: 'delivered', countAttempt: true, status: 200, now: T0 + 51 } },
      { id: 'evt_old:bot', owner: 'W', outcome: { state: 'dead', countAttempt: true, status: 410, now: T0 + 51 } },
      { id: 'evt_new:hook', owner: 'W', outcome: { state: 'delivered', countAttempt: true, status: 200, now: T0 + 500 } },
    ]);
    await store.prune(T0 + 100);
    t.equal(await store.getDelivery('evt_old:hook'), undefined, 'the old delivered delivery is pruned');
    t.same(await store.listAttempts('evt_old:hook'), [], 'and its log with it');
    t.same((await store.listEventAttempts('evt_old')).map((a) => a.deliveryId), ['evt_old:bot'], 'the dead delivery keeps its log');
    t.equal((await store.listAttempts('evt_new:hook')).length, 1, 'a recent delivered one keeps its log');
  });

  t.test('the guard checks the new arguments', async (t) => {
    const store = await open(t);
    await t.rejects(store.listAttempts(''), TypeError, 'an empty delivery id');
    await t.rejects(store.listEventAttempts(42 as unknown as string), TypeError, 'a non-string event id');
    await t.rejects(store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, durationMs: -1, now: T0 }), TypeError,
      'a negative duration');
    await t.rejects(store.recordAttempt('evt_1:hook', 'W', { state: 'delivered', countAttempt: true, durationMs: '5' as unknown as number, now: T0 }), TypeError,
      'a non-number duration');
  });
}
