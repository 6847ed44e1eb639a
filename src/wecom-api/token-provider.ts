import { setTimeout as delay } from 'node:timers/promises';
import { WecomApiError, WecomRelayError } from '../errors.js';
import type { AppKind } from '../apps/app.js';
import { silentLogger, type Logger } from '../logger.js';
import { appCorpKey } from '../store/app-corp-key.js';
import { CorpRegistry, type ActiveCorpRecord } from './corp-registry.js';
import {
  CREDENTIAL_NAMESPACES as NS,
  toCorpAuthorization,
  type CorpAuthorization,
  type CorpRecord,
  type CredentialStore,
  type StoredToken,
  type SuiteTicketRecord,
} from './credential-records.js';
import { classifyErrcode } from './errcode.js';
import { SharedTokenCache } from './shared-token-cache.js';
import type { SuiteApi } from './suite-api.js';

/**
 * The suite API methods the provider calls (a {@link SuiteApi} satisfies it). `getCustomizedCorpToken`
 * (`gettoken`) is needed only by a `customized` app.
 */
export type TokenApi = Pick<SuiteApi, 'getSuiteToken' | 'getCorpToken' | 'getPermanentCode' | 'getAuthInfo'> & Partial<Pick<SuiteApi, 'getCustomizedCorpToken'>>;

/** Options of {@link TokenProvider}. */
export interface TokenProviderOptions {
  /** Shared by every process; `CREDENTIAL_NAMESPACES` documents the namespaces and keys. */
  readonly store: CredentialStore;
  readonly api: TokenApi;
  /** The app's SuiteID (for `customized`: the template id): with the corp id, the key of every corp record and token. */
  readonly suiteId: string;
  readonly suiteSecret: string;
  /**
   * The app's kind: `suite` and `contact_edit` get corp tokens from `service/get_corp_token`; `customized`
   * from `gettoken?corpid=<auth corp>&corpsecret=<permanent code>` (doc 97164). @default 'suite'
   */
  readonly kind?: AppKind;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default a logger that discards everything */
  readonly logger?: Logger;
  /**
   * Refresh this long before expiry, capped at 20 % of the token's lifetime: a 2 h token refreshes at
   * 110 min, a short-lived one (the mock API) at 80 %. @default 600000 (10 min)
   */
  readonly refreshMarginMs?: number;
  /** How long one refresher holds the store lock. @default 30000 */
  readonly lockTtlMs?: number;
  /** How long, in total, other processes wait for the lock holder's token. @default lockTtlMs */
  readonly lockWaitMs?: number;
  /** How long a suite_ticket is kept (WeCom: valid 30 min, pushed every 10). @default 1800000 */
  readonly suiteTicketTtlMs?: number;
  /**
   * After a token fetch fails at WeCom, loads within this time reuse the failure (or the still-valid old
   * token) instead of fetching again. A new suite_ticket or authorization clears it. @default 10000
   */
  readonly refreshFailureCooldownMs?: number;
  /** In-memory token cache size. @default 10000 */
  readonly cacheMax?: number;
  /** Waits between store polls; injected by tests. @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Token fetches this process made, per kind (the `token refreshes` metric). */
export interface TokenRefreshCounts {
  readonly suite: number;
  readonly corp: number;
}

/** How old a corp's state {@link TokenProvider.recentCorp} may answer. */
export const RECENT_CORP_MS = 1000;

/**
 * Keeps the suite's credentials alive and shared by every process through the store: the newest
 * suite_ticket (newer-wins, never touched by token invalidation), the suite_access_token and each authorized
 * corp's access_token (cached, refreshed before expiry, one refresher per key across processes), and the
 * corps' authorizations (permanent codes).
 *
 * Tokens are invalidated only by their own errcodes (40014/42001 corp, 40082/42009 suite) and only while
 * still the failing value, so a late failure never throws away a token another caller just fetched.
 */
export class TokenProvider {
  readonly #store: CredentialStore;
  readonly #api: TokenApi;
  readonly #suiteId: string;
  readonly #suiteSecret: string;
  readonly #kind: AppKind;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #ticketTtlMs: number;
  readonly #tokens: SharedTokenCache;
  readonly #corps: CorpRegistry;
  readonly #refreshes = { suite: 0, corp: 0 };

