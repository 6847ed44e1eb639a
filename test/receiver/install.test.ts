import { createServer } from 'node:http';
import express from 'express';
import t from 'tap';
import { startMockWecomApi, type StartedMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { eventId } from '../../src/events/event-id.js';
import { normalize } from '../../src/events/normalize.js';
import type { WecomEvent } from '../../src/events/types.js';
import type { InstallOptions } from '../../src/receiver/install-options.js';
import { INSTALL_STATE_NAMESPACE, createInstallHandler } from '../../src/receiver/install-routes.js';
import { wecomCallback } from '../../src/receiver/express.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProvider } from '../../src/wecom-api/token-provider.js';
import { buildXml } from '../../src/xml/build-xml.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { listen } from '../helpers/listen.js';

const SUITE = 'ww917724cb573d8629';
const SECRET = 'mock-suite-secret';
const PUBLIC = 'https://zjemail.cn';
const CALLBACK_URL = `${PUBLIC}/wecom/install/callback`;

/** The one thing the helpers need from a tap test. */
type Test = { testdir(): string; teardown(fn: () => unknown): void };

interface Harness {
  readonly url: string;
  readonly mock: StartedMockWecomApi;
  readonly store: Store;
  /** Resolves with the first event onEvent sees (it is called just after the answer is sent). */
  readonly firstEvent: Promise<WecomEvent>;
  /** Moves the relay's clock (not the mock's). */
  advance(ms: number): void;
}

interface HarnessOptions {
  readonly install?: Partial<InstallOptions>;
  /** Push no suite_ticket (a relay deployed a minute ago). */
  readonly noTicket?: boolean;
  /** Wraps the real store (to make it fail). */
  readonly wrapStore?: (store: Store) => Store;
}

/** A mock WeCom API, a real SQLite store holding a suite_ticket, and an Express app mounting wecomCallback(). */
async function harness(t: Test, options: HarnessOptions = {}): Promise<Harness> {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${t.testdir()}/relay.db`);
  t.teardown(() => store.close());
  let offset = 0;
  const now = () => Date.now() + offset;
  if (!options.noTicket) {
    // What the daemon does with a suite_ticket push.
    const client = new WecomApiClient({ baseUrl: mock.url });
    const issued = mock.issueSuiteTicket();
    await new TokenProvider({ store, api: new SuiteApi(client), suiteId: SUITE, suiteSecret: SECRET }).saveSuiteTicket(issued.ticket, issued.timestamp);
  }
  let seen: (event: WecomEvent) => void = () => {};
  const firstEvent = new Promise<WecomEvent>((resolve) => { seen = resolve; });
  const middleware = wecomCallback({
    suiteId: SUITE,
    ...generateSuiteKeys(),
    store: options.wrapStore ? options.wrapStore(store) : store,
    now,
    onEvent: (event) => { seen(event); },
    install: { publicBaseUrl: PUBLIC, installPageUrl: `${mock.url}/3rdapp/install`, suiteSecret: SECRET, wecomApiBaseUrl: mock.url, ...options.install },
  });
  t.teardown(() => middleware.close());
  const app = express();
  app.use(express.json());
  app.use(middleware);
  const server = await listen(createServer(app));
  t.teardown(server.close);
  return { url: server.url, mock, store, firstEvent, advance: (ms) => { offset += ms; } };
}

function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

/** GET /wecom/install; resolves the 302's Location. */
async function startInstall(h: Harness): Promise<URL> {
  const response = await get(`${h.url}/wecom/install`);
  if (response.status !== 302) throw new Error(`install route answered ${response.status}: ${await response.text()}`);
  return new URL(response.headers.get('location') ?? '');
}

/** The mock install page's redirect back, re-aimed at the test server (as the reverse proxy for zjemail.cn would). */
async function adminApproves(h: Harness, installPage: URL): Promise<{ callback: string; authCode: string; state: string }> {
  const response = await get(installPage.toString());
  if (response.status !== 302) throw new Error(`mock install page answered ${response.status}`);
  const back = new URL(response.headers.get('location') ?? '');
  return { callback: `${h.url}${back.pathname}${back.search}`, authCode: back.searchParams.get('auth_code') ?? '', state: back.searchParams.get('state') ?? '' };
}

t.test('the install route redirects to the WeCom install page with suite_id, pre_auth_code, redirect_uri and state', async (t) => {
  const h = await harness(t);
  const response = await get(`${h.url}/wecom/install`);
  t.equal(response.status, 302, 'a 302');
  t.equal(response.headers.get('cache-control'), 'no-store', 'never cached (each visit gets its own state)');
  const location = new URL(response.headers.get('location') ?? '');
  t.equal(`${location.origin}${location.pathname}`, `${h.mock.url}/3rdapp/install`, 'to the configured install page');
  t.equal(location.searchParams.get('suite_id'), SUITE, 'suite_id');
  t.match(location.searchParams.get('pre_auth_code'), /^.{8,}$/, 'a pre_auth_code from get_pre_auth_code');
  t.equal(location.searchParams.get('redirect_uri'), CALLBACK_URL, 'redirect_uri is the callback route on the public base URL');
  const state = location.searchParams.get('state') ?? '';
  t.match(state, /^[A-Za-z0-9_-]{24}$/, 'a random state');
  t.ok(await h.store.getKv(INSTALL_STATE_NAMESPACE, state), 'the state is stored');
  t.equal((await h.store.getKv(INSTALL_STATE_NAMESPACE, state))?.expiresAt, (await h.store.getKv(INSTALL_STATE_NAMESPACE, state))!.updatedAt + 600_000, 'for 10 minutes by default');
  t.notOk(h.mock.calls.some((c) => c.path === 'service/set_session_info'), 'no set_session_info without testInstall');
  t.not((await startInstall(h)).searchParams.get('state'), state, 'every visit gets a new state');
});

t.test('testInstall sets session_info auth_type 1 on the pre-auth code', async (t) => {
  const h = await harness(t, { install: { testInstall: true } });
  const location = await startInstall(h);
  const call = h.mock.calls.find((c) => c.path === 'service/set_session_info');
  t.match(call, { errcode: 0, body: { session_info: { auth_type: 1 } } }, 'set_session_info called with auth_type 1');
  const { callback } = await adminApproves(h, location);
  t.equal((await get(callback)).status, 302, 'the test install completes');
});

t.test('the callback stores the auth_code like a pushed create_auth and redirects to the success URL', async (t) => {
  const h = await harness(t);
  const { callback, authCode, state } = await adminApproves(h, await startInstall(h));
  const response = await get(callback);
  t.equal(response.status, 302, 'a 302');
  t.equal(response.headers.get('location'), `${PUBLIC}/`, 'to the app home page by default');
  t.equal(await response.text(), '', 'with no body (nothing echoed)');

  const stored = await h.store.listCallbacks();
  t.equal(stored.length, 1, 'one callback stored');
  const record = stored[0]!;
  t.match(record, { endpoint: 'install', suiteId: SUITE, receiveId: SUITE, type: 'auth.created', corpId: null, state: 'pending' }, 'an install callback, pending for the daemon');
  t.same(record.fields, { SuiteId: SUITE, InfoType: 'create_auth', TimeStamp: String(Math.floor(record.receivedAt / 1000)), AuthCode: authCode, State: state }, 'the fields of a create_auth push, with the issued AuthCode');
  t.equal(record.plaintext, buildXml(record.fields), 'the plaintext is those fields as WeCom XML');
  t.equal(record.id, eventId(SUITE, SUITE, record.plaintext), 'the id is the usual event id');
  const event = normalize(record);
  t.equal(event.type, 'auth.created', 'it normalizes to auth.created');
  t.equal(event.source.endpoint, 'install', 'from the install endpoint');
  t.notMatch(JSON.stringify(event), authCode, 'the AuthCode is not in the normalized event');
  t.equal((await h.firstEvent).type, 'auth.created', 'onEvent saw auth.created');
  t.notOk(await h.store.getKv(INSTALL_STATE_NAMESPACE, state), 'the state is used up');
});

t.test('a configured success URL is used', async (t) => {
  const h = await harness(t, { install: { successUrl: 'https://zjemail.cn/wecom/welcome?from=install' } });
  const { callback } = await adminApproves(h, await startInstall(h));
  t.equal((await get(callback)).headers.get('location'), 'https://zjemail.cn/wecom/welcome?from=install', 'to the success URL');
});

t.test('a second use of the same state gets a clear 400 and stores nothing more', async (t) => {
  const h = await harness(t);
  const { callback } = await adminApproves(h, await startInstall(h));
  t.equal((await get(callback)).status, 302, 'the first use installs');
  const again = await get(callback);
  t.equal(again.status, 400, 'the replay is refused');
  t.match(again.headers.get('content-type'), /^text\/html/, 'with an HTML page');
  const page = await again.text();
  t.match(page, 'ERR_INSTALL_STATE_INVALID', 'naming the code');
  t.match(page, `${PUBLIC}/wecom/install`, 'and where to start again');
  t.equal((await h.store.listCallbacks()).length, 1, 'still one callback stored');
});

t.test('two concurrent uses of one redirect install once', async (t) => {
  const h = await harness(t);
  const { callback } = await adminApproves(h, await startInstall(h));
  const statuses = (await Promise.all([get(callback), get(callback), get(callback)])).map((r) => r.status).sort();
  t.same(statuses, [302, 400, 400], 'exactly one 302');
  t.equal((await h.store.listCallbacks()).length, 1, 'one callback stored');
});

t.test('a wrong state gets a 400 and stores nothing', async (t) => {
  const h = await harness(t);
  const { authCode, state } = await adminApproves(h, await startInstall(h));
  for (const wrong of ['AAAAAAAAAAAAAAAAAAAAAAAA', '', '<script>', state.slice(1)]) {
    const response = await get(`${h.url}/wecom/install/callback?${new URLSearchParams({ auth_code: authCode, state: wrong }).toString()}`);
    t.equal(response.status, 400, `state ${JSON.stringify(wrong)}: 400`);
    t.match(await response.text(), 'ERR_INSTALL_STATE_INVALID', `state ${JSON.stringify(wrong)}: ERR_INSTALL_STATE_INVALID`);
  }
  t.equal((await h.store.listCallbacks()).length, 0, 'nothing stored');
});

t.test('a missing auth_code gets a 400, stores nothing and leaves the state for the real redirect', async (t) => {
  const h = await harness(t);
  const { callback, state } = await adminApproves(h, await startInstall(h));
  for (const query of [`state=${state}`, `auth_code=&state=${state}`, `auth_code=${'x'.repeat(600)}&state=${state}`]) {
    const response = await get(`${h.url}/wecom/install/callback?${query}`);
    t.equal(response.status, 400, `${query.slice(0, 20)}…: 400`);
    t.match(await response.text(), 'ERR_INSTALL_AUTH_CODE_MISSING', 'ERR_INSTALL_AUTH_CODE_MISSING');
  }
  t.equal((await h.store.listCallbacks()).length, 0, 'nothing stored');
  t.equal((await get(callback)).status, 302, 'the genuine redirect still completes');
});

t.test('an expired state gets a 400', async (t) => {
  const h = await harness(t, { install: { stateTtlSeconds: 60 } });
  const fresh = await adminApproves(h, await startInstall(h));
  h.advance(59_000);
  t.equal((await get(fresh.callback)).status, 302, 'a state is good until its TTL');
  const late = await adminApproves(h, await startInstall(h));
  h.advance(61_000);
  const response = await get(late.callback);
  t.equal(response.status, 400, 'after its TTL it is refused');
  t.match(await response.text(), 'ERR_INSTALL_STATE_INVALID', 'as ERR_INSTALL_STATE_INVALID');
  t.equal((await h.store.listCallbacks()).length, 1, 'only the timely install is stored');
});

t.test('without a suite_ticket the install route answers 502 and says to wait for the push', async (t) => {
  const h = await harness(t, { noTicket: true });
  const response = await get(`${h.url}/wecom/install`);
  t.equal(response.status, 502, '502');
  const page = await response.text();
  t.match(page, 'ERR_INSTALL_UPSTREAM', 'naming the code');
  t.match(page, 'suite_ticket', 'telling the admin to wait for the suite_ticket push');
  t.same(await h.store.listKv(INSTALL_STATE_NAMESPACE), [], 'no state is left behind');
});

t.test('a WeCom error on get_pre_auth_code answers 502, never showing a code', async (t) => {
  const h = await harness(t);
  h.mock.inject({ path: 'service/get_pre_auth_code', errcode: 45009 });
  const response = await get(`${h.url}/wecom/install`);
  t.equal(response.status, 502, '502');
  t.match(await response.text(), 'ERR_INSTALL_UPSTREAM', 'ERR_INSTALL_UPSTREAM');
  t.equal((await get(`${h.url}/wecom/install`)).status, 302, 'the next visit works');
});

t.test('a store that cannot take the authorization answers 503 and gives the state back', async (t) => {
  const failing = { putCallback: false };
  const h = await harness(t, {
    wrapStore: (store) => new Proxy(store, {
      get(target, prop) {
        if (prop === 'putCallback' && failing.putCallback) return () => Promise.reject(new Error('disk I/O error'));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }),
  });
  const { callback } = await adminApproves(h, await startInstall(h));
  failing.putCallback = true;
  const response = await get(callback);
  t.equal(response.status, 503, '503');
  t.match(await response.text(), 'ERR_STORE_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE, asking to reload');
  failing.putCallback = false;
  t.equal((await get(callback)).status, 302, 'reloading once the store is back completes the install');
  t.equal((await h.store.listCallbacks()).length, 1, 'stored once');
});

t.test('the install routes answer GET only', async (t) => {
  const h = await harness(t);
  const response = await fetch(`${h.url}/wecom/install`, { method: 'POST', redirect: 'manual' });
  t.equal(response.status, 405, '405');
  t.equal(response.headers.get('allow'), 'GET', 'Allow: GET');
});

t.test('paths are configurable and a suite token can come from a function', async (t) => {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${t.testdir()}/relay.db`);
  t.teardown(() => store.close());
  const client = new WecomApiClient({ baseUrl: mock.url });
  t.teardown(() => client.close());
  const api = new SuiteApi(client);
  const tokens = new TokenProvider({ store, api, suiteId: SUITE, suiteSecret: SECRET });
  const issued = mock.issueSuiteTicket();
  await tokens.saveSuiteTicket(issued.ticket, issued.timestamp);
  // The core is given the process's TokenProvider and WeCom client; it builds neither.
  const handler = createInstallHandler({
    suiteId: SUITE, store, publicBaseUrl: 'https://zjemail.cn/app/', installPath: '/go', callbackPath: '/back',
    installPageUrl: `${mock.url}/3rdapp/install`, api, suiteToken: () => tokens.getSuiteToken(),
    invalidateSuiteToken: (failing) => tokens.invalidateSuiteToken(failing),
  });
  t.teardown(() => handler.close());
  t.equal(handler.routeOf('/go'), 'install', 'the install path');
  t.equal(handler.routeOf('/back'), 'callback', 'the callback path');
  t.equal(handler.routeOf('/wecom/install'), null, 'the defaults are not served');
  const result = await handler.handle({ method: 'GET', route: 'install', query: '' });
  t.equal(result.status, 302, 'a 302');
  t.equal(new URL(result.headers.location ?? '').searchParams.get('redirect_uri'), 'https://zjemail.cn/app/back', 'the public base URL keeps its path prefix');
  const notFound = await handler.handle({ method: 'GET', route: 'callback', query: 'auth_code=x&state=AAAAAAAAAAAAAAAAAAAAAAAA' });
  t.match(notFound.body, 'https://zjemail.cn/app/go', 'error pages send the admin to the configured install path');
});

