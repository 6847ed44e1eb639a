import { fail, ok, type MockReply } from './mock-reply.js';
import { queryParam, stringListField, type MockRoutes, type RouteContext } from './mock-route.js';
import { openUseridOf, type CorpState } from './mock-state.js';
import type { MockCorpSeed, MockUserSeed } from './mock-types.js';

/** `user/list_id`: `limit` 1–10000 (doc 96021). */
export const LIST_ID_MAX_LIMIT = 10_000;
/** `batch/get_by_user`: ≤ 100 userids, `limit` ≤ 100 (larger is clamped), default 50 (doc 93010). */
export const GET_BY_USER_MAX_USERS = 100;
export const GET_BY_USER_MAX_LIMIT = 100;
/** `groupchat/list`: `limit` 1–1000, owner_filter ≤ 100; unfiltered past 1,000 visible members → 81017 (doc 92120). */
export const GROUPCHAT_LIST_MAX_LIMIT = 1000;
export const GROUPCHAT_MAX_OWNERS = 100;
export const GROUPCHAT_UNFILTERED_MAX_MEMBERS = 1000;

/**
 * The ID-list APIs reconciliation pages through (reference/wecom-apis-more.md §1), with real paging:
 * cursors are opaque offsets bound to the list they page (a cursor of another list or request is 40058),
 * `next_cursor` is empty on the last page. Only what the app may see is listed (`visible: false` members
 * and departments are outside its range). The per-seed indexes are rebuilt when the corp's data changes
 * (a change replaces the seed object), so a corp of 100,000 members pages in linear time.
 */
export const idListRoutes: MockRoutes = {
  'department/simplelist': { auth: 'corp', handle: departmentSimpleList },
  'user/simplelist': { auth: 'corp', handle: userSimpleList },
  'user/list_id': { auth: 'corp', handle: listUserIds },
  'externalcontact/get_follow_user_list': { auth: 'corp', handle: followUserList },
  'externalcontact/batch/get_by_user': { auth: 'corp', handle: batchGetByUser },
  'externalcontact/groupchat/list': { auth: 'corp', handle: groupChatList },
};

interface SeedIndex {
  readonly visibleUsers: readonly MockUserSeed[];
  /** The userids of {@link visibleUsers}, and of the members outside the app's range. */
  readonly visibleUserids: ReadonlySet<string>;
  readonly invisibleUserids: ReadonlySet<string>;
  readonly usersByDepartment: ReadonlyMap<number, readonly MockUserSeed[]>;
  /** (open_userid, department) rows of every member (the whole corp), sorted by open_userid. */
  readonly deptUsers: ReadonlyArray<{ readonly open_userid: string; readonly department: number }>;
  /** userid → the (contact index, follow index) pairs it follows. */
  readonly pairsByUser: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
  readonly chatsSorted: MockCorpSeed['groupChats'];
  /** owner userid → that owner's chats, sorted by chat_id. */
  readonly chatsByOwner: ReadonlyMap<string, MockCorpSeed['groupChats']>;
}

const indexes = new WeakMap<MockCorpSeed, SeedIndex>();

