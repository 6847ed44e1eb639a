import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { authorized, post, type Body } from '../helpers/mock-api-client.js';

const CORP = DEFAULT_CORP_IDS.corpId;
const HIDDEN = DEFAULT_CORP_IDS.invisibleUserid;

/** Every page of `groupchat/list` for `owners` at `limit`: the chat ids in order, and the pages. */
async function allChats(auth: Awaited<ReturnType<typeof authorized>>, owners: string[] | undefined, limit: number): Promise<{ ids: string[]; pages: number; last: Body }> {
  const ids: string[] = [];
  let cursor = '';
  let pages = 0;
  for (;;) {
    const body = { limit, ...(owners === undefined ? {} : { owner_filter: { userid_list: owners } }), ...(cursor === '' ? {} : { cursor }) };
    const page = await post(auth.mock, 'externalcontact/groupchat/list', { access_token: auth.token }, body);
    pages += 1;
    if (page['errcode'] !== 0) return { ids, pages, last: page };
    ids.push(...(page['group_chat_list'] as Body[]).map((c) => String(c['chat_id'])));
    cursor = String(page['next_cursor']);
    if (cursor === '') return { ids, pages, last: page };
  }
}

t.test('groupchat/list with owner_filter pages the chats of those owners in chat_id order, hidden owners left out', async (t) => {
  const auth = await authorized(t);
  auth.mock.changeCorp(CORP, {
    addChats: [
      { chat_id: 'wrC', owner: 'lisi' }, { chat_id: 'wrA', owner: 'Jack' }, { chat_id: 'wrE', owner: HIDDEN },
      { chat_id: 'wrB', owner: 'lisi' }, { chat_id: 'wrD', owner: 'Rose' }, { chat_id: 'wrF', owner: 'Jack' },
    ],
  });
  const listed = await allChats(auth, ['lisi', 'Jack', HIDDEN, 'lisi'], 2);
  t.same(listed.ids, ['wrA', 'wrB', 'wrC', 'wrF'], 'the named visible owners\' chats, once each, by chat_id; the hidden owner\'s chat is outside the range');
  t.equal(listed.pages, 2, 'two pages of two');
  t.equal(listed.last['next_cursor'], '', 'the last page has an empty next_cursor');
  t.same((await allChats(auth, ['Rose'], 1000)).ids, ['wrD'], 'another owner, another list');
  t.same((await allChats(auth, ['nobody'], 1000)).ids, [], 'an owner without chats lists none');
});

t.test('groupchat/list: a cursor is bound to its owner list; an unfiltered call past 1,000 members answers 81017', async (t) => {
  const auth = await authorized(t);
  auth.mock.changeCorp(CORP, { addChats: [{ chat_id: 'wrA', owner: 'lisi' }, { chat_id: 'wrB', owner: 'lisi' }] });
  const first = await post(auth.mock, 'externalcontact/groupchat/list', { access_token: auth.token }, { limit: 1, owner_filter: { userid_list: ['lisi'] } });
  t.equal(first['errcode'], 0, 'the first page answers');
  const cursor = String(first['next_cursor']);
  t.not(cursor, '', 'and names a next page');
  const other = await post(auth.mock, 'externalcontact/groupchat/list', { access_token: auth.token }, { limit: 1, cursor, owner_filter: { userid_list: ['Jack'] } });
  t.equal(other['errcode'], 40058, 'the cursor of another owner list answers 40058');
  const unfiltered = await allChats(auth, undefined, 1000);
  t.ok(unfiltered.ids.includes('wrA') && unfiltered.ids.includes('wrB'), 'a small corp lists every chat unfiltered');
  t.equal((await post(auth.mock, 'externalcontact/groupchat/list', { access_token: auth.token }, { limit: 1001 }))['errcode'], 40058, 'limit above 1000 answers 40058');

  auth.mock.changeCorp(CORP, { addUsers: Array.from({ length: 1000 }, (_, i) => ({ userid: `extra${i}` })) });
  t.equal((await allChats(auth, undefined, 1000)).last['errcode'], 81017, 'past 1,000 visible members the unfiltered call answers 81017');
  t.same((await allChats(auth, ['lisi'], 1000)).ids, ['wrA', 'wrB'], 'the filtered call still answers, from the rebuilt corp');
});

t.test('batch/get_by_user lists the pairs of the visible members asked for, paged by cursor', async (t) => {
  const auth = await authorized(t);
  auth.mock.changeCorp(CORP, {
    addPairs: [
      { userid: 'lisi', external_userid: 'wmX1' }, { userid: 'lisi', external_userid: 'wmX2' }, { userid: HIDDEN, external_userid: 'wmX3' },
    ],
  });
  const rows: string[] = [];
  let cursor = '';
  do {
    const page = await post(auth.mock, 'externalcontact/batch/get_by_user', { access_token: auth.token }, { userid_list: ['lisi', HIDDEN], limit: 1, ...(cursor === '' ? {} : { cursor }) });
    t.equal(page['errcode'], 0, 'each page answers');
    rows.push(...(page['external_contact_list'] as Body[]).map((r) => `${String((r['follow_info'] as Body)['userid'])}:${String((r['external_contact'] as Body)['external_userid'])}`));
    cursor = String(page['next_cursor']);
  } while (cursor !== '');
  t.ok(rows.includes('lisi:wmX1') && rows.includes('lisi:wmX2'), 'the visible member\'s new customers are listed');
  t.notOk(rows.some((r) => r.startsWith(`${HIDDEN}:`)), 'the hidden member\'s customer is not');
  t.equal(new Set(rows).size, rows.length, 'no pair twice across pages');
  const first = await post(auth.mock, 'externalcontact/batch/get_by_user', { access_token: auth.token }, { userid_list: ['lisi'], limit: 1 });
  const foreign = await post(auth.mock, 'externalcontact/batch/get_by_user', { access_token: auth.token }, { userid_list: ['zhangsan'], limit: 1, cursor: String(first['next_cursor']) });
  t.equal(foreign['errcode'], 40058, 'a cursor issued for other members answers 40058');
});