  constructor(options: TokenProviderOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\` (${typeof options})`);
    for (const name of ['suiteId', 'suiteSecret'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '') {
        throw new TypeError(`Expected \`${name}\` to be a non-empty string, got \`${name === 'suiteSecret' ? '…' : String(options[name])}\` (${typeof options[name]})`);
      }
    }
    if (typeof options.store?.getKv !== 'function') throw new TypeError(`Expected \`store\` to be a Store, got \`${String(options.store)}\` (${typeof options.store})`);
    if (typeof options.api?.getSuiteToken !== 'function') throw new TypeError(`Expected \`api\` to be a SuiteApi, got \`${String(options.api)}\` (${typeof options.api})`);
    this.#store = options.store;
    this.#api = options.api;
    this.#suiteId = options.suiteId;
    this.#suiteSecret = options.suiteSecret;
    this.#kind = options.kind ?? 'suite';
    if (!['suite', 'customized', 'contact_edit'].includes(this.#kind)) throw new TypeError(`Expected \`kind\` to be one of suite, customized, contact_edit, got \`${String(this.#kind)}\` (${typeof this.#kind})`);
    if (this.#kind === 'customized' && typeof options.api.getCustomizedCorpToken !== 'function') throw new TypeError('Expected `api` to have getCustomizedCorpToken (a customized app), got `undefined` (undefined)');
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
    this.#ticketTtlMs = nonNegative('suiteTicketTtlMs', options.suiteTicketTtlMs ?? 1_800_000, 1);
    const lockTtlMs = nonNegative('lockTtlMs', options.lockTtlMs ?? 30_000);
    this.#tokens = new SharedTokenCache({
      store: this.#store,
      now: this.#now,
      logger: this.#logger,
      marginMs: nonNegative('refreshMarginMs', options.refreshMarginMs ?? 600_000),
      lockTtlMs,
      lockWaitMs: nonNegative('lockWaitMs', options.lockWaitMs ?? lockTtlMs),
      failureCooldownMs: nonNegative('refreshFailureCooldownMs', options.refreshFailureCooldownMs ?? 10_000),
      max: nonNegative('cacheMax', options.cacheMax ?? 10_000),
      sleep: options.sleep ?? ((ms) => delay(ms)),
    });
    this.#corps = new CorpRegistry(this.#store, this.#suiteId, this.#now, this.#logger);
  }

  /** The app id (SuiteID) this provider keeps credentials for. */
  get appId(): string {
    return this.#suiteId;
  }

  /** The app's kind. */
  get kind(): AppKind {
    return this.#kind;
  }

