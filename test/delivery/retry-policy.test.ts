import t from 'tap';
import { DEFAULT_RETRY_SCHEDULE, MAX_RETRY_AFTER_MS, nextRetryDelayMs, parseRetryAfter } from '../../daemon/delivery/retry-policy.js';

const fixed = (value: number) => () => value;

t.test('the default schedule is the Svix ladder with an 8-attempt budget', async (t) => {
  t.same(DEFAULT_RETRY_SCHEDULE, [0, 5, 300, 1800, 7200, 18000, 36000, 36000], 'immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h');
});

t.test('nextRetryDelayMs jitters each entry within ±20 %', async (t) => {
  const cases: [attemptsMade: number, random: number, expected: number][] = [
    [1, 0, 4_000],
    [1, 0.5, 5_000],
    [1, 0.999, 5_998],
    [2, 0, 240_000],
    [2, 0.5, 300_000],
    [2, 0.999, 359_880],
    [3, 0, 1_440_000],
    [4, 0.5, 7_200_000],
    [5, 0.999, 21_592_800],
    [6, 0, 28_800_000],
    [7, 0.999, 43_185_600],
  ];
  for (const [attemptsMade, random, expected] of cases) {
    t.equal(
      nextRetryDelayMs(attemptsMade, DEFAULT_RETRY_SCHEDULE, fixed(random)),
      expected,
      `after ${attemptsMade} attempt(s) with random ${random} the delay is ${expected} ms`,
    );
  }
});

t.test('every jittered delay stays in [0.8 ×, 1.2 ×] of its entry', async (t) => {
  for (let attempts = 1; attempts < DEFAULT_RETRY_SCHEDULE.length; attempts++) {
    const base = (DEFAULT_RETRY_SCHEDULE[attempts] ?? 0) * 1000;
    for (const random of [0, 0.25, 0.5, 0.75, 0.999]) {
      const delay = nextRetryDelayMs(attempts, DEFAULT_RETRY_SCHEDULE, fixed(random));
      t.ok(delay !== null && delay >= base * 0.8 && delay <= base * 1.2, `attempt ${attempts + 1}, random ${random}: ${delay} within ±20 % of ${base}`);
    }
  }
});

t.test('a 0 s entry stays 0 whatever the random source says', async (t) => {
  t.equal(nextRetryDelayMs(0, DEFAULT_RETRY_SCHEDULE, fixed(0.999)), 0, 'the first attempt is immediate');
  t.equal(nextRetryDelayMs(1, [0, 0, 10], fixed(0)), 0, 'a configured 0 s retry is immediate');
});

t.test('an exhausted budget gives null', async (t) => {
  t.equal(nextRetryDelayMs(8, DEFAULT_RETRY_SCHEDULE, fixed(0.5)), null, 'after 8 attempts of 8 there is no next attempt');
  t.equal(nextRetryDelayMs(100, DEFAULT_RETRY_SCHEDULE, fixed(0.5)), null, 'far past the budget is still null');
  t.equal(nextRetryDelayMs(0, [], fixed(0.5)), null, 'an empty schedule allows no attempt');
  t.equal(nextRetryDelayMs(2, [0, 5], fixed(0.5)), null, 'a 2-entry schedule allows 2 attempts');
});

t.test('the default random source is Math.random and stays in bounds', async (t) => {
  for (let i = 0; i < 200; i++) {
    const delay = nextRetryDelayMs(1, DEFAULT_RETRY_SCHEDULE);
    t.ok(delay !== null && delay >= 4000 && delay <= 6000, `Math.random draw ${i} gives ${delay} within 4–6 s`);
  }
});

t.test('a misbehaving random source is clamped', async (t) => {
  t.equal(nextRetryDelayMs(1, [0, 10], fixed(5)), 12_000, 'random above 1 is clamped to 1.2 ×');
  t.equal(nextRetryDelayMs(1, [0, 10], fixed(-3)), 8_000, 'random below 0 is clamped to 0.8 ×');
  t.equal(nextRetryDelayMs(1, [0, 10], fixed(Number.NaN)), 10_000, 'NaN falls back to the midpoint');
});

t.test('developer mistakes throw TypeError', async (t) => {
  t.throws(() => nextRetryDelayMs(-1, DEFAULT_RETRY_SCHEDULE), TypeError, 'negative attemptsMade');
  t.throws(() => nextRetryDelayMs(1.5, DEFAULT_RETRY_SCHEDULE), TypeError, 'fractional attemptsMade');
  t.throws(() => nextRetryDelayMs(1, [0, -5]), TypeError, 'negative schedule entry');
  t.throws(() => nextRetryDelayMs(1, [0, Number.POSITIVE_INFINITY]), TypeError, 'infinite schedule entry');
});

t.test('parseRetryAfter reads delta-seconds and HTTP-dates', async (t) => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const cases: [value: string | undefined, expected: number | null, why: string][] = [
    ['120', 120_000, 'delta-seconds'],
    ['0', 0, 'zero seconds'],
    [' 30 ', 30_000, 'surrounding whitespace is ignored'],
    ['1.5', 1_500, 'fractional seconds are tolerated'],
    ['7200', MAX_RETRY_AFTER_MS, 'more than an hour is clamped to one hour'],
    ['Thu, 01 Jan 2026 00:02:00 GMT', 120_000, 'an HTTP-date two minutes ahead'],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0, 'an HTTP-date in the past clamps to 0'],
    ['Sat, 03 Jan 2026 00:00:00 GMT', MAX_RETRY_AFTER_MS, 'an HTTP-date two days ahead clamps to one hour'],
    [undefined, null, 'a missing header'],
    ['', null, 'an empty header'],
    ['soon', null, 'garbage text'],
    ['-5', null, 'a negative delta is not a delta-seconds value'],
    ['12abc', null, 'digits with junk'],
  ];
  for (const [value, expected, why] of cases) {
    t.equal(parseRetryAfter(value, now), expected, `${why}: ${JSON.stringify(value)} → ${expected}`);
  }
});
