import t from 'tap';
import { sharedPacing } from '../../daemon/delivery/target-worker.js';

t.test('shared pacing spaces sends evenly with a margin, so jitter cannot fit count+1 into one interval', async (t) => {
  const cases: Array<[{ count: number; intervalMs: number }, { count: number; intervalMs: number }, string]> = [
    [{ count: 5, intervalMs: 1000 }, { count: 1, intervalMs: 220 }, '5/s: one every 220 ms (1000 + 100 ms margin)'],
    [{ count: 1, intervalMs: 1000 }, { count: 1, intervalMs: 1100 }, 'Slack 1/s: one every 1.1 s'],
    [{ count: 18, intervalMs: 60_000 }, { count: 1, intervalMs: 3667 }, 'WeCom bot 18/min: 10 % margin'],
    [{ count: 1000, intervalMs: 1000 }, { count: 1, intervalMs: 2 }, '1000/s: one every 2 ms (1100/1000 rounded up)'],
    [{ count: 100_000, intervalMs: 1000 }, { count: 100, intervalMs: 1 }, 'above 1 per ms: the same rate over a 1 ms window'],
  ];
  for (const [limit, expected, message] of cases) t.same(sharedPacing(limit), expected, message);
  for (const [limit] of cases.slice(0, 4)) {
    const paced = sharedPacing(limit);
    t.ok(paced.intervalMs * limit.count > limit.intervalMs, `${limit.count}/${limit.intervalMs} ms: count sends span more than one interval`);
  }
});
