import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { resolveMockOptions } from './mock-options.js';
import { fail, renderErrmsg, type MockReply } from './mock-reply.js';
import { queryParam, stringField, type MockRoutes, type RouteContext } from './mock-route.js';
import { MockState } from './mock-state.js';
import { applyCorpChange, largeCorpSeed } from './mock-corp-changes.js';
import { ADMIN_PREFIX, handleAdmin, handleInstall, validateInjectRule } from './routes-admin.js';
import { contactRoutes } from './routes-contact.js';
import { externalRoutes } from './routes-external.js';
import { jsapiRoutes } from './routes-jsapi.js';
import { mediaRoutes } from './routes-media.js';
import { oauthRoutes } from './routes-oauth.js';
import { idListRoutes } from './routes-id-lists.js';
import { serviceRoutes } from './routes-service.js';
import type { MockCall, MockRequest, MockResponse, MockWecomApi, MockWecomApiOptions } from './mock-types.js';

export type * from './mock-types.js';

const API_PREFIX = '/cgi-bin/';
const INSTALL_PATH = '/3rdapp/install';
const ROUTES: MockRoutes = { ...serviceRoutes, ...contactRoutes, ...externalRoutes, ...jsapiRoutes, ...mediaRoutes, ...idListRoutes, ...oauthRoutes };
/** Query and body fields never written to the call log. */
const SECRET_KEYS = new Set([
  'access_token', 'suite_access_token', 'provider_access_token', 'suite_secret', 'suite_ticket',
  'permanent_code', 'auth_code', 'pre_auth_code', 'corpsecret', 'code', 'user_ticket',
]);
/**
 * What a contact-edit authorization may call (doc 96078, "其他未列举的接口均不能调用"): the ID lists, the
 * ID conversion and the member/department management APIs. Every other corp API answers 48002.
 */
const CONTACT_EDIT_ALLOWED = new Set([
  'user/list_id', 'department/simplelist', 'batch/userid_to_openuserid',
  'user/create', 'user/update', 'user/delete', 'user/batchdelete',
  'department/create', 'department/update', 'department/delete',
  'batch/syncuser', 'batch/replaceuser', 'batch/replaceparty', 'batch/getresult',
]);
const REDACTED = '<redacted>';

/**
 * Creates the mock WeCom server API: the `/cgi-bin/` APIs the relay calls (suite credentials, install
 * flow, contact and customer-contact reads) with the real errcodes, the `/3rdapp/install` page stand-in,
 * and the `/__mock/` admin surface. Serve it with {@link startMockWecomApi} or call `handle` directly.
 * Bad options throw `TypeError`.
 */
