import t from 'tap';
import { CHAT_MEM_VER_NS } from '../../daemon/enrich/external-chat.js';
import { commandEvent, CORP_ID, DEFAULT_CORP_IDS, enrichHarness, liveSignal } from './enrich-harness.js';

const CHAT = DEFAULT_CORP_IDS.chatId;

function memberUpdate(last: string, cur: string) {
  return commandEvent('change_external_chat', 'update', {
    ChatId: CHAT, UpdateDetail: 'add_member', JoinScene: '1', MemChangeCnt: '2',
    MemChangeList: { Item: ['Jack', 'Rose'] }, LastMemVer: last, CurMemVer: cur,
  });
}

t.test('the member-version check detects a missed change across updates', async (t) => {
  const h = await enrichHarness(t);

  const first = await h.enrich(memberUpdate('v0', 'v1'), liveSignal());
  t.match(first, { kind: 'done', error: null, enrichment: { memberVersion: 'unknown' } }, 'first update: no kept version → unknown');
  t.equal((await h.store.getKv(CHAT_MEM_VER_NS, `${CORP_ID}:${CHAT}`))?.value, 'v1', 'its CurMemVer is kept per corp and chat');

  const missed = await h.enrich(memberUpdate('v2', 'v3'), liveSignal());
  t.match(missed, { kind: 'done', error: null, enrichment: { memberVersion: 'gap' } }, 'LastMemVer differs from the kept version → gap');
  if (missed.kind === 'done') {
    const chat = (missed.enrichment as { groupChat: { chat_id: string; member_list: Array<{ name?: string }> } }).groupChat;
    t.equal(chat.chat_id, CHAT, 'the gap comes with the freshly fetched chat');
    t.equal(chat.member_list.length, 4, 'whose member list is the one to use');
    t.ok(chat.member_list.every((m) => typeof m.name === 'string'), 'with member names (need_name 1)');
  }

  const next = await h.enrich(memberUpdate('v3', 'v4'), liveSignal());
  t.match(next, { kind: 'done', enrichment: { memberVersion: 'ok' } }, 'LastMemVer equal to the kept one → ok');

  const calls = h.callsTo('externalcontact/groupchat/get');
  t.equal(calls.length, 3, 'each update fetched the chat');
  t.same(calls[0]?.body, { chat_id: CHAT, need_name: 1 }, 'with need_name 1');
});

t.test('a retried update compares against the same kept version', async (t) => {
  const h = await enrichHarness(t);
  await h.enrich(memberUpdate('v0', 'v1'), liveSignal());
  h.mock.inject({ path: 'externalcontact/groupchat/get', errcode: 45033, times: 4 });
  const update = memberUpdate('v1', 'v2');
  t.match(await h.enrich(update, liveSignal()), { kind: 'retry', error: { errcode: 45033 } }, '45033 → retry');
  t.match(await h.enrich(update, liveSignal()), { kind: 'done', enrichment: { memberVersion: 'ok' } }, 'the retry still matches: nothing was kept from the failed try');
});

t.test('a permission error still records the version and forwards the check', async (t) => {
  const h = await enrichHarness(t);
  h.mock.inject({ path: 'externalcontact/groupchat/get', errcode: 48002 });
  const outcome = await h.enrich(memberUpdate('v0', 'v1'), liveSignal());
  t.match(outcome, { kind: 'done', enrichment: { groupChat: null, memberVersion: 'unknown' }, error: { code: 'wecom_api', errcode: 48002, api: 'externalcontact/groupchat/get' } }, 'partial enrichment with the error');
  t.equal((await h.store.getKv(CHAT_MEM_VER_NS, `${CORP_ID}:${CHAT}`))?.value, 'v1', 'the version was kept');
});

t.test('a name change carries no member versions', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_external_chat', 'update', { ChatId: CHAT, UpdateDetail: 'change_name' }), liveSignal());
  t.match(outcome, { kind: 'done', error: null, enrichment: { memberVersion: null, groupChat: { name: '客户群' } } }, 'memberVersion null, chat fetched');
});

t.test('a dismissed chat is not fetched and its version is forgotten', async (t) => {
  const h = await enrichHarness(t);
  await h.enrich(memberUpdate('v0', 'v1'), liveSignal());
  h.mock.clearCalls();
  const outcome = await h.enrich(commandEvent('change_external_chat', 'dismiss', { ChatId: CHAT }), liveSignal());
  t.same(outcome, { kind: 'done', enrichment: { groupChat: null, memberVersion: null }, error: null }, 'no chat, no check');
  t.equal(h.mock.calls.length, 0, 'no API call for a dismissed chat');
  t.equal(await h.store.getKv(CHAT_MEM_VER_NS, `${CORP_ID}:${CHAT}`), undefined, 'the kept version is deleted');
});

t.test('a created chat is enriched', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_external_chat', 'create', { ChatId: CHAT }), liveSignal());
  t.match(outcome, { kind: 'done', error: null, enrichment: { groupChat: { chat_id: CHAT, owner: 'zhangsan' }, memberVersion: null } }, 'the chat and no check');
});

t.test('a tag shuffle gets the full tag list, unfiltered', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_external_tag', 'shuffle', { Id: DEFAULT_CORP_IDS.tagGroupId }), liveSignal());
  t.equal(outcome.kind, 'done', 'done');
  if (outcome.kind !== 'done') return;
  const { tagGroups, scope } = outcome.enrichment as { tagGroups: Array<{ group_id: string }>; scope: string };
  t.equal(scope, 'full', 'scope full');
  t.equal(tagGroups.length, 2, 'every live tag group of the corp');
  t.same(h.callsTo('externalcontact/get_corp_tag_list')[0]?.body, {}, 'no tag_id or group_id filter was sent, even with an Id');
});

t.test('a created tag or group is fetched by its id', async (t) => {
  const h = await enrichHarness(t);
  const tag = await h.enrich(commandEvent('change_external_tag', 'create', { Id: DEFAULT_CORP_IDS.tagId, TagType: 'tag' }), liveSignal());
  t.match(tag, { kind: 'done', error: null, enrichment: { scope: 'filtered', tagGroups: [{ tag: [{ id: DEFAULT_CORP_IDS.tagId }] }] } }, 'the tag inside its group');
  const group = await h.enrich(commandEvent('change_external_tag', 'update', { Id: DEFAULT_CORP_IDS.tagGroupId, TagType: 'tag_group' }), liveSignal());
  t.match(group, { kind: 'done', enrichment: { scope: 'filtered', tagGroups: [{ group_id: DEFAULT_CORP_IDS.tagGroupId }] } }, 'the group');
  t.same(h.callsTo('externalcontact/get_corp_tag_list').map((c) => c.body), [{ tag_id: [DEFAULT_CORP_IDS.tagId] }, { group_id: [DEFAULT_CORP_IDS.tagGroupId] }], 'tag_id for tag, group_id for tag_group');
});

t.test('a deleted tag calls nothing', async (t) => {
  const h = await enrichHarness(t);
  const outcome = await h.enrich(commandEvent('change_external_tag', 'delete', { Id: DEFAULT_CORP_IDS.tagId, TagType: 'tag' }), liveSignal());
  t.same(outcome, { kind: 'done', enrichment: null, error: null }, 'no enrichment, no error');
  t.equal(h.mock.calls.length, 0, 'no API call');
});
