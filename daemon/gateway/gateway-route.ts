/** What a gateway request asks for, read from its path (pure; no scope or existence checked yet). */
export type GatewayRoute =
  /** `ANY /v1/apps/{app}/corps/{corpId}/cgi-bin/{path…}` */
  | { readonly kind: 'corp_api'; readonly app: string; readonly corpId: string; readonly path: string }
  /** `ANY /v1/apps/{app}/cgi-bin/service/{path…}` (`path` starts with `service/`) */
  | { readonly kind: 'suite_api'; readonly app: string; readonly path: string }
  /** `GET /v1/apps/{app}/corps/{corpId}/token` */
  | { readonly kind: 'corp_token'; readonly app: string; readonly corpId: string }
  /** `GET /v1/apps/{app}/suite-token` */
  | { readonly kind: 'suite_token'; readonly app: string }
  /** `GET /v1/apps/{app}/corps/{corpId}/jsapi?url=U` */
  | { readonly kind: 'jsapi'; readonly app: string; readonly corpId: string };

/** A path that names no route, or a malformed one (`..`, an empty or undecodable segment). */
export interface RouteProblem {
  readonly problem: 'no_route' | 'bad_path';
  readonly message: string;
}

const SEGMENT = '([^/]+)';
const CORP_API = new RegExp(`^/v1/apps/${SEGMENT}/corps/${SEGMENT}/cgi-bin/(.+)$`);
const SUITE_API = new RegExp(`^/v1/apps/${SEGMENT}/cgi-bin/(service/.+)$`);
const CORP_TOKEN = new RegExp(`^/v1/apps/${SEGMENT}/corps/${SEGMENT}/token$`);
const SUITE_TOKEN = new RegExp(`^/v1/apps/${SEGMENT}/suite-token$`);
const JSAPI = new RegExp(`^/v1/apps/${SEGMENT}/corps/${SEGMENT}/jsapi$`);

function decode(segment: string): string | undefined {
  try {
    const value = decodeURIComponent(segment);
    return value === '' || /[/\s]/.test(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * Reads the route from a request path (without query). The API path after `/cgi-bin/` is kept as sent
 * (forwarded unchanged) but must be a plain relative path: no `.`/`..` or empty segment, no `%2F`.
 */
export function parseGatewayRoute(method: string, pathname: string): GatewayRoute | RouteProblem {
  let m: RegExpExecArray | null;
  const ids = (...segments: string[]): string[] | undefined => {
    const decoded = segments.map(decode);
    return decoded.every((d) => d !== undefined) ? decoded as string[] : undefined;
  };
  const apiPath = (path: string): string | undefined =>
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !/%2f|%5c|\\/i.test(s)) ? path : undefined;
  const bad = { problem: 'bad_path', message: 'the path has an empty, `.`/`..` or undecodable segment' } as const;
  if ((m = SUITE_API.exec(pathname))) {
    const [app] = ids(m[1]!) ?? [];
    const path = apiPath(m[2]!);
    return app === undefined || path === undefined ? bad : { kind: 'suite_api', app, path };
  }
  if ((m = CORP_API.exec(pathname))) {
    const [app, corpId] = ids(m[1]!, m[2]!) ?? [];
    const path = apiPath(m[3]!);
    return app === undefined || corpId === undefined || path === undefined ? bad : { kind: 'corp_api', app, corpId, path };
  }
  const get = method === 'GET' || method === 'HEAD';
  if ((m = CORP_TOKEN.exec(pathname)) && get) {
    const [app, corpId] = ids(m[1]!, m[2]!) ?? [];
    return app === undefined || corpId === undefined ? bad : { kind: 'corp_token', app, corpId };
  }
  if ((m = SUITE_TOKEN.exec(pathname)) && get) {
    const [app] = ids(m[1]!) ?? [];
    return app === undefined ? bad : { kind: 'suite_token', app };
  }
  if ((m = JSAPI.exec(pathname)) && get) {
    const [app, corpId] = ids(m[1]!, m[2]!) ?? [];
    return app === undefined || corpId === undefined ? bad : { kind: 'jsapi', app, corpId };
  }
  return { problem: 'no_route', message: `no gateway route ${method} ${pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname} (see docs/gateway.md)` };
}
