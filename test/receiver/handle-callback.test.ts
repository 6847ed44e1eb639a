import t, { type Test } from 'tap';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import type { WecomEvent } from '../../src/events/types.js';
import { createCallbackHandler, type CallbackRequest } from '../../src/receiver/handle-callback.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { A2_POST, SET_A, SUITE_TICKET_EMPTY_RECEIVEID, SUITE_ID } from '../fixtures/vectors.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const SUITE = 'ww917724cb573d8629';
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);

function post(endpoint: 'data' | 'command', query: Record<string, string>, body: string): CallbackRequest {
  return { method: 'POST', endpoint, query: new URLSearchParams(query).toString(), readBody: async () => body };
}

async function freshStore(t: Test): Promise<Store> {
  const store = await createStore(`sqlite:${t.testdir()}/relay.db`);
  t.teardown(() => store.close());
  return store;
}

const ticketXml = (ts: number) =>
  `<xml><SuiteId><![CDATA[${SUITE}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>${ts}</TimeStamp><SuiteTicket><![CDATA[t-${ts}]]></SuiteTicket></xml>`;

t.test('construction validates options with TypeErrors that never echo secrets', async (t) => {
  const keys = generateSuiteKeys();
  const store = await freshStore(t);
  const good = { suiteId: SUITE, ...keys, store };
  t.throws(() => createCallbackHandler({ ...good, encodingAESKey: 'short' }), { name: 'TypeError', message: /43 base64 characters, got 5 characters/ }, 'short key');
  t.throws(() => createCallbackHandler({ ...good, token: '' }), TypeError, 'empty token');
  t.throws(() => createCallbackHandler({ ...good, store: 'mysql://x' }), { name: 'TypeError', message: /store/ }, 'unknown store scheme');
  t.throws(() => createCallbackHandler({ ...good, store: 'sqlite::memory:' }), { name: 'TypeError', message: /`store` to be a Store object or a function resolving one \(wecomCallback and startReceiver open URLs\)/ },
    'the core takes no URL: opening one is the adapters\' job');
  t.throws(() => createCallbackHandler({ ...good, replyTimeoutMs: 4501 }), { name: 'TypeError', message: /`replyTimeoutMs` to be an integer from 1 to 4500/ }, 'replyTimeoutMs past WeCom\'s 5 s');
  t.throws(() => createCallbackHandler({ ...good, replyTimeoutMs: 0 }), TypeError, 'replyTimeoutMs 0');
  t.throws(() => createCallbackHandler({ ...good, reply: 'text' as never }), { name: 'TypeError', message: /`reply` to be a function/ }, 'a reply that is not a function');
  t.throws(() => createCallbackHandler({ ...good, dataPath: 'no-slash' }), TypeError, 'relative path');
  t.throws(() => createCallbackHandler({ ...good, dataPath: '/same', commandPath: '/same' }), TypeError, 'identical paths');
  t.throws(() => createCallbackHandler({ ...good, maxClockSkewSeconds: -1 }), TypeError, 'negative skew');
  try {
    createCallbackHandler({ ...good, encodingAESKey: keys.encodingAESKey.slice(0, 42) });
  } catch (error) {
    t.notMatch((error as Error).message, keys.encodingAESKey.slice(0, 42), 'the key is not in the message');
  }
});

t.test('the clock-skew window rejects stale and future timestamps with 401, and 0 turns it off', async (t) => {
  const store = await freshStore(t);
  const keys = generateSuiteKeys();
  const handler = createCallbackHandler({ suiteId: SUITE, ...keys, store, now: () => NOW, maxClockSkewSeconds: 300 });
  const at = (seconds: number) => {
    const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: ticketXml(seconds), timestamp: String(seconds) });
    return handler.handle(post('command', sealed.query, sealed.body));
  };
  t.equal((await at(NOW / 1000 - 301)).error?.code, 'ERR_WECOM_TIMESTAMP_SKEW', '301 s old is refused');
  t.equal((await at(NOW / 1000 + 301)).error?.code, 'ERR_WECOM_TIMESTAMP_SKEW', '301 s ahead is refused');
  t.equal((await at(NOW / 1000 - 299)).status, 200, '299 s old is accepted');
  const off = createCallbackHandler({ suiteId: SUITE, ...keys, store, now: () => NOW, maxClockSkewSeconds: 0 });
  const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: ticketXml(1403610513), timestamp: '1403610513' });
  t.equal((await off.handle(post('command', sealed.query, sealed.body))).status, 200, 'a 2014 timestamp passes with the check off');
});

