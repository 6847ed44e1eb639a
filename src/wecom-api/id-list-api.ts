import type { WecomApiClient, WecomResponse } from './client.js';
import type { CorpTagListResponse } from './corp-api-types.js';
import type { CorpCallOptions } from './suite-api.js';

/** `department/simplelist` (95406). */
export interface DepartmentIdListResponse {
  readonly department_id?: ReadonlyArray<{ readonly id: number; readonly parentid?: number; readonly order?: number }>;
}

/** `user/simplelist` (90200): the members of one department. */
export interface UserSimpleListResponse {
  readonly userlist?: ReadonlyArray<{ readonly userid: string; readonly open_userid?: string; readonly department?: readonly number[] }>;
}

/** `user/list_id` (96021): one row per (member, department). */
export interface UserIdListResponse {
  readonly next_cursor?: string;
  readonly dept_user?: ReadonlyArray<{ readonly open_userid?: string; readonly userid?: string; readonly department?: number }>;
}

/** `externalcontact/get_follow_user_list` (92571). */
export interface FollowUserListResponse {
  readonly follow_user?: readonly string[];
}

/** `externalcontact/batch/get_by_user` (93010): one row per (customer, follower). */
export interface BatchGetByUserResponse {
  readonly next_cursor?: string;
  readonly external_contact_list?: ReadonlyArray<{
    readonly external_contact?: { readonly external_userid?: string };
    readonly follow_info?: { readonly userid?: string };
  }>;
}

/** `externalcontact/groupchat/list` (92120). */
export interface GroupChatListResponse {
  readonly next_cursor?: string;
  readonly group_chat_list?: ReadonlyArray<{ readonly chat_id: string; readonly status?: number }>;
}

/**
 * The ID-list APIs reconciliation pages through (reference/wecom-apis-more.md §1), over the one
 * {@link WecomApiClient}: reads, retried in place on transient failures, queued per corp (`rateKey` = the
 * corp id) — the same queue enrichment's calls of that corp wait in, so a sync never starves or bans it.
 */
export class IdListApi {
  readonly #client: WecomApiClient;

  constructor(client: WecomApiClient) {
    this.#client = client;
  }

  /** `department/simplelist` (GET): the whole visible tree. */
  departmentSimpleList(token: string, options: CorpCallOptions = {}): Promise<WecomResponse<DepartmentIdListResponse>> {
    return this.#client.call('GET', 'department/simplelist', { query: { access_token: token }, ...corp(options) });
  }

  /** `user/simplelist` (GET) of one department, without its children (every department is listed itself). */
  userSimpleList(token: string, departmentId: number, options: CorpCallOptions = {}): Promise<WecomResponse<UserSimpleListResponse>> {
    return this.#client.call('GET', 'user/simplelist', { query: { access_token: token, department_id: departmentId, fetch_child: 0 }, ...corp(options) });
  }

  /** `user/list_id` (POST): one page; `limit` 1–10000. Only the contact-edit authorization may call it. */
  userListId(token: string, cursor: string | null, limit: number, options: CorpCallOptions = {}): Promise<WecomResponse<UserIdListResponse>> {
    return this.#client.call('POST', 'user/list_id', { query: { access_token: token }, json: { ...(cursor ? { cursor } : {}), limit }, ...corp(options) });
  }

  /** `externalcontact/get_follow_user_list` (GET): the members configured for customer contact. */
  followUserList(token: string, options: CorpCallOptions = {}): Promise<WecomResponse<FollowUserListResponse>> {
    return this.#client.call('GET', 'externalcontact/get_follow_user_list', { query: { access_token: token }, ...corp(options) });
  }

  /** `externalcontact/batch/get_by_user` (POST): one page for ≤ 100 members, `limit` ≤ 100. */
  batchGetByUser(token: string, userIds: readonly string[], cursor: string | null, limit: number, options: CorpCallOptions = {}): Promise<WecomResponse<BatchGetByUserResponse>> {
    return this.#client.call('POST', 'externalcontact/batch/get_by_user', {
      query: { access_token: token }, json: { userid_list: userIds, cursor: cursor ?? '', limit }, ...corp(options),
    });
  }

  /** `externalcontact/groupchat/list` (POST): one page, optionally for ≤ 100 owners; `limit` 1–1000. */
  groupChatList(token: string, owners: readonly string[] | null, cursor: string | null, limit: number, options: CorpCallOptions = {}): Promise<WecomResponse<GroupChatListResponse>> {
    return this.#client.call('POST', 'externalcontact/groupchat/list', {
      query: { access_token: token },
      json: { status_filter: 0, ...(owners ? { owner_filter: { userid_list: owners } } : {}), ...(cursor ? { cursor } : {}), limit },
      ...corp(options),
    });
  }

  /** `externalcontact/get_corp_tag_list` (POST): every tag group and tag (no paging). */
  corpTagList(token: string, options: CorpCallOptions = {}): Promise<WecomResponse<CorpTagListResponse>> {
    return this.#client.call('POST', 'externalcontact/get_corp_tag_list', { query: { access_token: token }, json: {}, ...corp(options) });
  }
}

function corp(options: CorpCallOptions): { idempotent: true; rateKey: string; signal?: AbortSignal } {
  return { idempotent: true, rateKey: options.corpId ?? '*', ...(options.signal ? { signal: options.signal } : {}) };
}
