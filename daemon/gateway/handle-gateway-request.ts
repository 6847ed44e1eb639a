import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../../src/apps/app.js';
import type { WecomApiClient } from '../../src/wecom-api/client.js';
import type { CorpAuthorization } from '../../src/wecom-api/credential-records.js';
import type { StoredToken } from '../../src/wecom-api/credential-records.js';
import { classifyErrcode } from '../../src/wecom-api/errcode.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';
import type { TokenProviders } from '../../src/wecom-api/token-providers.js';
import { gatewayError, toGatewayError } from './gateway-error.js';
import { keyAllowsApp, keyAllowsCorp, keyAllowsPath, type GatewayKey, type GatewayKeys } from './gateway-keys.js';
import { parseGatewayRoute, type GatewayRoute } from './gateway-route.js';
import { jsapiSignature, signedPageUrl } from './jsapi-signature.js';
import type { JsapiTickets } from './jsapi-tickets.js';
import { CORP_TOKEN_ERRCODES, proxyCall, SUITE_TOKEN_ERRCODES } from './proxy-call.js';
import { readRequestBody } from './read-request-body.js';

/** What the gateway's handler works with; built once by `startGateway`. */
export interface GatewayDeps {
  readonly keys: GatewayKeys;
  readonly apps: readonly AppConfig[];
  readonly providers: Pick<TokenProviders, 'get'>;
  readonly api: Pick<WecomApiClient, 'forward'>;
  readonly tickets: JsapiTickets;
  readonly now: () => number;
  /** @default 16 random base62-ish characters */
  readonly nonce?: () => string;
}

/** The facts of one call for its audit line and metrics (never a token, a key or a body). */
export interface GatewayCallFacts {
  key: string | undefined;
  app: string | undefined;
  corp: string | undefined;
  /** The API path after `/cgi-bin/`, or the route (`token`, `suite-token`, `jsapi`). */
  path: string | undefined;
  /** WeCom's errcode of a proxied call (0 = ok), when it answered JSON. */
  errcode: number | undefined;
  /** The gateway's own error code, when it answered instead of WeCom. */
  code: string | undefined;
  /** How many times WeCom was called for a proxied call (2 after a token refresh). */
  attempts: number | undefined;
}

/** The answer of a gateway error: JSON `{code, message}` with the catalogue status. */
export function sendGatewayError(res: ServerResponse, error: unknown, facts: GatewayCallFacts): void {
  const mapped = toGatewayError(error);
  facts.code = mapped.code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ code: mapped.code, message: mapped.message });
  const close = mapped.code === 'ERR_GATEWAY_BODY_TOO_LARGE' ? { connection: 'close' } : {};
  res.writeHead(mapped.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...close }).end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' }).end(text);
}

function defaultNonce(): string {
  return randomBytes(12).toString('base64url').slice(0, 16);
}

/**
 * Answers one gateway request (SPEC §11): the key first (401), then the route (404), its scope (403), the
 * app and corp (404 / 409), then the route's work. Fills `facts` as it learns them; never throws.
 */
export async function handleGatewayRequest(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, facts: GatewayCallFacts): Promise<void> {
  try {
    const key = deps.keys.authenticate(req.headers.authorization);
    if (!key) throw gatewayError('ERR_GATEWAY_UNAUTHORIZED');
    facts.key = key.name;
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const method = req.method ?? 'GET';
    const route = parseGatewayRoute(method, url.pathname);
    if ('problem' in route) throw gatewayError(route.problem === 'no_route' ? 'ERR_GATEWAY_NO_ROUTE' : 'ERR_GATEWAY_BAD_REQUEST', route.message);
    const { app, tokens } = resolveApp(deps, key, route);
    facts.app = app.name;
    facts.path = route.kind === 'corp_api' || route.kind === 'suite_api' ? route.path : route.kind === 'suite_token' ? 'suite-token' : route.kind === 'corp_token' ? 'token' : 'jsapi';
    if ('corpId' in route) {
      facts.corp = route.corpId;
      if (!keyAllowsCorp(key, route.corpId)) throw gatewayError('ERR_GATEWAY_FORBIDDEN', `key "${key.name}" may not act for corp ${route.corpId}`);
    }
    if ((route.kind === 'corp_api' || route.kind === 'suite_api') && !keyAllowsPath(key, route.path)) {
      throw gatewayError('ERR_GATEWAY_FORBIDDEN', `key "${key.name}" may not call ${route.path}`);
    }
    if ((route.kind === 'corp_token' || route.kind === 'suite_token') && !key.tokens) {
      throw gatewayError('ERR_GATEWAY_FORBIDDEN', `key "${key.name}" may not read raw tokens (tokens: false)`);
    }
    switch (route.kind) {
      case 'corp_api': {
        await activeCorp(tokens, route.corpId);
        let used: StoredToken | undefined;
        await proxy(req, res, deps, url, facts, {
          param: 'access_token', retryOn: CORP_TOKEN_ERRCODES, rateKey: route.corpId, path: route.path,
          token: async () => (used = await tokens.getCorpTokenRecord(route.corpId)).token,
          invalidate: (failing) => tokens.invalidateCorpToken(route.corpId, failing),
        });
        // 40084 / 301007 / 2000002: the corp is gone — marked as enrichment marks it (the answer went back as
        // WeCom gave it). A store failure here is not the caller's: the next such answer marks it again.
        if (used && facts.errcode !== undefined && classifyErrcode(facts.errcode) === 'corp_gone') {
          await tokens.corpGoneAnswered(route.corpId, used).catch(() => undefined);
        }
        return;
      }
      case 'suite_api':
        await proxy(req, res, deps, url, facts, {
          param: 'suite_access_token', retryOn: SUITE_TOKEN_ERRCODES, rateKey: undefined, path: route.path,
          token: () => tokens.getSuiteToken(), invalidate: (failing) => tokens.invalidateSuiteToken(failing),
        });
        return;
      case 'corp_token': {
        await activeCorp(tokens, route.corpId);
        const token = await tokens.getCorpTokenRecord(route.corpId);
        sendJson(res, { access_token: token.token, expires_at: Math.floor(token.expiresAt / 1000) });
        return;
      }
      case 'suite_token': {
        const token = await tokens.getSuiteTokenRecord();
        sendJson(res, { suite_access_token: token.token, expires_at: Math.floor(token.expiresAt / 1000) });
        return;
      }
      case 'jsapi': {
        const page = url.searchParams.get('url');
        if (page === null || !/^https?:\/\/[^\s]+$/i.test(page)) throw gatewayError('ERR_GATEWAY_BAD_REQUEST', 'url must be the page\'s absolute http(s) URL (?url=…, URL-encoded)');
        const corp = await activeCorp(tokens, route.corpId);
        const [corpTicket, agentTicket] = await Promise.all([deps.tickets.get(tokens, route.corpId, 'corp'), deps.tickets.get(tokens, route.corpId, 'agent_config')]);
        const timestamp = Math.floor(deps.now() / 1000);
        const nonceStr = (deps.nonce ?? defaultNonce)();
        const signed = signedPageUrl(page);
        const agentid = corp.authInfo?.agent?.[0]?.agentid ?? null;
        sendJson(res, {
          url: signed,
          config: { appId: route.corpId, timestamp, nonceStr, signature: jsapiSignature(corpTicket.token, nonceStr, timestamp, signed) },
          agentConfig: { corpid: route.corpId, agentid, timestamp, nonceStr, signature: jsapiSignature(agentTicket.token, nonceStr, timestamp, signed) },
        });
        return;
      }
    }
  } catch (error) {
    sendGatewayError(res, error, facts);
  }
}