  /** Token fetches this process made so far, per kind. */
  get tokenRefreshes(): TokenRefreshCounts {
    return { ...this.#refreshes };
  }

  /**
   * Stores a pushed suite_ticket unless a newer one (by `TimeStamp`) is already stored: pushes can arrive out
   * of order and a slow handler must not overwrite a newer ticket (WxJava #1991). `suiteId` is the push's
   * `SuiteId`; a ticket for another suite is ignored (easywechat #2269). Resolves whether it was stored.
   */
  async saveSuiteTicket(ticket: string, timestamp: number, suiteId: string = this.#suiteId): Promise<boolean> {
    if (typeof ticket !== 'string' || ticket === '') throw new TypeError(`Expected \`ticket\` to be a non-empty string, got \`${typeof ticket}\``);
    if (!Number.isFinite(timestamp)) throw new TypeError(`Expected \`timestamp\` to be a number of seconds, got \`${String(timestamp)}\` (${typeof timestamp})`);
    if (suiteId !== this.#suiteId) {
      this.#logger.warn({ suiteId }, 'suite_ticket for another suite ignored');
      return false;
    }
    const record: SuiteTicketRecord = { ticket, timestamp };
    const stored = await this.#store.putKv(NS.suiteTicket, suiteId, record, { version: timestamp, ifNewer: true, ttlMs: this.#ticketTtlMs, now: this.#now() });
    if (stored) this.#tokens.clearFailure(NS.suiteToken, suiteId); // a new ticket may cure 40085
    this.#logger.info({ suiteId, timestamp, stored }, stored ? 'suite_ticket stored' : 'older suite_ticket ignored');
    return stored;
  }

  /** The stored ticket's TimeStamp and receipt time (never the ticket), e.g. to alert when pushes stop. */
  async suiteTicketStatus(): Promise<{ readonly timestamp: number; readonly updatedAt: number } | undefined> {
    const record = await this.#store.getKv<SuiteTicketRecord>(NS.suiteTicket, this.#suiteId, this.#now());
    return record ? { timestamp: record.value.timestamp, updatedAt: record.updatedAt } : undefined;
  }

  /**
   * A suite_access_token: from memory, the store, or (one fetch across processes) WeCom.
   * @throws {WecomRelayError} `ERR_WECOM_NO_SUITE_TICKET` when no ticket has been pushed yet
   */
  async getSuiteToken(): Promise<string> {
    return (await this.#suiteToken()).token;
  }

  /**
   * A corp access_token for an authorized corp.
   * @throws {WecomRelayError} `ERR_WECOM_CORP_NOT_AUTHORIZED` without an active permanent code
   */
  async getCorpToken(corpId: string): Promise<string> {
    return (await this.#corpToken(corpId)).token;
  }

  /** {@link getSuiteToken} with its expiry and fetch time (the gateway's token route answers `expires_at`). */
  getSuiteTokenRecord(): Promise<StoredToken> {
    return this.#suiteToken();
  }

  /** {@link getCorpToken} with its expiry and fetch time. */
  getCorpTokenRecord(corpId: string): Promise<StoredToken> {
    return this.#corpToken(corpId);
  }

  /** Forgets the suite token if it is still `failingToken`. Resolves whether the store copy was deleted. */
  invalidateSuiteToken(failingToken: string): Promise<boolean> {
    return this.#tokens.invalidate(NS.suiteToken, this.#suiteId, failingToken);
  }

  /** Forgets a corp's token if it is still `failingToken`. Resolves whether the store copy was deleted. */
  invalidateCorpToken(corpId: string, failingToken: string): Promise<boolean> {
    return this.#tokens.invalidate(NS.corpToken, appCorpKey(this.#suiteId, corpId), failingToken);
  }

  /**
   * Runs `fn` with the suite token; on 40082/42009 invalidates that token (by value), refreshes and retries
   * once. A second failure is thrown as is, without another refresh (no refresh storms: easywechat #2274).
   */
  async withSuiteToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getSuiteToken();
    try {
      return await fn(token);
    } catch (error) {
      if (!(error instanceof WecomApiError) || classifyErrcode(error.errcode) !== 'suite_token_invalid') throw error;
      this.#logger.warn({ suiteId: this.#suiteId, errcode: error.errcode, path: error.path }, 'suite_access_token rejected; refreshing once');
      await this.invalidateSuiteToken(token);
      return fn(await this.getSuiteToken());
    }
  }

  /**
   * Runs `fn` with the corp's token; on 40014/42001 invalidates that token (by value), refreshes and retries
   * once (a second failure is thrown). On 40084/301007/2000002 marks the corp gone, unless it was
   * re-authorized after the token was fetched, and rethrows.
   */
  async withCorpToken<T>(corpId: string, fn: (token: string) => Promise<T>): Promise<T> {
    let current = await this.#corpToken(corpId);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(current.token);
      } catch (error) {
        const kind = error instanceof WecomApiError ? classifyErrcode(error.errcode) : undefined;
        if (kind === 'corp_gone') await this.corpGoneAnswered(corpId, current);
        if (kind !== 'corp_token_invalid' || attempt > 0) throw error;
        this.#logger.warn({ corpId, errcode: (error as WecomApiError).errcode }, 'corp access_token rejected; refreshing once');
        await this.invalidateCorpToken(corpId, current.token);
        current = await this.#corpToken(corpId);
      }
    }
  }

