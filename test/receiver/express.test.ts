import { createServer } from 'node:http';
import t from 'tap';
import express5 from 'express';
import express4 from 'express4';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { wecomCallback } from '../../src/receiver/express.js';
import { createStore } from '../../src/store/create-store.js';
import { A1_VERIFY, A2_POST, A4_JSON_POST, SET_A } from '../fixtures/vectors.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { listen } from '../helpers/listen.js';

const SUITE = 'ww917724cb573d8629';

type ExpressLike = typeof express5;
const FRAMEWORKS: Array<[string, ExpressLike]> = [['Express 5', express5], ['Express 4', express4 as unknown as ExpressLike]];
const PARSERS: Array<[string, (e: ExpressLike) => unknown]> = [
  ['no global parser', () => null],
  ['express.json()', (e) => e.json()],
  ["express.text({type: '*/*'})", (e) => e.text({ type: '*/*' })],
  ['express.raw()', (e) => e.raw()],
  ["express.raw({type: '*/*'})", (e) => e.raw({ type: '*/*' })],
  ['express.urlencoded()', (e) => e.urlencoded({ extended: false })],
];

for (const [frameworkName, express] of FRAMEWORKS) {
  for (const [parserName, makeParser] of PARSERS) {
    t.test(`${frameworkName} with ${parserName}`, async (t) => {
      const dir = t.testdir();
      const store = await createStore(`sqlite:${dir}/relay.db`);
      t.teardown(() => store.close());
      const ownKeys = generateSuiteKeys();
      const middleware = wecomCallback({
        suiteId: SUITE,
        token: SET_A.token,
        encodingAESKey: SET_A.encodingAESKey,
        store,
        maxClockSkewSeconds: 0,
      });
      const app = express();
      const parser = makeParser(express);
      if (parser) app.use(parser as never);
      app.use(middleware);
      app.use((_req, res) => { res.status(404).send('app 404'); });
      const server = await listen(createServer(app));
      t.teardown(server.close);

      t.test('answers the official URL verification with the bare plaintext on both paths', async (t) => {
        for (const path of ['/api/v1/wecom/callback', '/api/v1/wecom/command']) {
          const res = await fetch(`${server.url}${path}?${A1_VERIFY.url!.split('?')[1]}`);
          t.equal(res.status, 200, `${path}: 200`);
          t.match(res.headers.get('content-type'), /^text\/plain/, `${path}: text/plain`);
          t.equal(await res.text(), A1_VERIFY.plaintext, `${path}: the bare echo, no quotes, BOM or newline`);
        }
      });

      t.test('restores a + that query parsing turned into a space', async (t) => {
        const q = `msg_signature=${A1_VERIFY.msgSignature}&timestamp=${A1_VERIFY.timestamp}&nonce=${A1_VERIFY.nonce}&echostr=${A1_VERIFY.encrypt}`;
        t.ok(A1_VERIFY.encrypt.includes('+'), 'the vector has a literal +');
        const res = await fetch(`${server.url}/api/v1/wecom/callback?${q}`);
        t.equal(res.status, 200, 'accepted');
        t.equal(await res.text(), A1_VERIFY.plaintext, 'decrypted');
      });

      t.test('stores the official XML POST once, even when WeCom retries it', async (t) => {
        const url = `${server.url}/api/v1/wecom/callback?msg_signature=${A2_POST.msgSignature}&timestamp=${A2_POST.timestamp}&nonce=${A2_POST.nonce}`;
        for (let i = 0; i < 2; i++) {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: A2_POST.body });
          t.equal(res.status, 200, `attempt ${i + 1}: 200`);
          t.equal(await res.text(), 'success', `attempt ${i + 1}: bare success`);
        }
        const stored = await store.listCallbacks({ type: 'message.text' });
        t.equal(stored.length, 1, 'stored exactly once');
        t.equal(stored[0]?.plaintext, A2_POST.plaintext, 'the decrypted plaintext, byte for byte');
        t.equal(stored[0]?.fields.MsgId, '4561255354251345929', 'MsgId kept exact as a string');
        t.equal(stored[0]?.receiveId, SET_A.receiveId, 'the authenticated receiveid');
      });

      t.test('accepts the JSON-format callback sent as application/json', async (t) => {
        const url = `${server.url}/api/v1/wecom/callback?msg_signature=${A4_JSON_POST.msgSignature}&timestamp=${A4_JSON_POST.timestamp}&nonce=${A4_JSON_POST.nonce}`;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: A4_JSON_POST.body });
        t.equal(res.status, 200, '200');
        t.equal(await res.text(), 'success', 'success');
        const stored = await store.listCallbacks({ type: 'message.text' });
        t.ok(stored.some((c) => c.plaintext === A4_JSON_POST.plaintext && c.fields.MsgId === '4561255354251345929'), 'stored with MsgId exact');
      });

      t.test('rejects a wrong signature with 401 and its code, storing nothing', async (t) => {
        const before = (await store.listCallbacks()).length;
        const url = `${server.url}/api/v1/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=${A2_POST.timestamp}&nonce=${A2_POST.nonce}`;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: A2_POST.body });
        t.equal(res.status, 401, '401');
        t.match(await res.text(), /^ERR_WECOM_SIGNATURE_MISMATCH/, 'stable code first');
        t.equal((await store.listCallbacks()).length, before, 'nothing stored');
      });

      t.test('a command callback sealed for the suite id is stored with its type', async (t) => {
        const plaintext = `<xml><SuiteId><![CDATA[${SUITE}]]></SuiteId><AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId><InfoType><![CDATA[change_external_contact]]></InfoType><TimeStamp>1403610513</TimeStamp><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID></xml>`;
        const sealed = sealCallback({ token: SET_A.token, encodingAESKey: SET_A.encodingAESKey, receiveId: SUITE, plaintext });
        const q = new URLSearchParams(sealed.query).toString();
        const res = await fetch(`${server.url}/api/v1/wecom/command?${q}`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: sealed.body });
        t.equal(res.status, 200, '200');
        const [stored] = await store.listCallbacks({ type: 'external_contact.added' });
        t.equal(stored?.endpoint, 'command', 'endpoint recorded');
        t.equal(stored?.corpId, 'wxf8b4f85f3a794e77', 'corp recorded');
      });

      t.test('a command callback sealed for a foreign receiveid is refused with 403', async (t) => {
        const sealed = sealCallback({ token: SET_A.token, encodingAESKey: SET_A.encodingAESKey, receiveId: 'wwsomeoneelse', plaintext: '<xml><InfoType>suite_ticket</InfoType></xml>' });
        const res = await fetch(`${server.url}/api/v1/wecom/command?${new URLSearchParams(sealed.query)}`, { method: 'POST', body: sealed.body });
        t.equal(res.status, 403, '403');
        t.match(await res.text(), /^ERR_WECOM_RECEIVEID_NOT_ALLOWED/, 'code');
      });

      t.test('a callback sealed with another key is refused, never 5xx', async (t) => {
        const sealed = sealCallback({ ...ownKeys, receiveId: SUITE, plaintext: '<xml><InfoType>suite_ticket</InfoType></xml>' });
        const res = await fetch(`${server.url}/api/v1/wecom/command?${new URLSearchParams(sealed.query)}`, { method: 'POST', body: sealed.body });
        t.equal(res.status, 401, 'signature does not match our token');
        const echo = sealEchostr({ token: SET_A.token, encodingAESKey: ownKeys.encodingAESKey, receiveId: SUITE, echo: '123' });
        const get = await fetch(`${server.url}/api/v1/wecom/command?${new URLSearchParams({ ...echo })}`);
        t.ok(get.status >= 400 && get.status < 500, `right token, wrong key → 4xx (${get.status})`);
      });

      t.test('other paths fall through to the app', async (t) => {
        const res = await fetch(`${server.url}/elsewhere`);
        t.equal(res.status, 404, 'app 404');
        t.equal(await res.text(), 'app 404', 'the app answered, not the middleware');
      });

      t.test('other methods get 405 with Allow', async (t) => {
        const res = await fetch(`${server.url}/api/v1/wecom/callback`, { method: 'PUT', body: 'x' });
        t.equal(res.status, 405, '405');
        t.equal(res.headers.get('allow'), 'GET, POST', 'Allow header');
      });
    });
  }
}
