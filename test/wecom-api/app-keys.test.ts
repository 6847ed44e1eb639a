import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { AppConfig } from '../../src/apps/app.js';
import { readAppCorps } from '../../src/apps/app-corps.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { appCorpKey, CREDENTIAL_NAMESPACES as NS, type CredentialStore } from '../../src/wecom-api/credential-records.js';
import { TokenProvider } from '../../src/wecom-api/token-provider.js';
import { TokenProviders } from '../../src/wecom-api/token-providers.js';
import { fakeTokenApi, type FakeTokenApi } from './fake-token-api.js';

const CORP = 'wxcorpShared';
const SUITE = 'wwSUITEcrm';
const CONTACT_EDIT = 'wwCONTACTEDIT';
const CUSTOMIZED = 'dkTEMPLATE';

const app = (name: string, kind: AppConfig['kind'], id: string): AppConfig => ({
  name, kind, id, secret: `${name}-secret`, token: `${name}-token`, encodingAESKey: 'k'.repeat(43),
  dataPath: kind === 'contact_edit' ? null : '/data', commandPath: `/command/${name}`,
});

/** A fake token API that also answers `gettoken` (customized apps), counting its calls. */
function withGettoken(api: FakeTokenApi): FakeTokenApi & { gettoken: Array<{ corpId: string; secret: string }> } {
  const gettoken: Array<{ corpId: string; secret: string }> = [];
  return Object.assign(api, {
    gettoken,
    async getCustomizedCorpToken(corpId: string, secret: string) {
      gettoken.push({ corpId, secret });
      return { access_token: `gettoken-${gettoken.length}`, expires_in: 7200 };
    },
  });
}

function setup(t: Test) {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const store = new SqliteStore(join(t.testdir(), 'relay.db'), { now });
  t.teardown(() => store.close());
  const locks: string[] = [];
  const recorded: CredentialStore = {
    getKv: (ns, key, at) => store.getKv(ns, key, at),
    putKv: (ns, key, value, options) => store.putKv(ns, key, value, options),
    deleteKv: (ns, key, options) => store.deleteKv(ns, key, options),
    listKv: (ns, at) => store.listKv(ns, at),
    releaseLock: (key, token) => store.releaseLock(key, token),
    acquireLock: (key, ttlMs, at) => { locks.push(key); return store.acquireLock(key, ttlMs, at); },
  };
  const api = withGettoken(fakeTokenApi(CORP));
  const apps = [app('crm', 'suite', SUITE), app('hr', 'contact_edit', CONTACT_EDIT), app('custom', 'customized', CUSTOMIZED)];
  const providers = new TokenProviders({ apps, store: recorded, api, now });
  return { clock, store, api, apps, providers, locks };
}

async function install(tokens: TokenProvider): Promise<void> {
  await tokens.saveSuiteTicket(`ticket-${tokens.appId}`, 1_700_000_000);
  await tokens.exchangeAuthCode(`auth-${tokens.appId}`);
}

t.test('one corp installing two apps has two records, two permanent codes and two token sets', async (t) => {
  const { store, api, providers, locks } = setup(t);
  const crm = providers.byName('crm')!;
  const hr = providers.byName('hr')!;
  t.equal(providers.get(SUITE), crm, 'providers are found by app id and by name');
  await install(crm);
  await install(hr);
  const crmRecord = await store.getKv(NS.corp, appCorpKey(SUITE, CORP));
  const hrRecord = await store.getKv(NS.corp, appCorpKey(CONTACT_EDIT, CORP));
  t.equal(crmRecord?.value.permanentCode, 'permanent-code-1', 'the suite keeps its own permanent code under suite:corp');
  t.equal(hrRecord?.value.permanentCode, 'permanent-code-2', 'the contact-edit authorization keeps its own under its id');
  t.equal(await store.getKv(NS.corp, CORP), undefined, 'nothing is keyed by the corp id alone');
  // The exchange cached a token for each; force a fetch per app to see the per-key locks.
  t.equal(await crm.invalidateCorpToken(CORP, 'corp-token-0'), true, 'invalidating the suite\'s token deletes its copy');
  t.ok(await store.getKv(NS.corpToken, appCorpKey(CONTACT_EDIT, CORP)), 'and leaves the same-valued token of the other app');
  await hr.invalidateCorpToken(CORP, 'corp-token-0');
  const a = await crm.getCorpToken(CORP);
  const b = await hr.getCorpToken(CORP);
  t.not(a, b, 'each app gets its own corp token');
  t.same(api.permanentCodesUsed.sort(), ['permanent-code-1', 'permanent-code-2'], 'each fetched with its own app\'s permanent code');
  t.ok(locks.includes(`lock:corp_token:${SUITE}:${CORP}`), 'refreshes are single-flight per (app, corp)');
  t.ok(locks.includes(`lock:corp_token:${CONTACT_EDIT}:${CORP}`), 'the other app has its own lock');
});

