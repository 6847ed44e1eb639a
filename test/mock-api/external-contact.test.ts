import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { authorized, get, post, type Body } from '../helpers/mock-api-client.js';





t.test('externalcontact/get answers the customer with third-party limits', async (t) => {
  const { mock, token } = await authorized(t);
  const answer = await get(mock, 'externalcontact/get', { access_token: token, external_userid: DEFAULT_CORP_IDS.externalUserid });
  t.match(answer, {
    errcode: 0,
    external_contact: { external_userid: DEFAULT_CORP_IDS.externalUserid, name: String, type: 2, gender: 0, corp_name: String },
    follow_user: [
      { userid: 'zhangsan', remark: String, description: String, createtime: Number, tags: [{ group_name: String, tag_name: String, tag_id: DEFAULT_CORP_IDS.tagId, type: 1 }], oper_userid: String, add_way: 1, state: 'teststate' },
      { userid: 'lisi' },
      { userid: 'Jack' },
    ],
  }, 'the customer and every follower in one page');
  const contact = answer['external_contact'] as Body;
  t.notOk('avatar' in contact, 'avatar is withheld from third-party apps');
  t.notOk('remark_mobiles' in ((answer['follow_user'] as Body[])[0] ?? {}), 'remark_mobiles is withheld from third-party apps');
  t.notOk('next_cursor' in answer, 'no next_cursor when every follower fits');
});

t.test('follow_user pages across cursors at followUserPageSize', async (t) => {
  const { mock, token } = await authorized(t, { followUserPageSize: 2 });
  const query = { access_token: token, external_userid: DEFAULT_CORP_IDS.externalUserid };
  const first = await get(mock, 'externalcontact/get', query);
  t.same((first['follow_user'] as Body[]).map((f) => f['userid']), ['zhangsan', 'lisi'], 'the first page has two followers');
  t.type(first['next_cursor'], 'string', 'and a next_cursor');
  const second = await get(mock, 'externalcontact/get', { ...query, cursor: String(first['next_cursor']) });
  t.same((second['follow_user'] as Body[]).map((f) => f['userid']), ['Jack'], 'the second page has the rest');
  t.notOk('next_cursor' in second, 'the last page has no next_cursor');
  t.match(second, { external_contact: { external_userid: DEFAULT_CORP_IDS.externalUserid } }, 'every page repeats the customer');
  t.equal((await get(mock, 'externalcontact/get', { ...query, cursor: 'not-a-cursor' }))['errcode'], 40058, 'a cursor the mock did not issue answers 40058');
});

t.test('externalcontact/get errcodes: 84061 no relation, 41035 missing id', async (t) => {
  const { mock, token } = await authorized(t);
  t.equal((await get(mock, 'externalcontact/get', { access_token: token, external_userid: 'wmUnknownCustomer' }))['errcode'], 84061, 'an unknown customer answers 84061');
  t.equal((await get(mock, 'externalcontact/get', { access_token: token }))['errcode'], 41035, 'a missing external_userid answers 41035');
});

t.test('groupchat/get answers the chat, with member names only when asked', async (t) => {
  const { mock, token } = await authorized(t);
  const withNames = await post(mock, 'externalcontact/groupchat/get', { access_token: token }, { chat_id: DEFAULT_CORP_IDS.chatId, need_name: 1 });
  t.match(withNames, {
    errcode: 0,
    group_chat: {
      chat_id: DEFAULT_CORP_IDS.chatId, name: String, owner: 'zhangsan', create_time: Number, notice: String,
      member_list: [{ userid: 'zhangsan', type: 1, join_time: Number, join_scene: 1, name: '张三' }],
      admin_list: [{ userid: String }], member_version: DEFAULT_CORP_IDS.memberVersion,
    },
  }, 'need_name: 1 returns the members with names');
  const plain = await post(mock, 'externalcontact/groupchat/get', { access_token: token }, { chat_id: DEFAULT_CORP_IDS.seedChatId });
  const members = (plain['group_chat'] as Body)['member_list'] as Body[];
  t.ok(members.every((m) => !('name' in m)), 'without need_name no member has a name');
  t.equal((await post(mock, 'externalcontact/groupchat/get', { access_token: token }, { chat_id: 'wrUnknown' }))['errcode'], 40050, 'an unknown chat answers 40050');
});

t.test('get_corp_tag_list filters by group, then by tag, as documented', async (t) => {
  const { mock, token } = await authorized(t);
  const all = await post(mock, 'externalcontact/get_corp_tag_list', { access_token: token }, {});
  const groups = all['tag_group'] as Body[];
  t.equal(groups.length, 2, 'no filter lists every group');
  t.notOk(JSON.stringify(all).includes('流失客户'), 'deleted tags are left out of the full list');
  t.notOk('deleted' in (groups[0] ?? {}), 'and the deleted flag is absent');
  const byTag = await post(mock, 'externalcontact/get_corp_tag_list', { access_token: token }, { tag_id: [DEFAULT_CORP_IDS.seedTagId] });
  t.match(byTag, { tag_group: [{ group_id: DEFAULT_CORP_IDS.tagGroupId, deleted: false, tag: [{ id: DEFAULT_CORP_IDS.seedTagId, deleted: false }] }] }, 'a tag_id filter returns that tag in its group');
  t.equal(((byTag['tag_group'] as Body[])[0]?.['tag'] as Body[]).length, 1, 'and only that tag');
  const byGroup = await post(mock, 'externalcontact/get_corp_tag_list', { access_token: token }, { group_id: [DEFAULT_CORP_IDS.tagGroupId], tag_id: ['ignored'] });
  t.equal(((byGroup['tag_group'] as Body[])[0]?.['tag'] as Body[]).length, 3, 'group_id wins over tag_id and lists deleted tags too');
  t.equal((await post(mock, 'externalcontact/get_corp_tag_list', { access_token: token }, { tag_id: 'not-a-list' }))['errcode'], 40058, 'a non-list filter answers 40058');
});