function indexOf(seed: MockCorpSeed): SeedIndex {
  let index = indexes.get(seed);
  if (index !== undefined) return index;
  const visibleUsers = seed.users.filter((u) => u.visible !== false);
  const usersByDepartment = new Map<number, MockUserSeed[]>();
  for (const user of visibleUsers) {
    for (const department of user.department) {
      const list = usersByDepartment.get(department) ?? [];
      list.push(user);
      usersByDepartment.set(department, list);
    }
  }
  const deptUsers = seed.users
    .map((user) => ({ user, id: openUseridOf(seed.corpId, user) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap(({ user, id }) => user.department.map((department) => ({ open_userid: id, department })));
  const pairsByUser = new Map<string, Array<readonly [number, number]>>();
  seed.externalContacts.forEach((contact, c) => contact.follow_user.forEach((follow, f) => {
    const list = pairsByUser.get(follow.userid) ?? [];
    list.push([c, f]);
    pairsByUser.set(follow.userid, list);
  }));
  const chatsSorted = [...seed.groupChats].sort((a, b) => byChatId(a, b));
  const chatsByOwner = new Map<string, Array<MockCorpSeed['groupChats'][number]>>();
  for (const chat of chatsSorted) {
    const list = chatsByOwner.get(chat.owner) ?? [];
    list.push(chat);
    chatsByOwner.set(chat.owner, list);
  }
  const visibleUserids = new Set(visibleUsers.map((u) => u.userid));
  const invisibleUserids = new Set(seed.users.filter((u) => u.visible === false).map((u) => u.userid));
  index = { visibleUsers, visibleUserids, invisibleUserids, usersByDepartment, deptUsers, pairsByUser, chatsSorted, chatsByOwner };
  indexes.set(seed, index);
  return index;
}

function byChatId(a: { readonly chat_id: string }, b: { readonly chat_id: string }): number {
  return a.chat_id < b.chat_id ? -1 : a.chat_id > b.chat_id ? 1 : 0;
}

function isContactEdit(ctx: RouteContext): boolean {
  const token = queryParam(ctx.query, 'access_token');
  return token !== undefined && ctx.state.appOfCorpToken(token)?.kind === 'contact_edit';
}

/** An opaque cursor: the offset, bound to the list (and request) it pages. */
function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(`${scope}\n${offset}`).toString('base64url');
}

/** The offset a cursor names: 0 without one, null for one this list did not issue (answered 40058). */
function decodeCursor(cursor: unknown, scope: string): number | null {
  if (cursor === undefined || cursor === '') return 0;
  if (typeof cursor !== 'string') return null;
  const [bound, offset] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  return bound === scope && offset !== undefined && /^\d+$/.test(offset) ? Number(offset) : null;
}

/** `department/simplelist` (GET, 95406): the subtree of `id` (whole visible tree without it). */
function departmentSimpleList(ctx: RouteContext, corp: CorpState): MockReply {
  // The contact-edit authorization reads every department id; other apps their visible range.
  const visible = isContactEdit(ctx) ? corp.seed.departments : corp.seed.departments.filter((d) => d.visible !== false);
  const raw = queryParam(ctx.query, 'id');
  let listed = visible;
  if (raw !== undefined) {
    if (!/^\d{1,10}$/.test(raw)) return fail(60123, `id: ${raw}`);
    const root = Number(raw);
    if (!visible.some((d) => d.id === root)) return fail(60003, `id: ${raw}`);
    const children = new Map<number, number[]>();
    for (const d of visible) children.set(d.parentid, [...(children.get(d.parentid) ?? []), d.id]);
    const wanted = new Set<number>();
    const stack = [root];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (wanted.has(id)) continue;
      wanted.add(id);
      stack.push(...(children.get(id) ?? []));
    }
    listed = visible.filter((d) => wanted.has(d.id));
  }
  return ok({ department_id: listed.map((d) => ({ id: d.id, parentid: d.parentid, order: d.order ?? 0 })) });
}

/** `user/simplelist` (GET, 90200): a department's members (`fetch_child=1`: its subtree's). No paging. */
function userSimpleList(ctx: RouteContext, corp: CorpState): MockReply {
  const raw = queryParam(ctx.query, 'department_id');
  if (raw === undefined) return fail(60127);
  if (!/^\d{1,10}$/.test(raw)) return fail(60123, `department_id: ${raw}`);
  const id = Number(raw);
  const department = corp.seed.departments.find((d) => d.id === id);
  if (department === undefined) return fail(60003, `department_id: ${raw}`);
  if (department.visible === false) return fail(60011, `department_id: ${raw}`);
  const index = indexOf(corp.seed);
  let ids = [id];
  if (queryParam(ctx.query, 'fetch_child') === '1') {
    const reply = departmentSimpleList({ ...ctx, query: new URLSearchParams({ id: raw }) }, corp);
    if (reply.kind === 'json') ids = (reply.body['department_id'] as Array<{ id: number }>).map((d) => d.id);
  }
  const seen = new Set<string>();
  const userlist: Record<string, unknown>[] = [];
  for (const dep of ids) {
    for (const user of index.usersByDepartment.get(dep) ?? []) {
      if (seen.has(user.userid)) continue;
      seen.add(user.userid);
      const openUserid = openUseridOf(corp.seed.corpId, user);
      // Third-party apps get the provider-scoped id in `userid` and the id as the name (doc 96516, 90196).
      // The mock's userids are plain throughout (as user/get and the callbacks it signs use them); third-party
      // apps get the userid as the name (doc 90196).
      userlist.push({ userid: user.userid, name: ctx.fieldLimits ? user.userid : user.name, department: user.department, open_userid: openUserid });
    }
  }
  return ok({ userlist });
}

/** `user/list_id` (POST, 96021): (open_userid, department) rows, `limit` 1–10000 (default 1000), cursor. */
function listUserIds(ctx: RouteContext, corp: CorpState): MockReply {
  // "只有通讯录编辑授权才可调用" (doc 96021): the whole corp's ids, for the contact-edit authorization only.
  if (!isContactEdit(ctx)) return fail(48002, 'user/list_id needs the contact-edit authorization');
  const limitRaw = ctx.body['limit'] ?? 1000;
  if (!Number.isInteger(limitRaw) || (limitRaw as number) < 1 || (limitRaw as number) > LIST_ID_MAX_LIMIT) return fail(40058, 'limit');
  const offset = decodeCursor(ctx.body['cursor'], 'list_id');
  if (offset === null) return fail(40058, 'cursor');
  const rows = indexOf(corp.seed).deptUsers;
  const end = offset + (limitRaw as number);
  return ok({ next_cursor: end < rows.length ? encodeCursor('list_id', end) : '', dept_user: rows.slice(offset, end) });
}

/** Members configured for customer contact: the visible members who follow a customer or own a customer group. */
function followUserList(_ctx: RouteContext, corp: CorpState): MockReply {
  const index = indexOf(corp.seed);
  const owners = new Set(corp.seed.groupChats.map((chat) => chat.owner));
  return ok({ follow_user: index.visibleUsers.filter((u) => index.pairsByUser.has(u.userid) || owners.has(u.userid)).map((u) => u.userid) });
}

/** `externalcontact/batch/get_by_user` (POST, 93010): one row per (customer, follower) of the listed members. */
function batchGetByUser(ctx: RouteContext, corp: CorpState): MockReply {
  const users = stringListField(ctx.body, 'userid_list');
  if (users === undefined || users === null || users.length === 0) return fail(40058, 'userid_list');
  if (users.length > GET_BY_USER_MAX_USERS) return fail(40058, `userid_list exceeds ${GET_BY_USER_MAX_USERS}`);
  const limitRaw = ctx.body['limit'] ?? 50;
  if (!Number.isInteger(limitRaw) || (limitRaw as number) < 1) return fail(40058, 'limit');
  const limit = Math.min(limitRaw as number, GET_BY_USER_MAX_LIMIT);
  const bound = `get_by_user:${users.join(',')}`;
  const offset = decodeCursor(ctx.body['cursor'], bound);
  if (offset === null) return fail(40058, 'cursor');
  const index = indexOf(corp.seed);
  const pairs = users.filter((u) => !index.invisibleUserids.has(u)).flatMap((u) => index.pairsByUser.get(u) ?? []);
  const end = offset + limit;
  const rows = pairs.slice(offset, end).map(([c, f]) => {
    const { follow_user: _all, ...contact } = corp.seed.externalContacts[c]!;
    const follow = corp.seed.externalContacts[c]!.follow_user[f]!;
    const { tags, remark_mobiles: _mobiles, ...info } = follow;
    return { external_contact: { external_userid: contact.external_userid, name: contact.name, type: contact.type }, follow_info: { ...info, tag_id: (tags ?? []).flatMap((tag) => (tag.tag_id ? [tag.tag_id] : [])) } };
  });
  return ok({ external_contact_list: rows, next_cursor: end < pairs.length ? encodeCursor(bound, end) : '' });
}

/** `externalcontact/groupchat/list` (POST, 92120): chat ids by owner, cursor, limit 1–1000. */
function groupChatList(ctx: RouteContext, corp: CorpState): MockReply {
  const limitRaw = ctx.body['limit'];
  if (!Number.isInteger(limitRaw) || (limitRaw as number) < 1 || (limitRaw as number) > GROUPCHAT_LIST_MAX_LIMIT) return fail(40058, 'limit');
  const filter = ctx.body['owner_filter'] as { userid_list?: unknown } | undefined;
  const owners = filter === undefined ? undefined : stringListField(filter as Record<string, unknown>, 'userid_list');
  if (owners === null) return fail(40058, 'owner_filter.userid_list');
  if (owners !== undefined && owners.length > GROUPCHAT_MAX_OWNERS) return fail(40058, `owner_filter.userid_list exceeds ${GROUPCHAT_MAX_OWNERS}`);
  const index = indexOf(corp.seed);
  if ((owners === undefined || owners.length === 0) && index.visibleUsers.length > GROUPCHAT_UNFILTERED_MAX_MEMBERS) return fail(81017, 'use owner_filter');
  // By owner from the index: a page costs the owners' chats, not the corp's (members/100 calls per sync).
  const chats = owners === undefined || owners.length === 0
    ? index.chatsSorted.filter((chat) => index.visibleUserids.has(chat.owner))
    : [...new Set(owners)].filter((owner) => index.visibleUserids.has(owner)).flatMap((owner) => index.chatsByOwner.get(owner) ?? []).sort(byChatId);
  const bound = `groupchat:${owners?.join(',') ?? ''}`;
  const offset = decodeCursor(ctx.body['cursor'], bound);
  if (offset === null) return fail(40058, 'cursor');
  const end = offset + (limitRaw as number);
  return ok({ group_chat_list: chats.slice(offset, end).map((chat) => ({ chat_id: chat.chat_id, status: 0 })), next_cursor: end < chats.length ? encodeCursor(bound, end) : '' });
}
