import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { appMatches } from '../../daemon/delivery/app-matches.js';
import { resolveTargets } from '../../daemon/delivery/resolve-targets.js';
import { routeEvent } from '../../daemon/delivery/route-event.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const config = validateConfig({
  apps: [
    { name: 'crm', kind: 'suite', id: 'wwCRMsuite', ...generateSuiteKeys() },
    { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', ...generateSuiteKeys(), commandPath: '/api/v1/wecom/contact-edit' },
  ],
  targets: [
    { name: 'all', url: 'https://hook.example.com/all' },
    { name: 'hr-only', url: 'https://hook.example.com/hr', apps: ['hr'] },
    { name: 'both', url: 'https://hook.example.com/both', apps: ['crm', 'hr'] },
  ],
}, {});

const event = (appId: string, app: string) => ({
  type: 'contact.user_created',
  source: { endpoint: 'command' as const, suiteId: appId, appId, app, appKind: 'suite' as const, corpId: 'wwcorp', agentId: null },
});

t.test('targets: apps: [name…] resolves to ids and filters', async (t) => {
  const targets = resolveTargets(config);
  t.same(targets.map((x) => x.appIds), [[], ['wwHRcontactEdit'], ['wwCRMsuite', 'wwHRcontactEdit']], 'names → ids; none = every app');
  t.same(routeEvent(event('wwHRcontactEdit', 'hr'), targets), ['all', 'hr-only', 'both'], 'an hr event');
  t.same(routeEvent(event('wwCRMsuite', 'crm'), targets), ['all', 'both'], 'a crm event skips hr-only');
});

t.test('appMatches falls back to the stored suiteId (events without app fields)', async (t) => {
  t.ok(appMatches({ suiteId: 'wwA' }, { appIds: ['wwA'] }));
  t.notOk(appMatches({ suiteId: 'wwB' }, { appIds: ['wwA'] }));
  t.ok(appMatches({ suiteId: 'wwB' }, {}), 'no filter');
  t.same(resolveTargets({ targets: config.targets }).map((x) => x.appIds)[1], ['hr'], 'without apps a name is taken as the id');
});
