import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_MOCK_CORP } from './default-corp.js';
import { OAUTH_CODE_TTL_SECONDS, OAUTH_SCOPES, OAuthLogins } from './oauth-logins.js';
import type {
  IssueAuthCodeOptions, IssuedAuthCode, IssueOAuthCodeOptions, IssuedOAuthCode, IssuedSuiteTicket, MockAppSeed, MockCall, MockCorpSeed, MockCorpStatus,
  MockInjectRule, MockLimits, MockUpload, MockUserSeed, MockWelcomeMessage,
} from './mock-types.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** suite_ticket validity: "suite_ticket实际有效期为30分钟" (doc 90628). */
export const SUITE_TICKET_TTL_MS = 30 * MINUTE;
/** AuthCode validity: 10 minutes, single use (doc 90642). */
export const AUTH_CODE_TTL_SECONDS = 600;
/** pre_auth_code validity (doc 90601: expires_in 1200). */
export const PRE_AUTH_CODE_TTL_SECONDS = 1200;

/** A corp as the mock tracks it. */
export interface CorpState {
  seed: MockCorpSeed;
  permanentCode: string | undefined;
  revoked: boolean;
  authType: 0 | 1;
}

interface TokenRecord { readonly owner: string; readonly app: string; expiresAt: number }
interface AuthCodeRecord { readonly appId: string; readonly corpId: string; readonly expiresAt: number; used: boolean; readonly state: string; readonly authType: 0 | 1 }
interface PreAuthCodeRecord { readonly expiresAt: number; used: boolean; authType: 0 | 1 }
interface PendingRule { readonly rule: MockInjectRule; remaining: number; passed: number }

/** Resolved options the state needs. */
export interface MockStateOptions {
  readonly suiteId: string;
  readonly suiteSecret: string;
  readonly tokenTtlMs: number;
  readonly now: () => number;
  readonly corps: readonly MockCorpSeed[];
  readonly acceptAnyTicket: boolean;
  readonly reuseValidTokens: boolean;
  readonly limits: MockLimits;
  /** Every app served, the default suite (`suiteId`) first. */
  readonly apps: readonly MockAppSeed[];
}

/** A token the mock issued, with the `expires_in` to answer. */
export interface IssuedToken { readonly token: string; readonly expiresIn: number }

/** Random opaque credential text, base64url like WeCom's. */
export function randomCredential(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}

/** The provider-scoped open_userid of a member (stable per corp + userid). */
export function openUseridOf(corpId: string, user: MockUserSeed): string {
  return user.open_userid ?? `wo${createHash('sha256').update(`${corpId}\0${user.userid}`).digest('base64url').slice(0, 30)}`;
}

/**
 * All mutable state of one mock instance: credentials it issued, corps, queued failures, rate counters and
 * the call log. Expiry is always checked against the injected clock.
 */
export class MockState {
  readonly options: MockStateOptions;
  readonly calls: MockCall[] = [];
  /** Media uploads received (`media/upload`). */
  readonly uploads: MockUpload[] = [];
  /** Welcome messages accepted (`externalcontact/send_welcome_msg`). */
  readonly welcomeMessages: MockWelcomeMessage[] = [];
  /** JS-SDK tickets issued: ticket → the corp, the kind and the expiry. */
  readonly jsapiTickets = new Map<string, { readonly corpId: string; readonly kind: 'corp' | 'agent_config'; readonly expiresAt: number }>();
  /** Web logins: OAuth codes and user_tickets (`service/auth/getuserinfo3rd`). */
  readonly oauth: OAuthLogins;
  /** The corps and their authorization of the default suite. */
  readonly corps = new Map<string, CorpState>();
  /** The authorizations of the other apps, keyed `appId:corpId` (their seed is the corp's). */
  private readonly grants = new Map<string, CorpState>();
  private readonly apps: ReadonlyMap<string, MockAppSeed>;
  private readonly tickets = new Map<string, { readonly app: string; readonly expiresAt: number }>();
  private readonly suiteTokens = new Map<string, TokenRecord>();
  private readonly corpTokens = new Map<string, TokenRecord>();
  private readonly authCodes = new Map<string, AuthCodeRecord>();
  private readonly preAuthCodes = new Map<string, PreAuthCodeRecord>();
  private readonly rules: PendingRule[] = [];
  private readonly windows = new Map<string, { window: number; count: number; bannedUntil: number }>();
  private readonly invalidIds = new Map<string, { day: number; count: number }>();

  constructor(options: MockStateOptions) {
    this.options = options;
    this.oauth = new OAuthLogins(() => this.now(), () => randomCredential(48));
    this.apps = new Map(options.apps.map((app) => [app.id, app]));
    for (const seed of [DEFAULT_MOCK_CORP, ...options.corps]) {
      this.corps.set(seed.corpId, { seed, permanentCode: undefined, revoked: false, authType: 0 });
    }
  }

