import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';
import { CORP_ID, SUITE_ID, startTestRelay, type TestRelay } from '../e2e/helpers/test-relay.js';

const FULL = `full_${randomBytes(24).toString('hex')}`;
const LIMITED = `limited_${randomBytes(24).toString('hex')}`;
const NO_TOKENS = `notokens_${randomBytes(24).toString('hex')}`;
const OTHER_CORP = 'wwotherCorp0000001';

interface Answer { readonly status: number; readonly type: string | null; readonly text: string; readonly json: Record<string, any> | undefined }

/** One gateway call over real HTTP. */
async function call(relay: TestRelay, path: string, init: { key?: string | null; method?: string; body?: Buffer | string; type?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? FULL}`;
  if (init.type) headers['content-type'] = init.type;
  const response = await fetch(`${relay.relay.gateway!.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: init.body }) });
  const text = await response.text();
  let json: Record<string, any> | undefined;
  try { json = JSON.parse(text) as Record<string, any>; } catch { json = undefined; }
  return { status: response.status, type: response.headers.get('content-type'), text, json };
}

/** The corp API path prefix of the suite app (named by its id: `suite:` is one app named by its id). */
const corpApi = (corpId: string = CORP_ID, app: string = SUITE_ID) => `/v1/apps/${app}/corps/${corpId}/cgi-bin`;

