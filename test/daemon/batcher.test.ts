import t from 'tap';
import { Batcher } from '../../daemon/batcher.js';

t.test('an item pushed while idle is flushed at once, alone', async (t) => {
  const flushed: number[][] = [];
  const batcher = new Batcher<number, number>({ flush: async (items) => { flushed.push([...items]); return items.map((n) => n * 2); } });
  t.equal(await batcher.push(1), 2, 'the result of its own entry');
  t.same(flushed, [[1]], 'one flush of one item');
});

t.test('items pushed while a flush runs go together in the next one, each getting its own result', async (t) => {
  const flushed: number[][] = [];
  let release: () => void = () => {};
  const batcher = new Batcher<number, string>({
    flush: async (items) => {
      flushed.push([...items]);
      if (flushed.length === 1) await new Promise<void>((resolve) => { release = resolve; });
      return items.map((n) => `r${n}`);
    },
  });
  const first = batcher.push(0);
  await new Promise((resolve) => setImmediate(resolve));
  const rest = [1, 2, 3, 4].map((n) => batcher.push(n));
  release();
  t.same(await Promise.all([first, ...rest]), ['r0', 'r1', 'r2', 'r3', 'r4'], 'results in order');
  t.same(flushed, [[0], [1, 2, 3, 4]], 'two round trips for five items');
  t.equal(batcher.flushes, 2, 'counted');
});

t.test('items pushed in one turn of the event loop go in one flush, even when the queue of microtasks drained between them', async (t) => {
  const flushed: number[][] = [];
  // A synchronous store (SQLite) answers within the turn: a microtask-deferred flush would go alone.
  const batcher = new Batcher<number, boolean>({ flush: async (items) => { flushed.push([...items]); return items.map(() => true); } });
  const first = batcher.push(1);
  await new Promise<void>((resolve) => process.nextTick(resolve));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const second = batcher.push(2);
  t.same(await Promise.all([first, second]), [true, true], 'both taken');
  t.same(flushed, [[1, 2]], 'one flush for the turn');
});

t.test('a batch never exceeds maxBatch', async (t) => {
  const sizes: number[] = [];
  const batcher = new Batcher<number, boolean>({ maxBatch: 3, flush: async (items) => { sizes.push(items.length); return items.map(() => true); } });
  await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.push(i)));
  t.same(sizes, [3, 3, 1], 'split at three');
});

t.test('a failed flush rejects each of its items, and the next batch still goes', async (t) => {
  let calls = 0;
  const batcher = new Batcher<number, boolean>({
    maxBatch: 2,
    flush: async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('store down');
      return items.map(() => true);
    },
  });
  const results = await Promise.allSettled([batcher.push(1), batcher.push(2), batcher.push(3)]);
  t.same(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled'], 'the first batch rejected, the second taken');
  await batcher.settled();
});

t.test('maxBatch must be a positive integer', async (t) => {
  t.throws(() => new Batcher({ maxBatch: 0, flush: async () => [] }), TypeError, '0 is refused');
});
