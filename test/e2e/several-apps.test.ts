import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { deleteKeysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';
import { runCli } from '../helpers/spawn-cli.js';
import { startRecordingTarget, type RecordingTarget } from './helpers/recording-target.js';
import { namespaces } from '../../src/store/namespaces.js';
import { CORP_ID, spawnTestRelay, startTestRelay, type TestRelay } from './helpers/test-relay.js';

/**
 * The Done-when of several apps (SPEC §10) over real HTTP, on SQLite and on Redis: a suite, a
 * contact-edit authorization on its own command path and a customized template sharing the suite's
 * command path with its own Token; one corp installs all three. The mock WeCom API records which app's
 * token each call carried (`tokenApp`).
 */
const APPS = [
  { name: 'crm', kind: 'suite', id: 'wwCRMsuite000001' },
  { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit01', commandPath: '/api/v1/wecom/contact-edit' },
  { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE000001', dataPath: '/api/v1/wecom/customized' },
] as const;
const ID = Object.fromEntries(APPS.map((app) => [app.name, app.id])) as Record<'crm' | 'hr' | 'tpl', string>;
/** What a contact-edit authorization may not call (doc 96078); the mock answers 48002. */
const FORBIDDEN_FOR_CONTACT_EDIT = ['user/get', 'department/get'];

interface Teardown { teardown(fn: () => unknown): void; testdir(): string }

function bodiesOf(target: RecordingTarget): EventEnvelope[] {
  return target.requests.filter((r) => r.complete).map((r) => JSON.parse(r.body) as EventEnvelope);
}

type Harness = Omit<TestRelay, 'relay' | 'rateSlots'>;

async function threeApps(t: Teardown, spawned: boolean, storeUrl?: string): Promise<{ relay: Harness; all: RecordingTarget; hrOnly: RecordingTarget; file: string }> {
  const all = await startRecordingTarget(t);
  const hrOnly = await startRecordingTarget(t);
  const dir = t.testdir();
  const options = {
    dir, enrich: true, apps: APPS, ...(storeUrl ? { storeUrl } : {}),
    targets: [
      { name: 'all', url: `${all.url}/all`, format: 'json' as const },
      { name: 'hr-only', url: `${hrOnly.url}/hr`, format: 'json' as const, apps: ['hr'] },
    ],
  };
  if (spawned) {
    const relay = await spawnTestRelay(t, options);
    return { relay, all, hrOnly, file: relay.file };
  }
  const relay = await startTestRelay(t, options);
  // The same configuration as a file, for the spawned CLI (`corps list`).
  const file = join(dir, 'wecom-relay.json');
  writeFileSync(file, JSON.stringify(relay.input));
  return { relay, all, hrOnly, file };
}

/** The event the `all` target received for the callback with this plaintext. */
async function eventOf(relay: Harness, all: RecordingTarget, plaintext: string): Promise<EventEnvelope | undefined> {
  let found: EventEnvelope | undefined;
  await relay.until(async () => {
    const callback = (await relay.store.listCallbacks({ limit: 1000 })).find((c) => c.plaintext === plaintext);
    const request = callback ? all.requests.find((r) => r.complete && r.headers['webhook-id'] === callback.id) : undefined;
    found = request ? JSON.parse(request.body) as EventEnvelope : undefined;
    return found !== undefined;
  }, 20_000);
  return found;
}

async function scenario(t: Test, spawned: boolean, storeUrl?: string): Promise<Harness> {
  const { relay, all, hrOnly, file } = await threeApps(t, spawned, storeUrl);
  for (const app of APPS) {
    const { ok } = await relay.install(15_000, { app: app.name });
    t.ok(ok, `${app.name}: ticket saved, authorization exchanged, auth.created delivered`);
  }

  // Every permanent code and token the relay holds now (the suite's are deleted by its cancel_auth below).
  const credentials = new Set<string>();
  const collect = async () => { for (const value of await issuedCredentials(relay)) credentials.add(value); };

  // One member event per app, each on its own path; the contact-edit one carries no OpenUserID.
  relay.mock.clearCalls();
  const crm = await relay.send('create_user', { app: 'crm', seq: 1 });
  const tpl = await relay.send('create_user', { app: 'tpl', seq: 2 });
  const hr = await relay.send('create_user', { app: 'hr', seq: 3, fields: { UserID: 'lisi', OpenUserID: '' } });
  const hrParty = await relay.send('create_party', { app: 'hr', seq: 4 });
  t.same([crm.status, tpl.status, hr.status, hrParty.status], [200, 200, 200, 200], 'every app\'s callback acked');
  t.equal(crm.path, tpl.path, 'the template shares the suite\'s command path');
  t.equal(hr.path, '/api/v1/wecom/contact-edit', 'the contact-edit authorization on its own path');

  const crmEvent = await eventOf(relay, all, crm.plaintext);
  const tplEvent = await eventOf(relay, all, tpl.plaintext);
  const hrEvent = await eventOf(relay, all, hr.plaintext);
  const partyEvent = await eventOf(relay, all, hrParty.plaintext);
  t.same([crmEvent?.source.app, tplEvent?.source.app, hrEvent?.source.app], ['crm', 'tpl', 'hr'], 'source.app per app');
  t.same([crmEvent?.source.appKind, tplEvent?.source.appKind, hrEvent?.source.appKind], ['suite', 'customized', 'contact_edit'], 'source.appKind');
  t.type(crmEvent?.enrichment?.['user'], 'object', 'the suite\'s member event enriched (user/get)');
  t.type(tplEvent?.enrichment?.['user'], 'object', 'the template\'s member event enriched (user/get)');
  t.equal(crmEvent?.enrichmentError, null);
  t.equal(tplEvent?.enrichmentError, null);
  t.match(hrEvent?.enrichment, { skipped: 'contact_edit: user/get not allowed', openUserId: /^wo/ }, 'contact_edit: open_userid by ID conversion, user/get skipped');
  t.same(partyEvent?.enrichment, { skipped: 'contact_edit: department/get not allowed' }, 'contact_edit: department/get skipped');
  t.equal(hrEvent?.enrichmentError, null, 'skipping is not an error');

  // Each call carried its own app's corp token.
  const userGets = relay.mock.calls.filter((c) => c.path === 'user/get');
  t.same(userGets.map((c) => c.tokenApp).sort(), [ID.crm, ID.tpl].sort(), 'user/get once with the suite\'s corp token, once with the template\'s');
  const converted = (user: string) => relay.mock.calls.filter((c) => c.path === 'batch/userid_to_openuserid'
    && ((c.body as { userid_list?: string[] } | undefined)?.userid_list ?? []).includes(user));
  t.same(converted('lisi').map((c) => c.tokenApp), [ID.hr], 'hr\'s member converted with the contact-edit app\'s own corp token');
  // (open_userids are provider-scoped and cached per corp: the second app may find the first's conversion.)
  t.ok(converted('zhangsan').length >= 1 && converted('zhangsan').every((c) => c.tokenApp === ID.crm || c.tokenApp === ID.tpl), 'the other two apps\' member converted with one of theirs');
  t.same(relay.mock.calls.filter((c) => c.tokenApp === ID.hr && FORBIDDEN_FOR_CONTACT_EDIT.includes(c.path)), [], 'the contact-edit app never called user/get or department/get');
  t.same(relay.mock.calls.filter((c) => c.errcode === 48002), [], 'no call answered 48002');

  // The template's corp token came from gettoken (and never from service/get_corp_token).
  t.ok(relay.mock.calls.some((c) => c.path === 'gettoken' && c.tokenApp === undefined && c.query['corpid'] === CORP_ID), 'the template\'s corp token from gettoken');
  t.same(relay.mock.calls.filter((c) => c.path === 'service/get_corp_token' && c.tokenApp === ID.tpl), [], 'never service/get_corp_token for the template');

  // A ticket of an app the relay does not know is ignored with a log line (signed with the suite's keys).
  const stray = await relay.send('suite_ticket', { app: 'crm', seq: 5, fields: { SuiteId: 'wwSOMEOTHERsuite' } });
  t.equal(stray.status, 200, 'a ticket for another suite is acked');
  t.ok(await relay.until(() => relay.logs.some((l) => l.includes('suite_ticket for another suite') && l.includes(ID.crm)), 10_000), 'and ignored with a log line');

  // cancel_auth on the suite: the other two keep working.
  await collect();
  const cancelled = await relay.send('cancel_auth', { app: 'crm', seq: 6 });
  t.equal(cancelled.status, 200);
  t.ok(await eventOf(relay, all, cancelled.plaintext), 'auth.cancelled delivered');
  relay.mock.clearCalls();
  const tpl2 = await relay.send('create_user', { app: 'tpl', seq: 7, fields: { UserID: 'lisi' } });
  const hr2 = await relay.send('create_user', { app: 'hr', seq: 8, fields: { UserID: 'Jack', OpenUserID: '' } });
  const crm2 = await relay.send('create_user', { app: 'crm', seq: 9 });
  const tpl2Event = await eventOf(relay, all, tpl2.plaintext);
  const hr2Event = await eventOf(relay, all, hr2.plaintext);
  const crm2Event = await eventOf(relay, all, crm2.plaintext);
  t.type(tpl2Event?.enrichment?.['user'], 'object', 'after the suite\'s cancel_auth the template still enriches');
  t.match(hr2Event?.enrichment, { openUserId: /^wo/ }, 'and the contact-edit app still converts ids');
  t.ok(relay.mock.calls.some((c) => c.path === 'batch/userid_to_openuserid' && c.tokenApp === ID.hr), 'with its own corp token');
  t.match(crm2Event?.enrichmentError, { code: 'not_authorized' }, 'the suite\'s corp is no longer authorized');

  // corps list --json, spawned: one row per (app, corp) with its status.
  const listed = await runCli(['corps', 'list', '--config', file, '--json']);
  t.equal(listed.code, 0, listed.stderr);
  const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { app: string; corpId: string; status: string });
  t.same(rows.map(({ app, corpId, status }) => ({ app, corpId, status })), [
    { app: 'crm', corpId: CORP_ID, status: 'revoked' },
    { app: 'hr', corpId: CORP_ID, status: 'active' },
    { app: 'tpl', corpId: CORP_ID, status: 'active' },
  ], 'one row per (app, corp)');

  // apps: [hr] got only hr's events, every one of them.
  // hr's events: auth.created, two member events and a department event.
  t.ok(await hrOnly.waitFor(() => bodiesOf(hrOnly).length >= 4, 10_000), 'the hr target got hr\'s events');
  const hrBodies = bodiesOf(hrOnly);
  t.same([...new Set(hrBodies.map((b) => b.source.app))], ['hr'], 'a target with apps: [hr] gets only hr\'s events');
  t.equal(hrBodies.length, bodiesOf(all).filter((b) => b.source.app === 'hr').length, 'and all of them');

  // No secret of any app in any body, log line or CLI output.
  const secrets = relay.apps.flatMap((app) => [app.secret, app.token, app.encodingAESKey]);
  const texts = [...relay.logs, ...all.requests.map((r) => r.body), ...hrOnly.requests.map((r) => r.body), listed.stdout, listed.stderr];
  t.same(secrets.filter((secret) => texts.some((text) => text.includes(secret))), [], 'no app secret, Token or key anywhere');
  for (const value of await issuedCredentials(relay)) credentials.add(value);
  t.ok(credentials.size >= 6, 'permanent codes and tokens were collected to look for');
  t.same([...credentials].filter((value) => texts.some((text) => text.includes(value))), [], 'no permanent code or access token anywhere');
  return relay;
}

/** The permanent codes and tokens the relay holds (from its store), to look for in the output. */
async function issuedCredentials(relay: Harness): Promise<string[]> {
  const values: string[] = [];
  const now = Date.now();
  for (const { value } of await relay.store.listKv(namespaces.corp, now)) if (value.permanentCode) values.push(value.permanentCode);
  for (const ns of [namespaces.corpToken, namespaces.suiteToken]) for (const { value } of await relay.store.listKv(ns, now)) values.push(value.token);
  for (const { value } of await relay.store.listKv(namespaces.suiteTicket, now)) values.push(value.ticket);
  return values.filter((value) => value.length >= 8);
}

t.test('three apps, one corp, in process on SQLite', async (t) => {
  const relay = await scenario(t, false) as TestRelay;
  // Metrics that concern a corp carry the app.
  const text = await relay.relay.metrics.registry.metrics();
  t.match(text, /wecom_relay_enrichment_calls_total\{api="user\/get",errcode="0",app="tpl"\} \d/, 'enrichment calls by app');
  t.match(text, /wecom_relay_enrichment_calls_total\{api="batch\/userid_to_openuserid",errcode="0",app="hr"\} \d/, 'the contact-edit app\'s conversions');
  t.match(text, /wecom_relay_corps\{app="crm",state="revoked"\} 1/, 'corps by app and state');
  t.match(text, /wecom_relay_corps\{app="tpl",state="active"\} 1/);
  t.match(text, /wecom_relay_token_refreshes_total\{kind="corp",app="tpl"\} [1-9]/, 'token refreshes by app');
});

t.test('three apps, one corp, wecom-relay start spawned on SQLite', async (t) => {
  await scenario(t, true);
});

t.test('three apps, one corp, wecom-relay start spawned on Redis', async (t) => {
  const admin = await redisAdmin();
  if (!admin) {
    t.comment(`skipped: no Redis at ${SHARED_REDIS_URL}: start one to run the Redis half`);
    return;
  }
  const prefix = `test:apps:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeysUnder(admin, prefix);
    admin.disconnect();
  });
  await scenario(t, true, `${SHARED_REDIS_URL}?prefix=${encodeURIComponent(prefix)}`);
});
