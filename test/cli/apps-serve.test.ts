import t from 'tap';
import { sealCallback } from '../../src/crypto/seal-callback.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { bodies, relayConfig, newSuite, spawnRelay, startRecordingTarget, writeConfig } from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

const CORP = 'wwCORPinstalling01';
const crm = { name: 'crm', kind: 'suite', id: 'wwCRMsuite', ...generateSuiteKeys() };
const hr = { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', ...generateSuiteKeys(), commandPath: '/api/v1/wecom/contact-edit' };
const tpl = { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE', ...generateSuiteKeys(), dataPath: '/api/v1/wecom/customized' };

const contact = (suiteId: string, user: string) =>
  `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>1700000000</TimeStamp><ChangeType><![CDATA[create_user]]></ChangeType><UserID><![CDATA[${user}]]></UserID></xml>`;

t.test('start with three apps: each app\'s callbacks on its paths, a target with apps: [hr] gets only hr\'s', async (t) => {
  const dir = t.testdir();
  const all = await startRecordingTarget(t);
  const hrOnly = await startRecordingTarget(t);
  const base = relayConfig({ dir, suite: newSuite(), withoutSecret: true, targets: [
    { name: 'all', url: all.url },
    { name: 'hr-only', url: hrOnly.url, apps: ['hr'] },
  ] });
  const { suite: _suite, ...rest } = base;
  void _suite;
  const file = writeConfig(dir, { ...rest, apps: [crm, hr, tpl] });
  const { url } = await spawnRelay(t, 'start', file);
  const post = async (path: string, keys: { token: string; encodingAESKey: string }, receiveId: string, plaintext: string) => {
    const sealed = sealCallback({ ...keys, receiveId, plaintext });
    const res = await fetch(`${url}${path}?${new URLSearchParams({ ...sealed.query })}`, { method: 'POST', body: sealed.body });
    return res.status;
  };
  t.equal(await post('/api/v1/wecom/command', crm, crm.id, contact(crm.id, 'u-crm')), 200, 'suite on the default command path');
  t.equal(await post('/api/v1/wecom/command', tpl, tpl.id, contact(tpl.id, 'u-tpl')), 200, 'template on the shared command path');
  t.equal(await post(hr.commandPath, hr, hr.id, contact(hr.id, 'u-hr')), 200, 'contact-edit on its own path');
  t.equal(await post(hr.commandPath, crm, crm.id, contact(crm.id, 'x')), 401, 'the suite\'s Token is refused on the contact-edit path');
  t.ok(await all.waitFor((r) => r.filter((x) => x.complete).length >= 3, 30_000), 'the unfiltered target got all three');
  t.ok(await hrOnly.waitFor((r) => r.some((x) => x.complete), 30_000), 'the hr target got one');
  const sources = bodies(all).map((b) => (b.source as { appId: string }).appId).sort();
  t.same(sources, ['dkTEMPLATE', 'wwCRMsuite', 'wwHRcontactEdit'], 'source.appId per app');
  t.same(bodies(hrOnly).map((b) => (b.source as { appId: string }).appId), ['wwHRcontactEdit'], 'the hr target got hr\'s event');
  // Deliveries are created with the event (all three are done by now): hr-only has exactly one.
  const routed = await runCli(['deliveries', 'list', '--config', file, '--target', 'hr-only', '--json']);
  t.equal(routed.stdout.trim().split('\n').filter(Boolean).length, 1, 'apps: [hr] routed nothing else to it');
  const listed = await runCli(['events', 'list', '--config', file, '--app', 'tpl', '--json']);
  t.equal(listed.code, 0, listed.stderr);
  t.same(listed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { suiteId: string }).suiteId), ['dkTEMPLATE'], 'events list --app tpl');
});