  /** The injected clock, in milliseconds. */
  now(): number {
    return this.options.now();
  }

  /** The app with this SuiteID, or undefined. */
  app(appId: string): MockAppSeed | undefined {
    return this.apps.get(appId);
  }

  /** Every app served, the default suite first. */
  appList(): readonly MockAppSeed[] {
    return this.options.apps;
  }

  /** The known app; an unknown id is a developer mistake (`TypeError`). */
  requireApp(appId: string): MockAppSeed {
    const app = this.apps.get(appId);
    if (app === undefined) throw new TypeError(`Expected \`appId\` to be an app the mock serves, got \`${appId}\` (string)`);
    return app;
  }

  /** A random ticket of an app, valid {@link SUITE_TICKET_TTL_MS}. */
  issueSuiteTicket(appId: string = this.options.suiteId): IssuedSuiteTicket {
    this.requireApp(appId);
    const ticket = randomCredential(32);
    this.tickets.set(ticket, { app: appId, expiresAt: this.now() + SUITE_TICKET_TTL_MS });
    return { ticket, timestamp: Math.floor(this.now() / 1000) };
  }

  /** True for a ticket the mock issued to that app and still valid (any non-empty one with `acceptAnyTicket`). */
  ticketIsValid(ticket: string, appId: string = this.options.suiteId): boolean {
    if (this.options.acceptAnyTicket) return ticket.length > 0;
    const record = this.tickets.get(ticket);
    return record !== undefined && record.app === appId && this.now() < record.expiresAt;
  }

  /** A suite_access_token of an app (the live one again when `reuseValidTokens`). */
  issueSuiteToken(appId: string = this.options.suiteId): IssuedToken {
    return this.issueToken(this.suiteTokens, appId, appId);
  }

  /** The app a suite token was issued to, valid or not. */
  appOfSuiteToken(token: string): string | undefined {
    return this.suiteTokens.get(token)?.app;
  }

  /** The kind of the app a corp token was issued for, valid or not. */
  appOfCorpToken(token: string): MockAppSeed | undefined {
    const app = this.corpTokens.get(token)?.app;
    return app === undefined ? undefined : this.apps.get(app);
  }

  /**
   * The corp's authorization of an app: the default suite's is the corp's own state, another app's is its
   * own record (created unauthorized on first use) sharing the corp's seed.
   */
  corpFor(appId: string, corpId: string): CorpState | undefined {
    const base = this.corps.get(corpId);
    if (appId === this.options.suiteId || base === undefined) return base;
    const key = `${appId}:${corpId}`;
    let grant = this.grants.get(key);
    if (grant === undefined) {
      grant = { seed: base.seed, permanentCode: undefined, revoked: false, authType: 0 };
      this.grants.set(key, grant);
    }
    grant.seed = base.seed;
    return grant;
  }

  /** 0 when valid, else the errcode the real API answers: 40082 unknown, 42009 expired. */
  checkSuiteToken(token: string): 0 | 40082 | 42009 {
    const record = this.suiteTokens.get(token);
    if (record === undefined) return 40082;
    return this.now() < record.expiresAt ? 0 : 42009;
  }

  /** A corp access_token of an app (the live one again when `reuseValidTokens`). */
  issueCorpToken(corpId: string, appId: string = this.options.suiteId): IssuedToken {
    return this.issueToken(this.corpTokens, corpId, appId);
  }

  /** The corp a corp token belongs to, whether or not it is still valid. */
  corpIdOfToken(token: string): string | undefined {
    return this.corpTokens.get(token)?.owner;
  }

  /** The corp when valid, else the errcode: 40014 unknown or revoked, 42001 expired. */
  checkCorpToken(token: string): CorpState | 40014 | 42001 {
    const record = this.corpTokens.get(token);
    const corp = record === undefined ? undefined : this.corpFor(record.app, record.owner);
    if (record === undefined || corp === undefined || corp.revoked) return 40014;
    return this.now() < record.expiresAt ? corp : 42001;
  }

  /** Forces every live token of the suite or corp to read as expired. */
  expireTokens(kind: 'suite' | 'corp', owner: string): void {
    const tokens = kind === 'suite' ? this.suiteTokens : this.corpTokens;
    for (const record of tokens.values()) if (record.owner === owner) record.expiresAt = Number.NEGATIVE_INFINITY;
  }

