import t from 'tap';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { createCallbackHandler } from '../../src/receiver/handle-callback.js';
import type { ReceiverApp } from '../../src/receiver/receiver-apps.js';
import { startReceiver } from '../../src/receiver/standalone.js';
import { createStore } from '../../src/store/create-store.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const PROVIDER = 'wwPROVIDERcorp0001';
const CORP = 'wwCORPinstalling01';
const SUITE_PATHS = { data: '/api/v1/wecom/callback', command: '/api/v1/wecom/command' };
const CE_PATH = '/api/v1/wecom/contact-edit';
const TPL_DATA = '/api/v1/wecom/customized';

const crmKeys = generateSuiteKeys();
const hrKeys = generateSuiteKeys();
const tplKeys = generateSuiteKeys();
const APPS: ReceiverApp[] = [
  { name: 'crm', kind: 'suite', id: 'wwCRMsuite', ...crmKeys, providerCorpId: PROVIDER, dataPath: SUITE_PATHS.data, commandPath: SUITE_PATHS.command },
  { name: 'hr', kind: 'contact_edit', id: 'wwHRcontactEdit', ...hrKeys, providerCorpId: PROVIDER, commandPath: CE_PATH },
  // The customized template's (template) URL is the suite's command URL, with its own Token and key.
  { name: 'tpl', kind: 'customized', id: 'dkTEMPLATE', ...tplKeys, providerCorpId: PROVIDER, dataPath: TPL_DATA, commandPath: SUITE_PATHS.command },
];
type Keys = { token: string; encodingAESKey: string };

const ticket = (suiteId: string, value: string) =>
  `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>1700000000</TimeStamp><SuiteTicket><![CDATA[${value}]]></SuiteTicket></xml>`;
const text = (content: string) =>
  `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>42</MsgId><AgentID>1000002</AgentID></xml>`;

