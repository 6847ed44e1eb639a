import type { MockCorpSeed } from './mock-types.js';
import { openUseridOf } from './mock-state.js';

/** `auth_corp_info` of get_permanent_code / get_auth_info (doc 90603), filled with plausible values. */
export function authCorpInfo(seed: MockCorpSeed): Record<string, unknown> {
  return {
    corpid: seed.corpId,
    corp_name: seed.corpName,
    corp_type: 'verified',
    corp_square_logo_url: `https://p.qlogo.cn/bizmail/mock-${seed.corpId}/0`,
    corp_user_max: 200,
    corp_full_name: seed.corpFullName ?? seed.corpName,
    subject_type: 1,
    verified_end_time: 1_893_427_200,
    corp_wxqrcode: `https://wework.qpic.cn/wwpic/mock-qrcode-${seed.corpId}/0`,
    corp_scale: '1-50人',
    corp_industry: 'IT服务',
    corp_sub_industry: '计算机软件/硬件/信息服务',
  };
}

/**
 * `auth_info` with one agent whose privilege lists the visible range: each visible department whose parent
 * is not visible, and each visible member in no visible department. Level 1 = 通讯录基本信息只读.
 */
export function authInfo(seed: MockCorpSeed): Record<string, unknown> {
  const visibleDepartments = new Set(seed.departments.filter((d) => d.visible !== false).map((d) => d.id));
  const allowParty = seed.departments
    .filter((d) => visibleDepartments.has(d.id) && !visibleDepartments.has(d.parentid))
    .map((d) => d.id);
  const allowUser = seed.users
    .filter((u) => u.visible !== false && !u.department.some((id) => visibleDepartments.has(id)))
    .map((u) => u.userid);
  return {
    agent: [{
      agentid: seed.agentId ?? 1_000_012,
      name: '模拟应用',
      round_logo_url: 'https://p.qlogo.cn/bizmail/mock-agent-round/0',
      square_logo_url: 'https://p.qlogo.cn/bizmail/mock-agent-square/0',
      appid: 1,
      auth_mode: 0,
      is_customized_app: false,
      auth_from_thirdapp: false,
      privilege: {
        level: 1, allow_party: allowParty, allow_user: allowUser, allow_tag: [],
        extra_party: [], extra_user: [], extra_tag: [],
      },
    }],
  };
}

/** `auth_user_info`: the installing admin. Third-party apps get the userid in place of the name. */
export function authUserInfo(seed: MockCorpSeed, fieldLimits: boolean): Record<string, unknown> {
  const admin = seed.users.find((u) => u.userid === seed.adminUserid) ?? seed.users[0];
  if (admin === undefined) return { userid: '', open_userid: '', name: '', avatar: '' };
  return {
    userid: admin.userid,
    open_userid: openUseridOf(seed.corpId, admin),
    name: fieldLimits ? admin.userid : admin.name,
    avatar: fieldLimits ? '' : admin.avatar ?? '',
  };
}