  /** A single-use auth code valid {@link AUTH_CODE_TTL_SECONDS} for a known or new corp. */
  issueAuthCode(corp: Partial<MockCorpSeed> | undefined, options: IssueAuthCodeOptions = {}): IssuedAuthCode {
    const state = this.resolveCorp(corp);
    const authCode = randomCredential(48);
    const appId = options.appId ?? this.options.suiteId;
    this.requireApp(appId);
    this.authCodes.set(authCode, {
      appId, corpId: state.seed.corpId, expiresAt: this.now() + AUTH_CODE_TTL_SECONDS * 1000, used: false,
      state: options.state ?? '', authType: options.authType ?? 0,
    });
    return { authCode, corpId: state.seed.corpId };
  }

  /** An OAuth code of a member's (or, without a corp, an outsider's) login to an app's page. */
  issueOAuthCode(options: IssueOAuthCodeOptions): IssuedOAuthCode {
    const appId = options.appId ?? this.options.suiteId;
    this.requireApp(appId);
    const scope = options.scope ?? 'snsapi_base';
    if (!OAUTH_SCOPES.includes(scope)) throw new TypeError(`Expected \`scope\` to be ${OAUTH_SCOPES.join(', ')}, got \`${String(scope)}\` (${typeof scope})`);
    if (options.corpId === undefined) {
      if (options.userid !== undefined) throw new TypeError('Expected `corpId` with `userid`: a member belongs to a corp');
      return { code: this.oauth.issue({ appId, corpId: undefined, userid: undefined, scope }), corpId: null, userid: null, expiresIn: OAUTH_CODE_TTL_SECONDS };
    }
    const corp = this.requireCorp(options.corpId);
    const user = options.userid === undefined ? corp.seed.users[0] : corp.seed.users.find((candidate) => candidate.userid === options.userid);
    if (user === undefined) throw new TypeError(`Expected \`userid\` to be a member of ${options.corpId}, got \`${String(options.userid)}\``);
    const code = this.oauth.issue({ appId, corpId: corp.seed.corpId, userid: user.userid, scope });
    return { code, corpId: corp.seed.corpId, userid: user.userid, expiresIn: OAUTH_CODE_TTL_SECONDS };
  }

  /**
   * Exchanges an auth code for a fresh permanent code (the previous one stops working, as after
   * reset_permanent_code). 40078 for unknown, expired or already used codes ("临时授权码一次有效").
   */
  exchangeAuthCode(authCode: string, appId: string = this.options.suiteId): { corp: CorpState; state: string } | 40078 {
    const record = this.authCodes.get(authCode);
    // A code is the app's own: another app's suite token cannot exchange it.
    if (record === undefined || record.used || record.appId !== appId || this.now() >= record.expiresAt) return 40078;
    record.used = true;
    const corp = this.corpFor(appId, record.corpId);
    if (corp === undefined) return 40078;
    corp.permanentCode = randomCredential(32);
    corp.revoked = false;
    corp.authType = record.authType;
    return { corp, state: record.state };
  }

  /** The corp when `permanentCode` is its current one and it is not revoked; else 40084. */
  checkPermanentCode(corpId: string, permanentCode: string, appId: string = this.options.suiteId): CorpState | 40084 {
    const corp = this.corpFor(appId, corpId);
    if (corp === undefined || corp.revoked || corp.permanentCode !== permanentCode) return 40084;
    return corp;
  }

  /** cancel_auth: the permanent code and every token of the corp stop working. */
  revokeCorp(corpId: string, appId: string = this.options.suiteId): void {
    this.requireCorp(corpId);
    this.requireApp(appId);
    const corp = this.corpFor(appId, corpId)!;
    corp.revoked = true;
    corp.permanentCode = undefined;
    // Tokens die with the authorization, also after a later re-install (which issues new ones); another
    // app's authorization of the same corp is untouched.
    for (const [token, record] of this.corpTokens) if (record.owner === corpId && record.app === appId) this.corpTokens.delete(token);
  }

  /** The corp's authorization of an app, or undefined for an unknown corp. */
  corpStatus(corpId: string, appId: string = this.options.suiteId): MockCorpStatus | undefined {
    const corp = this.corpFor(appId, corpId);
    if (corp === undefined) return undefined;
    return { corpId, permanentCode: corp.permanentCode, revoked: corp.revoked, authType: corp.authType };
  }

  /** The known corp; an unknown id is a developer mistake (`TypeError`). */
  requireCorp(corpId: string): CorpState {
    const corp = this.corps.get(corpId);
    if (corp === undefined) throw new TypeError(`Expected \`corpId\` to be a corp the mock knows, got \`${corpId}\` (string)`);
    return corp;
  }

