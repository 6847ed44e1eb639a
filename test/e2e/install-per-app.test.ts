import t from 'tap';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';
import { startRecordingTarget } from './helpers/recording-target.js';
import { CORP_ID, startTestRelay } from './helpers/test-relay.js';

const PUBLIC = 'https://zjemail.cn';

function get(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual' });
}

t.test('apps[i].install: every app\'s website install flow is served on its own paths, for its own app', async (t) => {
  const target = await startRecordingTarget(t);
  // The mock's install page stands in for WeCom's: its URL is known once it runs, so the relay is told
  // WeCom's and the test follows the redirect to the mock by hand.
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    targets: [{ name: 'hooks', url: `${target.url}/hooks`, format: 'json', events: ['auth.*'] }],
    apps: [
      { name: 'crm', kind: 'suite', id: 'wwCRMsuite000001', extra: { install: { publicBaseUrl: PUBLIC, installPath: '/wecom/install/crm', callbackPath: '/wecom/install/crm/done' } } },
      { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE000001', extra: { install: { publicBaseUrl: PUBLIC, installPath: '/wecom/install/tpl', callbackPath: '/wecom/install/tpl/done' } } },
      { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit01', commandPath: '/api/v1/wecom/contact-edit' },
    ],
  });
  // Each app's install route needs its own suite token, made from its own ticket.
  for (const name of ['crm', 'tpl']) {
    const app = relay.apps.find((a) => a.name === name)!;
    const { ticket, timestamp } = relay.mock.issueSuiteTicket(app.id);
    t.equal((await relay.send('suite_ticket', { app: name, fields: { SuiteTicket: ticket, TimeStamp: String(timestamp) } })).status, 200);
    t.ok(await relay.until(async () => (await relay.store.getKv(namespaces.suiteTicket, app.id)) !== undefined, 10_000), `${name}: ticket saved`);
  }

  const started: Record<string, URL> = {};
  for (const name of ['crm', 'tpl']) {
    const app = relay.apps.find((a) => a.name === name)!;
    const answer = await get(`${relay.url}/wecom/install/${name}`);
    t.equal(answer.status, 302, `${name}: its install route redirects`);
    const page = new URL(answer.headers.get('location') ?? '');
    t.equal(page.searchParams.get('suite_id'), app.id, `${name}: with its own suite_id`);
    t.equal(page.searchParams.get('redirect_uri'), `${PUBLIC}/wecom/install/${name}/done`, `${name}: with its own redirect_uri`);
    started[name] = page;
  }
  const preAuthCalls = relay.mock.calls.filter((c) => c.path === 'service/get_pre_auth_code');
  t.same(preAuthCalls.map((c) => c.tokenApp).sort(), ['dkTEMPLATE000001', 'wwCRMsuite000001'], 'each pre-auth code fetched with its own app\'s suite token');

  // A state issued by one app's flow is refused by the other's callback (and burnt: a state is taken once).
  const another = new URL((await get(`${relay.url}/wecom/install/tpl`)).headers.get('location') ?? '');
  const tplState = another.searchParams.get('state') ?? '';
  const crossed = await get(`${relay.url}/wecom/install/crm/done?auth_code=x&state=${encodeURIComponent(tplState)}`);
  t.equal(crossed.status, 400, 'tpl\'s state on crm\'s callback: 400');
  t.match(await crossed.text(), 'ERR_INSTALL_STATE_INVALID');

  // The template's flow through the (mock) install page, back to its own callback route.
  const installPage = new URL(`${started['tpl']!.pathname}${started['tpl']!.search}`, relay.mock.url);
  const approved = await get(installPage.toString());
  t.equal(approved.status, 302, 'the install page redirects back');
  const back = new URL(approved.headers.get('location') ?? '');
  const finished = await get(`${relay.url}${back.pathname}${back.search}`);
  t.equal(finished.status, 302, 'the template\'s callback route completes');
  t.ok(await relay.until(async () => (await relay.store.getKv(namespaces.corp, appCorpKey('dkTEMPLATE000001', CORP_ID)))?.value.state === 'active', 10_000),
    'the corp is installed under the template');
  t.equal(await relay.store.getKv(namespaces.corp, appCorpKey('wwCRMsuite000001', CORP_ID)), undefined, 'and not under the suite');
  t.notOk(relay.mock.calls.some((c) => c.path === 'service/get_corp_token' && c.tokenApp === 'dkTEMPLATE000001'), 'no get_corp_token for the template');

  t.equal((await get(`${relay.url}/wecom/install/hr`)).status, 404, 'no install route for the contact-edit app');
});
