import { randomBytes } from 'node:crypto';
import { WecomApiError, WecomRelayError, hasCode, storeUnavailable } from '../errors.js';
import { expected } from '../expected.js';
import { normalize } from '../events/normalize.js';
import type { WecomEvent } from '../events/types.js';
import { createStderrLogger, type Logger } from '../logger.js';
import { namespaces } from '../store/namespaces.js';
import type { KvRecord, Store } from '../store/store.js';
import { classifyErrcode } from '../wecom-api/errcode.js';
import { buildXml } from '../xml/build-xml.js';
import { resolveInstallOptions, type InstallOptions, type InstallSuiteApi, type ResolvedInstallOptions } from './install-options.js';
import { noopReceiverMetrics, type ReceiverMetrics } from './receiver-metrics.js';
import { notifyEvent } from './notify-event.js';
import { toNewCallback } from './to-new-callback.js';

/** Store namespace of the one-use install `state`s (key: the state; value: {@link InstallStateRecord}). */
export const INSTALL_STATE_NAMESPACE = namespaces.installState;

/** What is kept per issued `state`: never the pre-auth code. */
export interface InstallStateRecord {
  readonly suiteId: string;
  /** Epoch ms. */
  readonly issuedAt: number;
}

/**
 * Options of {@link createInstallHandler}: the install routes' options plus what the process shares with
 * it — the store, and the suite's credentials and WeCom calls (one `TokenProvider` and one WeCom client per
 * process: the core builds neither).
 */
export interface InstallHandlerOptions extends Omit<InstallOptions, 'getSuiteAccessToken' | 'invalidateSuiteAccessToken' | 'suiteSecret' | 'suiteApi' | 'wecomApiBaseUrl'> {
  /** The suite being installed. */
  readonly suiteId: string;
  /** The store (or a function opening it) holding states and the stored authorizations. */
  readonly store: Store | (() => Promise<Store>);
  /** A current suite_access_token, e.g. `() => tokenProvider.getSuiteToken()`. */
  readonly suiteToken: () => Promise<string>;
  /**
   * Forgets a suite_access_token WeCom rejected (40082/42009), e.g. `tokenProvider.invalidateSuiteToken`;
   * the call is then retried once with a fresh token. Absent: the rejection is final.
   */
  readonly invalidateSuiteToken?: (failingToken: string) => Promise<unknown>;
  /** `service/get_pre_auth_code` and `service/set_session_info` (a {@link SuiteApi} fits). */
  readonly api: InstallSuiteApi;
  /** @default warnings and errors to stderr */
  readonly logger?: Logger;
  /** @default none */
  readonly metrics?: ReceiverMetrics;
  /** Called in-process after an install's authorization is durably stored. Errors are logged. */
  readonly onEvent?: (event: WecomEvent) => void | Promise<void>;
  /** Clock, in epoch ms. Injected by tests. @default Date.now */
  readonly now?: () => number;
}

/** Which of the two install routes a request is for. */
export type InstallRoute = 'install' | 'callback';

/** A request to an install route, independent of any HTTP framework. */
export interface InstallRequest {
  readonly method: string;
  readonly route: InstallRoute;
  /** The raw query string, without `?`. */
  readonly query: string;
}

/** What to answer: a 302, or a short HTML page. */
export interface InstallResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The rejection, when there was one. */
  readonly error?: WecomRelayError;
  /** The stored authorization's event id, for completed installs. */
  readonly eventId?: string;
}

/** The framework-agnostic install flow: plain request in, plain result out. */
export interface InstallHandler {
  readonly installPath: string;
  readonly callbackPath: string;
  /** The route served at `path` (relative to the mount point), or null. */
  routeOf(path: string): InstallRoute | null;
  handle(request: InstallRequest): Promise<InstallResult>;
  /** Releases what the adapter built for it (its WeCom client); the store is the caller's. */
  close(): Promise<void>;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
} as const;
/** States are 24 base64url characters; anything else was never issued here. */
const STATE_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_AUTH_CODE_LENGTH = 512;

