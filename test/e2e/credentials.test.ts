import t from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { jsonBody, startRecordingTarget, type RecordingTarget } from './helpers/recording-target.js';
import { CORP_ID, SUITE_ID, startTestRelay, type TestRelay } from './helpers/test-relay.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';

interface Teardown {
  teardown(fn: () => unknown): void;
  testdir(): string;
}

/** A relay with one json target taking every event, the suite's ticket pushed and the default corp installed. */
async function installedRelay(t: Teardown): Promise<{ relay: TestRelay; hooks: RecordingTarget; installed: boolean }> {
  const hooks = await startRecordingTarget(t);
  const relay = await startTestRelay(t, { dir: t.testdir(), enrich: true, targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, format: 'json' }] });
  const { ok } = await relay.install();
  return { relay, hooks, installed: ok };
}

/** The event the json target received for the callback with this plaintext. */
async function eventFor(relay: TestRelay, hooks: RecordingTarget, plaintext: string, timeoutMs = 10_000): Promise<EventEnvelope | undefined> {
  const callback = (await relay.store.listCallbacks({ limit: 1000 })).find((c) => c.plaintext === plaintext);
  if (!callback) return undefined;
  const arrived = await hooks.waitFor((requests) => requests.some((r) => r.complete && r.headers['webhook-id'] === callback.id), timeoutMs);
  const request = arrived ? hooks.requests.find((r) => r.headers['webhook-id'] === callback.id) : undefined;
  return request ? jsonBody<EventEnvelope>(request) : undefined;
}

function calls(relay: TestRelay, path: string): number {
  return relay.mock.calls.filter((c) => c.path === path).length;
}

t.test('a corp token expired mid-run (42001) is refreshed transparently: the event is delivered enriched', async (t) => {
  const { relay, hooks, installed } = await installedRelay(t);
  t.ok(installed, 'the corp is installed');
  const first = await relay.send('add_external_contact');
  const before = await eventFor(relay, hooks, first.plaintext);
  t.type(before?.enrichment?.['externalContact'], 'object', 'an event before the expiry is enriched');
  const tokenFetches = calls(relay, 'service/get_corp_token');

  relay.mock.expireToken('corp', CORP_ID);
  const sent = await relay.send('edit_external_contact');
  t.equal(sent.status, 200, 'the receiver acks the callback');
  const event = await eventFor(relay, hooks, sent.plaintext);
  t.ok(event, 'the event is delivered');
  t.equal(event?.type, 'external_contact.edited', 'as external_contact.edited');
  t.match(event?.enrichment, { externalContact: { external_userid: String } }, 'with enrichment.externalContact');
  t.equal(event?.enrichmentError, null, 'and no enrichmentError');
  t.ok(relay.mock.calls.some((c) => c.path === 'externalcontact/get' && c.errcode === 42001), 'the mock answered the stale token with 42001');
  t.equal(calls(relay, 'service/get_corp_token'), tokenFetches + 1, 'the relay fetched exactly one new corp token');
  const stored = await relay.store.getKv(namespaces.corpToken, appCorpKey(SUITE_ID, CORP_ID));
  t.ok(stored, 'the new corp token is in the store');
});

t.test('a member outside the visible range (60011) is forwarded with enrichmentError', async (t) => {
  const { relay, hooks, installed } = await installedRelay(t);
  t.ok(installed, 'the corp is installed');
  // The mock's default corp has wangwu outside the app's visible range.
  const sent = await relay.send('create_user', { fields: { UserID: 'wangwu', OpenUserID: '', Name: '王五' } });
  t.equal(sent.status, 200, 'the receiver acks the callback');
  const event = await eventFor(relay, hooks, sent.plaintext);
  t.equal(event?.type, 'contact.user.created', 'the event is delivered as contact.user.created');
  t.match(event?.enrichmentError, { code: 'wecom_api', errcode: 60011, api: 'user/get' }, 'with enrichmentError errcode 60011 from user/get');
  t.equal((event?.enrichment as { user?: unknown } | null)?.user ?? null, null, 'and no member details');
  t.equal(hooks.requests.filter((r) => r.body.includes('"wangwu"')).length, 1, 'it is delivered once, not retried');
});

t.test('cancel_auth deletes the corp\'s permanent code and tokens and forwards auth.cancelled', async (t) => {
  const { relay, hooks, installed } = await installedRelay(t);
  t.ok(installed, 'the corp is installed');
  const corp = await relay.store.getKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID));
  t.type(corp?.value.permanentCode, 'string', 'the permanent code is stored after create_auth');
  t.equal(corp?.value.state, 'active', 'the corp is active');

  const sent = await relay.send('cancel_auth');
  t.equal(sent.status, 200, 'the receiver acks the callback');
  const event = await eventFor(relay, hooks, sent.plaintext);
  t.equal(event?.type, 'auth.cancelled', 'auth.cancelled is forwarded');
  t.equal(event?.source.corpId, CORP_ID, 'for the corp');
  const after = await relay.store.getKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID));
  t.equal(after?.value.permanentCode, undefined, 'the permanent code is deleted from the store');
  t.equal(after?.value.state, 'revoked', 'the corp is marked revoked');
  t.equal(await relay.store.getKv(namespaces.corpToken, appCorpKey(SUITE_ID, CORP_ID)), undefined, 'its access token is deleted');

  // Enrichment for the corp now ends with not_authorized instead of using a stale credential.
  const later = await relay.send('add_external_contact');
  const laterEvent = await eventFor(relay, hooks, later.plaintext);
  t.match(laterEvent?.enrichmentError, { code: 'not_authorized' }, 'a later event of the corp is forwarded with not_authorized');
});
