import { expected as expectedValue } from '../expected.js';
import type { SuiteApi } from '../wecom-api/suite-api.js';

/**
 * Options of the website install flow ({@link createInstallHandler}, and `install` of {@link wecomCallback}).
 *
 * WeCom pushes `create_auth` only for installs started in its app market. An install started on the
 * provider's own site ends with a browser redirect to `redirect_uri?auth_code=…&state=…` on the suite's
 * 安装完成回调域名 instead, and no push (授权通知事件 doc; `reference/wecom-protocol.md` §2.5).
 */
export interface InstallOptions {
  /**
   * The public origin (and optional path prefix) the browser reaches the relay at, e.g.
   * `https://zjemail.cn`. Its host must be the suite's 安装完成回调域名: WeCom only redirects there.
   */
  readonly publicBaseUrl: string;
  /**
   * Path of the route that starts an install (link to it from the provider's site).
   * @default '/wecom/install'
   */
  readonly installPath?: string;
  /**
   * Path WeCom redirects back to with the `auth_code` (sent as `redirect_uri`, on `publicBaseUrl`).
   * @default '/wecom/install/callback'
   */
  readonly callbackPath?: string;
  /**
   * Where the admin lands after a completed install.
   * @default `publicBaseUrl` + '/' (the app's home page)
   */
  readonly successUrl?: string;
  /**
   * How long a `state` issued by the install route stays usable. WeCom's pre_auth_code lives 20 min and
   * an admin usually finishes in under a minute.
   * @default 600
   */
  readonly stateTtlSeconds?: number;
  /**
   * Calls `service/set_session_info` with `auth_type: 1` (a test install) for each pre-auth code: needed
   * while the suite is not yet released (未上线), refused by WeCom once it is.
   * @default false
   */
  readonly testInstall?: boolean;
  /**
   * WeCom's install page. Tests and the demo point it at the mock API's stand-in (`<mock>/3rdapp/install`).
   * @default 'https://open.work.weixin.qq.com/3rdapp/install'
   */
  readonly installPageUrl?: string;
  /**
   * The suite being installed, when the receiver serves several.
   * @default the receiver's first `suiteId`
   */
  readonly suiteId?: string;
  /**
   * Supplies a suite_access_token (e.g. the daemon's `TokenProvider.getSuiteToken`). Give this or
   * `suiteSecret`.
   */
  readonly getSuiteAccessToken?: () => Promise<string>;
  /**
   * With `getSuiteAccessToken`: forgets a token WeCom rejected (40082/42009), so the next call refreshes it
   * (e.g. `TokenProvider.invalidateSuiteToken`). The flow then retries once.
   */
  readonly invalidateSuiteAccessToken?: (failingToken: string) => Promise<unknown>;
  /**
   * The two WeCom calls the flow makes (`service/get_pre_auth_code`, `service/set_session_info`), e.g. the
   * daemon's own {@link SuiteApi}, so one process keeps one WeCom client.
   * @default a client on `wecomApiBaseUrl`, built by the adapter
   */
  readonly suiteApi?: InstallSuiteApi;
  /**
   * The suite Secret: the install routes then keep their own suite_access_token, from the suite_ticket the
   * daemon saved in the same store (shared with the daemon through the store). Give this or
   * `getSuiteAccessToken`.
   */
  readonly suiteSecret?: string;
  /**
   * The WeCom API origin for `service/get_pre_auth_code` and `service/set_session_info`.
   * @default 'https://qyapi.weixin.qq.com'
   */
  readonly wecomApiBaseUrl?: string;
}

/** The WeCom calls of the install flow: a subset of {@link SuiteApi}. */
export type InstallSuiteApi = Pick<SuiteApi, 'getPreAuthCode' | 'setSessionInfo'>;

/** {@link InstallOptions} after validation, with every default applied. */
export interface ResolvedInstallOptions {
  readonly suiteId: string;
  /** Without a trailing slash. */
  readonly publicBaseUrl: string;
  readonly installPath: string;
  readonly callbackPath: string;
  /** `publicBaseUrl` + `callbackPath`: the `redirect_uri` sent to WeCom. */
  readonly redirectUri: string;
  /** `publicBaseUrl` + `installPath`: where error pages send the admin to start again. */
  readonly installUrl: string;
  readonly successUrl: string;
  readonly stateTtlMs: number;
  readonly testInstall: boolean;
  readonly installPageUrl: string;
  readonly wecomApiBaseUrl: string;
  readonly suiteApi: InstallSuiteApi | null;
  readonly credentials:
    | { readonly kind: 'function'; readonly getSuiteAccessToken: () => Promise<string>; readonly invalidate: ((failingToken: string) => Promise<unknown>) | null }
    | { readonly kind: 'secret'; readonly suiteSecret: string };
}

/** The defaults, in one place. */
export const INSTALL_DEFAULTS = Object.freeze({
  installPath: '/wecom/install',
  callbackPath: '/wecom/install/callback',
  stateTtlSeconds: 600,
  testInstall: false,
  installPageUrl: 'https://open.work.weixin.qq.com/3rdapp/install',
  wecomApiBaseUrl: 'https://qyapi.weixin.qq.com',
});