/** The route's app (by name or id) and its token provider; 403 outside the key's apps, 404 when unknown or unmanaged. */
function resolveApp(deps: GatewayDeps, key: GatewayKey, route: GatewayRoute): { app: AppConfig; tokens: TokenProvider } {
  const app = deps.apps.find((candidate) => candidate.name === route.app) ?? deps.apps.find((candidate) => candidate.id === route.app);
  if (app && !keyAllowsApp(key, app.id)) throw gatewayError('ERR_GATEWAY_FORBIDDEN', `key "${key.name}" may not act for app ${app.name}`);
  if (!app && key.appIds.size > 0) throw gatewayError('ERR_GATEWAY_FORBIDDEN', `key "${key.name}" may not act for app ${route.app}`);
  const tokens = app ? deps.providers.get(app.id) : undefined;
  if (!app || !tokens) throw gatewayError('ERR_GATEWAY_UNKNOWN_CORP', app ? `app ${app.name} has no secret configured: the relay does not manage its credentials` : `no app named ${route.app}`);
  return { app, tokens };
}

/** The corp's authorization when active; 404 never installed, 409 revoked or gone. */
async function activeCorp(tokens: TokenProvider, corpId: string): Promise<CorpAuthorization> {
  const corp = await tokens.recentCorp(corpId);
  if (!corp) throw gatewayError('ERR_GATEWAY_UNKNOWN_CORP', `corp ${corpId} never installed this app`);
  if (corp.state !== 'active') throw gatewayError('ERR_GATEWAY_CORP_INACTIVE', `corp ${corpId}'s authorization is ${corp.state}`);
  return corp;
}

interface ProxyTarget {
  readonly param: 'access_token' | 'suite_access_token';
  readonly retryOn: ReadonlySet<number>;
  readonly rateKey: string | undefined;
  readonly path: string;
  readonly token: () => Promise<string>;
  readonly invalidate: (failing: string) => Promise<unknown>;
}

/** Reads the body, calls WeCom through {@link proxyCall} and answers WeCom's status, content-type and body as they came. */
async function proxy(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, url: URL, facts: GatewayCallFacts, target: ProxyTarget): Promise<void> {
  if (url.searchParams.has('access_token') || url.searchParams.has('suite_access_token')) {
    throw gatewayError('ERR_GATEWAY_BAD_REQUEST', `the gateway adds the ${target.param}: leave it out of the query`);
  }
  const body = await readRequestBody(req);
  const aborted = new AbortController();
  const onClose = () => { if (!res.writableFinished) aborted.abort(); };
  res.once('close', onClose);
  const contentType = req.headers['content-type'];
  const { response, attempts } = await proxyCall({
    forward: (request) => deps.api.forward(request),
    token: target.token, invalidate: target.invalidate, param: target.param, retryOn: target.retryOn,
    request: { method: req.method ?? 'GET', path: target.path, query: url.search.slice(1), contentType, body, rateKey: target.rateKey, signal: aborted.signal },
  });
  facts.attempts = attempts;
  facts.errcode = response.errcode;
  const headers: Record<string, string | number> = {};
  if (response.contentType !== undefined) headers['content-type'] = response.contentType;
  if (response.contentDisposition !== undefined) headers['content-disposition'] = response.contentDisposition;
  if (response.body) {
    headers['content-length'] = response.body.length;
    res.writeHead(response.status, headers).end(response.body);
    return;
  }
  const stream = response.stream!;
  const length = stream.headers['content-length'];
  if (length !== undefined) headers['content-length'] = length;
  res.writeHead(response.status, headers);
  await new Promise<void>((resolve) => {
    stream.pipe(res);
    stream.once('end', resolve);
    stream.once('error', () => { res.destroy(); resolve(); });
    res.once('close', resolve);
  });
}
