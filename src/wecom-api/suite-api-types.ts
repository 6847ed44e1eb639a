/**
 * Response shapes of the suite-level (`service/*`) WeCom APIs, as documented (90600, 90603, 90605,
 * 14943/91912, 90601, 90602). Fields third-party apps may not receive are optional. Every id is a string,
 * except `agentid` and `appid`, which WeCom sends as numbers.
 */

/** `service/get_suite_token` (90600). No errcode on success. */
export interface SuiteTokenResponse {
  /** ≤ 512 bytes. */
  readonly suite_access_token: string;
  /** Seconds, normally 7200. */
  readonly expires_in: number;
}

/** `service/get_corp_token` (90605). No errcode on success. */
export interface CorpTokenResponse {
  readonly access_token: string;
  /** Seconds, normally 7200. */
  readonly expires_in: number;
}

/** `service/get_pre_auth_code` (90601). */
export interface PreAuthCodeResponse {
  readonly pre_auth_code: string;
  /** Seconds, normally 1200. */
  readonly expires_in: number;
}

/** `session_info` of `service/set_session_info` (90602). */
export interface SessionInfo {
  /** Agents (appid) the install authorizes; empty or absent = all of the suite's agents. */
  readonly appid?: number[];
  /** 0 = production install, 1 = test install (only for unpublished apps). */
  readonly auth_type?: 0 | 1;
}

/** The reseller that sold the app, when there is one. */
export interface DealerCorpInfo {
  readonly corpid: string;
  readonly corp_name?: string;
}

/** The authorizing corp. `corpid` is provider-scoped (encrypted) for authorizations after the 2022 ID upgrade. */
export interface AuthCorpInfo {
  readonly corpid: string;
  readonly corp_name?: string;
  /** `verified` | `unverified`. */
  readonly corp_type?: string;
  readonly corp_square_logo_url?: string;
  readonly corp_user_max?: number;
  readonly corp_full_name?: string;
  readonly verified_end_time?: number;
  /** 1 企业, 2 政府/事业单位, 3 其他组织, 4 团队号. */
  readonly subject_type?: number;
  readonly corp_wxqrcode?: string;
  readonly corp_scale?: string;
  readonly corp_industry?: string;
  readonly corp_sub_industry?: string;
}

/** The scope an agent was granted. */
export interface AgentPrivilege {
  /** 1 只读, 2 读写 (通讯录 apps). */
  readonly level?: number;
  readonly allow_party?: number[];
  readonly allow_user?: string[];
  readonly allow_tag?: number[];
  readonly extra_party?: number[];
  readonly extra_user?: string[];
  readonly extra_tag?: number[];
}

/** One authorized agent of the suite in the corp. */
export interface AuthAgent {
  readonly agentid: number;
  readonly name?: string;
  readonly round_logo_url?: string;
  readonly square_logo_url?: string;
  /** The suite's app id for this agent (old multi-app suites). */
  readonly appid?: number;
  /** 0 = admin authorized, 1 = member authorized. */
  readonly auth_mode?: number;
  readonly is_customized_app?: boolean;
  readonly auth_from_thirdapp?: boolean;
  readonly privilege?: AgentPrivilege;
  readonly shared_from?: { readonly corpid?: string; readonly share_type?: number };
}

/** `auth_info`: the agents the corp authorized. */
export interface AuthInfo {
  readonly agent: AuthAgent[];
}

/** The admin who installed the app (absent for some install paths). */
export interface AuthUserInfo {
  /** Provider-scoped userid. */
  readonly userid?: string;
  readonly open_userid?: string;
  readonly name?: string;
  readonly avatar?: string;
}

/** Present when the install came through a 推广二维码 (register code). */
export interface RegisterCodeInfo {
  readonly register_code?: string;
  readonly template_id?: string;
  readonly state?: string;
}

/** Paid-app edition per agent (91911); passed through untouched. */
export interface EditionInfo {
  readonly agent: Array<Record<string, unknown>>;
}

/**
 * `service/get_permanent_code` v1 (90603). WeCom recommends v2 (100776) because v1 is slower, but v2 returns
 * only the permanent code and the corp's id and name. v1 also returns the corp's first `access_token` and the
 * full `auth_info` (agent ids and scopes), which the relay needs at once to forward `auth.created` with the
 * corp's details and to start enriching; with v2 that takes two more calls (get_auth_info, get_corp_token),
 * each of which can fail after the single-use AuthCode is already spent. The exchange runs in the daemon,
 * never on the receiver's 1 s hot path, so v1's latency costs nothing.
 */
export interface PermanentCodeResponse {
  /** The corp's access_token (v1 only). */
  readonly access_token?: string;
  readonly expires_in?: number;
  /** The long-lived secret: stored (store file 0600), never logged or forwarded. */
  readonly permanent_code: string;
  readonly dealer_corp_info?: DealerCorpInfo;
  readonly auth_corp_info: AuthCorpInfo;
  readonly auth_info?: AuthInfo;
  readonly auth_user_info?: AuthUserInfo;
  readonly register_code_info?: RegisterCodeInfo;
  /** The `state` of the install URL, for website-started installs. */
  readonly state?: string;
  readonly edition_info?: EditionInfo;
}

/** `service/get_auth_info` (14943 / 91912). */
export interface AuthInfoResponse {
  readonly dealer_corp_info?: DealerCorpInfo;
  readonly auth_corp_info: AuthCorpInfo;
  readonly auth_info?: AuthInfo;
  readonly edition_info?: EditionInfo;
}
