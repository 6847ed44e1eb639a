import { WecomApiError, WecomRelayError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import type { CorpCallOptions, SuiteApi } from '../../src/wecom-api/suite-api.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';

/**
 * The errcode {@link EnrichDeps.onApiCall} reports for a call that got no WeCom answer (network failure,
 * timeout, non-2xx or non-JSON body). WeCom's own codes are 0 or positive, plus -1 (系统繁忙), so -2 is free.
 */
export const NO_ANSWER_ERRCODE = -2;

/** The suite API methods enrichment calls (a {@link SuiteApi} satisfies it). */
export type EnrichApi = Pick<SuiteApi, 'getExternalContact' | 'getGroupChat' | 'getCorpTagList' | 'getUser' | 'userIdToOpenUserId' | 'getDepartment'>;

/**
 * What family enrichers ask of the open_userid cache; an `OpenUserIdCache` satisfies it. Declared here
 * rather than imported from `open-user-id-cache.ts`, because that cache makes its calls through
 * {@link corpCall}: importing it back would put the two files in an import circle.
 */
export interface OpenUserIdLookup {
  /** The cached open_userid, null when WeCom called the id invalid, undefined when unknown; never calls WeCom. */
  peek(corpId: string, userId: string): Promise<string | null | undefined>;
  /** The open_userid of `userId`, or null when WeCom calls it invalid; rejects when the conversion call fails. */
  lookup(corpId: string, userId: string): Promise<string | null>;
}

/** What every family enricher works with; built once by `createEnricher`. */
export interface EnrichDeps {
  readonly api: EnrichApi;
  /** Only `withCorpToken` is used: it refreshes on 40014/42001 and marks the corp gone on 40084/301007/2000002. */
  readonly tokens: Pick<TokenProvider, 'withCorpToken'>;
  /** Small persistent state (`getKv`/`putKv`/`deleteKv`): chat member versions, open_userids. */
  readonly store: Pick<Store, 'getKv' | 'putKv' | 'deleteKv'>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Metrics hook: one report per HTTP call made for enrichment, with its errcode (see {@link NO_ANSWER_ERRCODE}). */
  readonly onApiCall: ((api: string, errcode: number) => void) | undefined;
  readonly openUserIds: OpenUserIdLookup;
}

/** Thrown (and mapped to a retry) when the caller gave up on the enrichment. */
export function abortedError(api: string): WecomRelayError {
  return new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${api}: aborted (enrichment gave up)` });
}

/**
 * Runs one corp API call for enrichment: with the corp's token (refreshed once on 40014/42001 by the token
 * provider, which calls `fn` again), the per-corp rate-limit key, the caller's abort signal, and one metrics
 * report per attempt. Throws what the API throws; nothing here ever sees or logs the token beyond passing it.
 */
export async function corpCall<T>(
  deps: Pick<EnrichDeps, 'tokens' | 'onApiCall'>,
  corpId: string,
  api: string,
  signal: AbortSignal | undefined,
  fn: (token: string, options: CorpCallOptions) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortedError(api);
  return deps.tokens.withCorpToken(corpId, async (token) => {
    if (signal?.aborted) throw abortedError(api);
    try {
      const result = await fn(token, signal ? { corpId, signal } : { corpId });
      report(deps.onApiCall, api, 0);
      return result;
    } catch (error) {
      if (error instanceof WecomApiError) report(deps.onApiCall, api, error.errcode);
      else if (error instanceof WecomRelayError && error.code === 'ERR_WECOM_API_HTTP') report(deps.onApiCall, api, NO_ANSWER_ERRCODE);
      throw error;
    }
  });
}

/** A metrics hook must never break enrichment. */
function report(onApiCall: EnrichDeps['onApiCall'], api: string, errcode: number): void {
  try {
    onApiCall?.(api, errcode);
  } catch {
    // ignored on purpose
  }
}

/** Drops WeCom's `errcode`/`errmsg` from a success body, keeping the documented fields. */
export function withoutStatus<T extends object>(body: T): Omit<T, 'errcode' | 'errmsg'> {
  const { errcode: _errcode, errmsg: _errmsg, ...rest } = body as T & { errcode?: unknown; errmsg?: unknown };
  return rest;
}