export function createMockWecomApi(options: MockWecomApiOptions): MockWecomApi {
  const resolved = resolveMockOptions(options);
  const state = new MockState(resolved);

  const api: MockWecomApi = {
    handle: (request) => handle(request).catch(() => json(500, { errcode: -1, errmsg: 'system busy' })),
    get calls() {
      return state.calls;
    },
    issueSuiteTicket: (appId) => state.issueSuiteTicket(appId),
    issueAuthCode: (corp, issueOptions = {}) => {
      const { authType } = issueOptions;
      if (authType !== undefined && authType !== 0 && authType !== 1) {
        throw new TypeError(`Expected \`authType\` to be 0 or 1, got \`${String(authType)}\` (${typeof authType})`);
      }
      if (corp !== undefined && (typeof corp !== 'object' || corp === null)) {
        throw new TypeError(`Expected \`corp\` to be an object, got \`${String(corp)}\` (${typeof corp})`);
      }
      return state.issueAuthCode(corp, issueOptions);
    },
    inject: (rule) => state.addRule(validateInjectRule(rule)),
    expireToken: (kind, owner) => {
      if (kind === 'suite' && state.app(owner) === undefined) {
        throw new TypeError(`Expected \`suiteId\` to be ${resolved.apps.map((app) => app.id).join(' or ')}, got \`${owner}\` (${typeof owner})`);
      }
      if (kind !== 'suite' && kind !== 'corp') throw new TypeError(`Expected \`kind\` to be 'suite' or 'corp', got \`${String(kind)}\` (${typeof kind})`);
      if (kind === 'corp') state.requireCorp(owner);
      state.expireTokens(kind, owner);
    },
    revokeCorp: (corpId, appId) => state.revokeCorp(corpId, appId),
    corpStatus: (corpId, appId) => state.corpStatus(corpId, appId),
    clearCalls: () => {
      state.calls.length = 0;
    },
    get uploads() {
      return state.uploads;
    },
    get welcomeMessages() {
      return state.welcomeMessages;
    },
    get jsapiTickets() {
      return state.jsapiTickets;
    },
    changeCorp: (corpId, change) => state.setCorpSeed(applyCorpChange(state.requireCorp(corpId).seed, change)),
    seedLargeCorp: (largeOptions) => state.setCorpSeed(largeCorpSeed(largeOptions)),
    issueOAuthCode: (login = {}) => state.issueOAuthCode(login),
  };

  async function handle(request: MockRequest): Promise<MockResponse> {
    const url = new URL(request.url, 'http://mock.invalid');
    const multipart = /^multipart\//i.test(request.contentType ?? '');
    const raw = request.rawBody ?? Buffer.from(request.body ?? '', 'utf8');
    // A multipart body is bytes (a media upload), not JSON.
    const { body, wrongJson } = multipart ? { body: {}, wrongJson: false } : parseBody(request.rawBody ? raw.toString('utf8') : request.body);
    const remoteAddress = (request.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const render = (reply: MockReply): MockResponse => renderReply(reply, state.now(), remoteAddress, wrongJson);
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      return render(handleAdmin(api, request.method, url.pathname.slice(ADMIN_PREFIX.length), body));
    }
    if (url.pathname === INSTALL_PATH) {
      const reply = handleInstall(state, url.searchParams, resolved.installCorp);
      record(request, INSTALL_PATH, url, undefined, undefined, reply, false);
      return render(reply);
    }
    if (!url.pathname.startsWith(API_PREFIX)) return render({ kind: 'text', status: 404, contentType: 'text/plain', body: 'Not Found' });

    const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
    const ctx: RouteContext = {
      state, query: url.searchParams, body, fieldLimits: resolved.thirdPartyFieldLimits,
      followUserPageSize: resolved.followUserPageSize, corpId: undefined, raw, contentType: request.contentType,
    };
    const accessToken = queryParam(url.searchParams, 'access_token');
    ctx.corpId = (accessToken === undefined ? undefined : state.corpIdOfToken(accessToken)) ?? stringField(body, 'auth_corpid');
    const recordedBody = raw.length === 0 ? undefined
      : multipart ? { contentType: request.contentType, bytes: raw.length, sha256: createHash('sha256').update(raw).digest('hex') }
        : wrongJson ? '<malformed json>' : redact(body);

    const rule = state.takeRule(path, ctx.corpId);
    if (rule?.delayMs !== undefined && rule.delayMs > 0) await sleep(rule.delayMs, request.signal);
    if (rule?.hang === true || request.signal?.aborted === true) {
      record(request, path, url, ctx.corpId, recordedBody, undefined, true);
      await abortOf(request.signal);
      return json(499, {});
    }
    let reply: MockReply | undefined;
    if (rule?.errcode !== undefined) reply = fail(rule.errcode, undefined, rule.httpStatus ?? 200);
    else if (rule?.httpStatus !== undefined) reply = statusReply(rule.httpStatus);
    const injected = reply !== undefined;
    reply ??= route(path, ctx, accessToken);
    record(request, path, url, ctx.corpId, recordedBody, reply, injected);
    return render(reply);
  }

  /** Token check (suite or corp), then the optional rate limit, then the route's own checks. */
  function route(path: string, ctx: RouteContext, accessToken: string | undefined): MockReply {
    const target = ROUTES[path];
    if (target === undefined) return fail(48002, `mock-api does not serve cgi-bin/${path}`);
    if (target.auth === 'suite') {
      const token = queryParam(ctx.query, 'suite_access_token');
      if (token === undefined) return fail(41022);
      const errcode = state.checkSuiteToken(token);
      if (errcode !== 0) return fail(errcode);
    }
    if (target.auth === 'corp') {
      if (accessToken === undefined) return fail(41001);
      const corp = state.checkCorpToken(accessToken);
      if (typeof corp === 'number') return fail(corp);
      ctx.corpId = corp.seed.corpId;
      if (state.appOfCorpToken(accessToken)?.kind === 'contact_edit' && !CONTACT_EDIT_ALLOWED.has(path)) {
        return fail(48002, `a contact-edit authorization may not call cgi-bin/${path}`);
      }
      if (state.overRateLimit(`${ctx.corpId} ${path}`)) return fail(45009);
      return target.handle(ctx, corp);
    }
    if (state.overRateLimit(`${ctx.corpId ?? resolved.suiteId} ${path}`)) return fail(45009);
    return target.handle(ctx);
  }

  function record(
    request: MockRequest, path: string, url: URL, corpId: string | undefined, body: unknown,
    reply: MockReply | undefined, injected: boolean,
  ): void {
    const corpToken = queryParam(url.searchParams, 'access_token');
    const suiteToken = queryParam(url.searchParams, 'suite_access_token');
    const tokenApp = (corpToken === undefined ? undefined : state.appOfCorpToken(corpToken)?.id)
      ?? (suiteToken === undefined ? undefined : state.appOfSuiteToken(suiteToken));
    const call: MockCall = {
      at: state.now(), method: request.method, path, query: redactQuery(url.searchParams), body,
      corpId, httpStatus: reply === undefined ? 0 : reply.kind === 'redirect' ? 302 : reply.status,
      errcode: errcodeOf(reply, path !== INSTALL_PATH), injected,
      ...(tokenApp === undefined ? {} : { tokenApp }),
    };
    state.calls.push(call);
  }

  return api;
}

