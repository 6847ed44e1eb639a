import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi, type StartMockWecomApiOptions } from '../../daemon/mock-api/start-mock-wecom-api.js';

const SUITE = { suiteId: 'ww917724cb573d8629', suiteSecret: 'mock-suite-secret' };
type Body = Record<string, unknown>;
/** The one thing the helpers need from a tap test. */
type Teardown = { teardown(fn: () => unknown): void };

async function start(t: Teardown, options: Partial<StartMockWecomApiOptions> = {}): Promise<StartedMockWecomApi> {
  const mock = await startMockWecomApi({ ...SUITE, ...options });
  t.teardown(() => mock.close());
  return mock;
}

async function call<T = Body>(mock: StartedMockWecomApi, path: string, query: Record<string, string>, body?: unknown): Promise<T> {
  const url = new URL(`/cgi-bin/${path}?${new URLSearchParams(query).toString()}`, mock.url);
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, init);
  return (await response.json()) as T;
}

async function suiteToken(mock: StartedMockWecomApi): Promise<string> {
  const { ticket } = mock.issueSuiteTicket();
  const answer = await call<{ suite_access_token: string }>(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: ticket });
  return answer.suite_access_token;
}

t.test('the whole credential chain: ticket → suite token → auth code → permanent code → corp token → API', async (t) => {
  const mock = await start(t);
  const { ticket, timestamp } = mock.issueSuiteTicket();
  t.type(timestamp, 'number', 'the ticket comes with a unix timestamp for the callback');
  const suite = await call<Body>(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: ticket });
  t.type(suite['suite_access_token'], 'string', 'get_suite_token answers a suite_access_token');
  t.equal(suite['expires_in'], 7200, 'valid two hours');
  t.notOk('errcode' in suite, 'get_suite_token answers success without errcode, like the real API');

  const { authCode, corpId } = mock.issueAuthCode();
  t.equal(corpId, DEFAULT_CORP_IDS.corpId, 'with no corp the auth code is for the built-in corp');
  const token = String(suite['suite_access_token']);
  const permanent = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  t.match(permanent, {
    errcode: 0, errmsg: 'ok', access_token: String, expires_in: 7200, permanent_code: String,
    auth_corp_info: {
      corpid: corpId, corp_name: String, corp_type: 'verified', corp_square_logo_url: String, corp_user_max: Number,
      corp_full_name: String, subject_type: Number, verified_end_time: Number, corp_wxqrcode: String,
      corp_scale: String, corp_industry: String, corp_sub_industry: String,
    },
    auth_info: { agent: [{ agentid: Number, name: String, privilege: { level: 1, allow_party: Array, allow_user: Array, allow_tag: Array } }] },
    auth_user_info: { userid: 'zhangsan', open_userid: String, name: String },
    state: '',
  }, 'get_permanent_code answers the full v1 shape');

  const corp = await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, { auth_corpid: corpId, permanent_code: permanent['permanent_code'] });
  t.type(corp['access_token'], 'string', 'get_corp_token answers an access_token');
  t.notOk('errcode' in corp, 'get_corp_token answers success without errcode');
  const contact = await call<Body>(mock, 'externalcontact/get', { access_token: String(corp['access_token']), external_userid: DEFAULT_CORP_IDS.externalUserid });
  t.match(contact, { errcode: 0, external_contact: { external_userid: DEFAULT_CORP_IDS.externalUserid } }, 'the corp token reads the customer');
  t.equal(mock.calls.filter((c) => c.path === 'service/get_suite_token').length, 1, 'get_suite_token was called once');
  t.equal(mock.corpStatus(corpId)?.permanentCode, permanent['permanent_code'], 'corpStatus reports the permanent code issued');
});

t.test('an auth code is single-use: the second exchange answers 40078', async (t) => {
  const mock = await start(t);
  const token = await suiteToken(mock);
  const { authCode } = mock.issueAuthCode();
  const first = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  t.equal(first['errcode'], 0, 'the first exchange succeeds');
  const second = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  t.equal(second['errcode'], 40078, 'the second exchange answers 40078');
  t.match(second['errmsg'], /^invalid auth_code, hint: \[\d+\], from ip: [\d.]+, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40078$/, 'the errmsg has the real shape');
  const unknown = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: 'never-issued' });
  t.equal(unknown['errcode'], 40078, 'an unknown code answers 40078');
  const missing = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, {});
  t.equal(missing['errcode'], 41008, 'a missing auth_code answers 41008');
});