  /**
   * After WeCom answered 40084/301007/2000002 to a call made with `token`: marks the corp gone (deleting its
   * permanent code and tokens), unless it was re-authorized after that token was fetched — then the failure
   * is stale. Resolves whether the corp was marked. {@link withCorpToken} and the gateway's proxy use it.
   */
  async corpGoneAnswered(corpId: string, token: Pick<StoredToken, 'fetchedAt'>): Promise<boolean> {
    const record = await this.#corps.get(corpId);
    const reauthorized = record?.authorizedAt != null && record.authorizedAt > token.fetchedAt;
    if (record?.state !== 'active' || reauthorized) return false;
    await this.#retire(corpId, 'gone');
    return true;
  }

  /**
   * Exchanges a create_auth / reset_permanent_code AuthCode (single use, valid 10 min) for the permanent code
   * (v1 get_permanent_code), stores the corp as `active` with its info, and caches the corp token the
   * exchange returned. Resolves the authorization without the permanent code, ready to forward.
   */
  async exchangeAuthCode(authCode: string): Promise<CorpAuthorization> {
    const answer = await this.withSuiteToken((suiteToken) => this.#api.getPermanentCode(suiteToken, authCode));
    const corpId = answer.auth_corp_info?.corpid;
    if (typeof answer.permanent_code !== 'string' || answer.permanent_code === '' || typeof corpId !== 'string' || corpId === '') {
      throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: 'service/get_permanent_code: answer lacks permanent_code or auth_corp_info.corpid' });
    }
    const now = this.#now();
    const record: CorpRecord = {
      corpId,
      permanentCode: answer.permanent_code,
      corpName: answer.auth_corp_info.corp_name ?? null,
      authCorpInfo: answer.auth_corp_info,
      authInfo: answer.auth_info ?? null,
      authUserInfo: answer.auth_user_info ?? null,
      dealerCorpInfo: answer.dealer_corp_info ?? null,
      state: 'active',
      authorizedAt: now,
      updatedAt: now,
    };
    await this.#corps.put(record);
    // Tokens made from a previous permanent code (reset_permanent_code) are worthless now.
    this.#tokens.forget(NS.corpToken, appCorpKey(this.#suiteId, corpId));
    // A customized app's exchange returns no access_token (its tokens come from gettoken).
    if (typeof answer.access_token === 'string' && answer.access_token !== '' && typeof answer.expires_in === 'number') {
      await this.#tokens.put(NS.corpToken, appCorpKey(this.#suiteId, corpId), { token: answer.access_token, fetchedAt: now, expiresAt: now + answer.expires_in * 1000 });
    }
    this.#logger.info({ appId: this.#suiteId, corpId, corpName: record.corpName }, 'corp authorized');
    return toCorpAuthorization(record);
  }

  /** Re-reads the corp's info and agents (get_auth_info), e.g. on change_auth. */
  async refreshAuthInfo(corpId: string): Promise<CorpAuthorization> {
    const record = await this.#corps.active(corpId);
    const answer = await this.#asCorp(record, () =>
      this.withSuiteToken((suiteToken) => this.#api.getAuthInfo(suiteToken, corpId, record.permanentCode)),
    );
    const updated: CorpRecord = {
      ...record,
      corpName: answer.auth_corp_info?.corp_name ?? record.corpName,
      authCorpInfo: answer.auth_corp_info ?? record.authCorpInfo,
      authInfo: answer.auth_info ?? record.authInfo,
      dealerCorpInfo: answer.dealer_corp_info ?? record.dealerCorpInfo,
      updatedAt: this.#now(),
    };
    await this.#corps.put(updated);
    return toCorpAuthorization(updated);
  }

  /** cancel_auth: marks the corp `revoked`, deletes its permanent code and its tokens. */
  revokeCorp(corpId: string): Promise<CorpAuthorization> {
    return this.#retire(corpId, 'revoked');
  }

