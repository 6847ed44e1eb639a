import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { SAMPLE_KINDS } from '../../src/events/samples.js';
import type { CallbackFields } from '../../src/xml/fields.js';
import { headerOf, jsonBody, startRecordingTarget, type RecordedRequest } from './helpers/recording-target.js';
import { CORP_ID, SUITE_ID, startTestRelay, type TestRelay } from './helpers/test-relay.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';

/** The chat targets only take customer events: seven kinds. */
const CHAT_EVENTS = ['external_contact.*'];
const ALL_KINDS = SAMPLE_KINDS.filter((k) => k !== 'suite_ticket' && k !== 'create_auth' && k !== 'cancel_auth');

interface Secret {
  readonly name: string;
  readonly value: string;
}

/** Every credential the relay holds right now: the store's tokens and permanent code, and the mock's view. */
async function heldSecrets(relay: TestRelay): Promise<Secret[]> {
  const found: Secret[] = [];
  const corp = await relay.store.getKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID));
  if (corp?.value.permanentCode) found.push({ name: 'permanent code (store)', value: corp.value.permanentCode });
  const issued = relay.mock.corpStatus(CORP_ID)?.permanentCode;
  if (issued) found.push({ name: 'permanent code (mock)', value: issued });
  for (const ns of [namespaces.suiteToken, namespaces.corpToken]) {
    for (const record of await relay.store.listKv(ns)) found.push({ name: `${ns.name} ${record.key}`, value: record.value.token });
  }
  return found;
}

/** `names` of the secrets found in `text`. */
function leaked(text: string, secrets: readonly Secret[]): string[] {
  return secrets.filter((s) => text.includes(s.value)).map((s) => s.name);
}