t.test('cancel_auth on one app leaves the other app\'s record and token untouched', async (t) => {
  const { store, providers } = setup(t);
  const crm = providers.byName('crm')!;
  const hr = providers.byName('hr')!;
  await install(crm);
  await install(hr);
  const hrToken = await hr.getCorpToken(CORP);
  const revoked = await crm.revokeCorp(CORP);
  t.equal(revoked.state, 'revoked', 'the suite\'s authorization is revoked');
  t.equal((await store.getKv(NS.corp, appCorpKey(SUITE, CORP)))?.value.permanentCode, undefined, 'its permanent code is deleted');
  t.equal(await store.getKv(NS.corpToken, appCorpKey(SUITE, CORP)), undefined, 'its token is deleted');
  t.equal((await hr.getCorp(CORP))?.state, 'active', 'the contact-edit authorization is still active');
  t.equal(await hr.getCorpToken(CORP), hrToken, 'and its token still works');
  t.same((await crm.listCorps()).map((c) => c.state), ['revoked'], 'each app lists only its own corps');
  t.same((await hr.listCorps()).map((c) => c.state), ['active'], 'the other app sees its own record');
});

t.test('a customized app gets its corp token from gettoken, with the permanent code as corpsecret', async (t) => {
  const { api, providers } = setup(t);
  const custom = providers.byName('custom')!;
  t.equal(custom.kind, 'customized', 'the provider knows its kind');
  await install(custom);
  const before = api.calls.corpToken;
  // The exchange's cached token (the fake returns one) is not what a customized app uses: drop it.
  await custom.invalidateCorpToken(CORP, 'corp-token-0');
  const token = await custom.getCorpToken(CORP);
  t.equal(token, 'gettoken-1', 'the token came from gettoken');
  t.same(api.gettoken, [{ corpId: CORP, secret: 'permanent-code-1' }], 'one gettoken call, corpid + permanent code');
  t.equal(api.calls.corpToken, before, 'service/get_corp_token was never called');
  t.equal(await custom.getCorpToken(CORP), token, 'the token is cached');
  t.equal(api.gettoken.length, 1, 'no second gettoken');
});

t.test('a customized provider needs an api with gettoken', async (t) => {
  const api = fakeTokenApi(CORP);
  const store = new SqliteStore(join(t.testdir(), 'relay.db'));
  t.teardown(() => store.close());
  t.throws(() => new TokenProvider({ store, api, suiteId: CUSTOMIZED, suiteSecret: 's', kind: 'customized' }), TypeError, 'rejected at construction');
  t.throws(() => new TokenProvider({ store, api, suiteId: SUITE, suiteSecret: 's', kind: 'nope' as never }), TypeError, 'an unknown kind is rejected');
});

t.test('readAppCorps: one row per (app, corp) with status, installed at and last token refresh', async (t) => {
  const { clock, store, apps, providers } = setup(t);
  await install(providers.byName('crm')!);
  await install(providers.byName('hr')!);
  await providers.byName('crm')!.revokeCorp(CORP);
  const rows = await readAppCorps(store, apps, clock.now);
  t.same(rows.map((r) => [r.app, r.appId, r.appKind, r.corpId, r.status]), [
    ['crm', SUITE, 'suite', CORP, 'revoked'],
    ['hr', CONTACT_EDIT, 'contact_edit', CORP, 'active'],
  ], 'one row per (app, corp), in app order');
  t.equal(rows[0]!.lastTokenRefresh, null, 'a revoked corp has no token');
  t.equal(rows[1]!.lastTokenRefresh, clock.now, 'the active one shows when its token was fetched');
  t.equal(rows[1]!.installedAt, clock.now, 'and when it was installed');
  t.notOk(JSON.stringify(rows).includes('permanent-code'), 'no permanent code in a row');
});