  /** Marks the corp `gone` (40084/301007/2000002), deleting its permanent code and tokens. */
  markCorpGone(corpId: string): Promise<CorpAuthorization> {
    return this.#retire(corpId, 'gone');
  }

  /** A corp's authorization (never its permanent code), or undefined when never seen. */
  async getCorp(corpId: string): Promise<CorpAuthorization | undefined> {
    const record = await this.#corps.get(corpId);
    return record && toCorpAuthorization(record);
  }

  /**
   * {@link getCorp} from a read at most {@link RECENT_CORP_MS} old: what the gateway checks on every call.
   * This provider's own changes (install, cancel_auth, gone) are seen at once; another process's within
   * a second. WeCom stays the authority: a call for a corp revoked a moment ago is refused by WeCom.
   */
  async recentCorp(corpId: string): Promise<CorpAuthorization | undefined> {
    const record = await this.#corps.recent(corpId, RECENT_CORP_MS);
    return record && toCorpAuthorization(record);
  }

  /** Every known corp's authorization, in any state. */
  listCorps(): Promise<CorpAuthorization[]> {
    return this.#corps.list();
  }

  #suiteToken(): Promise<StoredToken> {
    return this.#tokens.get(NS.suiteToken, this.#suiteId, async () => {
      const ticket = await this.#store.getKv<SuiteTicketRecord>(NS.suiteTicket, this.#suiteId, this.#now());
      if (!ticket) throw new WecomRelayError('ERR_WECOM_NO_SUITE_TICKET');
      const fetchedAt = this.#now();
      const answer = await this.#api.getSuiteToken(this.#suiteId, this.#suiteSecret, ticket.value.ticket);
      this.#refreshes.suite++;
      this.#logger.info({ suiteId: this.#suiteId, expiresIn: answer.expires_in }, 'suite_access_token refreshed');
      return tokenFrom('service/get_suite_token', answer.suite_access_token, answer.expires_in, fetchedAt);
    });
  }

  #corpToken(corpId: string): Promise<StoredToken> {
    return this.#tokens.get(NS.corpToken, appCorpKey(this.#suiteId, corpId), async () => {
      const record = await this.#corps.active(corpId);
      const fetchedAt = this.#now();
      const customized = this.#kind === 'customized';
      const answer = await this.#asCorp(record, () => customized
        // 代开发: the permanent code is the installed app's secret; the corp id is auth_corp_info.corpid (doc 97164).
        ? this.#api.getCustomizedCorpToken!(corpId, record.permanentCode)
        : this.withSuiteToken((suiteToken) => this.#api.getCorpToken(suiteToken, corpId, record.permanentCode)),
      );
      this.#refreshes.corp++;
      this.#logger.info({ appId: this.#suiteId, corpId, expiresIn: answer.expires_in }, 'corp access_token refreshed');
      return tokenFrom(customized ? 'gettoken' : 'service/get_corp_token', answer.access_token, answer.expires_in, fetchedAt);
    });
  }

  /** Runs a call made with the corp's permanent code; if WeCom says the corp is gone, records it. */
  async #asCorp<T>(record: ActiveCorpRecord, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // Only while the failing permanent code is still the stored one (not replaced by a re-authorization).
      if (error instanceof WecomApiError && classifyErrcode(error.errcode) === 'corp_gone'
        && (await this.#corps.get(record.corpId))?.permanentCode === record.permanentCode) {
        await this.#retire(record.corpId, 'gone');
      }
      throw error;
    }
  }

  #retire(corpId: string, state: 'revoked' | 'gone'): Promise<CorpAuthorization> {
    this.#tokens.forget(NS.corpToken, appCorpKey(this.#suiteId, corpId));
    return this.#corps.retire(corpId, state);
  }
}

function tokenFrom(path: string, token: unknown, expiresIn: unknown, fetchedAt: number): StoredToken {
  if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: answer lacks the token or expires_in` });
  }
  return { token, fetchedAt, expiresAt: fetchedAt + expiresIn * 1000 };
}

function nonNegative(name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be a number ≥ ${min}, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}
