/**
 * The seed data of a mock corp. Records use WeCom's own wire names (snake_case) so a fixture reads like
 * the API answer it produces; the mock-only switches (`visible`) are the exception and say so.
 */

/** A member of a mock corp, as `user/get` knows it (before third-party field limits are applied). */
export interface MockUserSeed {
  /** Plain (corp-scoped) userid, e.g. `zhangsan`. Never coerced to a number. */
  readonly userid: string;
  /** Provider-scoped id; derived from corp id + userid when absent. */
  readonly open_userid?: string;
  /** Real name. Third-party apps never see it: `user/get` answers the userid as the name (doc 90196). */
  readonly name: string;
  readonly department: readonly number[];
  readonly order?: readonly number[];
  readonly main_department?: number;
  readonly is_leader_in_dept?: readonly number[];
  readonly direct_leader?: readonly string[];
  /** 1 active, 2 disabled, 4 not activated, 5 left the corp. @default 1 */
  readonly status?: 1 | 2 | 4 | 5;
  /** Only returned when `thirdPartyFieldLimits` is off ("第三方仅通讯录应用可获取"). */
  readonly position?: string;
  readonly gender?: '0' | '1' | '2';
  readonly mobile?: string;
  readonly email?: string;
  readonly avatar?: string;
  readonly alias?: string;
  /** Mock-only: false puts the member outside the app's visible range (`user/get` → 60011). @default true */
  readonly visible?: boolean;
}

/** A department of a mock corp, as `department/get` knows it. */
export interface MockDepartmentSeed {
  readonly id: number;
  /** Withheld from third-party apps unless `thirdPartyFieldLimits` is off. */
  readonly name: string;
  readonly name_en?: string;
  /** 0 for the root department. */
  readonly parentid: number;
  readonly order?: number;
  readonly department_leader?: readonly string[];
  /** Mock-only: false puts the department outside the app's visible range (→ 60011). @default true */
  readonly visible?: boolean;
}

/** One corp tag on a follow_user relation (`externalcontact/get` → `follow_user[].tags[]`). */
export interface MockFollowUserTag {
  readonly group_name: string;
  readonly tag_name: string;
  /** Absent for personal tags (type 2). */
  readonly tag_id?: string;
  /** 1 corp tag, 2 personal tag, 3 rule-group tag. */
  readonly type: 1 | 2 | 3;
}

/** One member following an external contact (`externalcontact/get` → `follow_user[]`). */
export interface MockFollowUserSeed {
  readonly userid: string;
  readonly remark?: string;
  readonly description?: string;
  /** Unix seconds. */
  readonly createtime: number;
  readonly tags?: readonly MockFollowUserTag[];
  readonly remark_corp_name?: string;
  /** Withheld from third-party apps unless `thirdPartyFieldLimits` is off. */
  readonly remark_mobiles?: readonly string[];
  readonly oper_userid?: string;
  readonly add_way: number;
  readonly state?: string;
}

/** An external contact (customer) of a mock corp. */
export interface MockExternalContactSeed {
  readonly external_userid: string;
  readonly name: string;
  /** 1 WeChat user, 2 WeCom user. */
  readonly type: 1 | 2;
  /** Third-party apps get neither avatar nor gender (gender reads 0) nor unionid unless limits are off. */
  readonly avatar?: string;
  readonly gender?: 0 | 1 | 2;
  readonly unionid?: string;
  /** Only for type 2 (WeCom users). */
  readonly position?: string;
  readonly corp_name?: string;
  readonly corp_full_name?: string;
  readonly follow_user: readonly MockFollowUserSeed[];
}

/** A member of a customer group chat. */
export interface MockGroupChatMember {
  readonly userid: string;
  /** 1 corp member, 2 external contact. */
  readonly type: 1 | 2;
  /** Unix seconds. */
  readonly join_time: number;
  /** 1 invited directly, 2 invited by link, 3 scanned the group QR code. */
  readonly join_scene: 1 | 2 | 3;
  readonly invitor?: { readonly userid: string };
  readonly group_nickname?: string;
  /** Returned only when the request sets `need_name: 1`. */
  readonly name?: string;
  readonly unionid?: string;
}

/** A customer group chat (`externalcontact/groupchat/get` → `group_chat`). */
export interface MockGroupChatSeed {
  readonly chat_id: string;
  readonly name: string;
  readonly owner: string;
  /** Unix seconds. */
  readonly create_time: number;
  readonly notice?: string;
  readonly member_list: readonly MockGroupChatMember[];
  readonly admin_list?: readonly { readonly userid: string }[];
  /** The `CurMemVer` of the latest membership change. */
  readonly member_version: string;
}

/** A corp tag (`get_corp_tag_list` → `tag_group[].tag[]`). */
export interface MockTagSeed {
  readonly id: string;
  readonly name: string;
  readonly create_time: number;
  readonly order: number;
  /** Deleted tags are listed only when asked for by id (as the real API does). @default false */
  readonly deleted?: boolean;
}

/** A corp tag group (`get_corp_tag_list` → `tag_group[]`). */
export interface MockTagGroupSeed {
  readonly group_id: string;
  readonly group_name: string;
  readonly create_time: number;
  readonly order: number;
  readonly deleted?: boolean;
  readonly tag: readonly MockTagSeed[];
}

/** Everything the mock knows about one authorizing corp. */
export interface MockCorpSeed {
  /** The corp id WeCom reports for the authorization (`AuthCorpId`). */
  readonly corpId: string;
  readonly corpName: string;
  /** @default corpName */
  readonly corpFullName?: string;
  /** The app's agent id in this corp. @default 1000012 */
  readonly agentId?: number;
  /** The installing admin (`auth_user_info`); defaults to the first user. */
  readonly adminUserid?: string;
  readonly users: readonly MockUserSeed[];
  readonly departments: readonly MockDepartmentSeed[];
  readonly externalContacts: readonly MockExternalContactSeed[];
  readonly groupChats: readonly MockGroupChatSeed[];
  readonly tagGroups: readonly MockTagGroupSeed[];
}
