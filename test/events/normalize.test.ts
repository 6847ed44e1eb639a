import fc from 'fast-check';
import t from 'tap';
import { EVENT_TYPES } from '../../src/events/catalog.js';
import { camelCaseField, isKnownEvent, normalize, type NormalizeInput } from '../../src/events/normalize.js';
import { eventTypeOf } from '../../src/events/event-type-of.js';
import { corpIdOf } from '../../src/events/corp-id-of.js';
import type { CallbackFields, FieldValue } from '../../src/xml/fields.js';
import { parseMessage } from '../../src/xml/message.js';

const RECEIVED_AT = Date.parse('2026-11-22T08:00:00.123Z');
const SUITE_ID = 'ww917724cb573d8629';

function run(xml: string, endpoint: NormalizeInput['endpoint'] = 'command') {
  return normalize({ id: 'evt_test', endpoint, suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields: parseMessage(xml) });
}

// WeCom doc examples (doc 90628 suite_ticket, 90642 create_auth, 90970 change_contact, 90376 data events).
const SUITE_TICKET = `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
	<InfoType> <![CDATA[suite_ticket]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<SuiteTicket><![CDATA[asdfasfdasdfasdf]]></SuiteTicket>
</xml>`;
const CREATE_AUTH = `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0fxxxx]]></SuiteId>
	<AuthCode><![CDATA[AUTHCODE-SECRET-VALUE]]></AuthCode>
	<InfoType><![CDATA[create_auth]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<State><![CDATA[123]]></State>
</xml>`;
const CREATE_USER = `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[create_user]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<Department><![CDATA[1,2,3]]></Department>
	<ExtAttr>
		<Item>
		<Name><![CDATA[爱好]]></Name>
		<Type>0</Type>
		<Text>
			<Value><![CDATA[旅游]]></Value>
		</Text>
		</Item>
	</ExtAttr>
</xml>`;
const DATA_EVENT = (event: string, extra = '') => `<xml>
	<ToUserName><![CDATA[wxf8b4f85f3a794e77]]></ToUserName>
	<FromUserName><![CDATA[sys]]></FromUserName>
	<CreateTime>1403610513</CreateTime>
	<MsgType><![CDATA[event]]></MsgType>
	<Event><![CDATA[${event}]]></Event>${extra}
	<AgentID>1</AgentID>
</xml>`;
const EVENT_SHAPED_ADD = DATA_EVENT('change_external_contact', `
	<ChangeType><![CDATA[add_external_contact]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
	<State><![CDATA[teststate]]></State>
	<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>`);

t.test('suite_ticket → suite.ticket with only the ticket time and presence in data', async (t) => {
  const event = run(SUITE_TICKET);
  t.equal(event.type, 'suite.ticket', 'type (InfoType has a space before its CDATA in the doc example)');
  t.strictSame(event.data, { ticketTimestamp: '1403610513', ticketPresent: true }, 'data');
  t.equal(event.source.suiteId, 'ww4asffe99e54c0fxxxx', 'suiteId from the SuiteId field, not the configured one');
  t.equal(event.source.corpId, null, 'no corp on a ticket push');
  t.notOk(JSON.stringify(event).includes('asdfasfdasdfasdf'), 'the ticket value appears nowhere in the envelope');
  t.notOk('SuiteTicket' in event.raw, 'raw has no SuiteTicket');
});

t.test('create_auth → auth.created without its AuthCode', async (t) => {
  const event = run(CREATE_AUTH);
  t.equal(event.type, 'auth.created', 'type');
  t.strictSame(event.data, { state: '123' }, 'data keeps State only');
  t.notOk(JSON.stringify(event).includes('AUTHCODE-SECRET-VALUE'), 'the auth code appears nowhere');
});

t.test('change_contact create_user → contact.user.created with ExtAttr as an array', async (t) => {
  const event = run(CREATE_USER);
  t.equal(event.type, 'contact.user.created', 'type');
  t.strictSame(event.data, { userId: 'zhangsan', department: '1,2,3', extAttr: [{ name: '爱好', type: '0', text: { value: '旅游' } }] }, 'data');
});

