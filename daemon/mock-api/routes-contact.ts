import { fail, ok, type MockReply } from './mock-reply.js';
import { queryParam, stringListField, type MockRoutes, type RouteContext } from './mock-route.js';
import { openUseridOf, type CorpState } from './mock-state.js';
import type { MockDepartmentSeed, MockUserSeed } from './mock-types.js';

/** At most this many ids per `batch/userid_to_openuserid` call (doc 97062). */
export const USERID_TO_OPENUSERID_MAX = 1000;

/** Contact (通讯录) reads: `user/get`, `batch/userid_to_openuserid`, `department/get`. */
export const contactRoutes: MockRoutes = {
  'user/get': { auth: 'corp', handle: getUser },
  'batch/userid_to_openuserid': { auth: 'corp', handle: useridToOpenUserid },
  'department/get': { auth: 'corp', handle: getDepartment },
};

/** userid is case-insensitive ("不区分大小写"); a provider-scoped open_userid is accepted too. */
function findUser(corp: CorpState, id: string): MockUserSeed | undefined {
  const lower = id.toLowerCase();
  return corp.seed.users.find((u) => u.userid.toLowerCase() === lower || openUseridOf(corp.seed.corpId, u) === id);
}

/** 41009 missing userid; 60111 no such member; 60011 outside the app's visible range. */
function getUser(ctx: RouteContext, corp: CorpState): MockReply {
  const userid = queryParam(ctx.query, 'userid');
  if (userid === undefined) return fail(41009);
  const user = findUser(corp, userid);
  if (user === undefined) return fail(60111, `userid: ${userid}`);
  if (user.visible === false) return fail(60011, `userid: ${userid}`);
  return ok(userView(corp.seed.corpId, user, ctx.fieldLimits));
}

/**
 * What a third-party app (not a contacts app) reads (doc 90196 / seeds/user-list-detail.md): the name is
 * the userid, gender reads 0, and position, mobile, email, avatar and alias are absent. With the
 * 组织架构信息 permission the full department list, leaders and direct leader are returned.
 */
function userView(corpId: string, user: MockUserSeed, fieldLimits: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    userid: user.userid,
    name: fieldLimits ? user.userid : user.name,
    department: user.department,
    order: user.order ?? user.department.map(() => 0),
    is_leader_in_dept: user.is_leader_in_dept ?? user.department.map(() => 0),
    direct_leader: user.direct_leader ?? [],
    status: user.status ?? 1,
    open_userid: openUseridOf(corpId, user),
    main_department: user.main_department ?? user.department[0],
  };
  if (fieldLimits) return { ...view, gender: '0' };
  for (const key of ['position', 'gender', 'mobile', 'email', 'avatar', 'alias'] as const) {
    if (user[key] !== undefined) view[key] = user[key];
  }
  return view;
}

/**
 * Plain userids → provider-scoped open_userids. Unknown and invisible ids go to `invalid_userid_list`
 * (omitted when empty). 40058 for a missing, empty or >1000 list; with `limits.invalidUseridsPerDay`,
 * 45009 for the rest of the day once a corp sent more invalid ids than that.
 */
function useridToOpenUserid(ctx: RouteContext, corp: CorpState): MockReply {
  const list = stringListField(ctx.body, 'userid_list');
  if (list === undefined || list === null || list.length === 0) return fail(40058, 'userid_list');
  if (list.length > USERID_TO_OPENUSERID_MAX) return fail(40058, `userid_list exceeds ${USERID_TO_OPENUSERID_MAX}`);
  const corpId = corp.seed.corpId;
  if (ctx.state.invalidUseridBanned(corpId)) return fail(45009, 'too many invalid userids today');
  const converted: { userid: string; open_userid: string }[] = [];
  const invalid: string[] = [];
  for (const userid of list) {
    const lower = userid.toLowerCase();
    const user = corp.seed.users.find((u) => u.userid.toLowerCase() === lower);
    if (user === undefined || user.visible === false) invalid.push(userid);
    else converted.push({ userid, open_userid: openUseridOf(corpId, user) });
  }
  if (invalid.length > 0) ctx.state.countInvalidUserids(corpId, invalid.length);
  return ok(invalid.length > 0 ? { open_userid_list: converted, invalid_userid_list: invalid } : { open_userid_list: converted });
}

/** 60127 missing id; 60123 not a department id; 60003 no such department; 60011 not visible. */
function getDepartment(ctx: RouteContext, corp: CorpState): MockReply {
  const raw = queryParam(ctx.query, 'id');
  if (raw === undefined) return fail(60127);
  if (!/^\d{1,10}$/.test(raw)) return fail(60123, `id: ${raw}`);
  const id = Number(raw);
  const department = corp.seed.departments.find((d) => d.id === id);
  if (department === undefined) return fail(60003, `id: ${raw}`);
  if (department.visible === false) return fail(60011, `id: ${raw}`);
  return ok({ department: departmentView(department, ctx.fieldLimits) });
}

/** Third-party apps get the id in place of the name and no name_en (doc 95351, since 2020-06-30). */
function departmentView(department: MockDepartmentSeed, fieldLimits: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: department.id,
    name: fieldLimits ? String(department.id) : department.name,
    parentid: department.parentid,
    order: department.order ?? 0,
    department_leader: department.department_leader ?? [],
  };
  if (!fieldLimits && department.name_en !== undefined) view['name_en'] = department.name_en;
  return view;
}
