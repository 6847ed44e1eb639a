import t, { type Test } from 'tap';
import type { AppConfig } from '../../src/apps/app.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { runCorpSync } from '../../daemon/sync/run-corp-sync.js';
import { runScopeSync } from '../../daemon/sync/run-scope-sync.js';
import { scopeKeys } from '../../daemon/sync/sync-scope.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { IdListApi } from '../../src/wecom-api/id-list-api.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProviders } from '../../src/wecom-api/token-providers.js';

/**
 * The scope run over real HTTP against the mock WeCom API and a real SQLite file: paging, failures that
 * keep the snapshot, and the store lock (two runners on one store never run one scope at once).
 */

const CORP = 'wwLARGEcorp000001';
const HR: AppConfig = { name: 'hr', kind: 'contact_edit', id: 'wwCONTACTEDITsuite', secret: 'hr-secret-for-tests', token: 't2', encodingAESKey: 'b'.repeat(43), dataPath: null, commandPath: '/contact-edit' };
const CRM: AppConfig = { name: 'crm', kind: 'suite', id: 'ww917724cb573d8629', secret: 'crm-secret-for-tests', token: 't1', encodingAESKey: 'a'.repeat(43), dataPath: '/data', commandPath: '/command' };

async function setUp(t: Test, members: number) {
  const mock = await startMockWecomApi({ suiteId: CRM.id, suiteSecret: CRM.secret!, apps: [{ id: HR.id, secret: HR.secret!, kind: 'contact_edit' }] });
  t.teardown(() => mock.close());
  mock.seedLargeCorp({ corpId: CORP, members, departments: 5, pairs: 30, chats: 3, tags: 4 });
  const file = `sqlite:${t.testdir()}/db.sqlite`;
  const store = await createStore(file);
  t.teardown(() => store.close());
  const client = new WecomApiClient({ baseUrl: mock.url, sleep: async () => {} });
  t.teardown(() => client.close());
  const providers = new TokenProviders({ apps: [CRM, HR], store, api: new SuiteApi(client) });
  for (const app of [CRM, HR]) {
    const tokens = providers.get(app.id)!;
    const ticket = mock.issueSuiteTicket(app.id);
    await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
    await tokens.exchangeAuthCode(mock.issueAuthCode({ corpId: CORP }, { appId: app.id }).authCode);
  }
  const base = { api: new IdListApi(client), clock: systemClock, logger: silentLogger, corpId: CORP, leaseMs: 5000 };
  const scope = (app: AppConfig, s: Store = store) => ({ ...base, store: s, tokens: providers.get(app.id)!, app });
  return { mock, store, file, providers, scope };
}

t.test('2,500 members over pages of 1,000: every one seen, three list_id calls', async (t) => {
  const { mock, store, scope } = await setUp(t, 2500);
  const result = await runScopeSync({ ...scope(HR), scope: 'contacts', listIdPageSize: 1000 });
  t.match(result, { status: 'completed', baseline: true, total: 2500 + 6 }, '2,500 members and 6 departments');
  const calls = mock.calls.filter((c) => c.path === 'user/list_id');
  t.equal(calls.length, 3, 'pages of 1,000: 3 calls');
  t.same(calls.map((c) => (c.body as { limit: number }).limit), [1000, 1000, 1000]);
  t.notOk((calls[0]!.body as { cursor?: string }).cursor, 'the first call has no cursor');
  t.ok((calls[2]!.body as { cursor?: string }).cursor, 'the later ones follow next_cursor');
  t.equal(await store.countIds(scopeKeys(HR.id, CORP, 'contacts').snapshot), 2506, 'the snapshot holds them all');
  t.equal(mock.calls.filter((c) => c.path === 'user/simplelist').length, 0, 'the contact-edit authorization lists members with user/list_id only');
});

