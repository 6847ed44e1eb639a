import t from 'tap';
import { RelayMetrics } from '../../daemon/admin/metrics.js';
import type { AppConfig } from '../../src/apps/app.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { createStore } from '../../src/store/create-store.js';
import { namespaces, type CorpRecord } from '../../src/store/namespaces.js';

const NOW = 1_700_000_000_000;
const CORP = 'wwcorp000000000001';
const app = (name: string, kind: AppConfig['kind'], id: string): AppConfig => ({ name, kind, id, token: 't', encodingAESKey: 'k'.repeat(43), dataPath: null, commandPath: `/${name}` });
const APPS = [app('crm', 'suite', 'wwCRMsuite'), app('hr', 'contact_edit', 'wwHRcontactEdit'), app('tpl', 'customized', 'dkTEMPLATE')];

function corp(state: CorpRecord['state']): CorpRecord {
  return { corpId: CORP, corpName: 'Corp', authCorpInfo: null, authInfo: null, authUserInfo: null, dealerCorpInfo: null, state, authorizedAt: NOW, updatedAt: NOW };
}

t.test('metrics that concern a corp carry the app: corps by app and state, token refreshes, enrichment calls, processed callbacks', async (t) => {
  const store = await createStore('sqlite::memory:', { now: () => NOW });
  t.teardown(() => store.close());
  await store.putKv(namespaces.corp, appCorpKey('wwCRMsuite', CORP), corp('revoked'), { version: NOW, now: NOW });
  await store.putKv(namespaces.corp, appCorpKey('wwHRcontactEdit', CORP), corp('active'), { version: NOW, now: NOW });
  await store.putKv(namespaces.corp, appCorpKey('dkTEMPLATE', CORP), corp('active'), { version: NOW, now: NOW });
  const metrics = new RelayMetrics({ store, now: () => NOW, apps: APPS, defaultMetrics: false });
  metrics.watchAppTokenRefreshes(() => [{ app: 'crm', suite: 1, corp: 2 }, { app: 'tpl', suite: 3, corp: 4 }]);
  metrics.enrichmentCalls.inc({ api: 'user/get', errcode: '0', app: 'tpl' });
  metrics.processedTotal.inc({ outcome: 'complete', app: 'hr' });
  const text = await metrics.registry.metrics();
  for (const line of [
    'wecom_relay_corps{app="crm",state="revoked"} 1',
    'wecom_relay_corps{app="crm",state="active"} 0',
    'wecom_relay_corps{app="hr",state="active"} 1',
    'wecom_relay_corps{app="tpl",state="active"} 1',
    'wecom_relay_token_refreshes_total{kind="suite",app="crm"} 1',
    'wecom_relay_token_refreshes_total{kind="corp",app="crm"} 2',
    'wecom_relay_token_refreshes_total{kind="corp",app="tpl"} 4',
    'wecom_relay_enrichment_calls_total{api="user/get",errcode="0",app="tpl"} 1',
    'wecom_relay_callbacks_processed_total{outcome="complete",app="hr"} 1',
  ]) t.ok(text.split('\n').includes(line), line);
});

t.test('the one-provider API still reports, labelled app="default" unless named', async (t) => {
  const metrics = new RelayMetrics({ defaultMetrics: false });
  metrics.watchTokenRefreshes(() => ({ suite: 5, corp: 6 }));
  const text = await metrics.registry.metrics();
  t.match(text, 'wecom_relay_token_refreshes_total{kind="suite",app="default"} 5');
  const named = new RelayMetrics({ defaultMetrics: false });
  named.watchTokenRefreshes(() => ({ suite: 1, corp: 0 }), 'crm');
  t.match(await named.registry.metrics(), 'wecom_relay_token_refreshes_total{kind="suite",app="crm"} 1');
  t.notMatch(text, 'wecom_relay_corps', 'no corps gauge without apps and a store');
});
