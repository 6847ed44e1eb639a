import t, { type Test } from 'tap';
import { OPEN_USERID_NS, OpenUserIdCache, type OpenUserIdCacheOptions } from '../../daemon/enrich/open-user-id-cache.js';
import { WecomApiError } from '../../src/errors.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import type { OpenUserIdResult } from '../../src/wecom-api/corp-api-types.js';

/** A stand-in for the conversion API: records each call's ids; `answer` decides (default: all valid). */
interface FakeApi {
  readonly calls: Array<{ corpId: string | undefined; ids: string[] }>;
  answer: (ids: readonly string[]) => OpenUserIdResult | Error;
}

async function setup(t: Test, options: Partial<OpenUserIdCacheOptions> = {}): Promise<{ cache: OpenUserIdCache; fake: FakeApi; store: Store; reports: Array<[string, number]> }> {
  const store = await createStore(`sqlite:${t.testdir()}/db.sqlite`);
  t.teardown(() => store.close());
  const fake: FakeApi = {
    calls: [],
    answer: (ids) => ({ open_userid_list: ids.map((userid) => ({ userid, open_userid: `open-${userid}` })), invalid_userid_list: [] }),
  };
  const reports: Array<[string, number]> = [];
  const api = {
    async userIdToOpenUserId(_token: string, ids: readonly string[], callOptions: { corpId?: string } = {}) {
      fake.calls.push({ corpId: callOptions.corpId, ids: [...ids] });
      const answer = fake.answer(ids);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const tokens = { withCorpToken: <T>(_corpId: string, fn: (token: string) => Promise<T>) => fn('corp-token') };
  const cache = new OpenUserIdCache({
    api: api as unknown as OpenUserIdCacheOptions['api'], tokens, store, onApiCall: (path, errcode) => reports.push([path, errcode]), ...options,
  });
  return { cache, fake, store, reports };
}

t.test('1001 ids looked up at once make two calls of at most 1000', async (t) => {
  const { cache, fake } = await setup(t);
  const ids = Array.from({ length: 1001 }, (_, i) => `u${i}`);
  const results = await Promise.all(ids.map((id) => cache.lookup('corpA', id)));
  t.same(fake.calls.map((c) => c.ids.length).sort((a, b) => b - a), [1000, 1], 'one full batch and the remainder');
  t.equal(results[1000], 'open-u1000', 'every waiter gets its own answer');
});

t.test('the same id looked up twice at once is sent once', async (t) => {
  const { cache, fake } = await setup(t);
  const [a, b] = await Promise.all([cache.lookup('corpA', 'x'), cache.lookup('corpA', 'x')]);
  t.equal(a, 'open-x', 'first waiter answered');
  t.equal(b, 'open-x', 'second waiter answered');
  t.same(fake.calls, [{ corpId: 'corpA', ids: ['x'] }], 'one call with the id once');
});

t.test('corps are batched separately', async (t) => {
  const { cache, fake } = await setup(t);
  await Promise.all([cache.lookup('corpA', 'x'), cache.lookup('corpB', 'x'), cache.lookup('corpA', 'y')]);
  t.same(fake.calls.map((c) => [c.corpId, c.ids]).sort(), [['corpA', ['x', 'y']], ['corpB', ['x']]], 'one call per corp, with that corp token');
});

t.test('results and invalid ids are cached in memory and in the store', async (t) => {
  const { cache, fake, store, reports } = await setup(t);
  fake.answer = () => ({ open_userid_list: [{ userid: 'good', open_userid: 'open-good' }], invalid_userid_list: ['bad'] });
  t.same(await Promise.all([cache.lookup('c', 'good'), cache.lookup('c', 'bad')]), ['open-good', null], 'the open id, and null for the invalid id');
  t.same((await store.getKv(OPEN_USERID_NS, 'c:bad'))?.value, { invalid: true }, 'the invalid id is stored before the answer is given');
  await cache.settled();
  t.same((await store.getKv(OPEN_USERID_NS, 'c:good'))?.value, 'open-good', 'positive entry stored');
  t.same((await store.getKv(OPEN_USERID_NS, 'c:bad'))?.value, { invalid: true }, 'negative entry stored');
  t.same(reports, [['batch/userid_to_openuserid', 0]], 'one metrics report');
  await cache.lookup('c', 'bad');
  t.equal(fake.calls.length, 1, 'the invalid id is not sent again');
  t.equal(await cache.peek('c', 'unknown'), undefined, 'peek of an unknown id: undefined, and no call');
  t.equal(fake.calls.length, 1, 'peek never calls');
});

t.test('an id WeCom leaves out resolves null and is not cached', async (t) => {
  const { cache, fake } = await setup(t);
  fake.answer = () => ({ open_userid_list: [], invalid_userid_list: [] });
  t.equal(await cache.lookup('c', 'silent'), null, 'null');
  t.equal(await cache.peek('c', 'silent'), undefined, 'nothing cached');
});

t.test('a failed call rejects its waiters and caches nothing', async (t) => {
  const { cache, fake, reports } = await setup(t);
  fake.answer = () => new WecomApiError('batch/userid_to_openuserid', 45009, 'api freq out of limit');
  await t.rejects(Promise.all([cache.lookup('c', 'a'), cache.lookup('c', 'b')]), { name: 'WecomApiError', message: /errcode 45009/ }, 'the API error reaches the waiters');
  t.same(reports, [['batch/userid_to_openuserid', 45009]], 'the failure is reported with its errcode');
  fake.answer = (ids) => ({ open_userid_list: ids.map((userid) => ({ userid, open_userid: `open-${userid}` })), invalid_userid_list: [] });
  t.equal(await cache.lookup('c', 'a'), 'open-a', 'a later lookup asks again');
  t.equal(fake.calls.length, 2, 'two calls in all');
});

t.test('a bad option is a TypeError', async (t) => {
  const { store } = await setup(t);
  const base = { api: {} as OpenUserIdCacheOptions['api'], tokens: { withCorpToken: async () => undefined as never }, store };
  t.throws(() => new OpenUserIdCache({ ...base, windowMs: -1 }), { name: 'TypeError', message: /Expected `windowMs` to be a non-negative number, got `-1` \(number\)/ }, 'negative window');
  t.throws(() => new OpenUserIdCache({ ...base, invalidTtlMs: Number.NaN }), TypeError, 'NaN ttl');
});