t.test('a replayed request is acked but stored once; a WeCom retry with new query params is deduped too', async (t) => {
  const store = await freshStore(t);
  const keys = generateSuiteKeys();
  const handler = createCallbackHandler({ suiteId: SUITE, ...keys, store, maxClockSkewSeconds: 0 });
  const plaintext = ticketXml(1_700_000_000);
  const first = sealCallback({ ...keys, receiveId: SUITE, plaintext });
  const retry = sealCallback({ ...keys, receiveId: SUITE, plaintext, nonce: '42', timestamp: '1700000099' });
  const a = await handler.handle(post('command', first.query, first.body));
  const b = await handler.handle(post('command', first.query, first.body));
  const c = await handler.handle(post('command', retry.query, retry.body));
  t.same([a.status, b.status, c.status], [200, 200, 200], 'all acked');
  t.same([a.duplicate, b.duplicate, c.duplicate], [false, true, true], 'only the first is new');
  t.equal(a.eventId, c.eventId, 'the event id depends on the plaintext, not the request');
  t.equal((await store.listCallbacks()).length, 1, 'one row');
  const other = createCallbackHandler({ suiteId: SUITE, ...keys, store, maxClockSkewSeconds: 0 });
  const d = await other.handle(post('command', first.query, first.body));
  t.equal(d.duplicate, true, 'a second receiver (no shared memory) is deduped by the store');
});

t.test('never acks what was not stored: a failing store answers 503 ERR_STORE_UNAVAILABLE', async (t) => {
  const keys = generateSuiteKeys();
  const real = await freshStore(t);
  const failing: Store = Object.create(real, {
    putCallback: { value: async () => { throw new Error('disk full'); } },
  }) as Store;
  const handler = createCallbackHandler({ suiteId: SUITE, ...keys, store: failing, maxClockSkewSeconds: 0 });
  const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: ticketXml(1_700_000_001) });
  const result = await handler.handle(post('command', sealed.query, sealed.body));
  t.equal(result.status, 503, '503 so WeCom retries');
  t.equal(result.error?.code, 'ERR_STORE_UNAVAILABLE', 'stable code');
  t.notOk(result.body.includes('success'), 'no success in the body');
  const again = await handler.handle(post('command', sealed.query, sealed.body));
  t.equal(again.status, 503, 'a retry is not mistaken for a duplicate while the store is down');
});

t.test('onEvent runs after the durable write, once, and its errors never change the answer', async (t) => {
  const store = await freshStore(t);
  const keys = generateSuiteKeys();
  const seen: Array<{ type: string; storedBefore: boolean }> = [];
  let resolveSeen: () => void;
  const called = new Promise<void>((r) => { resolveSeen = r; });
  const handler = createCallbackHandler({
    suiteId: SUITE, ...keys, store, maxClockSkewSeconds: 0,
    onEvent: async (event: WecomEvent) => {
      seen.push({ type: event.type, storedBefore: (await store.getCallback(event.id)) !== undefined });
      resolveSeen();
      throw new Error('hook failure');
    },
  });
  const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: ticketXml(1_700_000_002) });
  const result = await handler.handle(post('command', sealed.query, sealed.body));
  t.equal(result.status, 200, 'acked despite the throwing hook');
  await called;
  await handler.handle(post('command', sealed.query, sealed.body));
  t.same(seen, [{ type: 'suite.ticket', storedBefore: true }], 'called once, after the row existed');
});

t.test('the empty receiveid is accepted only with allowEmptyReceiveId', async (t) => {
  const store = await freshStore(t);
  const v = SUITE_TICKET_EMPTY_RECEIVEID;
  const query = { msg_signature: v.msgSignature, timestamp: v.timestamp, nonce: v.nonce };
  const body = `<xml><ToUserName><![CDATA[${SUITE_ID}]]></ToUserName><Encrypt><![CDATA[${v.encrypt}]]></Encrypt></xml>`;
  const strict = createCallbackHandler({ suiteId: SUITE_ID, token: v.token, encodingAESKey: v.encodingAESKey, store, maxClockSkewSeconds: 0 });
  t.equal((await strict.handle(post('command', query, body))).error?.code, 'ERR_WECOM_RECEIVEID_NOT_ALLOWED', 'refused by default');
  const lenient = createCallbackHandler({ suiteId: SUITE_ID, token: v.token, encodingAESKey: v.encodingAESKey, store, maxClockSkewSeconds: 0, allowEmptyReceiveId: true });
  t.equal((await lenient.handle(post('command', query, body))).status, 200, 'accepted when allowed');
});

