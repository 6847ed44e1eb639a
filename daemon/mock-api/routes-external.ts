import { fail, ok, type MockReply } from './mock-reply.js';
import { queryParam, stringField, stringListField, type MockRoutes, type RouteContext } from './mock-route.js';
import type { CorpState } from './mock-state.js';
import type { MockExternalContactSeed, MockFollowUserSeed, MockTagGroupSeed } from './mock-types.js';

/** Customer-contact (客户联系) reads: `externalcontact/get`, `groupchat/get`, `get_corp_tag_list`. */
export const externalRoutes: MockRoutes = {
  'externalcontact/get': { auth: 'corp', handle: getExternalContact },
  'externalcontact/groupchat/get': { auth: 'corp', handle: getGroupChat },
  'externalcontact/get_corp_tag_list': { auth: 'corp', handle: getCorpTagList },
  'externalcontact/send_welcome_msg': { auth: 'corp', handle: sendWelcomeMsg },
};

/**
 * 发送新客户欢迎语 (doc 92599): `welcome_code` from the add_external_contact event, usable once: a second
 * call answers 41051 (already sent). text or at least one attachment (≤ 9) is required (40058 otherwise).
 * The mock cannot know when WeCom issued a code (the samples carry a fixed one): it does not check the 20 s.
 */
function sendWelcomeMsg(ctx: RouteContext, corp: CorpState): MockReply {
  const welcomeCode = stringField(ctx.body, 'welcome_code');
  if (welcomeCode === undefined) return fail(40058, 'welcome_code');
  const text = (ctx.body['text'] as { content?: unknown } | undefined)?.content;
  const attachments = Array.isArray(ctx.body['attachments']) ? ctx.body['attachments'].length : 0;
  if ((typeof text !== 'string' || text === '') && attachments === 0) return fail(40058, 'text or attachments');
  if (attachments > 9) return fail(40058, 'attachments: at most 9');
  if (ctx.state.welcomeMessages.some((m) => m.corpId === corp.seed.corpId && m.welcomeCode === welcomeCode)) return fail(41051);
  ctx.state.welcomeMessages.push({ at: ctx.state.now(), corpId: corp.seed.corpId, welcomeCode, text: typeof text === 'string' ? text : undefined, attachments });
  return ok();
}

/**
 * 41035 missing external_userid; 84061 no relation (unknown contact, or none of its followers is in the
 * app's visible range: "返回的跟进人follow_user仅包含应用可见范围之内的成员"); 40058 a cursor the mock did
 * not issue. follow_user is paged at `followUserPageSize`; `next_cursor` is present only when more follow.
 */
function getExternalContact(ctx: RouteContext, corp: CorpState): MockReply {
  const externalUserid = queryParam(ctx.query, 'external_userid');
  if (externalUserid === undefined) return fail(41035);
  const contact = corp.seed.externalContacts.find((c) => c.external_userid === externalUserid);
  const invisible = new Set(corp.seed.users.filter((u) => u.visible === false).map((u) => u.userid));
  const followers = contact?.follow_user.filter((f) => !invisible.has(f.userid)) ?? [];
  if (contact === undefined || followers.length === 0) return fail(84061, `external_userid: ${externalUserid}`);
  const cursor = queryParam(ctx.query, 'cursor');
  const offset = cursor === undefined ? 0 : decodeCursor(cursor, externalUserid);
  if (offset === undefined || offset >= followers.length) return fail(40058, 'cursor');
  const end = offset + ctx.followUserPageSize;
  const page = followers.slice(offset, end).map((f) => followUserView(f, ctx.fieldLimits));
  const more = end < followers.length ? { next_cursor: encodeCursor(externalUserid, end) } : {};
  return ok({ external_contact: contactView(contact, ctx.fieldLimits), follow_user: page, ...more });
}

/** Opaque like the real cursor, but bound to the contact it pages. */
function encodeCursor(externalUserid: string, offset: number): string {
  return Buffer.from(`${externalUserid}\n${offset}`).toString('base64url');
}