/**
 * Creates the website install flow (validates at once; `TypeError` on mistakes):
 *
 * - `GET installPath`: a pre-auth code (`service/get_pre_auth_code`; with `testInstall`, then
 *   `service/set_session_info` auth_type 1), a random one-use `state` stored for `stateTtlSeconds`, and a 302
 *   to WeCom's install page with `suite_id`, `pre_auth_code`, `redirect_uri` and `state`.
 * - `GET callbackPath`: takes the `state` atomically (unknown, expired or used → 400), then stores the
 *   `auth_code` exactly like a pushed `create_auth` (endpoint `install`), so the daemon's one path exchanges
 *   it within its 10-minute life and forwards `auth.created`; then a 302 to `successUrl`.
 *
 * Errors are short HTML pages that say what to do, with the error code. The auth_code and pre_auth_code are
 * never logged or shown.
 */
export function createInstallHandler(options: InstallHandlerOptions): InstallHandler {
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  if (typeof options.suiteId !== 'string' || options.suiteId === '') throw expected('suiteId', 'a non-empty string', options.suiteId);
  const store = options.store;
  if (typeof store !== 'function' && (store === null || typeof store !== 'object' || typeof store.takeKv !== 'function')) {
    throw expected('store', 'a Store or a function resolving one', store);
  }
  if (typeof options.suiteToken !== 'function') throw expected('suiteToken', 'a function', options.suiteToken);
  const { api, suiteToken, invalidateSuiteToken } = options;
  if (api === null || typeof api !== 'object' || typeof api.getPreAuthCode !== 'function' || typeof api.setSessionInfo !== 'function') {
    throw expected('api', 'an object with getPreAuthCode and setSessionInfo', api);
  }
  if (invalidateSuiteToken !== undefined && typeof invalidateSuiteToken !== 'function') throw expected('invalidateSuiteToken', 'a function', invalidateSuiteToken);
  const resolved = resolveInstallOptions({ ...routeOptions(options), getSuiteAccessToken: suiteToken }, [options.suiteId]);
  const getStore = typeof store === 'function' ? store : () => Promise.resolve(store);
  const logger = options.logger ?? createStderrLogger();
  const metrics = options.metrics ?? noopReceiverMetrics;
  const now = options.now ?? Date.now;
  // Retries once on a rejected suite token, like TokenProvider.withSuiteToken, when the caller can invalidate.
  const withSuiteToken = async <T>(fn: (token: string) => Promise<T>): Promise<T> => {
    const token = await suiteToken();
    try {
      return await fn(token);
    } catch (error) {
      if (!invalidateSuiteToken || !(error instanceof WecomApiError) || classifyErrcode(error.errcode) !== 'suite_token_invalid') throw error;
      logger.warn({ suiteId: resolved.suiteId, errcode: error.errcode, path: error.path }, 'suite_access_token rejected; refreshing once');
      await invalidateSuiteToken(token);
      return fn(await suiteToken());
    }
  };

  async function openStore(): Promise<Store> {
    try {
      return await getStore();
    } catch (cause) {
      throw storeUnavailable(cause);
    }
  }

  async function start(): Promise<InstallResult> {
    const store = await openStore();
    const state = randomBytes(18).toString('base64url');
    const record: InstallStateRecord = { suiteId: resolved.suiteId, issuedAt: now() };
    try {
      await store.putKv(INSTALL_STATE_NAMESPACE, state, record, { ttlMs: resolved.stateTtlMs, now: record.issuedAt });
    } catch (cause) {
      throw storeUnavailable(cause);
    }
    let preAuthCode: string;
    try {
      preAuthCode = await withSuiteToken(async (token) => {
        const answer = await api.getPreAuthCode(token);
        if (typeof answer.pre_auth_code !== 'string' || answer.pre_auth_code === '') {
          throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: 'service/get_pre_auth_code: answer lacks pre_auth_code' });
        }
        // auth_type 1 (test install) is for suites not yet released (90602); released ones install formally.
        if (resolved.testInstall) await api.setSessionInfo(token, answer.pre_auth_code, { auth_type: 1 });
        return answer.pre_auth_code;
      });
    } catch (cause) {
      await store.deleteKv(INSTALL_STATE_NAMESPACE, state).catch(() => false);
      if (hasCode(cause, 'ERR_STORE_UNAVAILABLE')) throw cause;
      logger.warn({
        suiteId: resolved.suiteId,
        code: cause instanceof WecomRelayError ? cause.code : undefined,
        errcode: cause instanceof WecomApiError ? cause.errcode : undefined,
        path: cause instanceof WecomApiError ? cause.path : undefined,
      }, 'WeCom did not issue a pre-auth code; the install cannot start');
      throw new WecomRelayError('ERR_INSTALL_UPSTREAM', { cause });
    }
    const target = new URL(resolved.installPageUrl);
    target.searchParams.set('suite_id', resolved.suiteId);
    target.searchParams.set('pre_auth_code', preAuthCode);
    target.searchParams.set('redirect_uri', resolved.redirectUri);
    target.searchParams.set('state', state);
    logger.info({ suiteId: resolved.suiteId, testInstall: resolved.testInstall }, 'website install started; redirecting to the WeCom install page');
    return redirect(target.toString());
  }

  async function finish(params: URLSearchParams): Promise<InstallResult> {
    const authCode = params.get('auth_code');
    // Checked before the state is taken: a redirect without a code (a cancelled or tampered one) must not
    // use up the state of the admin's real redirect.
    if (!authCode) throw new WecomRelayError('ERR_INSTALL_AUTH_CODE_MISSING');
    if (authCode.length > MAX_AUTH_CODE_LENGTH) {
      throw new WecomRelayError('ERR_INSTALL_AUTH_CODE_MISSING', { message: 'the install redirect carries no usable auth_code' });
    }
    const state = params.get('state') ?? '';
    if (!STATE_SHAPE.test(state)) throw new WecomRelayError('ERR_INSTALL_STATE_INVALID');
    const store = await openStore();
    let taken: KvRecord<InstallStateRecord> | undefined;
    try {
      // Atomic take: of two concurrent uses of one redirect URL only one gets the state.
      taken = await store.takeKv(INSTALL_STATE_NAMESPACE, state, now());
    } catch (cause) {
      throw storeUnavailable(cause);
    }
    if (!taken || taken.value.suiteId !== resolved.suiteId) throw new WecomRelayError('ERR_INSTALL_STATE_INVALID');
    const receivedAt = now();
    // The same fields a pushed create_auth carries, so the daemon's one path handles both.
    const fields = { SuiteId: resolved.suiteId, InfoType: 'create_auth', TimeStamp: String(Math.floor(receivedAt / 1000)), AuthCode: authCode, State: state };
    const callback = toNewCallback({ endpoint: 'install', suiteId: resolved.suiteId, receiveId: resolved.suiteId, receivedAt, plaintext: buildXml(fields), fields });
    const id = callback.id;
    try {
      await store.putCallback(callback);
    } catch (cause) {
      // Give the state back for the rest of its life: reloading the page once the store is back completes it.
      const ttlMs = (taken.expiresAt ?? receivedAt + resolved.stateTtlMs) - receivedAt;
      if (ttlMs > 0) await store.putKv(INSTALL_STATE_NAMESPACE, state, taken.value, { ttlMs, now: receivedAt }).catch(() => false);
      logger.error({ eventId: id, err: cause }, 'store did not take the install authorization');
      throw storeUnavailable(cause);
    }
    metrics.stored('install');
    logger.info({ suiteId: resolved.suiteId, eventId: id }, 'website install completed; authorization stored for the daemon to exchange');
    // Normalized here only for the in-process hook; the stored callback is normalized by the daemon.
    if (options.onEvent) notifyEvent(options.onEvent, normalize(callback), logger);
    return { ...redirect(resolved.successUrl), eventId: id };
  }

  return {
    installPath: resolved.installPath,
    callbackPath: resolved.callbackPath,
    routeOf: (path) => (path === resolved.installPath ? 'install' : path === resolved.callbackPath ? 'callback' : null),
    async handle(request) {
      metrics.received('install', request.method);
      try {
        if (request.method !== 'GET') {
          throw new WecomRelayError('ERR_WECOM_METHOD_NOT_ALLOWED', { message: 'the install routes answer GET only' });
        }
        return request.route === 'install' ? await start() : await finish(new URLSearchParams(request.query));
      } catch (error) {
        const known = error instanceof WecomRelayError ? error : new WecomRelayError('ERR_INTERNAL', { cause: error });
        if (!(error instanceof WecomRelayError)) logger.error({ route: request.route, err: error }, 'unexpected error in the install flow');
        else if (known.status < 500) logger.warn({ route: request.route, code: known.code }, 'install request rejected');
        metrics.rejected('install', known.code);
        return errorPage(known, request.route, resolved);
      }
    },
    async close() {},
  };
}

