import t, { type Test } from 'tap';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { startFakeWecomServer, type FakeWecomServer } from './fake-wecom-server.js';

async function harness(t: Test): Promise<{ server: FakeWecomServer; client: WecomApiClient; api: SuiteApi }> {
  const server = await startFakeWecomServer();
  const client = new WecomApiClient({ baseUrl: server.baseUrl, sleep: async () => {} });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { server, client, api: new SuiteApi(client) };
}

t.test('suite endpoints send the documented requests', async (t) => {
  const { server, api } = await harness(t);
  server.route('service/get_suite_token', () => ({ suite_access_token: 'ST', expires_in: 7200 }));
  server.route('service/get_permanent_code', () => ({ access_token: 'CT', expires_in: 7200, permanent_code: 'PC', auth_corp_info: { corpid: 'wxcorp' } }));
  server.route('service/get_auth_info', () => ({ auth_corp_info: { corpid: 'wxcorp', corp_name: 'Acme' }, auth_info: { agent: [{ agentid: 1 }] } }));
  server.route('service/get_corp_token', () => ({ access_token: 'CT2', expires_in: 7200 }));
  server.route('service/get_pre_auth_code', () => ({ errcode: 0, pre_auth_code: 'PRE', expires_in: 1200 }));
  server.route('service/set_session_info', () => ({ errcode: 0, errmsg: 'ok' }));

  t.equal((await api.getSuiteToken('suite1', 'secret1', 'ticket1')).suite_access_token, 'ST', 'get_suite_token answers the token');
  t.equal((await api.getPermanentCode('ST', 'AUTH')).permanent_code, 'PC', 'get_permanent_code answers the permanent code');
  t.equal((await api.getAuthInfo('ST', 'wxcorp', 'PC')).auth_corp_info.corp_name, 'Acme', 'get_auth_info answers the corp info');
  t.equal((await api.getCorpToken('ST', 'wxcorp', 'PC')).access_token, 'CT2', 'get_corp_token answers the token');
  t.equal((await api.getPreAuthCode('ST')).pre_auth_code, 'PRE', 'get_pre_auth_code answers the code');
  await api.setSessionInfo('ST', 'PRE', { appid: [1], auth_type: 1 });

  t.match(server.requests, [
    { method: 'POST', path: 'service/get_suite_token', query: {}, body: { suite_id: 'suite1', suite_secret: 'secret1', suite_ticket: 'ticket1' } },
    { method: 'POST', path: 'service/get_permanent_code', query: { suite_access_token: 'ST' }, body: { auth_code: 'AUTH' } },
    { method: 'POST', path: 'service/get_auth_info', query: { suite_access_token: 'ST' }, body: { auth_corpid: 'wxcorp', permanent_code: 'PC' } },
    { method: 'POST', path: 'service/get_corp_token', query: { suite_access_token: 'ST' }, body: { auth_corpid: 'wxcorp', permanent_code: 'PC' } },
    { method: 'GET', path: 'service/get_pre_auth_code', query: { suite_access_token: 'ST' } },
    { method: 'POST', path: 'service/set_session_info', query: { suite_access_token: 'ST' }, body: { pre_auth_code: 'PRE', session_info: { appid: [1], auth_type: 1 } } },
  ], 'each call has its documented method, path, query and body');
});

t.test('get_permanent_code is not retried (the AuthCode is single-use)', async (t) => {
  const { server, api } = await harness(t);
  server.route('service/get_permanent_code', () => ({ errcode: -1, errmsg: 'busy' }));
  await t.rejects(api.getPermanentCode('ST', 'AUTH'), { code: 'ERR_WECOM_API', errcode: -1 }, 'the -1 is thrown');
  t.equal(server.requests.length, 1, 'the code was sent once');
});

t.test('getExternalContactAll follows next_cursor and concatenates follow_user', async (t) => {
  const { server, api } = await harness(t);
  server.route('externalcontact/get', (req) => {
    const cursor = req.query['cursor'];
    if (cursor === undefined) return { errcode: 0, external_contact: { external_userid: 'wm1', name: 'Li' }, follow_user: [{ userid: 'a' }, { userid: 'b' }], next_cursor: 'c1' };
    if (cursor === 'c1') return { errcode: 0, external_contact: { external_userid: 'wm1' }, follow_user: [{ userid: 'c' }], next_cursor: 'c2' };
    return { errcode: 0, external_contact: { external_userid: 'wm1' }, follow_user: [{ userid: 'd' }], next_cursor: '' };
  });
  const all = await api.getExternalContactAll('CT', 'wm1', { corpId: 'wxcorp' });
  t.same(all.follow_user?.map((f) => f.userid), ['a', 'b', 'c', 'd'], 'every page\'s follow users, in order');
  t.equal(all.external_contact.name, 'Li', 'the first page\'s contact');
  t.notOk('next_cursor' in all, 'no cursor left');
  t.same(server.requests.map((r) => r.query['cursor']), [undefined, 'c1', 'c2'], 'three pages were read');
  t.ok(server.requests.every((r) => r.query['access_token'] === 'CT' && r.query['external_userid'] === 'wm1'), 'each with the token and the contact id');
});