function parseBody(raw: string | undefined): { body: Record<string, unknown>; wrongJson: boolean } {
  if (raw === undefined || raw.trim() === '') return { body: {}, wrongJson: false };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { body: parsed as Record<string, unknown>, wrongJson: false };
  } catch {
    // The real API parses what it can and warns in errmsg; the mock treats the body as empty.
  }
  return { body: {}, wrongJson: true };
}

function redact(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, SECRET_KEYS.has(key) ? REDACTED : value]));
}

function redactQuery(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries([...query].map(([key, value]) => [key, SECRET_KEYS.has(key) ? REDACTED : value]));
}

/** 0 for the token APIs that answer success without errcode; undefined for non-API answers. */
function errcodeOf(reply: MockReply | undefined, api: boolean): number | undefined {
  if (reply === undefined) return undefined;
  if (reply.kind === 'error') return reply.errcode;
  if (reply.kind !== 'json' || !api) return undefined;
  const errcode = reply.body['errcode'];
  return typeof errcode === 'number' ? errcode : reply.status === 200 ? 0 : undefined;
}

/** An injected bare HTTP failure, like a gateway in front of the API would answer. */
function statusReply(status: number): MockReply {
  return { kind: 'text', status, contentType: 'text/plain; charset=utf-8', body: `${status} ${STATUS_CODES[status] ?? ''}`.trim() };
}

function renderReply(reply: MockReply, nowMs: number, remoteAddress: string, wrongJson: boolean): MockResponse {
  switch (reply.kind) {
    case 'json':
      return json(reply.status, reply.body);
    case 'error': {
      const errmsg = renderErrmsg(reply.errcode, reply.detail, { nowMs, remoteAddress, wrongJson });
      return json(reply.status, { errcode: reply.errcode, errmsg });
    }
    case 'text':
      return { status: reply.status, headers: { 'content-type': reply.contentType }, body: reply.body };
    case 'redirect':
      return { status: 302, headers: { location: reply.location }, body: '' };
  }
}

function json(status: number, body: Readonly<Record<string, unknown>>): MockResponse {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body) };
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch {
    // Aborted: the client went away.
  }
}

/** Resolves when the client goes away; never, without a signal. */
function abortOf(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
