import t from 'tap';
import { backoffFor, classifyErrcode, ERRCODE_CLASSES, isRetryableInPlace, type ErrcodeClass } from '../../src/wecom-api/errcode.js';

const table: ReadonlyArray<readonly [number, ErrcodeClass]> = [
  [0, 'ok'],
  [40014, 'corp_token_invalid'],
  [42001, 'corp_token_invalid'],
  [40082, 'suite_token_invalid'],
  [42009, 'suite_token_invalid'],
  [40084, 'corp_gone'],
  [301007, 'corp_gone'],
  [2000002, 'corp_gone'],
  [-1, 'transient'],
  [45009, 'transient'],
  [45033, 'transient'],
  [40085, 'no_ticket'],
  [40078, 'invalid_auth_code'],
  [84061, 'relation_gone'],
  [48002, 'no_permission'],
  [60011, 'no_permission'],
  [40001, 'config'],
  [40083, 'config'],
  [40086, 'config'],
  [60020, 'config'],
  [42007, 'other'],
  [12345, 'other'],
];

t.test('classifyErrcode maps each documented errcode to its class', async (t) => {
  for (const [errcode, expected] of table) {
    t.equal(classifyErrcode(errcode), expected, `${errcode} is ${expected}`);
  }
});

t.test('no errcode belongs to two classes', async (t) => {
  const all = Object.values(ERRCODE_CLASSES).flat();
  t.equal(new Set(all).size, all.length, 'every errcode appears once in the table');
});

t.test('only -1 and 45033 are retried in place; 45009 is not', async (t) => {
  t.ok(isRetryableInPlace(-1), '-1 is retried');
  t.ok(isRetryableInPlace(45033), '45033 is retried');
  t.notOk(isRetryableInPlace(45009), '45009 is not hammered');
  t.notOk(isRetryableInPlace(42001), 'a token error is not retried in place');
  t.notOk(isRetryableInPlace(0), 'success is not retried');
});

t.test('backoffFor hints how long to wait', async (t) => {
  t.equal(backoffFor(45009), 60_000, '45009: the minute-level ban lasts 60 s');
  t.equal(backoffFor(45009, 3), 60_000, '45009 does not grow with attempts');
  t.same([0, 1, 2, 3, 4].map((a) => backoffFor(-1, a)), [500, 1000, 2000, 4000, 4000], '-1 doubles from 500 ms, capped');
  t.same([0, 1].map((a) => backoffFor(45033, a)), [1000, 2000], '45033 doubles from 1 s');
  t.equal(backoffFor(40014), undefined, 'waiting does not cure a token error');
  t.equal(backoffFor(60011), undefined, 'waiting does not cure a permission error');
});
