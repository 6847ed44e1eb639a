import type { AppKind } from '../apps/app.js';
import { expected } from '../expected.js';
import type { Logger } from '../logger.js';
import { WecomApiClient, type WecomResponse } from './client.js';
import type { CredentialStore } from './credential-records.js';
import { SuiteApi } from './suite-api.js';
import { TokenProvider } from './token-provider.js';

/** Options of {@link createCorpClient}. */
export interface CorpClientOptions {
  /** The relay's store (a `Store` object: nothing here opens a URL or loads a store driver). */
  readonly store: CredentialStore;
  /**
   * The app whose credentials to use: `{ id, secret, kind? }` as in the relay's config (SuiteID and suite
   * secret; kind defaults to `suite`). Not needed when `tokens` is given.
   */
  readonly app?: { readonly id: string; readonly secret: string; readonly kind?: AppKind };
  /** The authorized corp every call acts for. */
  readonly corpId: string;
  /** An existing token provider of the app (share the one your process already has: one cache, one refresher). */
  readonly tokens?: TokenProvider;
  /** The WeCom client to call through (its per-corp queues pace the calls); built from `baseUrl` when absent. */
  readonly api?: WecomApiClient;
  /** @default 'https://qyapi.weixin.qq.com' */
  readonly baseUrl?: string;
  readonly logger?: Logger;
}

/** One corp's WeCom server API, called with the relay's single-flight corp token. */
export interface CorpClient {
  readonly appId: string;
  readonly corpId: string;
  /** `GET /cgi-bin/<path>?<query>&access_token=…`; the parsed body when errcode is 0. */
  get<T = Record<string, unknown>>(path: string, query?: Readonly<Record<string, string | number | undefined>>): Promise<WecomResponse<T>>;
  /** `POST /cgi-bin/<path>` with a JSON body. Never retried in place (a write); a token error is refreshed once. */
  post<T = Record<string, unknown>>(path: string, body: unknown, query?: Readonly<Record<string, string | number | undefined>>): Promise<WecomResponse<T>>;
}

/**
 * The gateway's proxy as a function, for Node consumers in the relay's own process or sharing its store
 * (SPEC §11): calls go out with the corp's access_token from the same {@link TokenProvider} the relay uses
 * (cached in the store, one refresh across processes; 40014/42001 → invalidated by value and retried once).
 *
 * Errors are the catalogue's: `WecomApiError` (a non-zero errcode, with `errcode`, `errmsg`, `path`),
 * `WecomRelayError` `ERR_WECOM_CORP_NOT_AUTHORIZED` (never installed, revoked or gone),
 * `ERR_WECOM_NO_SUITE_TICKET` (no ticket yet), `ERR_WECOM_API_HTTP` (WeCom unreachable). Bad options throw
 * `TypeError`.
 *
 * @example
 * const corp = createCorpClient({ store, app: { id: suiteId, secret }, corpId });
 * await corp.post('externalcontact/send_welcome_msg', { welcome_code, text: { content: '你好' } });
 */
export function createCorpClient(options: CorpClientOptions): CorpClient {
  if (typeof options !== 'object' || options === null) throw expected('options', 'an object', options);
  if (typeof options.corpId !== 'string' || options.corpId === '') throw expected('corpId', 'a non-empty string', options.corpId);
  if (typeof options.store?.getKv !== 'function') throw expected('store', 'a Store', options.store);
  const api = options.api ?? new WecomApiClient({ ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  let tokens = options.tokens;
  if (!tokens) {
    if (typeof options.app?.id !== 'string' || typeof options.app.secret !== 'string') throw expected('app', 'an object with id and secret (or pass tokens)', options.app);
    tokens = new TokenProvider({
      store: options.store, api: new SuiteApi(api), suiteId: options.app.id, suiteSecret: options.app.secret,
      ...(options.app.kind ? { kind: options.app.kind } : {}), ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  const provider = tokens;
  const { corpId } = options;
  const checkQuery = (query: Readonly<Record<string, unknown>> | undefined) => {
    if (query && ('access_token' in query || 'suite_access_token' in query)) throw new TypeError('Expected `query` without access_token (the client adds the corp\'s), got one');
  };
  return {
    appId: provider.appId,
    corpId,
    get(path, query) {
      checkQuery(query);
      return provider.withCorpToken(corpId, (token) => api.call('GET', path, { query: { ...query, access_token: token }, idempotent: true, rateKey: corpId }));
    },
    post(path, body, query) {
      checkQuery(query);
      return provider.withCorpToken(corpId, (token) => api.call('POST', path, { query: { ...query, access_token: token }, json: body, rateKey: corpId }));
    },
  };
}