/** The route options of {@link InstallHandlerOptions}, without what the core is given instead of building. */
function routeOptions(options: InstallHandlerOptions): InstallOptions {
  const { store: _store, suiteToken: _token, invalidateSuiteToken: _invalidate, api: _api, logger: _logger, metrics: _metrics, onEvent: _onEvent, now: _now, ...rest } = options;
  return rest;
}

function redirect(location: string): InstallResult {
  return { status: 302, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }, body: '' };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What each failure tells the admin to do (Chinese first: the admins are WeCom users). */
function advice(error: WecomRelayError, route: InstallRoute): { title: string; lines: string[]; restart: boolean } {
  switch (error.code) {
    case 'ERR_INSTALL_STATE_INVALID':
      return { title: '安装链接已失效 / This install link has expired', restart: true, lines: [
        '这个安装链接未知、已过期或已被使用过（每个链接只能完成一次安装）。',
        'The install link is unknown, expired or already used (each link completes one install only).',
      ] };
    case 'ERR_INSTALL_AUTH_CODE_MISSING':
      return { title: '安装未完成 / The installation was not completed', restart: true, lines: [
        '企业微信没有返回授权码，安装可能已被取消。',
        'WeCom sent no authorization code back: the installation was probably cancelled.',
      ] };
    case 'ERR_INSTALL_UPSTREAM':
      return { title: '暂时无法开始安装 / The installation cannot start yet', restart: true, lines: [
        '企业微信没有发放预授权码。如果服务刚刚部署，请等待企业微信推送 suite_ticket（每 10 分钟一次；也可在服务商后台点击“刷新Ticket”），然后重试。',
        'WeCom did not issue a pre-auth code. If the relay was deployed in the last few minutes, wait for WeCom\'s suite_ticket push (every 10 minutes; "刷新Ticket" in the provider console pushes one now), then try again. Otherwise check the relay\'s logs.',
      ] };
    case 'ERR_STORE_UNAVAILABLE':
      return { title: '服务暂时不可用 / Temporarily unavailable', restart: route === 'install', lines: route === 'callback'
        ? ['暂时无法保存授权，请一分钟后刷新本页面。', 'The authorization cannot be saved right now: reload this page in a minute.']
        : ['请一分钟后重试。', 'Please try again in a minute.'] };
    default:
      return { title: '安装出错 / Installation error', restart: true, lines: [error.message] };
  }
}

function errorPage(error: WecomRelayError, route: InstallRoute, resolved: ResolvedInstallOptions): InstallResult {
  const { title, lines, restart } = advice(error, route);
  const url = escapeHtml(resolved.installUrl);
  const again = restart
    ? `<p>请从 <a href="${url}">${url}</a> 重新开始安装。<br>Start the installation again from <a href="${url}">${url}</a>.</p>`
    : '';
  const body = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em"><h1 style="font-size:1.3em">${escapeHtml(title)}</h1>` +
    `${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}${again}` +
    `<p style="color:#888;font-size:.85em">${error.code}</p></body></html>\n`;
  const headers: Record<string, string> = { ...PAGE_HEADERS };
  if (error.code === 'ERR_WECOM_METHOD_NOT_ALLOWED') headers.allow = 'GET';
  return { status: error.status, headers, body, error };
}
