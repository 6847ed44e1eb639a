import type { WecomApiClient, WecomResponse } from './client.js';
import type {
  CorpTagListResponse,
  DepartmentResponse,
  ExternalContactResponse,
  GroupChatResponse,
  OpenUserIdResult,
  WecomUser,
} from './corp-api-types.js';
import type {
  AuthInfoResponse,
  CorpTokenResponse,
  PermanentCodeResponse,
  PreAuthCodeResponse,
  SessionInfo,
  SuiteTokenResponse,
} from './suite-api-types.js';

/** Options of a corp-level call. */
export interface CorpCallOptions {
  /** The corp the token belongs to: calls are rate limited per corp. Absent = one shared queue (`*`). */
  readonly corpId?: string;
  readonly signal?: AbortSignal;
}

/** `batch/userid_to_openuserid` takes at most 1000 ids per call (97062). */
export const USERID_BATCH_SIZE = 1000;

/** Stops {@link SuiteApi.getExternalContactAll} if WeCom keeps answering cursors (500 follow users each). */
const MAX_FOLLOW_USER_PAGES = 200;

/**
 * Typed methods for every WeCom endpoint the daemon calls, over one {@link WecomApiClient}. Methods return
 * WeCom's documented body (plus `errcode`/`errmsg`) and throw what the client throws. Token endpoints are
 * only ever called by the token provider (single-flight, cached): calling them per request earns 45009
 * (easywechat #2274).
 *
 * Retries: reads are marked idempotent (transient failures retried in place); the AuthCode exchange and the
 * install-flow writes are not (a retried get_permanent_code after a lost response would spend the one-use
 * code and answer 40078).
 */
export class SuiteApi {
  readonly #client: WecomApiClient;

  constructor(client: WecomApiClient) {
    this.#client = client;
  }

  // ── Suite credentials and authorization (service/*) ─────────────────────────────────────────────