t.test('an auth code expires after 10 minutes', async (t) => {
  let now = 1_700_000_000_000;
  const mock = await start(t, { now: () => now });
  const token = await suiteToken(mock);
  const { authCode } = mock.issueAuthCode();
  now += 600_000;
  const answer = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  t.equal(answer['errcode'], 40078, 'an expired code answers 40078');
});

t.test('get_suite_token checks suite id, secret and ticket', async (t) => {
  let now = 1_700_000_000_000;
  const mock = await start(t, { now: () => now });
  const { ticket } = mock.issueSuiteTicket();
  const ask = (body: Body): Promise<Body> => call<Body>(mock, 'service/get_suite_token', {}, body);
  t.equal((await ask({ suite_id: 'wwother', suite_secret: SUITE.suiteSecret, suite_ticket: ticket }))['errcode'], 40083, 'a wrong suite_id answers 40083');
  t.equal((await ask({ suite_id: SUITE.suiteId, suite_secret: 'wrong', suite_ticket: ticket }))['errcode'], 40001, 'a wrong secret answers 40001');
  t.equal((await ask({ suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: 'unknown' }))['errcode'], 40085, 'an unknown ticket answers 40085');
  t.equal((await ask({ suite_secret: SUITE.suiteSecret, suite_ticket: ticket }))['errcode'], 41021, 'a missing suite_id answers 41021');
  t.equal((await ask({ suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret }))['errcode'], 41023, 'a missing ticket answers 41023');
  now += 30 * 60_000;
  t.equal((await ask({ suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: ticket }))['errcode'], 40085, 'a ticket older than 30 minutes answers 40085');
});

t.test('acceptAnyTicket lets offline development use any ticket', async (t) => {
  const mock = await start(t, { acceptAnyTicket: true });
  const answer = await call<Body>(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: 'anything' });
  t.type(answer['suite_access_token'], 'string', 'any non-empty ticket is accepted');
});

t.test('tokens expire on the injected clock: corp 42001, suite 42009', async (t) => {
  let now = 1_700_000_000_000;
  const mock = await start(t, { now: () => now, tokenTtlSeconds: 60 });
  const token = await suiteToken(mock);
  const { authCode } = mock.issueAuthCode();
  const permanent = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  const corpToken = String(permanent['access_token']);
  t.equal(permanent['expires_in'], 60, 'expires_in follows tokenTtlSeconds');
  now += 59_000;
  t.equal((await call<Body>(mock, 'user/get', { access_token: corpToken, userid: 'zhangsan' }))['errcode'], 0, 'valid one second before expiry');
  now += 1_000;
  t.equal((await call<Body>(mock, 'user/get', { access_token: corpToken, userid: 'zhangsan' }))['errcode'], 42001, 'an expired corp token answers 42001');
  t.equal((await call<Body>(mock, 'service/get_pre_auth_code', { suite_access_token: token }))['errcode'], 42009, 'an expired suite token answers 42009');
  t.equal((await call<Body>(mock, 'user/get', { access_token: 'never-issued', userid: 'zhangsan' }))['errcode'], 40014, 'an unknown corp token answers 40014');
  t.equal((await call<Body>(mock, 'service/get_pre_auth_code', { suite_access_token: 'never-issued' }))['errcode'], 40082, 'an unknown suite token answers 40082');
  t.equal((await call<Body>(mock, 'user/get', { userid: 'zhangsan' }))['errcode'], 41001, 'a missing access_token answers 41001');
  t.equal((await call<Body>(mock, 'service/get_pre_auth_code', {}))['errcode'], 41022, 'a missing suite_access_token answers 41022');
});

