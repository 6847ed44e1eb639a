/** "code只能使用一次,5分钟未被使用自动过期" (doc 91121). */
export const OAUTH_CODE_TTL_SECONDS = 300;
/** The user_ticket's `expires_in` in doc 91121's example. */
export const USER_TICKET_TTL_SECONDS = 7200;

/** The page's OAuth scope (doc 91120): base = identity only; userinfo and privateinfo also give a user_ticket. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_privateinfo';
export const OAUTH_SCOPES: readonly OAuthScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_privateinfo'];

/** Who logged in: a corp's member, or (no corp) a WeChat user outside any corp. */
export interface OAuthLogin {
  readonly appId: string;
  readonly corpId: string | undefined;
  readonly userid: string | undefined;
  readonly scope: OAuthScope;
}

interface Pending extends OAuthLogin { readonly expiresAt: number; used: boolean }

/**
 * The mock's web logins of third-party apps (`service/auth/getuserinfo3rd`, `getuserdetail3rd`): OAuth codes
 * single-use for {@link OAUTH_CODE_TTL_SECONDS}, and the user_tickets their exchange hands out. A code is
 * its app's: another suite's token cannot exchange it.
 */
export class OAuthLogins {
  readonly #now: () => number;
  readonly #credential: () => string;
  readonly #codes = new Map<string, Pending>();
  readonly #tickets = new Map<string, OAuthLogin & { readonly expiresAt: number }>();

  /** `credential` makes a random code or ticket (the mock's `randomCredential`). */
  constructor(now: () => number, credential: () => string) {
    this.#now = now;
    this.#credential = credential;
  }

  /** A new code for this login, as the redirect to the app's page would carry it. */
  issue(login: OAuthLogin): string {
    const code = this.#credential();
    this.#codes.set(code, { ...login, expiresAt: this.#now() + OAUTH_CODE_TTL_SECONDS * 1000, used: false });
    return code;
  }

  /** Uses the code up; 40029 when unknown, used, expired or another app's. */
  exchange(code: string, appId: string): OAuthLogin | 40029 {
    const pending = this.#codes.get(code);
    if (pending === undefined || pending.used || pending.appId !== appId || this.#now() >= pending.expiresAt) return 40029;
    pending.used = true;
    const { expiresAt: _expires, used: _used, ...login } = pending;
    return login;
  }

  /** A user_ticket for a member's login. */
  ticketFor(login: OAuthLogin): string {
    const ticket = this.#credential();
    this.#tickets.set(ticket, { ...login, expiresAt: this.#now() + USER_TICKET_TTL_SECONDS * 1000 });
    return ticket;
  }

  /** The login a user_ticket was issued for; 40029 when unknown, expired or another app's. */
  ticket(ticket: string, appId: string): OAuthLogin | 40029 {
    const login = this.#tickets.get(ticket);
    if (login === undefined || login.appId !== appId || this.#now() >= login.expiresAt) return 40029;
    return login;
  }
}
