import type { MockReply } from './mock-reply.js';
import type { CorpState, MockState } from './mock-state.js';

/** What a route handler gets. */
export interface RouteContext {
  readonly state: MockState;
  readonly query: URLSearchParams;
  /** The parsed JSON body; `{}` for GET, an empty or a malformed body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Withhold what third-party apps may not read (see `MockWecomApiOptions.thirdPartyFieldLimits`). */
  readonly fieldLimits: boolean;
  readonly followUserPageSize: number;
  /** The body's bytes (every request; a multipart upload's only form). */
  readonly raw: Buffer;
  /** The request's content-type, when sent. */
  readonly contentType: string | undefined;
  /** A handler may name the corp the call acted for, for the call log. */
  corpId: string | undefined;
}

/**
 * One `/cgi-bin/` API. `auth` says which token the core checks first: `suite` → `suite_access_token`
 * (41022 missing, 40082 unknown, 42009 expired), `corp` → `access_token` (41001, 40014, 42001).
 */
export type MockRoute =
  | { readonly auth: 'none' | 'suite'; handle(ctx: RouteContext): MockReply }
  | { readonly auth: 'corp'; handle(ctx: RouteContext, corp: CorpState): MockReply };

/** Routes keyed by their path under `/cgi-bin/`. */
export type MockRoutes = Readonly<Record<string, MockRoute>>;

/** A non-empty string field of the body, else undefined (numbers are not coerced: ids are strings). */
export function stringField(body: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A non-empty query parameter, else undefined. */
export function queryParam(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key);
  return value === null || value.length === 0 ? undefined : value;
}

/** A string-array field of the body: undefined when absent, null when present but not an array of strings. */
export function stringListField(body: Readonly<Record<string, unknown>>, key: string): readonly string[] | undefined | null {
  const value = body[key];
  if (value === undefined) return undefined;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value as string[] : null;
}

/** The app whose suite token the call carries (the route core already checked the token); the default suite otherwise. */
export function suiteApp(ctx: RouteContext): string {
  const token = ctx.query.get('suite_access_token');
  return (token === null ? undefined : ctx.state.appOfSuiteToken(token)) ?? ctx.state.options.suiteId;
}