t.test('bad install options throw TypeError at construction', async (t) => {
  const base = { suiteId: SUITE, ...generateSuiteKeys(), store: 'sqlite::memory:' };
  const install = { publicBaseUrl: PUBLIC, suiteSecret: SECRET };
  const cases: Array<[string, unknown, RegExp]> = [
    ['a relative public base URL', { ...install, publicBaseUrl: 'zjemail.cn' }, /Expected `install.publicBaseUrl` to be an absolute http\(s\) URL/],
    ['a public base URL with a query', { ...install, publicBaseUrl: 'https://zjemail.cn/?a=1' }, /install.publicBaseUrl/],
    ['no credentials', { publicBaseUrl: PUBLIC }, /exactly one of `install.getSuiteAccessToken` and `install.suiteSecret`, got neither/],
    ['both credentials', { ...install, getSuiteAccessToken: async () => 'x' }, /got both/],
    ['an empty secret', { ...install, suiteSecret: '' }, /`install.suiteSecret` to be a non-empty string, got an empty string/],
    ['a relative install path', { ...install, installPath: 'install' }, /`install.installPath` to be an absolute path/],
    ['equal install paths', { ...install, installPath: '/x', callbackPath: '/x' }, /`install.callbackPath` to be different/],
    ['an install path on the command URL', { ...install, callbackPath: '/api/v1/wecom/command' }, /`install.callbackPath` to be different from `dataPath` and `commandPath`/],
    ['a TTL too short', { ...install, stateTtlSeconds: 1 }, /`install.stateTtlSeconds` to be an integer from 10 to 3600/],
    ['a non-boolean testInstall', { ...install, testInstall: 'yes' }, /`install.testInstall` to be a boolean/],
    ['another suite', { ...install, suiteId: 'wwother' }, /`install.suiteId` to be one of the receiver's suite ids/],
    ['not an object', 'yes', /Expected `install` to be an object/],
  ];
  for (const [name, value, message] of cases) {
    t.throws(() => wecomCallback({ ...base, install: value as InstallOptions }), { name: 'TypeError', message }, name);
  }
  try {
    wecomCallback({ ...base, install: { publicBaseUrl: PUBLIC, suiteSecret: 'top-secret-value', getSuiteAccessToken: async () => 'x' } });
    t.fail('should have thrown');
  } catch (error) {
    t.notMatch((error as Error).message, 'top-secret-value', 'the secret is never echoed');
  }
});
