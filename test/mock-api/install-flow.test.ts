import t from 'tap';
import { DEFAULT_CORP_IDS, DEFAULT_MOCK_CORP } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi, type StartMockWecomApiOptions } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { post, SUITE, type Body, type Teardown } from '../helpers/mock-api-client.js';

const REDIRECT = 'https://zjemail.cn/wecom/install/callback?from=site';

/** A listening mock and a suite_access_token obtained through get_suite_token. */
async function withSuiteToken(t: Teardown, options: Partial<StartMockWecomApiOptions> = {}): Promise<{ mock: StartedMockWecomApi; token: string }> {
  const mock = await startMockWecomApi({ ...SUITE, ...options });
  t.teardown(() => mock.close());
  const suite = await post(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: mock.issueSuiteTicket().ticket });
  return { mock, token: String(suite['suite_access_token']) };
}


async function preAuthCode(mock: StartedMockWecomApi, token: string): Promise<Body> {
  const response = await fetch(new URL(`/cgi-bin/service/get_pre_auth_code?suite_access_token=${token}`, mock.url));
  return (await response.json()) as Body;
}

function installPage(mock: StartedMockWecomApi, query: Record<string, string>): Promise<Response> {
  return fetch(new URL(`/3rdapp/install?${new URLSearchParams(query).toString()}`, mock.url), { redirect: 'manual' });
}

t.test('the website install flow: pre_auth_code → session → install page → redirect with a usable auth_code', async (t) => {
  const { mock, token } = await withSuiteToken(t);
  const pre = await preAuthCode(mock, token);
  t.match(pre, { errcode: 0, errmsg: 'ok', pre_auth_code: String, expires_in: 1200 }, 'get_pre_auth_code answers a code valid 20 minutes');
  const code = String(pre['pre_auth_code']);
  const session = await post(mock, 'service/set_session_info', { suite_access_token: token }, { pre_auth_code: code, session_info: { auth_type: 1 } });
  t.equal(session['errcode'], 0, 'set_session_info accepts a test install');

  const response = await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: REDIRECT, state: 'st-42' });
  t.equal(response.status, 302, 'the install page redirects back');
  const location = new URL(response.headers.get('location') ?? '');
  t.equal(`${location.origin}${location.pathname}`, 'https://zjemail.cn/wecom/install/callback', 'to the redirect_uri');
  t.equal(location.searchParams.get('from'), 'site', 'keeping its own query');
  t.equal(location.searchParams.get('state'), 'st-42', 'carrying the state');
  t.equal(location.searchParams.get('expires_in'), '600', 'and expires_in=600');

  const permanent = await post(mock, 'service/get_permanent_code', { suite_access_token: token }, { auth_code: location.searchParams.get('auth_code') });
  t.match(permanent, { errcode: 0, permanent_code: String, state: 'st-42', auth_corp_info: { corpid: DEFAULT_CORP_IDS.corpId } }, 'the auth_code exchanges, echoing the state');
  t.equal(mock.corpStatus(DEFAULT_CORP_IDS.corpId)?.authType, 1, 'the session auth_type reached the authorization');
  t.match(mock.calls.find((c) => c.path === '/3rdapp/install'), { httpStatus: 302, query: { pre_auth_code: '<redacted>', state: 'st-42' } }, 'the install page visit is logged, redacted');

  const again = await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: REDIRECT, state: 'st-42' });
  t.equal(again.status, 400, 'a pre_auth_code completes one install only');
});

t.test('the install page refuses a wrong suite, an unknown code and a bad redirect_uri', async (t) => {
  const { mock, token } = await withSuiteToken(t);
  const code = String((await preAuthCode(mock, token))['pre_auth_code']);
  const wrongSuite = await installPage(mock, { suite_id: 'wwother', pre_auth_code: code, redirect_uri: REDIRECT });
  t.equal(wrongSuite.status, 400, 'a wrong suite_id shows an error page');
  t.match(wrongSuite.headers.get('content-type'), /text\/html/, 'as HTML, like the real page');
  t.equal((await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: 'unknown', redirect_uri: REDIRECT })).status, 400, 'an unknown pre_auth_code shows an error page');
  t.equal((await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: '/relative' })).status, 400, 'a relative redirect_uri shows an error page');
  t.equal((await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: REDIRECT })).status, 302, 'the code is still usable after refused attempts');
});

t.test('set_session_info errcodes: 40077 unknown, 42007 expired', async (t) => {
  let now = 1_700_000_000_000;
  const { mock, token } = await withSuiteToken(t, { now: () => now });
  t.equal((await post(mock, 'service/set_session_info', { suite_access_token: token }, { pre_auth_code: 'unknown' }))['errcode'], 40077, 'an unknown pre_auth_code answers 40077');
  const code = String((await preAuthCode(mock, token))['pre_auth_code']);
  t.equal((await post(mock, 'service/set_session_info', { suite_access_token: token }, { pre_auth_code: code, session_info: { auth_type: 2 } }))['errcode'], 40058, 'an auth_type other than 0/1 answers 40058');
  now += 1_200_000;
  t.equal((await post(mock, 'service/set_session_info', { suite_access_token: token }, { pre_auth_code: code }))['errcode'], 42007, 'an expired pre_auth_code answers 42007');
  const expired = await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: REDIRECT });
  t.equal(expired.status, 400, 'and the install page refuses it');
});

t.test('installs authorize the configured install corp, or a known corp picked by mock_corpid', async (t) => {
  const other = { ...DEFAULT_MOCK_CORP, corpId: 'wwinstallcorp0001', corpName: '安装企业' };
  const { mock, token } = await withSuiteToken(t, { corps: [other], installCorp: { corpId: other.corpId } });
  const redirectOf = async (extra: Record<string, string>): Promise<URL> => {
    const code = String((await preAuthCode(mock, token))['pre_auth_code']);
    const response = await installPage(mock, { suite_id: SUITE.suiteId, pre_auth_code: code, redirect_uri: REDIRECT, ...extra });
    return new URL(response.headers.get('location') ?? '');
  };
  const first = await redirectOf({});
  const exchanged = await post(mock, 'service/v2/get_permanent_code', { suite_access_token: token }, { auth_code: first.searchParams.get('auth_code') });
  t.match(exchanged, { auth_corp_info: { corpid: other.corpId, corp_name: '安装企业' }, state: '' }, 'installCorp is the corp installing');
  t.equal(first.searchParams.get('state'), '', 'an absent state comes back empty');
  const picked = await redirectOf({ mock_corpid: DEFAULT_CORP_IDS.corpId });
  const second = await post(mock, 'service/v2/get_permanent_code', { suite_access_token: token }, { auth_code: picked.searchParams.get('auth_code') });
  t.match(second, { auth_corp_info: { corpid: DEFAULT_CORP_IDS.corpId } }, 'mock_corpid picks the corp');
});
