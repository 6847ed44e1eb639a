import { inspect } from 'node:util';
import t, { type Test } from 'tap';
import { WecomApiError, WecomRelayError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { WecomApiClient, type WecomApiClientOptions } from '../../src/wecom-api/client.js';
import { startFakeWecomServer, type FakeWecomServer } from './fake-wecom-server.js';

const TOKEN = 'ACCESS_TOKEN_s3cr3t_9f8e7d';
const SECRET_BODY = 'PERMANENT_CODE_sh0uld_n0t_leak';

interface Harness {
  readonly server: FakeWecomServer;
  readonly client: WecomApiClient;
  /** Every retry wait the client asked for (no real sleeping). */
  readonly waits: number[];
  /** Everything logged, serialized. */
  readonly logs: string[];
}

async function harness(t: Test, options: WecomApiClientOptions = {}): Promise<Harness> {
  const server = await startFakeWecomServer();
  const waits: number[] = [];
  const logs: string[] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => {
    logs.push(JSON.stringify({ level, fields, message }));
  };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const client = new WecomApiClient({
    baseUrl: server.baseUrl,
    logger,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { server, client, waits, logs };
}

/** Asserts that no trace of the secrets is in an error, however it is printed. */
function assertNoSecrets(t: Test, error: unknown, logs: readonly string[]): void {
  const renderings = [
    (error as Error).message,
    String(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    ...logs,
  ];
  for (const text of renderings) {
    t.notMatch(text, TOKEN, 'the access token never appears in the error or the logs');
    t.notMatch(text, SECRET_BODY, 'the request body never appears in the error or the logs');
    t.notMatch(text, 'access_token=', 'the query string never appears in the error or the logs');
  }
}

t.test('an answer without errcode is a success (get_suite_token only sends errcode on failure)', async (t) => {
  const { server, client } = await harness(t);
  server.route('service/get_suite_token', () => ({ suite_access_token: 'st', expires_in: 7200 }));
  const answer = await client.call<{ suite_access_token: string }>('POST', 'service/get_suite_token', { json: { suite_secret: SECRET_BODY } });
  t.equal(answer.suite_access_token, 'st', 'the parsed body is returned');
  t.same(server.requests[0]?.body, { suite_secret: SECRET_BODY }, 'the JSON body was posted');
  t.equal(server.requests[0]?.method, 'POST', 'with the method asked for');
});

t.test('errcode 0 is a success and query parameters are sent', async (t) => {
  const { server, client } = await harness(t);
  server.route('user/get', () => ({ errcode: 0, errmsg: 'ok', userid: 'zhangsan' }));
  const answer = await client.call<{ userid: string }>('GET', 'user/get', { query: { access_token: TOKEN, userid: 'zhangsan', skipped: undefined } });
  t.equal(answer.userid, 'zhangsan', 'the body is returned');
  t.same(server.requests[0]?.query, { access_token: TOKEN, userid: 'zhangsan' }, 'defined query parameters are sent, undefined ones dropped');
});

t.test('a non-zero errcode becomes a WecomApiError with the path and no query string', async (t) => {
  const { server, client, logs } = await harness(t);
  server.route('externalcontact/get', () => ({ errcode: 40014, errmsg: 'invalid access_token' }));
  const error = await client.call('GET', 'externalcontact/get', { query: { access_token: TOKEN } }).catch((e: unknown) => e);
  t.ok(error instanceof WecomApiError, 'a WecomApiError');
  t.match(error, { code: 'ERR_WECOM_API', errcode: 40014, errmsg: 'invalid access_token', path: 'externalcontact/get' }, 'carries code, errcode, errmsg and path');
  assertNoSecrets(t, error, logs);
});

t.test('a string errcode is read as a number', async (t) => {
  const { server, client } = await harness(t);
  server.route('user/get', () => ({ errcode: '60011', errmsg: 'no privilege' }));
  await t.rejects(client.call('GET', 'user/get'), { code: 'ERR_WECOM_API', errcode: 60011 }, 'errcode "60011" is 60011');
});

t.test('a non-JSON answer is ERR_WECOM_API_HTTP', async (t) => {
  const { server, client, logs } = await harness(t);
  server.route('user/get', () => ({ status: 200, raw: '<html>captive portal</html>', contentType: 'text/html' }));
  const error = await client.call('GET', 'user/get', { query: { access_token: TOKEN }, idempotent: true }).catch((e: unknown) => e);
  t.ok(error instanceof WecomRelayError && !(error instanceof WecomApiError), 'a WecomRelayError, not an errcode');
  t.match(error, { code: 'ERR_WECOM_API_HTTP' }, 'with code ERR_WECOM_API_HTTP');
  t.equal(server.requests.length, 1, 'a non-JSON 200 is not retried');
  assertNoSecrets(t, error, logs);
});

t.test('a JSON answer that is not an object is ERR_WECOM_API_HTTP', async (t) => {
  const { server, client } = await harness(t);
  server.route('user/get', () => ({ status: 200, raw: '[1,2]', contentType: 'application/json' }));
  await t.rejects(client.call('GET', 'user/get'), { code: 'ERR_WECOM_API_HTTP' }, 'an array body is refused');
});

t.test('a non-2xx answer is ERR_WECOM_API_HTTP; 5xx is retried for idempotent reads only', async (t) => {
  const { server, client, waits, logs } = await harness(t);
  server.route('user/get', (_req, index) => (index < 2 ? { status: 502, raw: 'bad gateway' } : { errcode: 0, userid: 'u' }));
  const answer = await client.call<{ userid: string }>('GET', 'user/get', { query: { access_token: TOKEN }, idempotent: true });
  t.equal(answer.userid, 'u', 'the third attempt succeeds');
  t.equal(server.requests.length, 3, 'two 502s were retried');
  t.same(waits, [500, 1000], 'with exponential backoff');

  server.route('service/set_session_info', () => ({ status: 503, raw: 'unavailable' }));
  const error = await client.call('POST', 'service/set_session_info', { query: { suite_access_token: TOKEN }, json: { code: SECRET_BODY } }).catch((e: unknown) => e);
  t.match(error, { code: 'ERR_WECOM_API_HTTP', message: /service\/set_session_info: HTTP 503/ }, 'a non-idempotent 503 is thrown at once');
  t.equal(server.requests.filter((r) => r.path === 'service/set_session_info').length, 1, 'and not retried');
  assertNoSecrets(t, error, logs);
});

t.test('a 4xx answer is not retried', async (t) => {
  const { server, client } = await harness(t);
  server.route('user/get', () => ({ status: 404, raw: 'nope' }));
  await t.rejects(client.call('GET', 'user/get', { idempotent: true }), { code: 'ERR_WECOM_API_HTTP', message: /HTTP 404/ }, 'a 404 fails');
  t.equal(server.requests.length, 1, 'once');
});

t.test('redirects are not followed', async (t) => {
  const { server, client } = await harness(t);
  server.route('user/get', () => ({ status: 302, raw: '' }));
  await t.rejects(client.call('GET', 'user/get'), { code: 'ERR_WECOM_API_HTTP', message: /HTTP 302/ }, 'a 302 is an HTTP error');
});

t.test('errcode -1 is retried for idempotent calls, up to 3 times', async (t) => {
  const { server, client, waits } = await harness(t);
  server.route('externalcontact/get', (_req, index) => (index < 2 ? { errcode: -1, errmsg: 'system busy' } : { errcode: 0, external_contact: { external_userid: 'wm1' } }));
  const answer = await client.call<{ external_contact: { external_userid: string } }>('GET', 'externalcontact/get', { idempotent: true });
  t.equal(answer.external_contact.external_userid, 'wm1', 'succeeds after two -1s');
  t.equal(server.requests.length, 3, 'three requests');
  t.same(waits, [500, 1000], 'backing off 500 ms then 1 s');

  server.route('user/get', () => ({ errcode: -1, errmsg: 'system busy' }));
  await t.rejects(client.call('GET', 'user/get', { idempotent: true }), { code: 'ERR_WECOM_API', errcode: -1 }, 'a persistent -1 is thrown in the end');
  t.equal(server.requests.filter((r) => r.path === 'user/get').length, 4, 'after 1 try and 3 retries');
});

t.test('errcode -1 is not retried for non-idempotent calls', async (t) => {
  const { server, client, waits } = await harness(t);
  server.route('service/get_permanent_code', () => ({ errcode: -1, errmsg: 'system busy' }));
  await t.rejects(client.call('POST', 'service/get_permanent_code', { json: { auth_code: SECRET_BODY } }), { code: 'ERR_WECOM_API', errcode: -1 }, 'the -1 is thrown');
  t.equal(server.requests.length, 1, 'one request only: a one-use code is never re-sent');
  t.same(waits, [], 'no wait');
});

t.test('errcode 45033 is retried for idempotent calls', async (t) => {
  const { server, client, waits } = await harness(t);
  server.route('user/get', (_req, index) => (index === 0 ? { errcode: 45033, errmsg: 'concurrency' } : { errcode: 0, userid: 'u' }));
  await client.call('GET', 'user/get', { idempotent: true });
  t.equal(server.requests.length, 2, 'retried once');
  t.same(waits, [1000], 'after 1 s');
});

t.test('errcode 45009 is never hammered: thrown after the first answer', async (t) => {
  const { server, client, waits } = await harness(t);
  server.route('user/get', () => ({ errcode: 45009, errmsg: 'api freq out of limit' }));
  await t.rejects(client.call('GET', 'user/get', { idempotent: true }), { code: 'ERR_WECOM_API', errcode: 45009 }, 'the 45009 is thrown');
  t.equal(server.requests.length, 1, 'one request');
  t.same(waits, [], 'no in-place retry');
});

t.test('a network failure is ERR_WECOM_API_HTTP without the URL, retried for idempotent reads', async (t) => {
  const { server, logs } = await harness(t);
  const deadUrl = server.baseUrl;
  await server.close();
  const waits: number[] = [];
  const client = new WecomApiClient({ baseUrl: deadUrl, sleep: async (ms) => void waits.push(ms) });
  t.teardown(() => client.close());
  const error = await client.call('GET', 'user/get', { query: { access_token: TOKEN }, idempotent: true }).catch((e: unknown) => e);
  t.match(error, { code: 'ERR_WECOM_API_HTTP', message: /^user\/get: request failed/ }, 'a transport error');
  t.equal(waits.length, 3, 'retried three times');
  assertNoSecrets(t, error, logs);
  t.notOk(inspect(error, { depth: 10, showHidden: true }).includes(deadUrl), 'the URL is not kept in the error or its cause');
});

t.test('an aborted call is ERR_WECOM_API_HTTP and not retried', async (t) => {
  const { server, client, waits } = await harness(t);
  const controller = new AbortController();
  server.route('user/get', () => {
    controller.abort();
    return new Promise(() => {});
  });
  await t.rejects(client.call('GET', 'user/get', { idempotent: true, signal: controller.signal }), { code: 'ERR_WECOM_API_HTTP', message: /aborted/ }, 'aborted');
  t.same(waits, [], 'no retry after an abort');
});

t.test('calls with a rateKey go through that corp\'s queue', async (t) => {
  const { server, client } = await harness(t, { corpRateLimit: { concurrency: 2, intervalCap: 2, intervalMs: 1000 } });
  let inFlight = 0;
  let maxInFlight = 0;
  server.route('user/get', async () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    return { errcode: 0 };
  });
  const calls = [1, 2, 3].map(() => client.call('GET', 'user/get', { rateKey: 'corpA', idempotent: true }));
  t.equal(client.queueDepth('corpA'), 3, 'three calls queued or running for corpA');
  await Promise.all(calls.slice(0, 2));
  t.equal(server.requests.length, 2, 'two calls were let through in the first interval');
  t.equal(client.queueDepth('corpA'), 1, 'the third waits for the next interval');
  t.equal(client.queueDepth('corpB'), 0, 'other corps have their own queue');
  await calls[2];
  t.equal(server.requests.length, 3, 'the third ran in the next interval');
  t.ok(maxInFlight <= 2, 'never more than the concurrency in flight');
});

t.test('bad options and paths are TypeErrors', async (t) => {
  t.throws(() => new WecomApiClient({ baseUrl: 'ftp://x' }), TypeError, 'a non-http baseUrl');
  t.throws(() => new WecomApiClient({ baseUrl: 'https://x/?a=1' }), TypeError, 'a baseUrl with a query');
  t.throws(() => new WecomApiClient({ timeoutMs: 0 }), TypeError, 'a zero timeout');
  t.throws(() => new WecomApiClient({ maxRetries: -1 }), TypeError, 'negative retries');
  t.throws(() => new WecomApiClient({ corpRateLimit: { intervalCap: 0 } }), TypeError, 'a zero intervalCap');
  const client = new WecomApiClient();
  t.teardown(() => client.close());
  await t.rejects(client.call('GET', `user/get?access_token=${TOKEN}`), TypeError, 'a path with a query string is refused');
  const error = await client.call('GET', `user/get?access_token=${TOKEN}`).catch((e: unknown) => e);
  t.notMatch((error as Error).message, TOKEN, 'and the refusal does not echo the token');
  await t.rejects(client.call('GET', '/cgi-bin/user/get'), TypeError, 'an absolute path is refused');
});

t.test('forward(): a caller that leaves cuts its call off, and a call it left while queued is never sent', async (t) => {
  const { server, client } = await harness(t, { corpRateLimit: { concurrency: 1, intervalCap: 100, intervalMs: 1000 } });
  let release: () => void = () => {};
  server.route('externalcontact/get', () => new Promise((resolve) => { release = () => resolve({ errcode: 0 }); }));
  const left = new AbortController();
  const first = client.forward({ method: 'GET', path: 'externalcontact/get', query: 'external_userid=a', rateKey: 'corp1', signal: left.signal });
  const queuedLeft = new AbortController();
  const queued = client.forward({ method: 'GET', path: 'externalcontact/get', query: 'external_userid=b', rateKey: 'corp1', signal: queuedLeft.signal });
  while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
  queuedLeft.abort();
  left.abort();
  await t.rejects(first, { code: 'ERR_WECOM_API_HTTP', message: /aborted/ }, 'the call in flight is cut off');
  await t.rejects(queued, { code: 'ERR_WECOM_API_HTTP', message: /aborted/ }, 'the queued call rejects as aborted');
  release();
  t.same(server.requests.map((r) => r.query['external_userid'] ?? r.path), ['a'], 'only the call in flight reached WeCom');
});