t.test('every sample callback goes receiver → store → daemon → enrichment → targets over real HTTP, once, signed, with no secret leaking', async (t) => {
  const dir = t.testdir();
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const feishuSecret = randomBytes(16).toString('hex');
  const dingtalkSecret = `SEC${randomBytes(24).toString('hex')}`;
  const dingtalkToken = randomBytes(20).toString('hex');
  const feishuHook = randomBytes(16).toString('hex');

  const hooks = await startRecordingTarget(t);
  const slack = await startRecordingTarget(t, { respond: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }) });
  const feishu = await startRecordingTarget(t, { respond: () => ({ body: '{"code":0,"msg":"success","data":{}}' }) });
  const dingtalk = await startRecordingTarget(t, { respond: () => ({ body: '{"errcode":0,"errmsg":"ok"}' }) });
  const relay = await startTestRelay(t, {
    dir,
    enrich: true,
    targets: [
      { name: 'hooks', url: `${hooks.url}/hooks/wecom`, format: 'json', secret: webhookSecret, concurrency: 8, rateLimit: { count: 500, intervalMs: 1000 } },
      { name: 'slack', url: `${slack.url}/services/T0/B0/x`, format: 'slack', locale: 'en', events: CHAT_EVENTS, rateLimit: { count: 100, intervalMs: 1000 } },
      { name: 'feishu', url: `${feishu.url}/open-apis/bot/v2/hook/${feishuHook}`, format: 'feishu', secret: feishuSecret, events: CHAT_EVENTS, rateLimit: { count: 100, intervalMs: 1000 } },
      { name: 'dingtalk', url: `${dingtalk.url}/robot/send?access_token=${dingtalkToken}`, format: 'dingtalk', secret: dingtalkSecret, events: CHAT_EVENTS, rateLimit: { count: 100, intervalMs: 1000 } },
    ],
  });

  // ── suite_ticket and create_auth first, with a ticket and an auth code the mock issued ──────────────
  const installed = await relay.install();
  t.ok(installed.ok, 'the suite_ticket and create_auth callbacks are acked and auth.created is delivered');
  const secrets: Secret[] = [
    { name: 'suite secret', value: relay.suiteSecret },
    { name: 'callback token', value: relay.keys.token },
    { name: 'EncodingAESKey', value: relay.keys.encodingAESKey },
    { name: 'json target secret', value: webhookSecret },
    { name: 'json target secret key', value: webhookSecret.slice('whsec_'.length) },
    { name: 'feishu secret', value: feishuSecret },
    { name: 'feishu hook token', value: feishuHook },
    { name: 'dingtalk secret', value: dingtalkSecret },
    { name: 'dingtalk access_token', value: dingtalkToken },
    { name: 'suite_ticket', value: installed.ticket },
    { name: 'auth code', value: installed.authCode },
    ...await heldSecrets(relay),
  ];
  t.ok(secrets.some((s) => s.name.startsWith('permanent code (store)')), 'the permanent code is in the store after create_auth');
  t.ok(secrets.some((s) => s.name.startsWith('suite_token')), 'the suite_access_token is in the store after create_auth');

  // ── every other kind (cancel_auth last: it ends the corp's enrichment) ──────────────────────────────
  const sent = new Map<string, string>(); // kind → plaintext
  sent.set('create_auth', '');
  const refused: string[] = [];
  for (const kind of ALL_KINDS) {
    const fields: CallbackFields = {};
    if (kind === 'reset_permanent_code') {
      const { authCode } = relay.mock.issueAuthCode();
      fields['AuthCode'] = authCode;
      secrets.push({ name: 'reset auth code', value: authCode });
    }
    if (kind === 'register_corp') {
      const contactSyncToken = randomBytes(24).toString('base64url');
      fields['ContactSync'] = { AccessToken: contactSyncToken, ExpiresIn: '7200' };
      secrets.push({ name: 'register_corp ContactSync.AccessToken', value: contactSyncToken });
    }
    const result = await relay.send(kind, { fields });
    if (result.status !== 200) refused.push(`${kind}: ${result.status} ${result.answer.body}`);
    sent.set(kind, result.plaintext);
  }
  t.same(refused, [], `the receiver acks all ${ALL_KINDS.length} other sample kinds with 200`);
  const expectedBeforeCancel = ALL_KINDS.length + 1; // + auth.created
  t.ok(await relay.until(() => relay.delivered.filter((d) => d.target === 'hooks').length >= expectedBeforeCancel, 30_000),
    `all ${expectedBeforeCancel} events before cancel_auth are delivered to the json target`);
  secrets.push(...await heldSecrets(relay)); // the reset permanent code, any refreshed token
  t.ok(secrets.some((s) => s.name.startsWith('corp_token')), 'a corp access_token is in the store once enrichment ran');

  const cancel = await relay.send('cancel_auth');
  t.equal(cancel.status, 200, 'the receiver acks cancel_auth with 200');
  sent.set('cancel_auth', cancel.plaintext);
  const chatExpected = 7;
  t.ok(await relay.until(() => {
    const count = (name: string) => relay.delivered.filter((d) => d.target === name).length;
    return count('hooks') >= expectedBeforeCancel + 1 && ['slack', 'feishu', 'dingtalk'].every((n) => count(n) >= chatExpected);
  }, 30_000), 'auth.cancelled and every chat message are delivered');
  const callbacks = await relay.store.listCallbacks({ limit: 1000 });
  await relay.stop(); // drains: nothing is still in flight when we count

  // ── once each ───────────────────────────────────────────────────────────────────────────────────────
  const idOf = new Map(callbacks.map((c) => [c.plaintext, c.id]));
  const authCreated = callbacks.find((c) => c.fields['InfoType'] === 'create_auth');
  t.ok(authCreated, 'the create_auth callback is in the store');
  const byId = new Map<string, RecordedRequest[]>();
  for (const request of hooks.requests) {
    const id = headerOf(request, 'webhook-id') ?? '';
    byId.set(id, [...(byId.get(id) ?? []), request]);
  }
  const missingOrDuplicated: string[] = [];
  for (const [kind, plaintext] of sent) {
    const id = kind === 'create_auth' ? authCreated?.id : idOf.get(plaintext);
    const n = id === undefined ? 0 : byId.get(id)?.length ?? 0;
    if (n !== 1) missingOrDuplicated.push(`${kind}: ${n}`);
  }
  t.same(missingOrDuplicated, [], `every one of the ${sent.size} forwarded kinds arrives at the json target exactly once`);
  t.equal(hooks.requests.length, sent.size, 'the json target got nothing else (the suite_ticket is never forwarded)');
  const events = hooks.requests.map((r) => jsonBody<EventEnvelope>(r));
  t.notOk(events.some((e) => e.type === 'suite.ticket'), 'no suite.ticket event is forwarded');
  t.ok(events.every((e, i) => e.id === headerOf(hooks.requests[i]!, 'webhook-id')), 'webhook-id is the event id');
  t.ok(events.every((e) => e.source.suiteId === SUITE_ID), 'every event names the suite');

  // ── enrichment ─────────────────────────────────────────────────────────────────────────────────────
  const customer = events.filter((e) => e.type.startsWith('external_contact.'));
  t.equal(customer.length, 7, 'the seven external_contact.* kinds were forwarded');
  const unenriched = customer.filter((e) => typeof e.enrichment?.['externalContact'] !== 'object' || e.enrichment['externalContact'] === null);
  t.same(unenriched.map((e) => `${e.type}: ${JSON.stringify(e.enrichmentError)}`), [], 'every external_contact.* event carries enrichment.externalContact');
  const created = events.find((e) => e.type === 'auth.created');
  t.match(created?.enrichment, { corp: { corpId: CORP_ID } }, 'auth.created carries the corp info in enrichment.corp');
  t.equal(created?.source.corpId, CORP_ID, 'auth.created names the corp that authorized');
  const createdBody = hooks.requests.find((r) => r.body.includes('"auth.created"'))?.body ?? '';
  t.notMatch(createdBody, /"permanent_?code"\s*:/i, 'auth.created carries no permanent code field');
  const cancelled = events.find((e) => e.type === 'auth.cancelled');
  t.ok(cancelled, 'auth.cancelled is forwarded');

  // ── signatures ─────────────────────────────────────────────────────────────────────────────────────
  const webhook = new Webhook(webhookSecret);
  const unverified: string[] = [];
  for (const request of hooks.requests) {
    const headers = {
      'webhook-id': headerOf(request, 'webhook-id') ?? '',
      'webhook-timestamp': headerOf(request, 'webhook-timestamp') ?? '',
      'webhook-signature': headerOf(request, 'webhook-signature') ?? '',
    };
    try {
      webhook.verify(request.body, headers);
    } catch (error) {
      unverified.push(`${headers['webhook-id']}: ${(error as Error).message}`);
    }
  }
  t.same(unverified, [], `the standardwebhooks library verifies all ${hooks.requests.length} delivered signatures`);

  t.equal(slack.requests.length, chatExpected, 'the slack target gets the seven customer events');
  t.ok(slack.requests.every((r) => {
    const body = jsonBody<{ text?: unknown; blocks?: unknown }>(r);
    return typeof body.text === 'string' && body.text !== '' && Array.isArray(body.blocks) && body.blocks.length > 0;
  }), 'every slack message has text and blocks');

  t.equal(feishu.requests.length, chatExpected, 'the feishu target gets the seven customer events');
  const badFeishu = feishu.requests.filter((r) => {
    const body = jsonBody<{ timestamp?: string; sign?: string; msg_type?: string }>(r);
    const expected = createHmac('sha256', `${body.timestamp}\n${feishuSecret}`).update('').digest('base64');
    const age = Math.abs(Date.now() / 1000 - Number(body.timestamp));
    return body.sign !== expected || !(age < 3600) || body.msg_type !== 'post';
  });
  t.equal(badFeishu.length, 0, 'every feishu sign = base64(HMAC-SHA256(key = timestamp\\nsecret, msg = "")) with a current timestamp in seconds');

  t.equal(dingtalk.requests.length, chatExpected, 'the dingtalk target gets the seven customer events');
  const badDingtalk = dingtalk.requests.filter((r) => {
    const query = new URL(r.url, dingtalk.url).search.slice(1).split('&');
    const raw = (name: string) => query.find((pair) => pair.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
    const timestamp = raw('timestamp');
    const expected = createHmac('sha256', dingtalkSecret).update(`${timestamp}\n${dingtalkSecret}`).digest('base64');
    const sign = raw('sign');
    return raw('access_token') !== dingtalkToken || sign.includes('+') || decodeURIComponent(sign) !== expected ||
      !(Math.abs(Date.now() - Number(timestamp)) < 3_600_000) || jsonBody<{ msgtype?: string }>(r).msgtype !== 'markdown';
  });
  t.equal(badDingtalk.length, 0, 'every dingtalk sign = urlencode(base64(HMAC-SHA256(key = secret, msg = timestamp\\nsecret))) with a current timestamp in ms, access_token kept');

  // ── no secret anywhere downstream or in the logs ───────────────────────────────────────────────────
  t.ok(secrets.length >= 14, 'the secrets to look for were all collected');
  const downstream = [hooks, slack, feishu, dingtalk].flatMap((target) => target.requests);
  const inBodies = downstream.flatMap((r) => leaked(`${r.body}\n${JSON.stringify(r.headers)}`, secrets));
  t.same([...new Set(inBodies)], [], 'no secret appears in any delivered body or header');
  t.ok(relay.logs.length > 50, 'the relay logged at debug level into the buffer');
  t.ok(relay.logs.some((line) => line.includes('"level":20')), 'debug lines were captured');
  const inLogs = relay.logs.flatMap((line) => leaked(line, secrets).map((name) => `${name} in ${line.slice(0, 160)}`));
  t.same(inLogs, [], 'no secret appears in any log line');
});