/** sha1 of WeCom's documented string, computed here independently of the code under test (doc 96909). */
function expectedSignature(ticket: string, nonce: string, timestamp: number, url: string): string {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonce}&timestamp=${timestamp}&url=${url}`).digest('hex');
}

t.test('the gateway over real HTTP against the mock WeCom API: every error code, the proxy, the token and JS-SDK routes', async (t) => {
  const relay = await startTestRelay(t, {
    dir: t.testdir(), targets: [],
    gateway: {
      host: '127.0.0.1', port: 0,
      keys: [
        { name: 'full', key: FULL, tokens: true },
        { name: 'limited', key: LIMITED, apps: [SUITE_ID], corpIds: [CORP_ID], paths: ['externalcontact/*', 'user/get', 'media/upload'] },
        { name: 'notokens', key: NO_TOKENS },
      ],
    },
  });
  t.ok(relay.relay.gateway, 'the gateway listens');
  let calls = 0;
  const counted = async (...args: Parameters<typeof call>) => { calls++; return call(...args); };

  // Before any suite_ticket: nothing can be fetched.
  const early = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/get_pre_auth_code`);
  t.equal(early.status, 503, 'suite route before any suite_ticket → 503');
  t.equal(early.json?.code, 'ERR_GATEWAY_NO_CREDENTIALS', 'ERR_GATEWAY_NO_CREDENTIALS');
  const never = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.same([never.status, never.json?.code], [404, 'ERR_GATEWAY_UNKNOWN_CORP'], 'a corp that never installed → 404 ERR_GATEWAY_UNKNOWN_CORP');

  // Keys.
  const none = await counted(relay, `${corpApi()}/user/get`, { key: null });
  t.same([none.status, none.json?.code], [401, 'ERR_GATEWAY_UNAUTHORIZED'], 'no key → 401');
  const wrong = await counted(relay, `${corpApi()}/user/get`, { key: `${FULL.slice(0, -1)}x` });
  t.same([wrong.status, wrong.json?.code], [401, 'ERR_GATEWAY_UNAUTHORIZED'], 'a wrong key → 401');

  t.ok((await relay.install()).ok, 'suite_ticket and create_auth went through: the corp is authorized');

  const user = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.equal(user.status, 200, 'proxied user/get → 200');
  t.match(user.type, /^application\/json/, 'with WeCom\'s content-type');
  t.equal(user.json?.errcode, 0, 'and WeCom\'s body');
  t.equal(user.json?.userid, 'zhangsan', 'the member');
  const lastUserGet = relay.mock.calls.filter((c) => c.path === 'user/get').at(-1);
  t.equal(lastUserGet?.query.userid, 'zhangsan', 'the caller\'s query reached WeCom');
  t.equal(lastUserGet?.query.access_token, '<redacted>', 'with the corp\'s access_token added');

  // Scopes.
  const unknownApp = await counted(relay, `${corpApi(CORP_ID, 'nosuchapp')}/user/get`);
  t.same([unknownApp.status, unknownApp.json?.code], [404, 'ERR_GATEWAY_UNKNOWN_CORP'], 'an unknown app → 404');
  const appOutside = await counted(relay, `${corpApi(CORP_ID, 'nosuchapp')}/user/get`, { key: LIMITED });
  t.same([appOutside.status, appOutside.json?.code], [403, 'ERR_GATEWAY_FORBIDDEN'], 'an app outside the key\'s apps → 403');
  const corpOutside = await counted(relay, `${corpApi(OTHER_CORP)}/user/get`, { key: LIMITED });
  t.same([corpOutside.status, corpOutside.json?.code], [403, 'ERR_GATEWAY_FORBIDDEN'], 'a corp outside the key\'s corpIds → 403');
  const pathOutside = await counted(relay, `${corpApi()}/department/get?id=1`, { key: LIMITED });
  t.same([pathOutside.status, pathOutside.json?.code], [403, 'ERR_GATEWAY_FORBIDDEN'], 'a path outside the key\'s globs → 403');
  const inside = await counted(relay, `${corpApi()}/externalcontact/get?external_userid=woAJ2GCAAAXtWyujaWJHDDGi0mACH71w`, { key: LIMITED });
  t.equal(inside.status, 200, 'a path inside the key\'s globs (externalcontact/*) passes');
  const noTokens = await counted(relay, `/v1/apps/${SUITE_ID}/corps/${CORP_ID}/token`, { key: NO_TOKENS });
  t.same([noTokens.status, noTokens.json?.code], [403, 'ERR_GATEWAY_FORBIDDEN'], 'a token route without tokens: true → 403');
  const noSuiteToken = await counted(relay, `/v1/apps/${SUITE_ID}/suite-token`, { key: NO_TOKENS });
  t.equal(noSuiteToken.status, 403, 'the suite-token route too');

  // Token routes.
  const token = await counted(relay, `/v1/apps/${SUITE_ID}/corps/${CORP_ID}/token`);
  const stored = await relay.store.getKv(namespaces.corpToken, appCorpKey(SUITE_ID, CORP_ID));
  t.equal(token.status, 200, 'corp token route → 200 for a tokens: true key');
  t.equal(token.json?.access_token, stored?.value.token, 'the relay\'s own token (one token per corp, shared)');
  t.equal(token.json?.expires_at, Math.floor(stored!.value.expiresAt / 1000), 'with expires_at in epoch seconds');
  const suiteToken = await counted(relay, `/v1/apps/${SUITE_ID}/suite-token`);
  t.equal(suiteToken.status, 200, 'suite token route → 200');
  t.type(suiteToken.json?.suite_access_token, 'string', 'suite_access_token');
  t.type(suiteToken.json?.expires_at, 'number', 'and expires_at');

  // Caller-supplied token.
  const own = await counted(relay, `${corpApi()}/user/get?userid=zhangsan&access_token=mine`);
  t.same([own.status, own.json?.code], [400, 'ERR_GATEWAY_BAD_REQUEST'], 'a caller-supplied access_token → 400');
  const noRoute = await counted(relay, '/v1/nothing');
  t.same([noRoute.status, noRoute.json?.code], [404, 'ERR_GATEWAY_NO_ROUTE'], 'an unknown route → 404 ERR_GATEWAY_NO_ROUTE');

  // Suite route.
  const preAuth = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/get_pre_auth_code`);
  t.equal(preAuth.json?.errcode, 0, 'the suite route calls service/ APIs with the suite_access_token');
  relay.mock.inject({ path: 'service/get_pre_auth_code', errcode: 42009 });
  const suiteBefore = relay.mock.calls.filter((c) => c.path === 'service/get_suite_token').length;
  const preAuthAgain = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/get_pre_auth_code`);
  t.equal(preAuthAgain.json?.errcode, 0, '42009 on the suite route: refreshed and retried once');
  t.equal(relay.mock.calls.filter((c) => c.path === 'service/get_suite_token').length, suiteBefore + 1, 'one suite token fetch');

  // The home page's login (docs/gateway.md): the OAuth code of the redirect → the member → their details.
  const login = relay.mock.issueOAuthCode({ corpId: CORP_ID, userid: 'zhangsan', scope: 'snsapi_privateinfo' });
  const member = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/auth/getuserinfo3rd?code=${encodeURIComponent(login.code)}`);
  t.match(member.json, { errcode: 0, corpid: CORP_ID, userid: 'zhangsan', user_ticket: String }, 'getuserinfo3rd through the suite route: the member of the code');
  const detail = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/auth/getuserdetail3rd`, {
    method: 'POST', type: 'application/json', body: JSON.stringify({ user_ticket: member.json?.user_ticket }),
  });
  t.match(detail.json, { errcode: 0, userid: 'zhangsan', gender: '1' }, 'getuserdetail3rd with its user_ticket: the details');
  const reused = await counted(relay, `/v1/apps/${SUITE_ID}/cgi-bin/service/auth/getuserinfo3rd?code=${encodeURIComponent(login.code)}`);
  t.same([reused.status, reused.json?.errcode], [200, 40029], 'the code again: WeCom\'s 40029 answered as it came, no refresh');
  const userTicket = String(member.json?.user_ticket);

  // 42001 on the first call: invalidated, refreshed, retried once.
  const tokenFetches = () => relay.mock.calls.filter((c) => c.path === 'service/get_corp_token').length;
  const fetchesBefore = tokenFetches();
  const userGets = () => relay.mock.calls.filter((c) => c.path === 'user/get').length;
  const getsBefore = userGets();
  relay.mock.inject({ path: 'user/get', errcode: 42001 });
  const retried = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.equal(retried.json?.errcode, 0, '42001 on the first call: the caller gets the retried call\'s answer');
  t.equal(userGets() - getsBefore, 2, 'WeCom was called twice (first 42001, then the retry)');
  t.equal(tokenFetches() - fetchesBefore, 1, 'and the corp token was fetched once in between');
  relay.mock.inject({ path: 'user/get', errcode: 40014, times: 2 });
  const twice = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.equal(twice.json?.errcode, 40014, 'a second token error goes back as WeCom gave it (no refresh storm)');
  t.equal(userGets() - getsBefore, 4, 'after exactly one retry');

  // Rate limits answered as WeCom gave them.
  relay.mock.inject({ path: 'user/get', errcode: 45009 });
  const limited = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.same([limited.status, limited.json?.errcode], [200, 45009], '45009 is answered as WeCom gave it');
  t.match(limited.json?.errmsg, /api freq out of limit/, 'errmsg included');
  relay.mock.inject({ path: 'user/get', errcode: 45033, httpStatus: 200 });
  t.equal((await counted(relay, `${corpApi()}/user/get?userid=zhangsan`)).json?.errcode, 45033, '45033 too');

  // A 20 MiB file in a multipart upload passes unchanged.
  const file = randomBytes(20 * 1024 * 1024);
  const boundary = `----gateway${randomBytes(8).toString('hex')}`;
  const multipart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="big.bin"; filelength=${file.length}\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const uploaded = await counted(relay, `${corpApi()}/media/upload?type=file`, { method: 'POST', body: multipart, type: `multipart/form-data; boundary=${boundary}`, key: LIMITED });
  t.equal(uploaded.json?.errcode, 0, 'media/upload of a 20 MiB file → errcode 0');
  const upload = relay.mock.uploads.at(-1);
  t.equal(upload?.bodyBytes, multipart.length, 'the mock received every byte');
  t.equal(upload?.bodySha256, createHash('sha256').update(multipart).digest('hex'), 'the body\'s digest at the mock is the one sent');
  t.equal(upload?.fileSha256, createHash('sha256').update(file).digest('hex'), 'and so is the file\'s');
  t.equal(uploaded.json?.media_id, upload?.mediaId, 'the caller got the mock\'s media_id');
  const tooBig = await counted(relay, `${corpApi()}/media/upload?type=file`, { method: 'POST', body: Buffer.alloc(21 * 1024 * 1024), type: `multipart/form-data; boundary=${boundary}` });
  t.same([tooBig.status, tooBig.json?.code], [413, 'ERR_GATEWAY_BODY_TOO_LARGE'], 'a body beyond the cap → 413');

  // send_welcome_msg, as the demo's sink does.
  const welcome = await counted(relay, `${corpApi()}/externalcontact/send_welcome_msg`, { method: 'POST', type: 'application/json', body: JSON.stringify({ welcome_code: 'WELCOME_1', text: { content: '你好' } }) });
  t.equal(welcome.json?.errcode, 0, 'send_welcome_msg through the gateway');
  t.equal(relay.mock.welcomeMessages.at(-1)?.welcomeCode, 'WELCOME_1', 'arrived at the mock');
  const again = await counted(relay, `${corpApi()}/externalcontact/send_welcome_msg`, { method: 'POST', type: 'application/json', body: JSON.stringify({ welcome_code: 'WELCOME_1', text: { content: '你好' } }) });
  t.equal(again.json?.errcode, 41051, 'the code works once (41051 after)');

  // JS-SDK signatures, checked against the documented algorithm with the tickets the mock issued.
  const page = 'https://app.example.com/home?x=1&y=2';
  const jsapi = await counted(relay, `/v1/apps/${SUITE_ID}/corps/${CORP_ID}/jsapi?url=${encodeURIComponent(`${page}#section`)}`);
  t.equal(jsapi.status, 200, 'jsapi route → 200');
  const tickets = [...relay.mock.jsapiTickets].filter(([, v]) => v.corpId === CORP_ID);
  const corpTicket = tickets.find(([, v]) => v.kind === 'corp')?.[0];
  const agentTicket = tickets.find(([, v]) => v.kind === 'agent_config')?.[0];
  t.ok(corpTicket && agentTicket, 'the mock issued both tickets');
  const { config, agentConfig } = jsapi.json as { config: Record<string, any>; agentConfig: Record<string, any> };
  t.equal(config.appId, CORP_ID, 'wx.config appId = the corp id');
  t.equal(config.signature, expectedSignature(corpTicket!, config.nonceStr, config.timestamp, page), 'wx.config signature = sha1 of the documented string (fragment dropped)');
  t.equal(agentConfig.signature, expectedSignature(agentTicket!, agentConfig.nonceStr, agentConfig.timestamp, page), 'wx.agentConfig signature with the agent_config ticket');
  t.equal(agentConfig.agentid, 1_000_012, 'agentid from the stored auth info');
  t.ok(Math.abs(config.timestamp - Date.now() / 1000) < 60, 'timestamp in seconds');
  await counted(relay, `/v1/apps/${SUITE_ID}/corps/${CORP_ID}/jsapi?url=${encodeURIComponent(page)}`);
  t.equal(relay.mock.calls.filter((c) => c.path === 'get_jsapi_ticket').length, 1, 'the corp ticket is cached (fetched once)');
  t.equal(relay.mock.calls.filter((c) => c.path === 'ticket/get').length, 1, 'and the agent_config ticket');
  t.ok(await relay.store.getKv(namespaces.jsapiTicket, `${SUITE_ID}:${CORP_ID}:corp`), 'in the store, for the other processes');
  const badUrl = await counted(relay, `/v1/apps/${SUITE_ID}/corps/${CORP_ID}/jsapi?url=notaurl`);
  t.same([badUrl.status, badUrl.json?.code], [400, 'ERR_GATEWAY_BAD_REQUEST'], 'a page url that is not absolute http(s) → 400');

  // Metrics per key, app and class.
  const metrics = await relay.relay.metrics.registry.getSingleMetricAsString('wecom_relay_gateway_requests_total');
  t.match(metrics, /wecom_relay_gateway_requests_total\{key="full",app="ww917724cb573d8629",class="ok"\} \d+/, 'calls counted per key, app and class');
  t.match(metrics, /class="unauthorized"/, 'refusals too');
  const histogram = await relay.relay.metrics.registry.getSingleMetricAsString('wecom_relay_gateway_duration_seconds');
  t.match(histogram, /wecom_relay_gateway_duration_seconds_bucket\{le="0.005",key="full"/, 'a latency histogram');

  // WeCom unreachable.
  await relay.mock.close();
  const down = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.same([down.status, down.json?.code], [502, 'ERR_GATEWAY_UPSTREAM'], 'WeCom unreachable → 502 ERR_GATEWAY_UPSTREAM');

  // Revoked corp.
  await relay.relay.daemon!.tokens!.revokeCorp(CORP_ID);
  const revoked = await counted(relay, `${corpApi()}/user/get?userid=zhangsan`);
  t.same([revoked.status, revoked.json?.code], [409, 'ERR_GATEWAY_CORP_INACTIVE'], 'a revoked corp → 409 ERR_GATEWAY_CORP_INACTIVE');

  // One audit line per call, none with a key or a token.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const audit = relay.logs.filter((line) => line.includes('"msg":"gateway call"'));
  t.equal(audit.length, calls, `one audit line per call (${calls})`);
  const first = JSON.parse(audit.find((line) => line.includes('"path":"user/get"') && line.includes('"key":"full"'))!) as { gateway: Record<string, unknown> };
  t.same(Object.keys(first.gateway).sort(), ['app', 'attempts', 'code', 'corp', 'errcode', 'key', 'method', 'ms', 'path', 'status'], 'key name, app, corp, method, path, status, errcode, code, attempts, ms');
  const secrets = [FULL, LIMITED, NO_TOKENS, String(token.json?.access_token), String(suiteToken.json?.suite_access_token), corpTicket!, agentTicket!, login.code, userTicket];
  for (const line of relay.logs) {
    for (const secret of secrets) if (line.includes(secret)) t.fail(`a log line holds a key, token or ticket: ${line.slice(0, 200)}`);
  }
  t.pass('no key, token or ticket in any of the relay\'s log lines');
});

t.test('a gateway port in use fails the start with the setting named, and starts nothing', async (t) => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  const failure = await startTestRelay(t, { dir: t.testdir(), targets: [], gateway: { host: '127.0.0.1', port, keys: [{ name: 'k', key: FULL }] } })
    .then(() => undefined, (error: unknown) => error as Error & { setting?: string; code?: string });
  t.equal(failure?.name, 'ListenError', 'a ListenError');
  t.equal(failure?.setting, 'gateway.port', 'naming gateway.port');
  t.match(failure?.message, new RegExp(`^gateway\\.port ${port} is in use`), `"gateway.port ${port} is in use …"`);
});
