import t from 'tap';
import type { ReceiverApp } from '../../src/receiver/receiver-apps.js';
import { resolveReceiverOptions } from '../../src/receiver/receiver-options.js';
import { wecomCallback } from '../../src/receiver/express.js';
import { createStore } from '../../src/store/create-store.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const APPS: ReceiverApp[] = [
  { name: 'crm', kind: 'suite', id: 'wwCRMsuite', ...generateSuiteKeys(), dataPath: '/d', commandPath: '/c' },
  { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE', ...generateSuiteKeys(), dataPath: '/d2', commandPath: '/c' },
  { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', ...generateSuiteKeys(), commandPath: '/ce' },
];
const flow = (suiteId: string, prefix: string) => ({
  suiteId, publicBaseUrl: 'https://r.example.com', installPath: `${prefix}`, callbackPath: `${prefix}/done`, getSuiteAccessToken: async () => 'token',
});
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

t.test('installs: one website install flow per app, each on its own paths', async (t) => {
  const resolved = resolveReceiverOptions({ apps: APPS, store: 'sqlite::memory:', logger: quiet, install: flow('wwCRMsuite', '/i/crm'), installs: [flow('dkTEMPLATE', '/i/tpl')] });
  t.same(resolved.installs.map((i) => [i.suiteId, i.installPath, i.callbackPath]), [['wwCRMsuite', '/i/crm', '/i/crm/done'], ['dkTEMPLATE', '/i/tpl', '/i/tpl/done']]);
  t.equal(resolved.install?.suiteId, 'wwCRMsuite', '`install` stays the first');
  const store = await createStore('sqlite::memory:');
  t.teardown(() => store.close());
  const middleware = wecomCallback({ apps: APPS, store, logger: quiet, installs: [flow('wwCRMsuite', '/i/crm'), flow('dkTEMPLATE', '/i/tpl')] });
  t.teardown(() => middleware.close());
  t.equal(middleware.install, null, 'no `install` given: null');
  t.same(middleware.installs.map((h) => [h.routeOf('/i/crm'), h.routeOf('/i/tpl/done')]), [['install', null], [null, 'callback']], 'each handler answers its own paths');
});

t.test('installs: refused with the option named', async (t) => {
  const base = { apps: APPS, store: 'sqlite::memory:', logger: quiet };
  t.throws(() => resolveReceiverOptions({ ...base, installs: [flow('wwCRMsuite', '/i/a'), flow('wwCRMsuite', '/i/b')] }), /`installs`.*one install flow per app/, 'two flows for one app');
  t.throws(() => resolveReceiverOptions({ ...base, installs: [flow('wwCRMsuite', '/i/a'), flow('dkTEMPLATE', '/i/a')] }), /`install\.installPath`.*every other app's install paths/, 'one path for two flows');
  t.throws(() => resolveReceiverOptions({ ...base, installs: [flow('wwHRcontactEdit', '/i/hr')] }), /`install\.suiteId`/, 'a contact-edit app has no install flow');
  t.throws(() => resolveReceiverOptions({ ...base, installs: [flow('wwCRMsuite', '/ce')] }), /`install\.installPath`.*dataPath/, 'on a callback path');
  t.throws(() => resolveReceiverOptions({ ...base, installs: 'x' as never }), /`installs`/, 'not an array');
});
