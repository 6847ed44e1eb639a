import t, { type Test } from 'tap';
import type { AppConfig } from '../../src/apps/app.js';
import { readAppCorps } from '../../src/apps/app-corps.js';
import { createEnricher } from '../../daemon/enrich/create-enricher.js';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { normalize } from '../../src/events/normalize.js';
import { createStore } from '../../src/store/create-store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProviders } from '../../src/wecom-api/token-providers.js';
import type { FieldValue } from '../../src/xml/fields.js';

const CORP = DEFAULT_CORP_IDS.corpId;
const APPS: readonly AppConfig[] = [
  { name: 'crm', kind: 'suite', id: 'ww917724cb573d8629', secret: 'crm-secret-for-tests', token: 't1', encodingAESKey: 'a'.repeat(43), dataPath: '/data', commandPath: '/command' },
  { name: 'hr', kind: 'contact_edit', id: 'wwCONTACTEDITsuite', secret: 'hr-secret-for-tests', token: 't2', encodingAESKey: 'b'.repeat(43), dataPath: null, commandPath: '/contact-edit' },
  { name: 'custom', kind: 'customized', id: 'dkTEMPLATEforTests', secret: 'dk-secret-for-tests', token: 't3', encodingAESKey: 'c'.repeat(43), dataPath: '/data', commandPath: '/command' },
];
/** What a contact-edit authorization may never call (doc 96078). */
const FORBIDDEN = /^(user\/get|department\/get|externalcontact\/)/;