t.test('an Event-shaped change_external_contact on the data URL maps like the InfoType one', async (t) => {
  const event = run(EVENT_SHAPED_ADD, 'data');
  t.equal(event.type, 'external_contact.added', 'same type as InfoType=change_external_contact');
  t.equal(event.source.corpId, 'wxf8b4f85f3a794e77', 'corpId from ToUserName');
  t.equal(event.source.agentId, '1', 'agentId from AgentID');
  t.equal(event.timestamp, '2014-06-24T11:48:33.000Z', 'timestamp from CreateTime');
  t.strictSame(event.data, { fromUserName: 'sys', userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', state: 'teststate', welcomeCode: 'WELCOMECODE' }, 'data');
  t.equal(eventTypeOf({ MsgType: 'event', Event: 'change_external_chat', ChangeType: 'dismiss' }), 'external_chat.dismissed', 'external_chat too');
  t.equal(eventTypeOf({ MsgType: 'event', Event: 'change_contact', ChangeType: 'update_tag' }), 'contact.tag.updated', 'change_contact too');
  t.equal(eventTypeOf({ MsgType: 'event', Event: 'change_external_tag', ChangeType: 'shuffle' }), 'external_tag.shuffled', 'external_tag too');
});

t.test('an InfoType-shaped callback is recognised on the data URL too: shape, not URL, decides', async (t) => {
  t.equal(run(SUITE_TICKET, 'data').type, 'suite.ticket', 'suite_ticket on the data URL');
  t.equal(run(DATA_EVENT('subscribe'), 'command').type, 'app.subscribe', 'subscribe on the command URL');
});

t.test('change_app_admin → app.change_app_admin and LOCATION → app.location', async (t) => {
  t.equal(run(DATA_EVENT('change_app_admin'), 'data').type, 'app.change_app_admin', 'change_app_admin');
  const location = run(DATA_EVENT('LOCATION', '\n\t<Latitude>23.104105</Latitude>\n\t<Longitude>113.320107</Longitude>\n\t<Precision>65.000000</Precision>'), 'data');
  t.equal(location.type, 'app.location', 'LOCATION is lower-cased');
  t.strictSame(location.data, { fromUserName: 'sys', latitude: '23.104105', longitude: '113.320107', precision: '65.000000' }, 'location data');
});

t.test('a JSON text message (A4) → message.text with MsgId exact', async (t) => {
  const event = run('{"ToUserName":"wx5823bf96d3bd56c7","FromUserName":"mycreate","CreateTime": 1409659813,"MsgType":"text","Content":"hello","MsgId":4561255354251345929,"AgentID": 218}', 'data');
  t.equal(event.type, 'message.text', 'type');
  t.strictSame(event.data, { fromUserName: 'mycreate', content: 'hello', msgId: '4561255354251345929' }, 'data with the exact MsgId');
  t.strictSame(event.source, { endpoint: 'data', suiteId: SUITE_ID, appId: SUITE_ID, app: SUITE_ID, appKind: 'suite', corpId: 'wx5823bf96d3bd56c7', agentId: '218' }, 'source falls back to the configured suite id');
  t.equal(event.timestamp, '2014-09-02T12:10:13.000Z', 'timestamp from CreateTime');
});

t.test('unknown kinds keep lossless generic types and never throw', async (t) => {
  const cases: Array<[CallbackFields, string, string]> = [
    [{ InfoType: 'brand_new_thing' }, 'suite.brand_new_thing', 'unknown InfoType'],
    [{ InfoType: 'change_contact', ChangeType: 'merge_user' }, 'suite.change_contact.merge_user', 'unknown ChangeType of a known InfoType'],
    [{ InfoType: 'change_external_chat', ChangeType: 'archive' }, 'suite.change_external_chat.archive', 'unknown chat ChangeType'],
    [{ MsgType: 'event', Event: 'enter_Meeting' }, 'app.enter_meeting', 'unknown Event, lower-cased'],
    [{ MsgType: 'event', Event: 'NewCalendarEvent' }, 'app.new_calendar_event', 'camelCase Event → snake case'],
    [{ MsgType: 'event', Event: 'change_contact', ChangeType: 'merge_user' }, 'suite.change_contact.merge_user', 'Event-shaped unknown ChangeType maps like InfoType'],
    [{ MsgType: 'event' }, 'app.unknown', 'MsgType=event without Event'],
    [{ MsgType: 'markdown' }, 'message.markdown', 'unknown MsgType'],
    [{ MsgType: 'mini-program card!' }, 'message.mini_program_card_', 'odd characters are sanitized'],
    [{ InfoType: 'x.y' }, 'suite.x_y', 'a dot cannot add a segment'],
    [{ ToUserName: 'ww', Encrypt: 'x' }, 'suite.unknown', 'neither InfoType nor MsgType'],
    [{ InfoType: { Nested: 'x' } }, 'suite.unknown', 'a non-text InfoType'],
  ];
  for (const [fields, type, name] of cases) {
    t.equal(eventTypeOf(fields), type, name);
    t.equal(normalize({ id: 'evt_x', endpoint: 'data', suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields }).type, type, `${name}: normalize agrees`);
  }
  const event = run('<xml><InfoType>brand_new_thing</InfoType><Foo>1</Foo><Bar><Item>a</Item></Bar></xml>');
  t.strictSame(event.data, { foo: '1', bar: ['a'] }, 'an unknown kind still gets its fields in data');
  t.strictSame(event.raw, { InfoType: 'brand_new_thing', Foo: '1', Bar: { Item: ['a'] } }, 'and in raw');
  t.notOk(isKnownEvent(event), 'isKnownEvent is false');
  t.ok(isKnownEvent(run(SUITE_TICKET)), 'isKnownEvent is true for a catalog type');
});

t.test('secrets never appear in data or raw, at any depth or letter case', async (t) => {
  const fields: CallbackFields = {
    InfoType: 'register_corp', AuthCorpId: 'wxcorp', AuthCode: 'S1-authcode', PermanentCode: 'S2-permanent',
    permanent_code: 'S3-permanent', access_token: 'S4-token', ContactSync: { AccessToken: 'S5-token', ExpiresIn: '7200' },
    List: { Item: [{ ACCESSTOKEN: 'S6-token', Keep: 'k' }] }, suite_ticket: 'S7-ticket', Other: 'kept',
  };
  const event = normalize({ id: 'evt_x', endpoint: 'command', suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields });
  const json = JSON.stringify(event);
  for (const secret of ['S1-authcode', 'S2-permanent', 'S3-permanent', 'S4-token', 'S5-token', 'S6-token', 'S7-ticket']) {
    t.notOk(json.includes(secret), `${secret} is absent from the serialized envelope`);
  }
  t.strictSame(event.data, { contactSync: { expiresIn: '7200' }, list: [{ keep: 'k' }], other: 'kept' }, 'the other fields remain');
  t.strictSame(event.raw.ContactSync, { ExpiresIn: '7200' }, 'nested raw fields remain');
  t.equal(fields.AuthCode, 'S1-authcode', 'the input fields are not mutated');
});

t.test('data is camelCase, with WeCom list containers as arrays', async (t) => {
  const table: Array<[string, string]> = [
    ['UserID', 'userId'], ['ExternalUserID', 'externalUserId'], ['OpenUserID', 'openUserId'], ['AuthCorpId', 'authCorpId'],
    ['ChatId', 'chatId'], ['TagId', 'tagId'], ['MemChangeList', 'memChangeList'], ['Location_X', 'locationX'],
    ['PicMd5Sum', 'picMd5Sum'], ['URL', 'url'], ['open_userid', 'openUserid'], ['userId', 'userId'], ['ID', 'id'],
  ];
  for (const [name, camel] of table) t.equal(camelCaseField(name), camel, `${name} → ${camel}`);
  const data = (fields: CallbackFields) => normalize({ id: 'e', endpoint: 'command', suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields }).data;
  t.strictSame(data({ InfoType: 'change_external_chat', ChangeType: 'update', MemChangeList: { Item: ['Jack'] } }), { memChangeList: ['Jack'] }, 'one member → a one-element array');
  t.strictSame(data({ InfoType: 'change_external_chat', ChangeType: 'update', MemChangeList: '' }), { memChangeList: [] }, 'an empty list → []');
  t.strictSame(data({ InfoType: 'change_external_chat', ChangeType: 'update', MemChangeList: ['a', 'b'] as FieldValue }), { memChangeList: ['a', 'b'] }, 'a JSON array stays an array');
});

t.test('the timestamp falls back to receivedAt when TimeStamp/CreateTime is missing or invalid', async (t) => {
  const at = (fields: CallbackFields) => normalize({ id: 'e', endpoint: 'command', suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields }).timestamp;
  t.equal(at({ InfoType: 'x' }), '2026-11-22T08:00:00.123Z', 'missing');
  t.equal(at({ InfoType: 'x', TimeStamp: 'soon' }), '2026-11-22T08:00:00.123Z', 'not digits');
  t.equal(at({ InfoType: 'x', TimeStamp: '99999999999999999999' }), '2026-11-22T08:00:00.123Z', 'absurdly large');
  t.equal(at({ InfoType: 'x', TimeStamp: '0' }), '1970-01-01T00:00:00.000Z', 'zero is a valid time');
  t.throws(() => normalize({ id: 'e', endpoint: 'command', suiteId: SUITE_ID, receiveId: 'x', receivedAt: Number.NaN, fields: {} }), TypeError, 'a NaN receivedAt is a caller bug');
});

t.test('source.corpId: AuthCorpId, else PaidCorpId, else ToUserName only for data-shaped callbacks', async (t) => {
  t.equal(corpIdOf({ AuthCorpId: 'a', ToUserName: 'b', MsgType: 'text' }), 'a', 'AuthCorpId wins');
  t.equal(corpIdOf({ PaidCorpId: 'p', InfoType: 'open_order' }), 'p', 'PaidCorpId on paid-app pushes');
  t.equal(corpIdOf({ ToUserName: 'b', MsgType: 'text' }), 'b', 'ToUserName on a data-shaped callback');
  t.equal(corpIdOf({ ToUserName: 'suite', InfoType: 'suite_ticket' }), null, 'never ToUserName on a command-shaped callback');
});

const LEAF = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('event', 'text', 'change_contact', 'update', 'LOCATION', '1403610513', '', 'Item'));
const { value: ANY_VALUE } = fc.letrec<{ value: FieldValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, LEAF, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 })),
}));
const KEY = fc.oneof(fc.constantFrom('InfoType', 'ChangeType', 'MsgType', 'Event', 'TimeStamp', 'CreateTime', 'AuthCorpId', 'ToUserName', 'AgentID', 'SuiteId', 'MemChangeList', 'Item', '__proto__', 'constructor'), fc.string({ maxLength: 10 }));

