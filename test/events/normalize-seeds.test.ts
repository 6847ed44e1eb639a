import t from 'tap';
import { isKnownEventType } from '../../src/events/catalog.js';
import { eventId } from '../../src/events/event-id.js';
import { normalize } from '../../src/events/normalize.js';
import { parseMessage } from '../../src/xml/message.js';

const RECEIVED_AT = Date.parse('2026-11-22T08:00:00.123Z');

interface SeedCase {
  readonly name: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly xml: string;
}

// Every XML example in shared/seeds/suite-config-and-events.md, copied verbatim (tabs and odd indentation
// included), with the type and data SPEC §7 expects.
const SEEDS: readonly SeedCase[] = [
  {
    name: 'change_external_contact / add_external_contact',
    type: 'external_contact.added',
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', state: 'teststate', welcomeCode: 'WELCOMECODE' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[add_external_contact]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
	<State><![CDATA[teststate]]></State>
	<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`,
  },
  {
    name: 'change_external_contact / edit_external_contact',
    type: 'external_contact.edited',
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[edit_external_contact]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
</xml>`,
  },
  {
    name: 'change_external_contact / add_half_external_contact',
    type: 'external_contact.half_added',
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', state: 'teststate', welcomeCode: 'WELCOMECODE' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[add_half_external_contact]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
	<State><![CDATA[teststate]]></State>
	<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>
</xml>`,
  },
  {
    name: 'change_external_contact / del_external_contact',
    type: 'external_contact.deleted',
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', source: 'DELETE_BY_TRANSFER' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[del_external_contact]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
	<Source><![CDATA[DELETE_BY_TRANSFER]]></Source>
</xml>`,
  },
  {
    name: 'change_external_contact / del_follow_user',
    type: 'external_contact.follow_user_deleted',
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[del_follow_user]]></ChangeType>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
</xml>`,
  },
  {
    name: 'change_external_contact / transfer_fail',
    type: 'external_contact.transfer_failed',
    data: { failReason: 'customer_refused', userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_contact]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChangeType><![CDATA[transfer_fail]]></ChangeType>
	<FailReason><![CDATA[customer_refused]]></FailReason>
	<UserID><![CDATA[zhangsan]]></UserID>
	<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACH71w]]></ExternalUserID>
</xml>`,
  },
  {
    name: 'change_external_chat / create',
    type: 'external_chat.created',
    data: { chatId: 'CHAT_ID' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_chat]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChatId><![CDATA[CHAT_ID]]></ChatId>
	<ChangeType><![CDATA[create]]></ChangeType>
</xml>`,
  },
  {
    name: 'change_external_chat / update',
    type: 'external_chat.updated',
    data: {
      chatId: 'CHAT_ID', updateDetail: 'add_member', joinScene: '1', quitScene: '0', memChangeCnt: '10',
      memChangeList: ['Jack', 'Rose'], lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1', curMemVer: '71217227bbd112ecfe3a49c482195cb4',
    },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_chat]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChatId><![CDATA[CHAT_ID]]></ChatId>
	<ChangeType><![CDATA[update]]></ChangeType>
	<UpdateDetail><![CDATA[add_member]]></UpdateDetail>
    <JoinScene>1</JoinScene>
    <QuitScene>0</QuitScene>
    <MemChangeCnt>10</MemChangeCnt>
    <MemChangeList>
		<Item>Jack</Item>
		<Item>Rose</Item>
	</MemChangeList>
	<LastMemVer>9c3f97c2ada667dfb5f6d03308d963e1</LastMemVer>
	<CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer>
</xml>`,
  },
  {
    name: 'change_external_chat / dismiss',
    type: 'external_chat.dismissed',
    data: { chatId: 'CHAT_ID' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_chat]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<ChatId><![CDATA[CHAT_ID]]></ChatId>
	<ChangeType><![CDATA[dismiss]]></ChangeType>
</xml>`,
  },
  {
    name: 'change_external_tag / create',
    type: 'external_tag.created',
    data: { id: 'TAG_ID', tagType: 'tag' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_tag]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<Id><![CDATA[TAG_ID]]></Id>
	<TagType><![CDATA[tag]]></TagType>
	<ChangeType><![CDATA[create]]></ChangeType>
</xml>`,
  },
  {
    name: 'change_external_tag / update',
    type: 'external_tag.updated',
    data: { id: 'TAG_ID', tagType: 'tag' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_tag]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<Id><![CDATA[TAG_ID]]></Id>
	<TagType><![CDATA[tag]]></TagType>
	<ChangeType><![CDATA[update]]></ChangeType>
</xml>`,
  },
  {
    name: 'change_external_tag / delete',
    type: 'external_tag.deleted',
    data: { id: 'TAG_ID', tagType: 'tag' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_tag]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<Id><![CDATA[TAG_ID]]></Id>
	<TagType><![CDATA[tag]]></TagType>
	<ChangeType><![CDATA[delete]]></ChangeType>
</xml>`,
  },
  {
    name: 'change_external_tag / shuffle',
    type: 'external_tag.shuffled',
    data: { id: 'TAG_ID' },
    xml: `<xml>
	<SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId>
	<AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId>
	<InfoType><![CDATA[change_external_tag]]></InfoType>
	<TimeStamp>1403610513</TimeStamp>
	<Id><![CDATA[TAG_ID]]></Id>
	<ChangeType><![CDATA[shuffle]]></ChangeType>
</xml>`,
  },
];