t.test('an errcode on page 3 fails the scope: sync.failed, the snapshot kept, no deletion', async (t) => {
  const { mock, store, scope } = await setUp(t, 2500);
  await runScopeSync({ ...scope(HR), scope: 'contacts', listIdPageSize: 1000 });
  mock.changeCorp(CORP, { removeUsers: ['u000001', 'u002500'] });
  mock.inject({ path: 'user/list_id', errcode: 60011, after: 2 });
  const result = await runCorpSync({ ...scope(HR), listIdPageSize: 1000 });
  t.match(result.results, [{ scope: 'contacts', status: 'failed', errcode: 60011 }], 'the scope failed with the errcode');
  t.same(result.skipped, [], 'contacts only for contact_edit: nothing asked for beyond it');
  const keys = scopeKeys(HR.id, CORP, 'contacts');
  t.equal(await store.countIds(keys.snapshot), 2506, 'the old snapshot is kept');
  t.equal(await store.countIds(keys.staging), 0, 'the partial list is dropped');
  const put = await store.listCallbacks({ limit: 100 });
  t.same(put.map((c) => c.type), ['sync.failed'], 'only sync.failed is emitted: no deletion from a partial list');
  t.match(JSON.parse(String(put[0]!.fields['Report'])), { scope: 'contacts', errcode: 60011 });
  // The next run (no failure) reports the two removed members.
  const next = await runScopeSync({ ...scope(HR), scope: 'contacts', listIdPageSize: 1000 });
  t.match(next, { status: 'completed', removed: 2, added: 0 });
});

t.test('an empty page that still names a cursor is a partial list', async (t) => {
  const { store, scope } = await setUp(t, 10);
  await runScopeSync({ ...scope(HR), scope: 'contacts' });
  const real = new IdListApi(new WecomApiClient({ baseUrl: 'http://127.0.0.1:9' }));
  const lying = Object.assign(Object.create(real) as IdListApi, {
    departmentSimpleList: async () => ({ department_id: [{ id: 1 }] }),
    userListId: async () => ({ next_cursor: 'MORE', dept_user: [] }),
  });
  const result = await runScopeSync({ ...scope(HR), api: lying, scope: 'contacts' });
  t.match(result, { status: 'failed', errcode: null, message: /empty page with a next_cursor/ });
  t.equal(await store.countIds(scopeKeys(HR.id, CORP, 'contacts').snapshot), 10 + 6, 'the snapshot is kept');
  t.equal((await store.listCallbacks({})).length, 0, 'nothing emitted');
});

t.test('a suite app lists members per department and every scope; kinds are respected', async (t) => {
  const { mock, scope } = await setUp(t, 50);
  const result = await runCorpSync({ ...scope(CRM) });
  t.same(result.results.map((r) => [r.scope, r.status, r.status === 'completed' ? r.total : null]),
    [['contacts', 'completed', 56], ['external_contacts', 'completed', 30], ['groupchats', 'completed', 3], ['tags', 'completed', 5]]);
  t.equal(mock.calls.filter((c) => c.path === 'user/list_id').length, 0, 'a suite never calls user/list_id');
  t.equal(mock.calls.filter((c) => c.path === 'user/simplelist').length, 6, 'one user/simplelist per department');
  const hr = await runCorpSync({ ...scope(HR), scopes: ['contacts', 'tags'] });
  t.same(hr.skipped, ['tags'], 'contact_edit may not read tags: skipped');
});

t.test('two runners on one store never run one scope at once', async (t) => {
  const { mock, file, scope } = await setUp(t, 20);
  const other = await createStore(file);
  t.teardown(() => other.close());
  mock.inject({ path: 'department/simplelist', delayMs: 400 });
  const [a, b] = await Promise.all([
    runScopeSync({ ...scope(CRM), scope: 'contacts' }),
    new Promise((resolve) => setTimeout(resolve, 100)).then(() => runScopeSync({ ...scope(CRM, other), scope: 'contacts' })),
  ]);
  t.same([a.status, b.status], ['completed', 'busy'], 'the second finds the lock held');
  const after = await runScopeSync({ ...scope(CRM, other), scope: 'contacts' });
  t.equal(after.status, 'completed', 'and runs once the first released it');
});