  /** Replaces a corp's data (its authorizations stay), or adds the corp. */
  setCorpSeed(seed: MockCorpSeed): void {
    const known = this.corps.get(seed.corpId);
    if (known !== undefined) known.seed = seed;
    else this.corps.set(seed.corpId, { seed, permanentCode: undefined, revoked: false, authType: 0 });
  }

  /** A pre_auth_code valid {@link PRE_AUTH_CODE_TTL_SECONDS}, usable for one install. */
  issuePreAuthCode(): IssuedToken {
    const token = randomCredential(32);
    this.preAuthCodes.set(token, { expiresAt: this.now() + PRE_AUTH_CODE_TTL_SECONDS * 1000, used: false, authType: 0 });
    return { token, expiresIn: PRE_AUTH_CODE_TTL_SECONDS };
  }

  /** The pre-auth code's record when usable, else 40077 (unknown or used) or 42007 (expired). */
  preAuthCode(code: string): PreAuthCodeRecord | 40077 | 42007 {
    const record = this.preAuthCodes.get(code);
    if (record === undefined || record.used) return 40077;
    return this.now() < record.expiresAt ? record : 42007;
  }

  /** Queues an injected failure. */
  addRule(rule: MockInjectRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1, passed: 0 });
  }

  /** Takes (FIFO) the first rule matching the call, consuming one of its `times`. */
  takeRule(path: string, corpId: string | undefined): MockInjectRule | undefined {
    const index = this.rules.findIndex(({ rule }) =>
      (rule.path === '*' || rule.path === path) && (rule.corpId === undefined || rule.corpId === corpId));
    const pending = this.rules[index];
    if (pending === undefined) return undefined;
    if (pending.passed < (pending.rule.after ?? 0)) {
      pending.passed += 1;
      return undefined;
    }
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.rules.splice(index, 1);
    return pending.rule;
  }

  /** True when the call exceeds `limits.perPathPerMinute` (or falls in the 60 s ban that follows). */
  overRateLimit(key: string): boolean {
    const limit = this.options.limits.perPathPerMinute;
    if (limit === undefined) return false;
    const now = this.now();
    const window = Math.floor(now / MINUTE);
    const entry = this.windows.get(key) ?? { window, count: 0, bannedUntil: 0 };
    this.windows.set(key, entry);
    if (now < entry.bannedUntil) return true;
    if (entry.window !== window) Object.assign(entry, { window, count: 0 });
    entry.count += 1;
    if (entry.count <= limit) return false;
    entry.bannedUntil = now + MINUTE;
    return true;
  }

  /** True when the corp already spent today's invalid-userid budget. */
  invalidUseridBanned(corpId: string): boolean {
    const limit = this.options.limits.invalidUseridsPerDay;
    const entry = this.invalidIds.get(corpId);
    return limit !== undefined && entry !== undefined && entry.day === Math.floor(this.now() / DAY) && entry.count > limit;
  }

  /** Adds to the corp's invalid-userid count of the (clock) day. */
  countInvalidUserids(corpId: string, count: number): void {
    const day = Math.floor(this.now() / DAY);
    const entry = this.invalidIds.get(corpId);
    if (entry === undefined || entry.day !== day) this.invalidIds.set(corpId, { day, count });
    else entry.count += count;
  }

  /** A known corp (merged with `partial`), or a new one built on the default corp's data. */
  private resolveCorp(partial: Partial<MockCorpSeed> | undefined): CorpState {
    const corpId = partial?.corpId ?? (partial === undefined ? DEFAULT_MOCK_CORP.corpId : `ww${randomBytes(8).toString('hex')}`);
    const known = this.corps.get(corpId);
    if (known !== undefined) {
      if (partial !== undefined) known.seed = { ...known.seed, ...partial, corpId };
      return known;
    }
    const seed: MockCorpSeed = {
      ...DEFAULT_MOCK_CORP, corpName: `模拟企业 ${corpId.slice(-6)}`, corpFullName: undefined, ...partial, corpId,
    };
    const state: CorpState = { seed, permanentCode: undefined, revoked: false, authType: 0 };
    this.corps.set(corpId, state);
    return state;
  }

  private issueToken(tokens: Map<string, TokenRecord>, owner: string, app: string): IssuedToken {
    const now = this.now();
    if (this.options.reuseValidTokens) {
      for (const [token, record] of tokens) {
        if (record.owner === owner && record.app === app && now < record.expiresAt) {
          return { token, expiresIn: Math.max(1, Math.floor((record.expiresAt - now) / 1000)) };
        }
      }
    }
    const token = randomCredential(64);
    tokens.set(token, { owner, app, expiresAt: now + this.options.tokenTtlMs });
    return { token, expiresIn: Math.floor(this.options.tokenTtlMs / 1000) };
  }
}
