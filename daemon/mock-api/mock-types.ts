import type { LargeCorpOptions, MockCorpChange } from './mock-corp-changes.js';
import type { MockCorpSeed } from './mock-corp-seed.js';

export type { LargeCorpOptions, MockCorpChange } from './mock-corp-changes.js';

export type * from './mock-corp-seed.js';

// Types of the mock WeCom server API (`wecom-relay mock-api`); the seed data types are in mock-corp-seed.ts.

/** Optional rate limits; all off by default. Exceeding one answers 45009 and bans for 60 s (doc 90454). */
export interface MockLimits {
  /** Calls per corp (or per suite for suite-token APIs) per API path per clock minute. */
  readonly perPathPerMinute?: number;
  /**
   * Invalid ids per corp per day that `batch/userid_to_openuserid` tolerates before answering 45009 for
   * the rest of the day ("若出错的次数较多,会导致1天不可调用").
   */
  readonly invalidUseridsPerDay?: number;
}

/**
 * Another app the mock serves beside the default suite (SPEC §10): its own SuiteID, secret, tickets,
 * suite tokens and permanent codes per corp. `customized` corp tokens come from `gettoken` (corpid +
 * permanent code as corpsecret); a `contact_edit` corp token answers 48002 for every API the
 * authorization may not call (doc 96078: only the ID, ID-conversion and member/department management APIs).
 */
export interface MockAppSeed {
  readonly id: string;
  readonly secret: string;
  readonly kind: 'suite' | 'customized' | 'contact_edit';
}

/** Options of {@link createMockWecomApi}. */
export interface MockWecomApiOptions {
  /** The suite the mock serves, e.g. `ww917724cb573d8629`. */
  readonly suiteId: string;
  readonly suiteSecret: string;
  /** Lifetime of every suite and corp access token. @default 7200 */
  readonly tokenTtlSeconds?: number;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Corps known from the start; the built-in default corp is always added unless one has its id. */
  readonly corps?: readonly MockCorpSeed[];
  /** Accept any non-empty suite_ticket (offline development). @default false */
  readonly acceptAnyTicket?: boolean;
  /** `externalcontact/get` follow_user page size; the real API pages at 500. @default 500 */
  readonly followUserPageSize?: number;
  /**
   * Withhold what third-party apps may not read (names, positions, avatars, remark mobiles …) as the seeds
   * describe. Turn off to act like a contacts app / an authorized custom app. @default true
   */
  readonly thirdPartyFieldLimits?: boolean;
  /**
   * A token fetched again while still valid is answered with the same value and the remaining lifetime
   * (as `gettoken` documents: "有效期内重复获取返回相同结果"). @default true
   */
  readonly reuseValidTokens?: boolean;
  readonly limits?: MockLimits;
  /** The corp the `/3rdapp/install` stand-in authorizes. @default the built-in default corp */
  readonly installCorp?: Partial<MockCorpSeed>;
  /** More apps beside the `suiteId` suite (which stays the default of every knob). @default [] */
  readonly apps?: readonly MockAppSeed[];
}

/** A failure to inject, consumed FIFO before normal handling. */
export interface MockInjectRule {
  /** API path under `/cgi-bin/` (e.g. `externalcontact/get`), or `*` for any. */
  readonly path: string;
  /** Answer this errcode (HTTP 200 unless `httpStatus` is set), with a realistic errmsg. */
  readonly errcode?: number;
  /** Answer this HTTP status; without `errcode` the body is a plain-text status line (a gateway error). */
  readonly httpStatus?: number;
  /** Wait this long first; alone, the call is then handled normally. */
  readonly delayMs?: number;
  /** Never answer (until the server closes). */
  readonly hang?: boolean;
  /** How many matching calls the rule applies to. @default 1 */
  readonly times?: number;
  /** Only calls on behalf of this corp (from the access_token or the `auth_corpid` in the body). */
  readonly corpId?: string;
  /** Let this many matching calls through first (an errcode on page 3 of a list: `after: 2`). @default 0 */
  readonly after?: number;
}

/** One call the mock received; secrets (tokens, tickets, codes, secrets) are replaced by `'<redacted>'`. */
export interface MockCall {
  /** Milliseconds on the mock's clock. */
  readonly at: number;
  readonly method: string;
  /** Path without the `/cgi-bin/` prefix for API calls (`service/get_suite_token`), else the full path. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The JSON body with secret fields redacted; undefined for GET or an empty body. */
  readonly body: unknown;
  /** The corp the call acted for, when known. */
  readonly corpId: string | undefined;
  readonly httpStatus: number;
  /** The errcode answered (0 for success, also for the token APIs that omit it); undefined when none. */
  readonly errcode: number | undefined;
  /** True when an injected rule produced the answer. */
  readonly injected: boolean;
  /**
   * The app (SuiteID) whose token the call carried (`access_token`: the app the corp token was issued
   * for; `suite_access_token`: the suite's), when the mock issued it; undefined otherwise. Tells which
   * app's credentials a call was made with, without recording the token.
   */
  readonly tokenApp?: string | undefined;
}

/** A ticket the mock issued, to push to the receiver in a signed `suite_ticket` callback. */
export interface IssuedSuiteTicket {
  readonly ticket: string;
  /** Unix seconds, for the callback's `TimeStamp`. */
  readonly timestamp: number;
}

/** An auth code the mock issued, to push in a `create_auth` callback or a website-install redirect. */
export interface IssuedAuthCode {
  readonly authCode: string;
  readonly corpId: string;
}