t.test('expireToken forces the current token to read as expired until a new one is fetched', async (t) => {
  const mock = await start(t);
  const token = await suiteToken(mock);
  const { authCode, corpId } = mock.issueAuthCode();
  const permanent = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  const credentials = { auth_corpid: corpId, permanent_code: permanent['permanent_code'] };
  const again = await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, credentials);
  t.equal(again['access_token'], permanent['access_token'], 'a still-valid token is answered again (有效期内重复获取返回相同结果)');
  t.ok(Number(again['expires_in']) <= 7200, 'with its remaining lifetime');

  mock.expireToken('corp', corpId);
  t.equal((await call<Body>(mock, 'user/get', { access_token: String(again['access_token']), userid: 'zhangsan' }))['errcode'], 42001, 'the expired corp token answers 42001');
  const fresh = await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, credentials);
  t.not(fresh['access_token'], again['access_token'], 'the next get_corp_token issues a new token');
  t.equal((await call<Body>(mock, 'user/get', { access_token: String(fresh['access_token']), userid: 'zhangsan' }))['errcode'], 0, 'which works');

  mock.expireToken('suite', SUITE.suiteId);
  t.equal((await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, credentials))['errcode'], 42009, 'the expired suite token answers 42009');
  t.throws(() => mock.expireToken('suite', 'wwother'), TypeError, 'another suite id is a developer mistake');
});

t.test('a revoked corp: permanent code 40084, old tokens 40014; a re-install works again', async (t) => {
  const mock = await start(t);
  const token = await suiteToken(mock);
  const { authCode, corpId } = mock.issueAuthCode();
  const permanent = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  const credentials = { auth_corpid: corpId, permanent_code: permanent['permanent_code'] };
  mock.revokeCorp(corpId);
  t.equal((await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, credentials))['errcode'], 40084, 'get_corp_token answers 40084');
  t.equal((await call<Body>(mock, 'service/get_auth_info', { suite_access_token: token }, credentials))['errcode'], 40084, 'get_auth_info answers 40084');
  t.equal((await call<Body>(mock, 'user/get', { access_token: String(permanent['access_token']), userid: 'zhangsan' }))['errcode'], 40014, 'the old corp token answers 40014');
  t.match(mock.corpStatus(corpId), { revoked: true, permanentCode: undefined }, 'corpStatus shows the revocation');

  const reinstall = mock.issueAuthCode({ corpId });
  const second = await call<Body>(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: reinstall.authCode });
  t.not(second['permanent_code'], permanent['permanent_code'], 're-installing issues a new permanent code');
  t.equal((await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, credentials))['errcode'], 40084, 'the old permanent code stays invalid');
  t.throws(() => mock.revokeCorp('wwunknown'), TypeError, 'revoking an unknown corp is a developer mistake');
});

t.test('v2 get_permanent_code and get_auth_info answer their shapes', async (t) => {
  const mock = await start(t);
  const token = await suiteToken(mock);
  const { authCode, corpId } = mock.issueAuthCode({ corpId: 'wwnewcorp0000001', corpName: '新企业' }, { state: 'from-test' });
  const v2 = await call<Body>(mock, 'service/v2/get_permanent_code', { suite_access_token: token }, { auth_code: authCode });
  t.match(v2, { errcode: 0, permanent_code: String, auth_corp_info: { corpid: corpId, corp_name: '新企业' }, auth_user_info: { userid: String }, state: 'from-test' }, 'v2 answers the short shape with the state');
  t.notOk('access_token' in v2, 'v2 answers no corp access_token');
  const credentials = { auth_corpid: corpId, permanent_code: v2['permanent_code'] };
  for (const path of ['service/get_auth_info', 'service/v2/get_auth_info']) {
    const info = await call<Body>(mock, path, { suite_access_token: token }, credentials);
    t.match(info, { errcode: 0, auth_corp_info: { corpid: corpId }, auth_info: { agent: [{ agentid: Number }] } }, `${path} answers corp and agent info`);
  }
  t.equal((await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, { auth_corpid: corpId }))['errcode'], 41025, 'a missing permanent_code answers 41025');
  t.equal((await call<Body>(mock, 'service/get_corp_token', { suite_access_token: token }, { permanent_code: 'x' }))['errcode'], 84054, 'a missing auth_corpid answers 84054');
});

t.test('unknown APIs answer 48002 and bad options throw TypeError', async (t) => {
  const mock = await start(t);
  const answer = await call<Body>(mock, 'no/such/api', {});
  t.equal(answer['errcode'], 48002, 'an API the mock does not serve answers 48002 api forbidden');
  await t.rejects(startMockWecomApi({ suiteId: '', suiteSecret: 'x' }), TypeError, 'an empty suiteId is rejected');
  await t.rejects(startMockWecomApi({ ...SUITE, followUserPageSize: 0 }), TypeError, 'a zero page size is rejected');
});
