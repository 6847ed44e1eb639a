import { join } from 'node:path';
import t from 'tap';
import { configSecrets } from '../../daemon/commands/config-secrets.js';
import { triggerCallback } from '../../daemon/commands/trigger-command.js';
import { validateConfig } from '../../daemon/config.js';
import { createLogger } from '../../daemon/logger.js';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay } from '../../daemon/run-relay.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { CorpRecord } from '../../src/wecom-api/credential-records.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { createCondition } from './helpers/condition.js';
import { jsonBody, startRecordingTarget } from './helpers/recording-target.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';

const SUITE = 'ww917724cb573d8629';
const SECRET = 'e2e-install-suite-secret';
const PUBLIC = 'https://zjemail.cn';
const CORP = DEFAULT_CORP_IDS.corpId;

function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

t.test('a website install: install route → WeCom install page → callback → permanent code stored and auth.created delivered', async (t) => {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const target = await startRecordingTarget(t);
  const keys = generateSuiteKeys();
  const config = validateConfig({
    suite: { id: SUITE, secret: SECRET, ...keys },
    receiver: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${join(t.testdir(), 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50 },
    log: { level: 'debug' },
    targets: [{ name: 'crm', url: `${target.url}/hooks/wecom`, format: 'json', events: ['auth.*'] }],
    // The seed's deployment: 安装完成回调域名 zjemail.cn; an unreleased suite installs as a test install.
    install: { publicBaseUrl: PUBLIC, installPageUrl: `${mock.url}/3rdapp/install`, testInstall: true },
  }, {});
  const logs: string[] = [];
  const logged = createCondition();
  const logger = createLogger({
    level: config.log.level,
    secrets: configSecrets(config),
    destination: { write(chunk: string) { logs.push(chunk); logged.changed(); } },
  });
  const relay = await runRelay({ config, mode: 'start', logger });
  t.teardown(() => relay.stop());
  const receiver = relay.receiver!.url;

  // WeCom's 10-minute suite_ticket push: the daemon saves it, and the install route's suite token comes from it.
  const pushed = await triggerCallback({
    kind: 'suite_ticket', to: receiver, suiteId: SUITE, ...keys, corpId: CORP,
    dataPath: config.receiver.dataPath, commandPath: config.receiver.commandPath, mockApi: mock.url,
  });
  t.equal(pushed.status, 200, 'the suite_ticket push is acked');
  t.ok(await logged.until(() => logs.some((l) => l.includes('suite_ticket saved')), 10_000), 'the daemon saved the suite_ticket');

  // 1. The admin clicks "install" on zjemail.cn.
  const started = await get(`${receiver}/wecom/install`);
  t.equal(started.status, 302, 'the install route redirects');
  const installPage = new URL(started.headers.get('location') ?? '');
  t.equal(`${installPage.origin}${installPage.pathname}`, `${mock.url}/3rdapp/install`, 'to the (mock) WeCom install page');
  t.equal(installPage.searchParams.get('suite_id'), SUITE, 'with suite_id');
  t.equal(installPage.searchParams.get('redirect_uri'), `${PUBLIC}/wecom/install/callback`, 'with redirect_uri on the install-complete domain');
  const state = installPage.searchParams.get('state') ?? '';
  const preAuthCode = installPage.searchParams.get('pre_auth_code') ?? '';
  t.ok(state && preAuthCode, 'with a state and a pre_auth_code');

  // 2. The admin approves on WeCom's page, which redirects the browser back with the auth_code.
  const approved = await get(installPage.toString());
  t.equal(approved.status, 302, 'the install page redirects back');
  const back = new URL(approved.headers.get('location') ?? '');
  t.equal(`${back.origin}${back.pathname}`, `${PUBLIC}/wecom/install/callback`, 'to the redirect_uri');
  t.equal(back.searchParams.get('state'), state, 'with our state');
  const authCode = back.searchParams.get('auth_code') ?? '';
  // zjemail.cn's reverse proxy forwards /wecom/install/callback to the relay's receiver.
  const callbackUrl = `${receiver}${back.pathname}${back.search}`;

  // 3. The callback route stores the authorization and sends the admin to the app.
  const finished = await get(callbackUrl);
  t.equal(finished.status, 302, 'the callback route redirects');
  t.equal(finished.headers.get('location'), `${PUBLIC}/`, 'to the app home page');

  // 4. The daemon exchanges the auth_code within its life and forwards auth.created.
  const created = (request: { body: string; complete: boolean }) => request.complete && (JSON.parse(request.body) as EventEnvelope).type === 'auth.created';
  t.ok(await target.waitFor((requests) => requests.some(created), 10_000), 'auth.created is delivered to the JSON target');
  const event = jsonBody<EventEnvelope>(target.requests.find(created)!);
  t.match(event, { type: 'auth.created', source: { endpoint: 'install', suiteId: SUITE, corpId: CORP }, data: { state }, enrichmentError: null }, 'for the installing corp, from the install endpoint');
  t.ok(event.enrichment && 'corp' in event.enrichment, 'with the corp info');
  const corp = await relay.store.getKv(namespaces.corp, appCorpKey(SUITE, CORP));
  t.equal(corp?.value.state, 'active', 'the corp is active in the store');
  t.match(corp?.value.permanentCode, /^.+$/, 'with its permanent code');
  t.equal(mock.corpStatus(CORP)?.authType, 1, 'installed as a test install (set_session_info auth_type 1)');

  // 5. The same redirect URL again (a reload, a replay) installs nothing.
  const replayed = await get(callbackUrl);
  t.equal(replayed.status, 400, 'a replayed callback gets 400');
  t.match(await replayed.text(), 'ERR_INSTALL_STATE_INVALID', 'ERR_INSTALL_STATE_INVALID');
  t.equal((await relay.store.listCallbacks({ type: 'auth.created' })).length, 1, 'one authorization stored, so one auth.created');

  const secrets = [authCode, preAuthCode, corp?.value.permanentCode ?? ''];
  t.notOk(target.requests.some((r) => secrets.some((s) => r.body.includes(s))), 'no code reaches the target');
  t.notOk(logs.some((line) => secrets.some((s) => line.includes(s))), 'no code is logged');
});

t.test('a wrong state and a missing auth_code get 400 from the running relay and store nothing', async (t) => {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const config = validateConfig({
    suite: { id: SUITE, secret: SECRET, ...generateSuiteKeys() },
    receiver: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${join(t.testdir(), 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    log: { level: 'silent' },
    install: { publicBaseUrl: PUBLIC, installPath: '/start', callbackPath: '/done' },
  }, {});
  const relay = await runRelay({ config, mode: 'serve', logger: createLogger({ level: 'silent' }) });
  t.teardown(() => relay.stop());
  const receiver = relay.receiver!.url;
  const wrong = await get(`${receiver}/done?auth_code=abc&state=AAAAAAAAAAAAAAAAAAAAAAAA`);
  t.equal(wrong.status, 400, 'a wrong state: 400');
  t.match(await wrong.text(), `${PUBLIC}/start`, 'the page says where to start again');
  const missing = await get(`${receiver}/done?state=AAAAAAAAAAAAAAAAAAAAAAAA`);
  t.equal(missing.status, 400, 'a missing auth_code: 400');
  t.match(await missing.text(), 'ERR_INSTALL_AUTH_CODE_MISSING', 'ERR_INSTALL_AUTH_CODE_MISSING');
  const noTicket = await get(`${receiver}/start`);
  t.equal(noTicket.status, 502, 'before any suite_ticket the install route answers 502');
  t.equal((await relay.store.listCallbacks()).length, 0, 'nothing stored');
});

t.test('the config refuses an install section it cannot serve', async (t) => {
  const base = { suite: { id: SUITE, ...generateSuiteKeys() }, install: { publicBaseUrl: PUBLIC, callbackPath: '/api/v1/wecom/command' } };
  t.throws(() => validateConfig(base, {}), {
    code: 'ERR_CONFIG_INVALID',
    issues: [
      { path: 'install', message: /needs suite\.secret/ },
      { path: 'install.callbackPath', message: /must differ from receiver.dataPath and receiver.commandPath/ },
    ],
  }, 'no suite.secret and a clashing path are both reported');
  t.throws(() => validateConfig({ ...base, suite: { ...base.suite, secret: 's' }, install: { publicBaseUrl: 'https://zjemail.cn/?x=1' } }, {}), {
    name: 'ConfigError',
    issues: [{ path: 'install.publicBaseUrl' }],
  }, 'a public base URL with a query is refused');
});
