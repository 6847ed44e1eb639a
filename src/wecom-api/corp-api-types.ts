/**
 * Response shapes of the corp-level WeCom APIs the relay calls for enrichment (docs 92114/96315,
 * 92122, 92117, 90332/10019, 97062, 95351). Third-party apps see fewer fields than self-built apps (no
 * name — userid given instead —, no mobile/avatar/email unless a 通讯录 app, no unionid without 认证), so
 * nearly every field is optional. Ids are strings, except department and tag-order numbers, which WeCom
 * sends as numbers.
 */

/** One tag on an external contact, as seen by one follow user. */
export interface FollowUserTag {
  readonly group_name?: string;
  readonly tag_name?: string;
  readonly tag_id?: string;
  /** 1 企业标签, 2 用户自定义标签, 3 规则组标签. */
  readonly type?: number;
}

/** A member of the corp who added the external contact. */
export interface FollowUser {
  readonly userid: string;
  readonly remark?: string;
  readonly description?: string;
  readonly createtime?: number;
  readonly tags?: FollowUserTag[];
  readonly remark_corp_name?: string;
  readonly remark_mobiles?: string[];
  readonly oper_userid?: string;
  readonly add_way?: number;
  readonly wechat_channels?: { readonly nickname?: string; readonly source?: number };
  /** The `state` of the 联系我 configuration the contact was added through. */
  readonly state?: string;
}

/** The external contact itself. */
export interface ExternalContact {
  readonly external_userid: string;
  readonly name?: string;
  readonly position?: string;
  readonly avatar?: string;
  readonly corp_name?: string;
  readonly corp_full_name?: string;
  /** 1 微信用户, 2 企业微信用户. */
  readonly type?: number;
  /** 0 未知, 1 男, 2 女. */
  readonly gender?: number;
  readonly unionid?: string;
  readonly external_profile?: Record<string, unknown>;
}

/** `externalcontact/get` (GET; pages of ≤ 500 follow users via `next_cursor`). */
export interface ExternalContactResponse {
  readonly external_contact: ExternalContact;
  readonly follow_user?: FollowUser[];
  /** Non-empty when more follow users remain. */
  readonly next_cursor?: string;
}

/** A group chat member. */
export interface GroupChatMember {
  readonly userid: string;
  /** 1 企业成员, 2 外部联系人. */
  readonly type: number;
  readonly unionid?: string;
  readonly join_time?: number;
  /** 1 直接邀请, 2 邀请链接, 3 扫码. */
  readonly join_scene?: number;
  readonly invitor?: { readonly userid?: string };
  readonly group_nickname?: string;
  /** Present when requested with `need_name: 1`. */
  readonly name?: string;
}

/** A customer group chat (客户群). */
export interface GroupChat {
  readonly chat_id: string;
  readonly name?: string;
  readonly owner?: string;
  readonly create_time?: number;
  readonly notice?: string;
  readonly member_list?: GroupChatMember[];
  readonly admin_list?: Array<{ readonly userid: string }>;
  /** Compared with the callback's `CurMemVer`/`LastMemVer` to detect missed member changes. */
  readonly member_version?: string;
}

/** `externalcontact/groupchat/get` (POST). */
export interface GroupChatResponse {
  readonly group_chat: GroupChat;
}

/** A corp customer tag. */
export interface CorpTag {
  readonly id: string;
  readonly name: string;
  readonly create_time?: number;
  readonly order?: number;
  readonly deleted?: boolean;
}

/** A corp customer tag group. */
export interface CorpTagGroup {
  readonly group_id: string;
  readonly group_name: string;
  readonly create_time?: number;
  readonly order?: number;
  readonly deleted?: boolean;
  readonly tag?: CorpTag[];
}

/** `externalcontact/get_corp_tag_list` (POST). */
export interface CorpTagListResponse {
  readonly tag_group: CorpTagGroup[];
}

/** `user/get` (GET). For third-party apps `userid` is the open_userid and `name` may just repeat it. */
export interface WecomUser {
  readonly userid: string;
  readonly name?: string;
  readonly department?: number[];
  readonly order?: number[];
  readonly position?: string;
  readonly mobile?: string;
  readonly gender?: string;
  readonly email?: string;
  readonly biz_mail?: string;
  readonly is_leader_in_dept?: number[];
  readonly direct_leader?: string[];
  readonly avatar?: string;
  readonly thumb_avatar?: string;
  readonly telephone?: string;
  readonly alias?: string;
  readonly address?: string;
  readonly open_userid?: string;
  readonly main_department?: number;
  readonly extattr?: Record<string, unknown>;
  /** 1 已激活, 2 已禁用, 4 未激活, 5 退出企业. */
  readonly status?: number;
  readonly qr_code?: string;
  readonly external_position?: string;
  readonly external_profile?: Record<string, unknown>;
}

/** `batch/userid_to_openuserid` (POST), merged over every batch of ≤ 1000 ids. */
export interface OpenUserIdResult {
  readonly open_userid_list: Array<{ readonly userid: string; readonly open_userid: string }>;
  /** Ids WeCom rejected: never send them again (repeated bad ids block the API for a day). */
  readonly invalid_userid_list: string[];
}

/** A department (`department/get`). Third-party apps without 通讯录 scope get no `name`. */
export interface Department {
  readonly id: number;
  readonly name?: string;
  readonly name_en?: string;
  readonly department_leader?: string[];
  readonly parentid?: number;
  readonly order?: number;
}

/** `department/get` (GET). */
export interface DepartmentResponse {
  readonly department: Department;
}
