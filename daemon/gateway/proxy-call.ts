import type { ForwardRequest, ForwardResponse } from '../../src/wecom-api/forward-call.js';

/** Errcodes after which a corp token is invalidated and the call retried once (SPEC §11). */
export const CORP_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001, 42007]);
/** The same for the suite token. */
export const SUITE_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40082, 42009]);

/** What {@link proxyCall} needs: where to get a token, how to drop a failing one, and the token's query name. */
export interface ProxyCallOptions {
  readonly forward: (request: ForwardRequest) => Promise<ForwardResponse>;
  /** A current token (single flight across processes, through the token provider). */
  readonly token: () => Promise<string>;
  /** Forgets the token only while it is still this value (a late failure never drops a newer one). */
  readonly invalidate: (failing: string) => Promise<unknown>;
  /** `access_token` or `suite_access_token`. */
  readonly param: 'access_token' | 'suite_access_token';
  /** The errcodes that mean "this token is no good". */
  readonly retryOn: ReadonlySet<number>;
  /** The call, without the token in its query. */
  readonly request: ForwardRequest;
}

/** The call's answer and how many times WeCom was called (1, or 2 after a token refresh). */
export interface ProxyCallResult {
  readonly response: ForwardResponse;
  readonly attempts: 1 | 2;
}

/**
 * Sends a caller's call with the relay's token added to its query; when WeCom answers that the token is
 * invalid or expired, invalidates that value through the provider and sends the same bytes once more with
 * the token now current. A second such answer goes back to the caller as it came (no refresh storms).
 */
export async function proxyCall(options: ProxyCallOptions): Promise<ProxyCallResult> {
  const send = async (token: string) => {
    const { query } = options.request;
    const withToken = `${query}${query === '' ? '' : '&'}${options.param}=${encodeURIComponent(token)}`;
    return options.forward({ ...options.request, query: withToken });
  };
  const token = await options.token();
  const first = await send(token);
  if (first.errcode === undefined || !options.retryOn.has(first.errcode)) return { response: first, attempts: 1 };
  await options.invalidate(token);
  return { response: await send(await options.token()), attempts: 2 };
}