for (const seed of SEEDS) {
  t.test(`the seed example ${seed.name} normalizes to ${seed.type}`, async (t) => {
    const fields = parseMessage(seed.xml);
    const event = normalize({ id: 'evt_seed', endpoint: 'command', suiteId: 'ww917724cb573d8629', receiveId: 'ww4asffe99e54c0f4c', receivedAt: RECEIVED_AT, fields });
    t.equal(event.type, seed.type, 'the SPEC §7 type');
    t.ok(isKnownEventType(event.type), 'a known catalog type');
    t.strictSame(event.data, seed.data, 'data: the fields in camelCase without the envelope fields');
    t.equal(event.timestamp, '2014-06-24T11:48:33.000Z', 'timestamp from TimeStamp 1403610513');
    t.equal(event.receivedAt, '2026-11-22T08:00:00.123Z', 'receivedAt from the stored time, with milliseconds');
    t.strictSame(event.source, { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', appId: 'ww917724cb573d8629', app: 'ww917724cb573d8629', appKind: 'suite', corpId: 'wxf8b4f85f3a794e77', agentId: null }, 'source: SuiteId and AuthCorpId from the fields; the app is the stored one');
    t.strictSame(event.raw, fields, 'raw: every decrypted field as received');
    t.equal(event.enrichment, null, 'enrichment starts null');
    t.equal(event.enrichmentError, null, 'enrichmentError starts null');
  });
}

t.test('the SPEC §7 example envelope is reproduced field for field', async (t) => {
  const seed = SEEDS[0] as SeedCase;
  const plaintext = seed.xml;
  const id = eventId('ww4asffe99e54c0f4c', 'ww4asffe99e54c0f4c', plaintext);
  const fields = parseMessage(plaintext);
  const event = normalize({ id, endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', receiveId: 'ww4asffe99e54c0f4c', receivedAt: RECEIVED_AT, fields });
  t.match(event.id, /^evt_[0-9a-f]{32}$/, 'id: evt_ + 32 hex');
  t.strictSame(Object.keys(event), ['id', 'type', 'timestamp', 'receivedAt', 'source', 'data', 'enrichment', 'enrichmentError', 'raw'], 'the SPEC key order');
  t.equal(event.type, 'external_contact.added', 'type');
  t.equal(event.timestamp, '2014-06-24T11:48:33.000Z', 'timestamp');
  t.equal(event.receivedAt, '2026-11-22T08:00:00.123Z', 'receivedAt');
  t.strictSame(event.source, { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', appId: 'ww4asffe99e54c0f4c', app: 'ww4asffe99e54c0f4c', appKind: 'suite', corpId: 'wxf8b4f85f3a794e77', agentId: null }, 'source');
  t.strictSame(event.data, { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', state: 'teststate', welcomeCode: 'WELCOMECODE' }, 'data');
  t.equal(event.enrichmentError, null, 'enrichmentError');
  t.equal(event.raw.SuiteId, 'ww4asffe99e54c0f4c', 'raw.SuiteId');
  t.equal(event.raw.InfoType, 'change_external_contact', 'raw.InfoType');
  t.equal(event.raw.TimeStamp, '1403610513', 'raw values are strings');
  const json = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  t.strictSame(json.source, { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', appId: 'ww4asffe99e54c0f4c', app: 'ww4asffe99e54c0f4c', appKind: 'suite', corpId: 'wxf8b4f85f3a794e77', agentId: null }, 'agentId survives JSON as null');
});