function expected(name: string, what: string, got: unknown): TypeError {
  return expectedValue(`install.${name}`, what, got);
}

function httpUrl(name: string, value: unknown, allowQuery: boolean): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hash !== '' || (!allowQuery && url.search !== '')) {
    throw expected(name, `an absolute http(s) URL${allowQuery ? '' : ' without query or fragment'}`, value);
  }
  return url;
}

function routePath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
    throw expected(name, 'an absolute path starting with `/`', value);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/**
 * Validates install options once, at construction, and applies defaults. `suiteIds` are the receiver's:
 * `install.suiteId` must be one of them. Throws `TypeError` in the shape ``Expected `install.x` to be …,
 * got …`` — never echoing the suite secret.
 */
export function resolveInstallOptions(options: InstallOptions, suiteIds: readonly string[]): ResolvedInstallOptions {
  if (options === null || typeof options !== 'object') {
    throw expectedValue('install', 'an object', options);
  }
  const suiteId = options.suiteId ?? suiteIds[0];
  if (typeof suiteId !== 'string' || !suiteIds.includes(suiteId)) {
    throw expected('suiteId', `one of the receiver's suite ids (${suiteIds.join(', ')})`, options.suiteId);
  }
  const base = httpUrl('publicBaseUrl', options.publicBaseUrl, false);
  const publicBaseUrl = base.toString().replace(/\/+$/, '');
  const installPath = routePath('installPath', options.installPath ?? INSTALL_DEFAULTS.installPath);
  const callbackPath = routePath('callbackPath', options.callbackPath ?? INSTALL_DEFAULTS.callbackPath);
  if (installPath === callbackPath) throw expected('callbackPath', 'different from `install.installPath`', callbackPath);
  const successUrl = options.successUrl === undefined ? `${publicBaseUrl}/` : httpUrl('successUrl', options.successUrl, true).toString();
  const ttl = options.stateTtlSeconds ?? INSTALL_DEFAULTS.stateTtlSeconds;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 10 || ttl > 3600) {
    throw expected('stateTtlSeconds', 'an integer from 10 to 3600', ttl);
  }
  const testInstall = options.testInstall ?? INSTALL_DEFAULTS.testInstall;
  if (typeof testInstall !== 'boolean') throw expected('testInstall', 'a boolean', testInstall);
  const installPageUrl = httpUrl('installPageUrl', options.installPageUrl ?? INSTALL_DEFAULTS.installPageUrl, false).toString();
  const apiBase = options.wecomApiBaseUrl ?? INSTALL_DEFAULTS.wecomApiBaseUrl;
  httpUrl('wecomApiBaseUrl', apiBase, false);
  const hasFunction = options.getSuiteAccessToken !== undefined;
  const hasSecret = options.suiteSecret !== undefined;
  if (hasFunction === hasSecret) {
    throw new TypeError(`Expected exactly one of \`install.getSuiteAccessToken\` and \`install.suiteSecret\`, got ${hasFunction ? 'both' : 'neither'}`);
  }
  if (hasFunction && typeof options.getSuiteAccessToken !== 'function') {
    throw expected('getSuiteAccessToken', 'a function', options.getSuiteAccessToken);
  }
  if (options.invalidateSuiteAccessToken !== undefined && typeof options.invalidateSuiteAccessToken !== 'function') {
    throw expected('invalidateSuiteAccessToken', 'a function', options.invalidateSuiteAccessToken);
  }
  const suiteApi = options.suiteApi ?? null;
  if (suiteApi !== null && (typeof suiteApi !== 'object' || typeof suiteApi.getPreAuthCode !== 'function' || typeof suiteApi.setSessionInfo !== 'function')) {
    throw expected('suiteApi', 'an object with getPreAuthCode and setSessionInfo', suiteApi);
  }
  if (hasSecret && (typeof options.suiteSecret !== 'string' || options.suiteSecret === '')) {
    const got = typeof options.suiteSecret === 'string' ? 'an empty string' : typeof options.suiteSecret;
    throw new TypeError(`Expected \`install.suiteSecret\` to be a non-empty string, got ${got}`);
  }
  return {
    suiteId,
    publicBaseUrl,
    installPath,
    callbackPath,
    redirectUri: `${publicBaseUrl}${callbackPath}`,
    installUrl: `${publicBaseUrl}${installPath}`,
    successUrl,
    stateTtlMs: ttl * 1000,
    testInstall,
    installPageUrl,
    wecomApiBaseUrl: apiBase,
    suiteApi,
    credentials: options.getSuiteAccessToken
      ? { kind: 'function', getSuiteAccessToken: options.getSuiteAccessToken, invalidate: options.invalidateSuiteAccessToken ?? null }
      : { kind: 'secret', suiteSecret: options.suiteSecret as string },
  };
}
