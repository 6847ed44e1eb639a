import t from 'tap';
import { configWarnings, validateConfig } from '../../daemon/config.js';
import { ConfigError } from '../../src/errors.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const crm = { name: 'crm', kind: 'suite', id: 'wwCRMsuite', secret: 'crm-secret-1234', ...generateSuiteKeys() };
const hr = { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', secret: 'hr-secret-12345', ...generateSuiteKeys(), commandPath: '/api/v1/wecom/contact-edit' };
const tpl = { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE', secret: 'tpl-secret-1234', ...generateSuiteKeys(), dataPath: '/api/v1/wecom/customized' };

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateConfig(input, {});
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

t.test('apps: resolves every app with defaults; suite mirrors the first', async (t) => {
  const config = validateConfig({ apps: [crm, hr, tpl], receiver: { commandPath: '/cmd' } }, {});
  t.same(config.apps.map((a) => [a.name, a.kind, a.id, a.dataPath, a.commandPath]), [
    ['crm', 'suite', 'wwCRMsuite', '/api/v1/wecom/callback', '/cmd'],
    ['hr', 'contact_edit', 'wwHRcontactEdit', null, '/api/v1/wecom/contact-edit'],
    ['tpl', 'customized', 'dkTEMPLATE', '/api/v1/wecom/customized', '/cmd'],
  ], 'paths default to receiver:; contact_edit has no data path');
  t.equal(config.suite.id, 'wwCRMsuite', 'config.suite is the first app');
  t.equal(config.suite.token, crm.token);
  t.equal(config.suite.secret, crm.secret);
  t.equal(validateConfig({ apps: [{ ...crm, name: undefined }] }, {}).apps[0]!.name, 'wwCRMsuite', 'name defaults to the id');
});

t.test('suite: is the one-app shorthand, unchanged', async (t) => {
  const suite = { id: 'wwONE', secret: 's3cret-value', ...generateSuiteKeys(), providerCorpId: 'wwPROV' };
  const install = { publicBaseUrl: 'https://relay.example.com' };
  const config = validateConfig({ suite, receiver: { dataPath: '/d', commandPath: '/c' }, install }, {});
  t.same(config.apps, [{ name: 'wwONE', kind: 'suite', id: 'wwONE', secret: suite.secret, token: suite.token, encodingAESKey: suite.encodingAESKey, providerCorpId: 'wwPROV', dataPath: '/d', commandPath: '/c', install: config.install }]);
  t.same(config.suite, { ...suite, allowEmptyReceiveId: false, allowReceiveIds: [] }, 'suite as written, defaults applied');
  t.equal(config.install?.installPath, '/wecom/install');
});

t.test('every problem with its path', async (t) => {
  const twin = { ...crm, name: 'twin', id: 'wwTWIN' };
  const cases: Array<[string, unknown, Array<{ path: string; message: RegExp }>]> = [
    ['neither suite nor apps', {}, [{ path: 'suite', message: /is required/ }]],
    ['both suite and apps', { suite: { id: 'wwX', ...generateSuiteKeys() }, apps: [crm] }, [{ path: 'apps', message: /not both/ }]],
    ['an empty apps list', { apps: [] }, [{ path: 'apps', message: /at least one/ }]],
    ['duplicate names', { apps: [crm, { ...tpl, name: 'crm' }] }, [{ path: 'apps[1].name', message: /duplicates apps\[0\]/ }]],
    ['a name defaulting to a duplicate', { apps: [{ ...crm, name: 'dkTEMPLATE' }, { ...tpl, name: undefined }] }, [{ path: 'apps[1].name', message: /defaults to the id/ }]],
    ['duplicate ids', { apps: [crm, { ...tpl, id: crm.id }] }, [{ path: 'apps[1].id', message: /duplicates apps\[0\]\.id/ }]],
    ['contact_edit with a dataPath', { apps: [crm, { ...hr, dataPath: '/x' }] }, [{ path: 'apps[1].dataPath', message: /only a command URL/ }]],
    ['install on contact_edit', { apps: [crm, { ...hr, install: { publicBaseUrl: 'https://r.example.com' } }] }, [{ path: 'apps[1].install', message: /QR code/ }]],
    ['install without the app\'s secret', { apps: [{ ...crm, secret: undefined, install: { publicBaseUrl: 'https://r.example.com' } }] }, [{ path: 'apps[0].install', message: /needs apps\[0\]\.secret/ }]],
    ['install on a callback path', { apps: [{ ...crm, install: { publicBaseUrl: 'https://r.example.com', callbackPath: '/api/v1/wecom/command' } }] }, [{ path: 'apps[0].install.callbackPath', message: /callback paths/ }]],
    ['two installs on one path', { apps: [{ ...crm, install: { publicBaseUrl: 'https://r.example.com' } }, { ...tpl, install: { publicBaseUrl: 'https://r.example.com' } }] }, [{ path: 'apps[1].install.installPath', message: /apps\[0\]\.install\.installPath/ }]],
    ['top-level install beside apps', { apps: [crm], install: { publicBaseUrl: 'https://r.example.com' } }, [{ path: 'install', message: /per app/ }]],
    ['same Token and key on one path', { apps: [crm, twin] }, [{ path: 'apps[1].dataPath', message: /same token and encodingAESKey/ }, { path: 'apps[1].commandPath', message: /same token and encodingAESKey/ }]],
    ['one path as data and as command', { apps: [crm, { ...tpl, dataPath: '/api/v1/wecom/command', commandPath: '/other' }] }, [{ path: 'apps[1].dataPath', message: /serves one kind/ }]],
    ['an app\'s two paths equal', { apps: [{ ...crm, dataPath: '/same', commandPath: '/same/' }] }, [{ path: 'apps[0].commandPath', message: /must differ/ }]],
    ['a bad key length', { apps: [crm, { ...tpl, encodingAESKey: 'abc' }] }, [{ path: 'apps[1].encodingAESKey', message: /got 3 characters/ }]],
    ['a bad kind', { apps: [{ ...crm, kind: 'bot' }] }, [{ path: 'apps[0].kind', message: /suite, customized, contact_edit/ }]],
    ['a missing token', { apps: [{ ...crm, token: undefined }] }, [{ path: 'apps[0].token', message: /^is required$/ }]],
    ['a typo', { apps: [{ ...crm, comandPath: '/x' }] }, [{ path: 'apps[0]', message: /did you mean "commandPath"/ }]],
    ['a target naming no app', { apps: [crm], targets: [{ name: 'a', url: 'https://hook.example.com/', apps: ['crm', 'nope'] }] }, [{ path: 'targets[0].apps[1]', message: /names no app/ }]],
  ];
  for (const [name, input, expected] of cases) {
    const issues = issuesOf(input);
    for (const want of expected) {
      t.ok(issues.some((i) => i.path === want.path && want.message.test(i.message)), `${name}: ${want.path} ${want.message}`, { issues });
    }
  }
  t.same(issuesOf({ apps: [crm, hr, tpl] }), [], 'three apps, the template sharing the suite\'s command path with its own Token: fine');
  t.same(issuesOf({ apps: [crm, { ...tpl, token: crm.token }] }), [], 'same Token, different key on a shared path: told apart by the key');
  t.same(issuesOf({ suite: { id: 'wwS', ...generateSuiteKeys() }, targets: [{ name: 'a', url: 'https://hook.example.com/', apps: ['wwS'] }] }), [], 'the suite shorthand is the app named by its id');
  const noSecret = issuesOf({ apps: [{ ...crm, encodingAESKey: 'k'.repeat(42) }] });
  t.notOk(JSON.stringify(noSecret).includes(crm.token), 'no token in the messages');
});

t.test('an install on a second app is served like the first (no warning)', async (t) => {
  const config = validateConfig({ apps: [crm, { ...tpl, install: { publicBaseUrl: 'https://r.example.com' } }] }, {});
  t.same(configWarnings(config).filter((w) => w.path.startsWith('apps')), []);
  t.equal(config.install, undefined, 'config.install is the first app\'s');
  t.match(config.apps[1], { install: { publicBaseUrl: 'https://r.example.com' } }, 'the second app keeps its own');
});

t.test('targets: apps defaults to every app', async (t) => {
  const config = validateConfig({ apps: [crm], targets: [{ name: 'a', url: 'https://hook.example.com/' }] }, {});
  t.same(config.targets[0]!.apps, []);
});