  /** `service/get_suite_token` (90600): only returns errcode on failure. */
  getSuiteToken(suiteId: string, suiteSecret: string, suiteTicket: string): Promise<WecomResponse<SuiteTokenResponse>> {
    return this.#client.call('POST', 'service/get_suite_token', {
      json: { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: suiteTicket },
      idempotent: true,
    });
  }

  /**
   * `service/get_permanent_code` (v1, 90603) — exchanges a one-use AuthCode (valid 10 min) for the
   * permanent code. v1 rather than v2 because v1 also returns the corp's first access_token and its
   * `auth_info` (see {@link PermanentCodeResponse}). Never retried: a used code answers 40078.
   */
  getPermanentCode(suiteAccessToken: string, authCode: string): Promise<WecomResponse<PermanentCodeResponse>> {
    return this.#client.call('POST', 'service/get_permanent_code', {
      query: { suite_access_token: suiteAccessToken },
      json: { auth_code: authCode },
    });
  }

  /** `service/get_auth_info` (14943): the corp's info and authorized agents. */
  getAuthInfo(suiteAccessToken: string, authCorpId: string, permanentCode: string): Promise<WecomResponse<AuthInfoResponse>> {
    return this.#client.call('POST', 'service/get_auth_info', {
      query: { suite_access_token: suiteAccessToken },
      json: { auth_corpid: authCorpId, permanent_code: permanentCode },
      idempotent: true,
    });
  }

  /** `service/get_corp_token` (90605): only returns errcode on failure. */
  getCorpToken(suiteAccessToken: string, authCorpId: string, permanentCode: string): Promise<WecomResponse<CorpTokenResponse>> {
    return this.#client.call('POST', 'service/get_corp_token', {
      query: { suite_access_token: suiteAccessToken },
      json: { auth_corpid: authCorpId, permanent_code: permanentCode },
      idempotent: true,
    });
  }

  /**
   * `gettoken` (GET, 97164) for a customized app (代开发): the corp token is fetched like a self-built app's,
   * with the authorizing corp's id (`auth_corp_info.corpid`) and the permanent code as `corpsecret` — not
   * `service/get_corp_token`. WeCom throttles frequent calls, so the token provider caches the answer.
   */
  getCustomizedCorpToken(authCorpId: string, permanentCode: string): Promise<WecomResponse<CorpTokenResponse>> {
    return this.#client.call('GET', 'gettoken', { query: { corpid: authCorpId, corpsecret: permanentCode }, idempotent: true });
  }

  /** `service/get_pre_auth_code` (90601, GET): starts a website install. */
  getPreAuthCode(suiteAccessToken: string): Promise<WecomResponse<PreAuthCodeResponse>> {
    return this.#client.call('GET', 'service/get_pre_auth_code', { query: { suite_access_token: suiteAccessToken } });
  }

  /** `service/set_session_info` (90602): scopes a pre-auth code (agents, test install). */
  setSessionInfo(suiteAccessToken: string, preAuthCode: string, sessionInfo: SessionInfo): Promise<WecomResponse<object>> {
    return this.#client.call('POST', 'service/set_session_info', {
      query: { suite_access_token: suiteAccessToken },
      json: { pre_auth_code: preAuthCode, session_info: sessionInfo },
    });
  }

  // ── Corp APIs (a corp access_token) ─────────────────────────────────────────────────────────────

  /** `externalcontact/get` (GET, 92114): one page (≤ 500 follow users); pass `next_cursor` for the next. */
  getExternalContact(token: string, externalUserId: string, cursor?: string, options: CorpCallOptions = {}): Promise<WecomResponse<ExternalContactResponse>> {
    return this.#client.call('GET', 'externalcontact/get', {
      query: { access_token: token, external_userid: externalUserId, cursor: cursor === '' ? undefined : cursor },
      ...corp(options),
    });
  }

  /**
   * `externalcontact/get` following `next_cursor` to the end: every page's `follow_user` concatenated, the
   * `external_contact` of the first page, and no `next_cursor`.
   */
  async getExternalContactAll(token: string, externalUserId: string, options: CorpCallOptions = {}): Promise<WecomResponse<ExternalContactResponse>> {
    const first = await this.getExternalContact(token, externalUserId, undefined, options);
    const followUser = [...(first.follow_user ?? [])];
    const seen = new Set<string>();
    let cursor = first.next_cursor;
    for (let page = 1; cursor && !seen.has(cursor) && page < MAX_FOLLOW_USER_PAGES; page++) {
      seen.add(cursor);
      const next = await this.getExternalContact(token, externalUserId, cursor, options);
      followUser.push(...(next.follow_user ?? []));
      cursor = next.next_cursor;
    }
    const { next_cursor: _dropped, ...rest } = first;
    return { ...rest, follow_user: followUser };
  }

  /** `externalcontact/groupchat/get` (POST, 92122). `needName: 1` also returns members' names. */
  getGroupChat(token: string, chatId: string, needName: 0 | 1 = 1, options: CorpCallOptions = {}): Promise<WecomResponse<GroupChatResponse>> {
    return this.#client.call('POST', 'externalcontact/groupchat/get', {
      query: { access_token: token },
      json: { chat_id: chatId, need_name: needName },
      ...corp(options),
    });
  }

  /**
   * `externalcontact/get_corp_tag_list` (POST, 92117). Without ids: every tag group. With `tagIds`, only
   * those tags (WeCom ignores `groupIds` when `tagIds` is given).
   */
  getCorpTagList(token: string, tagIds?: readonly string[], groupIds?: readonly string[], options: CorpCallOptions = {}): Promise<WecomResponse<CorpTagListResponse>> {
    const json: { tag_id?: readonly string[]; group_id?: readonly string[] } = {};
    if (tagIds && tagIds.length > 0) json.tag_id = tagIds;
    if (groupIds && groupIds.length > 0) json.group_id = groupIds;
    return this.#client.call('POST', 'externalcontact/get_corp_tag_list', { query: { access_token: token }, json, ...corp(options) });
  }

  /** `user/get` (GET, 90332): 60011 when the member is outside the app's visibility. */
  getUser(token: string, userId: string, options: CorpCallOptions = {}): Promise<WecomResponse<WecomUser>> {
    return this.#client.call('GET', 'user/get', { query: { access_token: token, userid: userId }, ...corp(options) });
  }

  /**
   * `batch/userid_to_openuserid` (POST, 97062), in batches of ≤ 1000 ids, results merged. Send only
   * plaintext userids, and never an id WeCom already called invalid: "若出错的次数较多,会导致1天不可调用".
   */
  async userIdToOpenUserId(token: string, userIds: readonly string[], options: CorpCallOptions = {}): Promise<OpenUserIdResult> {
    const result: OpenUserIdResult = { open_userid_list: [], invalid_userid_list: [] };
    for (let start = 0; start < userIds.length; start += USERID_BATCH_SIZE) {
      const batch = userIds.slice(start, start + USERID_BATCH_SIZE);
      const answer = await this.#client.call<Partial<OpenUserIdResult>>('POST', 'batch/userid_to_openuserid', {
        query: { access_token: token },
        json: { userid_list: batch },
        ...corp(options),
      });
      result.open_userid_list.push(...(answer.open_userid_list ?? []));
      result.invalid_userid_list.push(...(answer.invalid_userid_list ?? []));
    }
    return result;
  }

  /** `department/get` (GET, 95351). The id is passed as given (never coerced). */
  getDepartment(token: string, id: string | number, options: CorpCallOptions = {}): Promise<WecomResponse<DepartmentResponse>> {
    return this.#client.call('GET', 'department/get', { query: { access_token: token, id: String(id) }, ...corp(options) });
  }
}

/** Corp reads are idempotent and queued per corp. */
function corp(options: CorpCallOptions): { idempotent: true; rateKey: string; signal?: AbortSignal } {
  return { idempotent: true, rateKey: options.corpId ?? '*', ...(options.signal ? { signal: options.signal } : {}) };
}