t.test('normalize never throws and always yields a valid type, for any fields (property, fixed seed)', async (t) => {
  const typePattern = /^(suite|app|message)\.[a-z0-9_]+(\.[a-z0-9_]+)*$/;
  const known = new Set<string>(EVENT_TYPES);
  t.doesNotThrow(() => fc.assert(fc.property(fc.dictionary(KEY, ANY_VALUE, { maxKeys: 8 }), (fields) => {
    const event = normalize({ id: 'evt_p', endpoint: 'data', suiteId: SUITE_ID, receiveId: 'x', receivedAt: RECEIVED_AT, fields });
    if (!known.has(event.type) && !typePattern.test(event.type)) throw new Error(`bad type ${event.type}`);
    if (Number.isNaN(Date.parse(event.timestamp))) throw new Error(`bad timestamp ${event.timestamp}`);
    JSON.stringify(event);
  }), { seed: 99, numRuns: 3000 }), 'every generated field set normalizes');
});

t.test('the event union narrows on type to the typed data', async (t) => {
  const event = run(EVENT_SHAPED_ADD, 'data');
  switch (event.type) {
    case 'external_contact.added': {
      const userId: string = event.data.userId;
      t.equal(userId, 'zhangsan', 'data.userId is a typed string');
      break;
    }
    case 'message.text': {
      const msgId: string = event.data.msgId;
      t.fail(`not a text message: ${msgId}`);
      break;
    }
    default:
      t.fail(`unexpected type ${event.type}`);
  }
});

t.test('source.appId, app and appKind: the app given, else a suite named by the stored suiteId', async (t) => {
  const fields = parseMessage('<xml><SuiteId><![CDATA[wwHRcontactEdit]]></SuiteId><InfoType><![CDATA[change_contact]]></InfoType><ChangeType><![CDATA[create_user]]></ChangeType><AuthCorpId><![CDATA[wwcorp]]></AuthCorpId><UserID><![CDATA[u1]]></UserID><TimeStamp>1403610513</TimeStamp></xml>');
  const callback = { id: 'evt_x', endpoint: 'command' as const, suiteId: 'wwHRcontactEdit', receiveId: 'wwHRcontactEdit', receivedAt: 0, fields };
  const event = normalize(callback, { id: 'wwHRcontactEdit', name: 'hr', kind: 'contact_edit' });
  t.match(event.source, { suiteId: 'wwHRcontactEdit', appId: 'wwHRcontactEdit', app: 'hr', appKind: 'contact_edit' });
  t.match(normalize(callback).source, { appId: 'wwHRcontactEdit', app: 'wwHRcontactEdit', appKind: 'suite' }, 'no app: the suite shorthand');
});