/** A mock serving three apps, a store, one TokenProviders; one corp installed into all three. */
async function threeApps(t: Test) {
  const [crm, hr, custom] = APPS as [AppConfig, AppConfig, AppConfig];
  const mock = await startMockWecomApi({
    suiteId: crm.id, suiteSecret: crm.secret!,
    apps: [{ id: hr.id, secret: hr.secret!, kind: 'contact_edit' }, { id: custom.id, secret: custom.secret!, kind: 'customized' }],
  });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${t.testdir()}/db.sqlite`);
  t.teardown(() => store.close());
  const client = new WecomApiClient({ baseUrl: mock.url, sleep: async () => {} });
  t.teardown(() => client.close());
  const api = new SuiteApi(client);
  const providers = new TokenProviders({ apps: APPS, store, api });
  for (const app of APPS) {
    const tokens = providers.get(app.id)!;
    const ticket = mock.issueSuiteTicket(app.id);
    await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
    await tokens.exchangeAuthCode(mock.issueAuthCode(undefined, { appId: app.id }).authCode);
  }
  return { mock, store, api, providers, crm, hr, custom };
}

let sequence = 0;
function contactEvent(appId: string, changeType: string, fields: Record<string, FieldValue>) {
  sequence += 1;
  return normalize({
    id: `evt_apps_${sequence}`, endpoint: 'command', suiteId: appId, receiveId: appId, receivedAt: Date.now(),
    fields: { SuiteId: appId, AuthCorpId: CORP, InfoType: 'change_contact', TimeStamp: '1403610513', ChangeType: changeType, ...fields },
  });
}

t.test('one corp installs three apps: three permanent codes, three tokens, the customized one from gettoken', async (t) => {
  const { mock, store, providers } = await threeApps(t);
  const codes = APPS.map((app) => mock.corpStatus(CORP, app.id)!.permanentCode);
  t.equal(new Set(codes).size, 3, 'the mock issued one permanent code per app');
  const tokens = await Promise.all(APPS.map((app) => providers.get(app.id)!.getCorpToken(CORP)));
  t.equal(new Set(tokens).size, 3, 'each app has its own corp token');
  const gettoken = mock.calls.filter((c) => c.path === 'gettoken');
  t.equal(gettoken.length, 1, 'the customized app\'s token came from one gettoken call');
  t.equal(gettoken[0]?.query['corpid'], CORP, 'with the corp id');
  t.equal(gettoken[0]?.query['corpsecret'], '<redacted>', 'and the permanent code as corpsecret (redacted in the log)');
  t.equal(mock.calls.filter((c) => c.path === 'service/get_corp_token').length, 0, 'service/get_corp_token was never needed');
  const rows = await readAppCorps(store, APPS, Date.now());
  t.same(rows.map((r) => [r.app, r.corpId, r.status]), [['crm', CORP, 'active'], ['hr', CORP, 'active'], ['custom', CORP, 'active']], 'one row per (app, corp)');
});

t.test('a contact-edit token gets 48002 from the APIs its authorization may not call', async (t) => {
  const { api, providers, hr } = await threeApps(t);
  const token = await providers.get(hr.id)!.getCorpToken(CORP);
  await t.rejects(api.getUser(token, 'zhangsan'), { code: 'ERR_WECOM_API', errcode: 48002 }, 'user/get → 48002');
  await t.rejects(api.getDepartment(token, '1'), { code: 'ERR_WECOM_API', errcode: 48002 }, 'department/get → 48002');
  await t.rejects(api.getExternalContact(token, DEFAULT_CORP_IDS.externalUserid), { code: 'ERR_WECOM_API', errcode: 48002 }, 'externalcontact/get → 48002');
});

t.test('user/list_id and department/simplelist answer a contact-edit token', async (t) => {
  const { mock, providers, hr } = await threeApps(t);
  const token = await providers.get(hr.id)!.getCorpToken(CORP);
  const ids = await (await fetch(new URL(`/cgi-bin/user/list_id?access_token=${encodeURIComponent(token)}`, mock.url), { method: 'POST', body: '{}' })).json() as { errcode: number; dept_user: unknown[] };
  t.equal(ids.errcode, 0, 'user/list_id is allowed');
  t.ok(ids.dept_user.length > 0, 'and lists open_userids');
  const departments = await (await fetch(new URL(`/cgi-bin/department/simplelist?access_token=${encodeURIComponent(token)}`, mock.url))).json() as { errcode: number; department_id: unknown[] };
  t.equal(departments.errcode, 0, 'department/simplelist is allowed');
  t.ok(departments.department_id.length > 0, 'and lists the department ids');
});

t.test('a contact_edit app\'s enrichment never calls an API it may not, and says so in enrichment', async (t) => {
  const { mock, store, api, providers, hr } = await threeApps(t);
  mock.clearCalls();
  const enrich = createEnricher({ api, tokens: providers.get(hr.id)!, store, kind: 'contact_edit' });
  const signal = new AbortController().signal;
  const created = await enrich(contactEvent(hr.id, 'create_user', { UserID: 'zhangsan', Department: '1' }), signal);
  t.match(created, { kind: 'done', error: null, enrichment: { skipped: 'contact_edit: user/get not allowed' } }, 'a member event is done with skipped');
  t.type((created.kind === 'done' ? created.enrichment : null)?.['openUserId'], 'string', 'and the open_userid from batch/userid_to_openuserid');
  const pushed = await enrich(contactEvent(hr.id, 'update_user', { UserID: 'lisi', OpenUserID: 'woPUSHED', Department: '1' }), signal);
  t.match(pushed, { enrichment: { openUserId: 'woPUSHED' } }, 'the callback\'s own OpenUserID is used as is');
  const department = await enrich(contactEvent(hr.id, 'create_party', { Id: '5', ParentId: '1' }), signal);
  t.match(department, { kind: 'done', error: null, enrichment: { skipped: 'contact_edit: department/get not allowed' } }, 'a department event calls nothing');
  t.same(mock.calls.filter((c) => FORBIDDEN.test(c.path)).map((c) => c.path), [], 'no forbidden API was called');
  t.same([...new Set(mock.calls.map((c) => c.path))], ['batch/userid_to_openuserid'], 'only the ID conversion');
});

t.test('cancel_auth of the suite leaves the contact-edit and customized apps working', async (t) => {
  const { mock, api, providers, crm, hr, custom } = await threeApps(t);
  mock.revokeCorp(CORP, crm.id);
  await providers.get(crm.id)!.revokeCorp(CORP);
  t.equal(mock.corpStatus(CORP, crm.id)?.revoked, true, 'the suite\'s authorization is cancelled at the mock');
  t.equal(mock.corpStatus(CORP, hr.id)?.revoked, false, 'the contact-edit one is not');
  await t.rejects(providers.get(crm.id)!.getCorpToken(CORP), { code: 'ERR_WECOM_CORP_NOT_AUTHORIZED' }, 'the suite has no token for the corp any more');
  const ids = await (await fetch(new URL(`/cgi-bin/batch/userid_to_openuserid?access_token=${encodeURIComponent(await providers.get(hr.id)!.getCorpToken(CORP))}`, mock.url), { method: 'POST', body: JSON.stringify({ userid_list: ['zhangsan'] }) })).json() as { errcode: number };
  t.equal(ids.errcode, 0, 'the contact-edit token still works');
  t.ok(await api.getUser(await providers.get(custom.id)!.getCorpToken(CORP), 'zhangsan'), 'and so does the customized app\'s');
});

t.test('the one-suite mock keeps its behaviour: another app\'s suite token cannot exchange the suite\'s auth code', async (t) => {
  const { mock, providers, hr } = await threeApps(t);
  const { authCode } = mock.issueAuthCode();
  await t.rejects(providers.get(hr.id)!.exchangeAuthCode(authCode), { code: 'ERR_WECOM_API', errcode: 40078 }, 'an auth code belongs to its app');
  t.throws(() => mock.issueSuiteTicket('wwUNKNOWN'), TypeError, 'an unknown app is a developer mistake');
});