t.test('URL verification with providerCorpId accepts only that receiveid', async (t) => {
  const store = await freshStore(t);
  const keys = generateSuiteKeys();
  const handler = createCallbackHandler({ suiteId: SUITE, ...keys, store, providerCorpId: 'wwprovider0001' });
  const get = (receiveId: string) => {
    const q = sealEchostr({ ...keys, receiveId, echo: '9876543210' });
    return handler.handle({ method: 'GET', endpoint: 'data', query: new URLSearchParams({ ...q }).toString(), readBody: async () => '' });
  };
  const ok = await get('wwprovider0001');
  t.equal(ok.status, 200, 'provider corpid accepted');
  t.equal(ok.body, '9876543210', 'bare echo');
  t.equal((await get('wwsomebodyelse')).status, 403, 'another corpid refused');
});

t.test('each malformed request maps to its documented 4xx code', async (t) => {
  const store = await freshStore(t);
  const handler = createCallbackHandler({ suiteId: SUITE, token: SET_A.token, encodingAESKey: SET_A.encodingAESKey, store, maxClockSkewSeconds: 0 });
  const q = { msg_signature: A2_POST.msgSignature, timestamp: A2_POST.timestamp, nonce: A2_POST.nonce };
  const cases: Array<[string, CallbackRequest, number, string]> = [
    ['missing params', post('data', {}, A2_POST.body!), 400, 'ERR_WECOM_MISSING_PARAMS'],
    ['GET without echostr', { method: 'GET', endpoint: 'data', query: new URLSearchParams(q).toString(), readBody: async () => '' }, 400, 'ERR_WECOM_MISSING_PARAMS'],
    ['not XML', post('data', q, 'hello'), 400, 'ERR_WECOM_MALFORMED_BODY'],
    ['DOCTYPE', post('data', q, '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>'), 400, 'ERR_WECOM_XML_UNSAFE'],
    ['no Encrypt', post('data', q, '<xml><ToUserName>x</ToUserName></xml>'), 400, 'ERR_WECOM_MALFORMED_BODY'],
    ['signature mismatch', post('data', { ...q, nonce: '1' }, A2_POST.body!), 401, 'ERR_WECOM_SIGNATURE_MISMATCH'],
    ['body too large', { ...post('data', q, ''), readBody: async (limit) => { t.equal(limit, 1024 * 1024, 'the 1 MiB cap is passed'); throw Object.assign(new (await import('../../src/errors.js')).WecomRelayError('ERR_WECOM_BODY_TOO_LARGE')); } }, 413, 'ERR_WECOM_BODY_TOO_LARGE'],
    ['method', { ...post('data', q, ''), method: 'DELETE' }, 405, 'ERR_WECOM_METHOD_NOT_ALLOWED'],
  ];
  for (const [name, request, status, code] of cases) {
    const result = await handler.handle(request);
    t.equal(result.status, status, `${name}: ${status}`);
    t.equal(result.error?.code, code, `${name}: ${code}`);
    t.match(result.body, new RegExp(`^${code}: `), `${name}: one line starting with the code`);
  }
  t.equal((await store.listCallbacks()).length, 0, 'nothing stored');
});

t.test('a store factory is called once, and again only after it failed; ready() reports its outcome', async (t) => {
  const real = await freshStore(t);
  const keys = generateSuiteKeys();
  let calls = 0;
  let fail = true;
  const handler = createCallbackHandler({
    suiteId: SUITE, ...keys, maxClockSkewSeconds: 0,
    store: async () => {
      calls++;
      if (fail) throw new Error('not yet');
      return real;
    },
  });
  await t.rejects(handler.ready(), { message: 'not yet' }, 'ready() rejects while the factory fails');
  const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: ticketXml(1_700_000_100) });
  t.equal((await handler.handle(post('command', sealed.query, sealed.body))).status, 503, 'a callback meanwhile gets 503');
  fail = false;
  await handler.ready();
  t.equal((await handler.handle(post('command', sealed.query, sealed.body))).status, 200, 'stored once the factory succeeds');
  await handler.ready();
  await handler.store();
  t.equal(calls, 3, 'two failed calls, then one that is kept');
});
