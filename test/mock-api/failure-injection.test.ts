import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { authorized, post, SUITE, type Body } from '../helpers/mock-api-client.js';



async function getContact(mock: StartedMockWecomApi, token: string, signal?: AbortSignal): Promise<Response> {
  const query = new URLSearchParams({ access_token: token, external_userid: DEFAULT_CORP_IDS.externalUserid });
  return fetch(new URL(`/cgi-bin/externalcontact/get?${query.toString()}`, mock.url), signal === undefined ? {} : { signal });
}


async function admin(mock: StartedMockWecomApi, method: string, name: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(new URL(`/__mock/${name}`, mock.url), {
    method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

t.test('an injected errcode with times: 2 answers twice, then the call succeeds', async (t) => {
  const { mock, token } = await authorized(t);
  mock.inject({ path: 'externalcontact/get', errcode: -1, times: 2 });
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(((await (await getContact(mock, token)).json()) as Body)['errcode']);
  t.same(answers, [-1, -1, 0], 'two system-busy answers, then success');
  const recorded = mock.calls.filter((c) => c.path === 'externalcontact/get');
  t.same(recorded.map((c) => [c.errcode, c.injected]), [[-1, true], [-1, true], [0, false]], 'the call log marks the injected answers');
});

t.test('rules apply FIFO, may target one corp, and may answer a bare HTTP status', async (t) => {
  const { mock, token } = await authorized(t);
  mock.inject({ path: '*', errcode: 45033, corpId: 'wwsomeothercorp' });
  mock.inject({ path: 'cgi-bin/externalcontact/get', httpStatus: 502 });
  mock.inject({ path: '*', errcode: 45009 });
  const gateway = await getContact(mock, token);
  t.equal(gateway.status, 502, 'the first rule for this corp answers HTTP 502');
  t.equal(await gateway.text(), '502 Bad Gateway', 'with a plain-text body, as a gateway would');
  const limited = (await (await getContact(mock, token)).json()) as Body;
  t.equal(limited['errcode'], 45009, 'the next rule applies next');
  const normal = (await (await getContact(mock, token)).json()) as Body;
  t.equal(normal['errcode'], 0, 'the rule for another corp never matched');
  t.throws(() => mock.inject({ path: '' }), TypeError, 'a rule without a path is a developer mistake');
  t.throws(() => mock.inject({ path: '*', times: 0 }), TypeError, 'times must be positive');
});

t.test('a delay is served before normal handling', async (t) => {
  const { mock, token } = await authorized(t);
  mock.inject({ path: 'externalcontact/get', delayMs: 80 });
  const started = performance.now();
  const answer = (await (await getContact(mock, token)).json()) as Body;
  t.ok(performance.now() - started >= 75, 'the answer came after the delay');
  t.equal(answer['errcode'], 0, 'and was the normal answer');
});

t.test('a hung call never answers; close() still ends promptly', async (t) => {
  const mock = await startMockWecomApi(SUITE);
  mock.inject({ path: 'service/get_suite_token', hang: true, times: 2 });
  const url = new URL('/cgi-bin/service/get_suite_token', mock.url);
  await t.rejects(fetch(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(100) }), 'the client times out waiting');
  t.match(mock.calls[0], { path: 'service/get_suite_token', httpStatus: 0, errcode: undefined, injected: true }, 'the hung call is logged without an answer');
  const pending = fetch(url, { method: 'POST', body: '{}' });
  while (mock.calls.length < 2) await new Promise((resolve) => setImmediate(resolve));
  const closed = mock.close();
  await t.rejects(pending, 'closing drops the hung connection');
  await t.resolves(closed, 'and close() resolves');
});

t.test('limits.perPathPerMinute answers 45009 and bans for 60 s', async (t) => {
  let now = 1_700_000_000_000;
  const { mock, token } = await authorized(t, { now: () => now, limits: { perPathPerMinute: 2 } });
  const errcodes = async (): Promise<unknown> => ((await (await getContact(mock, token)).json()) as Body)['errcode'];
  t.same([await errcodes(), await errcodes(), await errcodes()], [0, 0, 45009], 'the third call in a minute answers 45009');
  now += 59_000;
  t.equal(await errcodes(), 45009, 'the ban lasts 60 s');
  now += 2_000;
  t.equal(await errcodes(), 0, 'then calls are answered again');
});

t.test('the call log holds no token, ticket, secret or code', async (t) => {
  const { mock, token, suiteToken, ticket, permanentCode, authCode } = await authorized(t);
  await post(mock, 'service/get_corp_token', { suite_access_token: suiteToken }, { auth_corpid: DEFAULT_CORP_IDS.corpId, permanent_code: permanentCode });
  await getContact(mock, token);
  const log = JSON.stringify(mock.calls);
  for (const [name, secret] of Object.entries({ token, suiteToken, ticket, permanentCode, authCode, secret: SUITE.suiteSecret })) {
    t.notOk(log.includes(secret), `the ${name} value is not logged`);
  }
  t.match(mock.calls.at(-1), { method: 'GET', path: 'externalcontact/get', query: { access_token: '<redacted>', external_userid: DEFAULT_CORP_IDS.externalUserid }, corpId: DEFAULT_CORP_IDS.corpId, errcode: 0 }, 'the query keeps its keys and non-secret values');
  t.match(mock.calls[0], { path: 'service/get_suite_token', body: { suite_id: SUITE.suiteId, suite_secret: '<redacted>', suite_ticket: '<redacted>' }, errcode: 0 }, 'the body keeps its keys and non-secret values');
  mock.clearCalls();
  t.equal(mock.calls.length, 0, 'clearCalls empties the log');
});

t.test('a malformed JSON body is answered with the real "wrong json format" warning', async (t) => {
  const { mock, suiteToken } = await authorized(t);
  const response = await fetch(new URL(`/cgi-bin/service/get_permanent_code?suite_access_token=${suiteToken}`, mock.url), { method: 'POST', body: '{"auth_code":' });
  const answer = (await response.json()) as Body;
  t.equal(answer['errcode'], 41008, 'the body counts as empty');
  t.match(answer['errmsg'], /Warning: wrong json format\./, 'the errmsg carries the warning');
  t.equal(mock.calls.at(-1)?.body, '<malformed json>', 'the log does not keep the raw body');
});

t.test('the /__mock/ admin surface drives the mock over HTTP', async (t) => {
  const mock = await startMockWecomApi(SUITE);
  t.teardown(() => mock.close());
  const issued = await admin(mock, 'POST', 'suite_ticket');
  t.match(issued, { status: 200, body: { ticket: String, timestamp: Number } }, 'POST suite_ticket issues a ticket');
  const suite = await post(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: issued.body['ticket'] });
  t.type(suite['suite_access_token'], 'string', 'which get_suite_token accepts');
  const code = await admin(mock, 'POST', 'auth_code', { corpId: DEFAULT_CORP_IDS.corpId });
  t.match(code, { status: 200, body: { authCode: String, corpId: DEFAULT_CORP_IDS.corpId, expiresIn: 600 } }, 'POST auth_code takes the flat {corpId} trigger sends');
  const injected = await admin(mock, 'POST', 'inject', { path: 'service/get_permanent_code', errcode: -1 });
  t.equal(injected.status, 200, 'POST inject queues a rule');
  const busy = await post(mock, 'service/get_permanent_code', { suite_access_token: String(suite['suite_access_token']) }, { auth_code: code.body['authCode'] });
  t.equal(busy['errcode'], -1, 'the injected rule answers');
  const calls = await admin(mock, 'GET', 'calls');
  t.match(calls.body, { calls: [{ path: 'service/get_suite_token' }, { path: 'service/get_permanent_code', errcode: -1, query: { suite_access_token: '<redacted>' } }] }, 'GET calls lists the API calls, redacted');
  t.notOk(JSON.stringify(calls.body).includes(String(suite['suite_access_token'])), 'without token values');
  t.equal((await admin(mock, 'POST', 'inject', { path: 'x', times: -1 })).status, 400, 'a bad rule answers 400');
  t.equal((await admin(mock, 'POST', 'revoke_corp', { corpId: 'wwunknown' })).status, 400, 'revoking an unknown corp answers 400');
  t.equal((await admin(mock, 'GET', 'nothing')).status, 404, 'an unknown admin route answers 404');
  t.equal((await admin(mock, 'DELETE', 'calls')).status, 200, 'DELETE calls clears the log');
  t.equal(mock.calls.length, 0, 'admin calls are not logged');
});