/** Options of {@link MockWecomApi.issueAuthCode} beyond the corp. */
export interface IssueAuthCodeOptions {
  /** The `state` the install carried; echoed by `get_permanent_code`. */
  readonly state?: string;
  /** 0 formal install, 1 test install (from `set_session_info`). @default 0 */
  readonly authType?: 0 | 1;
  /** The app the code installs (its SuiteID). @default the default suite */
  readonly appId?: string;
}

/** What the mock knows about a corp's authorization (for assertions). */
export interface MockCorpStatus {
  readonly corpId: string;
  /** The current permanent code; undefined before the first exchange or after revocation. */
  readonly permanentCode: string | undefined;
  readonly revoked: boolean;
  readonly authType: 0 | 1;
}

/** A request as the framework-agnostic core sees it. */
export interface MockRequest {
  readonly method: string;
  /** Path and query, e.g. `/cgi-bin/user/get?access_token=…&userid=zhangsan`. */
  readonly url: string;
  readonly body?: string;
  /** The body's bytes, for a binary one (a multipart media upload); `body` is then ignored. */
  readonly rawBody?: Buffer;
  /** The request's content-type. */
  readonly contentType?: string;
  readonly remoteAddress?: string;
  /** Aborted when the client goes away (ends hangs and delays early). */
  readonly signal?: AbortSignal;
}

/** A response from the core. */
export interface MockResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Who logs in to an app's page, for {@link MockWecomApi.issueOAuthCode}. */
export interface IssueOAuthCodeOptions {
  /** The app whose page the member opens (its suite token exchanges the code). @default the default suite */
  readonly appId?: string;
  /** The member's corp (a known corp); absent = a WeChat user outside any corp (answered as `openid`). */
  readonly corpId?: string;
  /** The member (a userid of the corp). @default the corp's first member */
  readonly userid?: string;
  /** The authorize link's scope. @default 'snsapi_base' */
  readonly scope?: 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_privateinfo';
}

/** A code as WeCom's redirect to the app's page carries it (`?code=…&state=…`). */
export interface IssuedOAuthCode {
  readonly code: string;
  readonly corpId: string | null;
  readonly userid: string | null;
  /** Seconds the code lives unused (300). */
  readonly expiresIn: number;
}

/** The mock WeCom server API: a request handler plus the knobs tests and the demo turn. */
export interface MockWecomApi {
  /** Answers one request; never throws. */
  handle(request: MockRequest): Promise<MockResponse>;
  /** Every call received, oldest first. */
  readonly calls: readonly MockCall[];
  /** Issues a random ticket valid 30 min (doc 90628) for an app (default: the default suite). */
  issueSuiteTicket(appId?: string): IssuedSuiteTicket;
  /** Issues a single-use auth code valid 10 min for `corp` (a known corp by id, else a new one). */
  issueAuthCode(corp?: Partial<MockCorpSeed>, options?: IssueAuthCodeOptions): IssuedAuthCode;
  /** Queues a failure; see {@link MockInjectRule}. */
  inject(rule: MockInjectRule): void;
  /** Expires every live token of the suite (`'suite'`, id = suite id) or of a corp (`'corp'`, id = corp id). */
  expireToken(kind: 'suite' | 'corp', corpIdOrSuite: string): void;
  /** Cancels a corp's authorization: its permanent code answers 40084, its tokens 40014. */
  revokeCorp(corpId: string, appId?: string): void;
  /** The corp's authorization of an app (default: the default suite), or undefined for an unknown corp. */
  corpStatus(corpId: string, appId?: string): MockCorpStatus | undefined;
  /** Forgets the recorded calls. */
  clearCalls(): void;
  /** Every media upload received (`media/upload`), with the sha256 of the bytes as they arrived. */
  readonly uploads: readonly MockUpload[];
  /** Every welcome message sent (`externalcontact/send_welcome_msg`) and accepted. */
  readonly welcomeMessages: readonly MockWelcomeMessage[];
  /** Every JS-SDK ticket issued (ticket → its corp, kind and expiry), to check signatures against. */
  readonly jsapiTickets: ReadonlyMap<string, { readonly corpId: string; readonly kind: 'corp' | 'agent_config'; readonly expiresAt: number }>;
  /** Changes a known corp's data without any callback, as an API write would (reconciliation tests, demo). */
  changeCorp(corpId: string, change: MockCorpChange): void;
  /** Adds (or replaces the data of) a generated corp of `members` members (bench, large-corp tests). */
  seedLargeCorp(options: LargeCorpOptions): void;
  /**
   * Issues the OAuth code of a member's login to an app's page, for `service/auth/getuserinfo3rd`: single
   * use, 5 minutes. Throws `TypeError` for an unknown app, corp, member or scope.
   */
  issueOAuthCode(options?: IssueOAuthCodeOptions): IssuedOAuthCode;
}

/** One `media/upload` the mock received. */
export interface MockUpload {
  readonly at: number;
  readonly corpId: string;
  readonly type: string;
  /** The whole request body: its size and sha256 (hex), exactly as received. */
  readonly bodyBytes: number;
  readonly bodySha256: string;
  /** The `media` part's file: name, size and sha256 (hex). */
  readonly filename: string;
  readonly fileBytes: number;
  readonly fileSha256: string;
  readonly mediaId: string;
}

/** One welcome message the mock accepted. */
export interface MockWelcomeMessage {
  readonly at: number;
  readonly corpId: string;
  readonly welcomeCode: string;
  readonly text: string | undefined;
  readonly attachments: number;
}
