import t from 'tap';
import { isTokenFresh, isTokenUsable } from '../../src/wecom-api/token-freshness.js';

const MINUTE = 60_000;
const twoHours = { token: 't', fetchedAt: 0, expiresAt: 120 * MINUTE };
const oneMinute = { token: 't', fetchedAt: 0, expiresAt: MINUTE };

t.test('a 2 h token is fresh until 10 min before expiry', async (t) => {
  t.ok(isTokenFresh(twoHours, 110 * MINUTE - 1, 10 * MINUTE), 'fresh just before 110 min');
  t.notOk(isTokenFresh(twoHours, 110 * MINUTE, 10 * MINUTE), 'stale at 110 min');
});

t.test('the margin is capped at 20 % of the lifetime', async (t) => {
  t.ok(isTokenFresh(oneMinute, 47_999, 10 * MINUTE), 'a 60 s token is fresh until 48 s');
  t.notOk(isTokenFresh(oneMinute, 48_000, 10 * MINUTE), 'and stale from 48 s');
  t.ok(isTokenFresh(twoHours, 119 * MINUTE, 0), 'a zero margin refreshes only at expiry');
});

t.test('a token is usable until shortly before expiry', async (t) => {
  t.ok(isTokenUsable(twoHours, 119 * MINUTE - 1), 'a 2 h token is usable until 1 min before expiry');
  t.notOk(isTokenUsable(twoHours, 119 * MINUTE), 'not in its last minute');
  t.ok(isTokenUsable(oneMinute, 56_999), 'a 60 s token until its last 3 s');
  t.notOk(isTokenUsable(oneMinute, 57_000), 'then not');
});
