import t from 'tap';
import { backoffMs, type BackoffOptions } from '../src/backoff.js';

t.test('backoffMs: base × factor^step, the step and the result capped', async (t) => {
  const table: ReadonlyArray<[string, number, BackoffOptions, number]> = [
    ['step 0 waits the base', 0, { baseMs: 500 }, 500],
    ['each step doubles', 3, { baseMs: 500 }, 4_000],
    ['a negative step counts as 0', -1, { baseMs: 1_000 }, 1_000],
    ['a fractional step is floored', 2.9, { baseMs: 100 }, 400],
    ['maxStep stops the growth', 5, { baseMs: 500, maxStep: 3 }, 4_000],
    ['maxMs caps the result', 10, { baseMs: 500, maxMs: 30_000 }, 30_000],
    ['the cap applies after the step cap', 8, { baseMs: 500, maxMs: 30_000, maxStep: 8 }, 30_000],
    ['a factor other than 2', 2, { baseMs: 100, factor: 3 }, 900],
    ['a factor of 1 is constant', 7, { baseMs: 250, factor: 1 }, 250],
    ['a huge step stays finite', 1e9, { baseMs: 1, maxMs: 60_000 }, 60_000],
    ['base 0 is 0', 4, { baseMs: 0 }, 0],
    // The call sites, as they were written inline before:
    ['claim loop: poll × 2^min(failures, 8), ≤ 30 s (failures 1)', 1, { baseMs: 500, maxMs: 30_000, maxStep: 8 }, 1_000],
    ['re-processing: 1 s doubling to 60 s (attempts 8)', 7, { baseMs: 1_000, maxMs: 60_000, maxStep: 6 }, 60_000],
    ['redis reconnect: 100 ms doubling, ≤ 2 s (times 6)', 5, { baseMs: 100, maxMs: 2_000, maxStep: 10 }, 2_000],
    ['errcode -1: 500 ms doubling, 4 steps (attempt 2)', 2, { baseMs: 500, maxStep: 3 }, 2_000],
  ];
  for (const [name, step, options, want] of table) t.equal(backoffMs(step, options), want, name);
});

t.test('backoffMs refuses what cannot be a backoff with a TypeError', async (t) => {
  const table: ReadonlyArray<[string, number, BackoffOptions]> = [
    ['a NaN step', Number.NaN, { baseMs: 1 }],
    ['an infinite step', Number.POSITIVE_INFINITY, { baseMs: 1 }],
    ['a negative base', 0, { baseMs: -1 }],
    ['an infinite base', 0, { baseMs: Number.POSITIVE_INFINITY }],
    ['a negative cap', 0, { baseMs: 1, maxMs: -5 }],
    ['a factor below 1', 0, { baseMs: 1, factor: 0.5 }],
    ['a negative maxStep', 0, { baseMs: 1, maxStep: -1 }],
  ];
  for (const [name, step, options] of table) {
    t.throws(() => backoffMs(step, options), { name: 'TypeError', message: /^Expected `/ }, name);
  }
});
