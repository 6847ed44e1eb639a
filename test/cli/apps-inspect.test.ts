import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { normalize } from '../../src/events/normalize.js';
import { createStore } from '../../src/store/create-store.js';
import type { NewCallback } from '../../src/store/store.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { runCli } from '../helpers/spawn-cli.js';

const callback = (id: string, suiteId: string, receivedAt: number): NewCallback => ({
  id, endpoint: 'command', suiteId, receiveId: suiteId, receivedAt, type: 'contact.user_created', corpId: 'wwcorp',
  plaintext: `<xml><InfoType>change_contact</InfoType><ChangeType>create_user</ChangeType><AuthCorpId>wwcorp</AuthCorpId><UserID>${id}</UserID></xml>`,
  fields: { InfoType: 'change_contact', ChangeType: 'create_user', AuthCorpId: 'wwcorp', UserID: id },
});

t.test('events list and deliveries list take --app NAME', async (t) => {
  const dir = t.testdir();
  const url = `sqlite:${join(dir, 'relay.db')}`;
  const store = await createStore(url);
  const rows = [callback('evt_crm1', 'wwCRMsuite', 1000), callback('evt_hr1', 'wwHRcontactEdit', 2000), callback('evt_crm2', 'wwCRMsuite', 3000)];
  for (const row of rows) await store.putCallback(row);
  await store.claimCallbacks({ owner: 'w', limit: 10, leaseMs: 60_000, now: 4000 });
  for (const row of rows) await store.completeCallback(row.id, 'w', { event: normalize(row), targets: ['hook'], now: 5000 });
  await store.close();
  const file = join(dir, 'wecom-relay.config.json');
  writeFileSync(file, JSON.stringify({
    apps: [
      { name: 'crm', kind: 'suite', id: 'wwCRMsuite', ...generateSuiteKeys() },
      { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', ...generateSuiteKeys(), commandPath: '/api/v1/wecom/contact-edit' },
    ],
    store: url,
  }));
  const ids = (stdout: string, key: string) => stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Record<string, string>)[key]);
  const [crm, hr, byId, unknown, deliveries, hrDeliveries] = await Promise.all([
    runCli(['events', 'list', '--config', file, '--app', 'crm', '--json']),
    runCli(['events', 'list', '--config', file, '--app', 'hr', '--json']),
    runCli(['events', 'list', '--store', url, '--app', 'wwHRcontactEdit', '--json']),
    runCli(['events', 'list', '--config', file, '--app', 'nope']),
    runCli(['deliveries', 'list', '--config', file, '--app', 'crm', '--json']),
    runCli(['deliveries', 'list', '--config', file, '--app', 'hr', '--json', '--limit', '1']),
  ]);
  t.equal(crm.code, 0, crm.stderr);
  t.same(ids(crm.stdout, 'id'), ['evt_crm2', 'evt_crm1'], 'only the crm app\'s callbacks');
  t.same(ids(hr.stdout, 'id'), ['evt_hr1'], 'only the hr app\'s');
  t.same(ids(byId.stdout, 'id'), ['evt_hr1'], 'with --store alone, the id');
  t.equal(unknown.code, 2, 'an unknown app is a usage error');
  t.match(unknown.stderr, /no app named nope \(known: crm, hr\)/);
  t.equal(deliveries.code, 0, deliveries.stderr);
  t.same(ids(deliveries.stdout, 'eventId').sort(), ['evt_crm1', 'evt_crm2'], 'deliveries of the crm app\'s events');
  t.same(ids(hrDeliveries.stdout, 'eventId'), ['evt_hr1'], 'and of hr\'s, limit applied after the filter');
});
