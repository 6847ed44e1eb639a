import t, { type Test } from 'tap';
import { SharedRateSlots } from '../../daemon/delivery/shared-rate-slots.js';
import { advance, clockOf, mockClockOf, settle } from '../daemon/helpers/mock-clock.js';

function setup(t: Test, grants: number[]) {
  const calls: Array<{ wanted: number; now: number }> = [];
  const store = {
    takeRateSlots: async (_key: string, _limit: unknown, wanted: number, now: number) => {
      calls.push({ wanted, now });
      const granted = Math.min(wanted, grants.shift() ?? wanted);
      return { granted, retryInMs: granted < wanted ? 200 : 0 };
    },
  };
  const slots = new SharedRateSlots({ store, key: 'target:x', limit: { count: 1, intervalMs: 200 }, clock: clockOf(mockClockOf(t)) });
  return { slots, calls };
}

t.test('the sends waiting for a slot ask together: one round trip for all of them', async (t) => {
  const { slots, calls } = setup(t, []);
  const taken = await Promise.all(Array.from({ length: 5 }, () => slots.take()));
  t.same(taken, [true, true, true, true, true], 'every send got a slot');
  t.same(calls.map((c) => c.wanted), [5], 'one call asking for five');
});

t.test('the takes of one turn of the event loop ask together, even when microtasks ran between them', async (t) => {
  const { slots, calls } = setup(t, []);
  const first = slots.take();
  await new Promise<void>((resolve) => process.nextTick(resolve));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const second = slots.take();
  t.same(await Promise.all([first, second]), [true, true], 'both got a slot');
  t.same(calls.map((c) => c.wanted), [2], 'one call asking for two');
});

t.test('when fewer are granted, the rest wait the answered retryInMs on the clock, first come first served', async (t) => {
  const { slots, calls } = setup(t, [2, 1, 5]);
  const order: number[] = [];
  const all = Array.from({ length: 4 }, (_, i) => slots.take().then((ok) => { if (ok) order.push(i); }));
  await settle();
  t.same(order, [0, 1], 'the first two are granted');
  await advance(mockClockOf(t), 199, 199);
  t.same(order, [0, 1], 'nothing more before retryInMs');
  await advance(mockClockOf(t), 1, 1);
  t.same(order, [0, 1, 2], 'the third after retryInMs');
  await advance(mockClockOf(t), 200, 200);
  await Promise.all(all);
  t.same(order, [0, 1, 2, 3], 'then the fourth');
  t.same(calls.map((c) => c.wanted), [4, 2, 1], 'each retry asks for those still waiting');
});

t.test('close ends every wait with false; a store failure rejects the waiting takes', async (t) => {
  const { slots } = setup(t, [0]);
  const waiting = slots.take();
  await settle();
  slots.close();
  t.equal(await waiting, false, 'a closed wait resolves false');
  t.equal(await slots.take(), false, 'and later takes too');
  const failing = new SharedRateSlots({
    store: { takeRateSlots: async () => { throw new Error('down'); } }, key: 'k', limit: { count: 1, intervalMs: 1 }, clock: clockOf(mockClockOf(t)),
  });
  await t.rejects(failing.take(), /down/, 'the store error reaches the send');
});