t.test('getExternalContactAll stops when WeCom repeats a cursor', async (t) => {
  const { server, api } = await harness(t);
  server.route('externalcontact/get', () => ({ errcode: 0, external_contact: { external_userid: 'wm1' }, follow_user: [{ userid: 'a' }], next_cursor: 'same' }));
  const all = await api.getExternalContactAll('CT', 'wm1');
  t.equal(server.requests.length, 2, 'the repeated cursor is read once, then the loop stops');
  t.equal(all.follow_user?.length, 2, 'with what was read');
});

t.test('corp reads are retried on -1 (idempotent)', async (t) => {
  const { server, api } = await harness(t);
  server.route('externalcontact/groupchat/get', (_req, index) => (index === 0 ? { errcode: -1 } : { errcode: 0, group_chat: { chat_id: 'wr1', member_version: 'v2' } }));
  const answer = await api.getGroupChat('CT', 'wr1');
  t.equal(answer.group_chat.member_version, 'v2', 'the second attempt answers');
  t.same(server.requests.map((r) => r.body), [{ chat_id: 'wr1', need_name: 1 }, { chat_id: 'wr1', need_name: 1 }], 'need_name defaults to 1');
});

t.test('getCorpTagList sends only the filters given', async (t) => {
  const { server, api } = await harness(t);
  server.route('externalcontact/get_corp_tag_list', () => ({ errcode: 0, tag_group: [] }));
  await api.getCorpTagList('CT');
  await api.getCorpTagList('CT', ['t1'], ['g1']);
  await api.getCorpTagList('CT', [], ['g1']);
  t.same(server.requests.map((r) => r.body), [{}, { tag_id: ['t1'], group_id: ['g1'] }, { group_id: ['g1'] }], 'empty lists are left out');
});

t.test('getUser and getDepartment are GETs with their ids as given', async (t) => {
  const { server, api } = await harness(t);
  server.route('user/get', () => ({ errcode: 0, userid: 'woAB', name: 'woAB' }));
  server.route('department/get', () => ({ errcode: 0, department: { id: 2, parentid: 1 } }));
  t.equal((await api.getUser('CT', 'woAB')).userid, 'woAB', 'the user');
  t.equal((await api.getDepartment('CT', '2')).department.parentid, 1, 'the department');
  t.match(server.requests, [
    { method: 'GET', path: 'user/get', query: { access_token: 'CT', userid: 'woAB' } },
    { method: 'GET', path: 'department/get', query: { access_token: 'CT', id: '2' } },
  ], 'ids are query parameters');
});

t.test('userIdToOpenUserId batches at 1000 ids and merges the results', async (t) => {
  const { server, api } = await harness(t);
  server.route('batch/userid_to_openuserid', (req) => {
    const ids = (req.body as { userid_list: string[] }).userid_list;
    return {
      errcode: 0,
      open_userid_list: ids.filter((id) => id !== 'bad').map((id) => ({ userid: id, open_userid: `open_${id}` })),
      invalid_userid_list: ids.filter((id) => id === 'bad'),
    };
  });
  const ids = Array.from({ length: 2500 }, (_, i) => (i === 1200 ? 'bad' : `u${i}`));
  const result = await api.userIdToOpenUserId('CT', ids, { corpId: 'wxcorp' });
  t.same(server.requests.map((r) => (r.body as { userid_list: string[] }).userid_list.length), [1000, 1000, 500], 'three batches of at most 1000');
  t.equal(result.open_userid_list.length, 2499, 'every valid id converted');
  t.same(result.invalid_userid_list, ['bad'], 'the invalid id reported');
  t.same(result.open_userid_list[0], { userid: 'u0', open_userid: 'open_u0' }, 'pairs kept');

  const none = await api.userIdToOpenUserId('CT', []);
  t.same(none, { open_userid_list: [], invalid_userid_list: [] }, 'an empty list makes no call');
  t.equal(server.requests.length, 3, 'no extra request');
});