t.test('three apps on one receiver, over real HTTP', async (t) => {
  const dir = t.testdir();
  const store = await createStore(`sqlite:${dir}/relay.db`);
  t.teardown(() => store.close());
  const receiver = await startReceiver({ apps: APPS, store, host: '127.0.0.1', port: 0, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  t.teardown(() => receiver.close());

  const post = async (path: string, keys: Keys, receiveId: string, plaintext: string) => {
    const sealed = sealCallback({ ...keys, receiveId, plaintext });
    const res = await fetch(`${receiver.url}${path}?${new URLSearchParams({ ...sealed.query })}`, { method: 'POST', body: sealed.body });
    return { status: res.status, body: await res.text() };
  };
  const verify = async (path: string, keys: Keys, receiveId = PROVIDER) => {
    const q = sealEchostr({ ...keys, receiveId, echo: 'echo-1234' });
    const res = await fetch(`${receiver.url}${path}?${new URLSearchParams({ ...q })}`);
    return { status: res.status, body: await res.text() };
  };
  const suiteIdOf = async (body: string) => {
    const records = await store.listCallbacks({ limit: 100 });
    return records.find((r) => r.plaintext.includes(body))?.suiteId;
  };

  t.test('URL verification answers each app on each of its paths', async (t) => {
    t.same(await verify(SUITE_PATHS.data, crmKeys), { status: 200, body: 'echo-1234' }, 'suite, data URL');
    t.same(await verify(SUITE_PATHS.command, crmKeys), { status: 200, body: 'echo-1234' }, 'suite, shared command URL');
    t.same(await verify(SUITE_PATHS.command, tplKeys), { status: 200, body: 'echo-1234' }, 'customized template, shared command URL');
    t.same(await verify(TPL_DATA, tplKeys), { status: 200, body: 'echo-1234' }, 'customized, its app URL');
    t.same(await verify(CE_PATH, hrKeys), { status: 200, body: 'echo-1234' }, 'contact_edit, its command URL');
    t.equal((await verify(CE_PATH, crmKeys)).status, 401, 'the suite\'s Token is not a candidate on the contact-edit path');
    t.equal((await verify(SUITE_PATHS.command, hrKeys)).status, 401, 'nor the contact-edit Token on the shared path');
    t.equal((await verify(SUITE_PATHS.command, crmKeys, 'wwSOMEONEelse')).status, 403, 'provider corpid enforced per app');
  });

  t.test('each app\'s callbacks are accepted and stored under its own id', async (t) => {
    t.same(await post(SUITE_PATHS.command, crmKeys, 'wwCRMsuite', ticket('wwCRMsuite', 'crm-ticket')), { status: 200, body: 'success' }, 'suite ticket');
    t.equal(await suiteIdOf('crm-ticket'), 'wwCRMsuite', 'stored under the suite');
    t.same(await post(SUITE_PATHS.command, tplKeys, 'dkTEMPLATE', ticket('dkTEMPLATE', 'tpl-ticket')), { status: 200, body: 'success' }, 'template ticket on the shared path');
    t.equal(await suiteIdOf('tpl-ticket'), 'dkTEMPLATE', 'stored under the template');
    t.same(await post(CE_PATH, hrKeys, 'wwHRcontactEdit', ticket('wwHRcontactEdit', 'hr-ticket')), { status: 200, body: 'success' }, 'contact-edit ticket');
    t.equal(await suiteIdOf('hr-ticket'), 'wwHRcontactEdit', 'stored under the contact-edit app');
    t.same(await post(SUITE_PATHS.data, crmKeys, CORP, text('to-crm')), { status: 200, body: 'success' }, 'suite data callback');
    t.equal(await suiteIdOf('to-crm'), 'wwCRMsuite');
    t.same(await post(TPL_DATA, tplKeys, CORP, text('to-tpl')), { status: 200, body: 'success' }, 'customized app data callback');
    t.equal(await suiteIdOf('to-tpl'), 'dkTEMPLATE');
  });

  t.test('a callback claiming another app\'s SuiteId is stored under the app that signed it', async (t) => {
    t.equal((await post(SUITE_PATHS.command, crmKeys, 'wwCRMsuite', ticket('dkTEMPLATE', 'claims-tpl'))).status, 200);
    t.equal(await suiteIdOf('claims-tpl'), 'wwCRMsuite');
  });

  t.test('the same message to two apps is two events (no duplicate collision)', async (t) => {
    const same = text('same-body');
    t.equal((await post(SUITE_PATHS.data, crmKeys, CORP, same)).status, 200);
    t.equal((await post(TPL_DATA, tplKeys, CORP, same)).status, 200);
    const records = (await store.listCallbacks({ limit: 100 })).filter((r) => r.plaintext.includes('same-body'));
    t.same(records.map((r) => r.suiteId).sort(), ['dkTEMPLATE', 'wwCRMsuite'], 'one per app, different ids');
  });

  t.test('rejections', async (t) => {
    const stranger = generateSuiteKeys();
    for (const path of [SUITE_PATHS.data, SUITE_PATHS.command, CE_PATH, TPL_DATA]) {
      t.equal((await post(path, stranger, 'wwCRMsuite', ticket('wwCRMsuite', 'x'))).status, 401, `wrong Token on ${path} → 401`);
    }
    t.equal((await post(CE_PATH, crmKeys, 'wwCRMsuite', ticket('wwCRMsuite', 'x'))).status, 401, 'suite keys on the contact-edit path → 401');
    t.equal((await post(SUITE_PATHS.command, hrKeys, 'wwHRcontactEdit', ticket('wwHRcontactEdit', 'x'))).status, 401, 'contact-edit keys on the shared path → 401');
    t.equal((await post(SUITE_PATHS.command, crmKeys, 'dkTEMPLATE', ticket('dkTEMPLATE', 'x'))).status, 403, 'the suite\'s keys with the template\'s receiveid: that app\'s policy refuses');
    t.equal((await post(SUITE_PATHS.command, { token: tplKeys.token, encodingAESKey: crmKeys.encodingAESKey }, 'dkTEMPLATE', ticket('dkTEMPLATE', 'x'))).status >= 400, true, 'the template\'s Token with the suite\'s key does not decrypt');
  });
});

t.test('two apps on one path with the same Token, told apart by key', async (t) => {
  const dir = t.testdir();
  const store = await createStore(`sqlite:${dir}/relay.db`);
  t.teardown(() => store.close());
  const token = 'sharedToken123';
  const a = { token, encodingAESKey: generateSuiteKeys().encodingAESKey };
  const b = { token, encodingAESKey: generateSuiteKeys().encodingAESKey };
  const handler = createCallbackHandler({
    apps: [
      { kind: 'suite', id: 'wwA', ...a, commandPath: '/cmd', dataPath: '/data' },
      { kind: 'customized', id: 'dkB', ...b, commandPath: '/cmd', dataPath: null },
    ],
    store,
    maxClockSkewSeconds: 0,
  });
  for (const [keys, id] of [[a, 'wwA'], [b, 'dkB']] as const) {
    const sealed = sealCallback({ ...keys, receiveId: id, plaintext: ticket(id, `t-${id}`) });
    const result = await handler.handle({ method: 'POST', endpoint: 'command', path: '/cmd', query: new URLSearchParams({ ...sealed.query }).toString(), readBody: async () => sealed.body });
    t.equal(result.status, 200, `${id} accepted`);
    t.equal((await store.getCallback(result.eventId!))?.suiteId, id, `${id}: stored under its id`);
  }
  t.same([...handler.routes.keys()].sort(), ['/cmd', '/data']);
  t.equal(handler.endpointOf('/data'), 'data');
  t.equal(handler.endpointOf('/nope'), null);
});

t.test('apps are validated at construction', async (t) => {
  const store = { putCallback: async () => ({ inserted: true }) } as never;
  const k = generateSuiteKeys();
  const ok: ReceiverApp = { kind: 'suite', id: 'wwA', ...k, commandPath: '/c', dataPath: '/d' };
  const bad: Array<[string, Partial<Parameters<typeof createCallbackHandler>[0]>, RegExp]> = [
    ['empty apps', { apps: [] }, /`apps`/],
    ['duplicate ids', { apps: [ok, { ...ok, name: 'other', commandPath: '/c2', dataPath: '/d2' }] }, /`apps\[1\]\.id`/],
    ['duplicate names', { apps: [{ ...ok, name: 'x' }, { ...ok, id: 'wwB', name: 'x', ...generateSuiteKeys() }] }, /`apps\[1\]\.name`/],
    ['contact_edit with a data path', { apps: [{ kind: 'contact_edit', id: 'wwCE', ...k, commandPath: '/ce', dataPath: '/d' }] }, /`apps\[0\]\.dataPath`/],
    ['bad kind', { apps: [{ ...ok, kind: 'bot' as never }] }, /`apps\[0\]\.kind`/],
    ['short key', { apps: [{ ...ok, encodingAESKey: 'abc' }] }, /`apps\[0\]\.encodingAESKey` to be exactly 43 base64 characters, got 3 characters/],
    ['same Token and key on one path', { apps: [ok, { ...ok, id: 'wwB', dataPath: '/d2' }] }, /`apps\[1\]\.commandPath`.*same Token and EncodingAESKey/],
    ['a data path that is another app\'s command path', { apps: [ok, { ...ok, id: 'wwB', ...generateSuiteKeys(), dataPath: '/c', commandPath: '/c3' }] }, /`apps\[1\]\.dataPath`/],
    ['apps and suiteId', { apps: [ok], suiteId: 'wwA' }, /`suiteId` to be absent/],
  ];
  for (const [name, options, message] of bad) {
    t.throws(() => createCallbackHandler({ store, ...options } as never), { name: 'TypeError', message }, name);
  }
  try {
    createCallbackHandler({ store, apps: [{ ...ok, encodingAESKey: 'A'.repeat(42) }] });
    t.fail('accepted a short key');
  } catch (error) {
    t.notMatch((error as Error).message, 'A'.repeat(42), 'never echoes a key');
  }
  t.doesNotThrow(() => createCallbackHandler({ store, apps: [{ kind: 'contact_edit', id: 'wwCE', ...k }] }), 'contact_edit: command path defaults, no data path');
});