function decodeCursor(cursor: string, externalUserid: string): number | undefined {
  const [id, offset] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  return id === externalUserid && offset !== undefined && /^\d+$/.test(offset) ? Number(offset) : undefined;
}

/** Third-party apps get no avatar and no unionid, and gender reads 0 (doc 92114). */
function contactView(contact: MockExternalContactSeed, fieldLimits: boolean): Record<string, unknown> {
  const { follow_user: _followers, avatar, gender, unionid, ...rest } = contact;
  const view: Record<string, unknown> = { ...rest, gender: fieldLimits ? 0 : gender ?? 0 };
  if (!fieldLimits && avatar !== undefined) view['avatar'] = avatar;
  if (!fieldLimits && unionid !== undefined && contact.type === 1) view['unionid'] = unionid;
  return view;
}

/** Rule-group tags (type 3) are for system apps only; remark_mobiles is withheld from third-party apps. */
function followUserView(follower: MockFollowUserSeed, fieldLimits: boolean): Record<string, unknown> {
  const { remark_mobiles: mobiles, tags, ...rest } = follower;
  const view: Record<string, unknown> = { ...rest, tags: (tags ?? []).filter((tag) => tag.type !== 3) };
  if (!fieldLimits && mobiles !== undefined) view['remark_mobiles'] = mobiles;
  return view;
}

/** 40058 missing chat_id; 40050 unknown chat. Member names only with `need_name: 1`. */
function getGroupChat(ctx: RouteContext, corp: CorpState): MockReply {
  const chatId = stringField(ctx.body, 'chat_id');
  if (chatId === undefined) return fail(40058, 'chat_id');
  const chat = corp.seed.groupChats.find((c) => c.chat_id === chatId);
  if (chat === undefined) return fail(40050, `chat_id: ${chatId}`);
  const needName = ctx.body['need_name'] === 1;
  const members = chat.member_list.map(({ name, ...member }) => (needName && name !== undefined ? { ...member, name } : member));
  return ok({ group_chat: { ...chat, notice: chat.notice ?? '', admin_list: chat.admin_list ?? [], member_list: members } });
}

/**
 * "若tag_id和group_id均为空，则返回所有标签。同时传递tag_id和group_id时，忽略tag_id" (doc 92117). Deleted tags
 * and groups, and the `deleted` flag, appear only when asked for by id. Unknown ids are ignored.
 */
function getCorpTagList(ctx: RouteContext, corp: CorpState): MockReply {
  const tagIds = stringListField(ctx.body, 'tag_id');
  const groupIds = stringListField(ctx.body, 'group_id');
  if (tagIds === null || groupIds === null) return fail(40058, tagIds === null ? 'tag_id' : 'group_id');
  const groups = corp.seed.tagGroups;
  if (groupIds !== undefined && groupIds.length > 0) {
    const wanted = new Set(groupIds);
    return ok({ tag_group: groups.filter((g) => wanted.has(g.group_id)).map((g) => groupView(g, () => true, true)) });
  }
  if (tagIds !== undefined && tagIds.length > 0) {
    const wanted = new Set(tagIds);
    const matching = groups.filter((g) => g.tag.some((tag) => wanted.has(tag.id)));
    return ok({ tag_group: matching.map((g) => groupView(g, (id) => wanted.has(id), true)) });
  }
  const live = groups.filter((g) => g.deleted !== true);
  return ok({ tag_group: live.map((g) => groupView(g, () => true, false)) });
}

function groupView(group: MockTagGroupSeed, keep: (tagId: string) => boolean, byId: boolean): Record<string, unknown> {
  const { deleted, tag, ...rest } = group;
  const tags = tag
    .filter((t) => keep(t.id) && (byId || t.deleted !== true))
    .map(({ deleted: tagDeleted, ...t }) => (byId ? { ...t, deleted: tagDeleted === true } : t));
  return byId ? { ...rest, deleted: deleted === true, tag: tags } : { ...rest, tag: tags };
}
