import type { MockReply } from './mock-reply.js';
import { AUTH_CODE_TTL_SECONDS, type MockState } from './mock-state.js';
import type { IssueAuthCodeOptions, IssueOAuthCodeOptions, LargeCorpOptions, MockCorpChange, MockCorpSeed, MockInjectRule, MockWecomApi } from './mock-types.js';

/** The `/__mock/` admin surface, for `wecom-relay mock-api` users driving the mock over HTTP. */
export const ADMIN_PREFIX = '/__mock/';

/**
 * `POST /__mock/inject` (a {@link MockInjectRule}), `POST /__mock/suite_ticket`, `POST /__mock/auth_code`
 * (`{corp?, corpId?, state?, authType?}`), `GET|DELETE /__mock/calls`, `POST /__mock/expire_token` (`{kind, id}`),
 * `POST /__mock/revoke_corp` (`{corpId}`), `POST /__mock/corp_data` (`{corpId, …MockCorpChange}`: change data without a
 * callback), `POST /__mock/large_corp` (`LargeCorpOptions`: a generated corp), `POST /__mock/oauth_code`
 * (`{appId?, corpId?, userid?, scope?}`: a member's login code for `service/auth/getuserinfo3rd`). Answers plain JSON (not WeCom-shaped); 400 on a bad body.
 */
export function handleAdmin(api: MockWecomApi, method: string, name: string, body: unknown): MockReply {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  try {
    switch (`${method} ${name}`) {
      case 'POST inject':
        api.inject(validateInjectRule(body));
        return json(200, { ok: true });
      case 'POST suite_ticket':
        return json(200, { ...api.issueSuiteTicket(typeof input['appId'] === 'string' ? input['appId'] : undefined) });
      case 'POST auth_code': {
        // `{corp: {...}}`, or a flat `{corpId}` (what `wecom-relay trigger --mock-api` sends).
        const flat = typeof input['corpId'] === 'string' ? { corpId: input['corpId'] } : undefined;
        const corp = input['corp'] === undefined ? flat : input['corp'] as Partial<MockCorpSeed>;
        const issued = api.issueAuthCode(corp, input as IssueAuthCodeOptions);
        return json(200, { ...issued, expiresIn: AUTH_CODE_TTL_SECONDS });
      }
      case 'GET calls':
        return json(200, { calls: api.calls });
      case 'DELETE calls':
        api.clearCalls();
        return json(200, { ok: true });
      case 'POST expire_token':
        api.expireToken(input['kind'] as 'suite' | 'corp', String(input['id']));
        return json(200, { ok: true });
      case 'POST corp_data':
        api.changeCorp(String(input['corpId']), input as MockCorpChange);
        return json(200, { ok: true });
      case 'POST large_corp':
        api.seedLargeCorp(input as unknown as LargeCorpOptions);
        return json(200, { ok: true });
      case 'POST oauth_code':
        return json(200, { ...api.issueOAuthCode(input as IssueOAuthCodeOptions) });
      case 'POST revoke_corp':
        api.revokeCorp(String(input['corpId']), typeof input['appId'] === 'string' ? input['appId'] : undefined);
        return json(200, { ok: true });
      default:
        return json(404, { error: `no admin route ${method} ${ADMIN_PREFIX}${name}` });
    }
  } catch (error) {
    return json(400, { error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * The stand-in for `https://open.work.weixin.qq.com/3rdapp/install`: checks suite_id, pre_auth_code and
 * redirect_uri (an HTML 400 page otherwise, as the real page shows an error to the admin), marks the
 * pre_auth_code used, and 302-redirects to `redirect_uri?auth_code=…&expires_in=600&state=…` with a new
 * auth code for the install corp and the session's auth_type. `mock_corpid` picks a known corp.
 */
export function handleInstall(state: MockState, query: URLSearchParams, installCorp: Partial<MockCorpSeed> | undefined): MockReply {
  const suiteId = query.get('suite_id') ?? '';
  const code = query.get('pre_auth_code') ?? '';
  const redirect = query.get('redirect_uri') ?? '';
  // Any app the mock serves that is installed from a website (a contact-edit authorization is granted by QR code).
  const app = state.app(suiteId);
  if (app === undefined || app.kind === 'contact_edit') return page(400, '应用不存在 (suite_id is not an app the mock serves)');
  const record = code === '' ? 40077 : state.preAuthCode(code);
  if (record === 40077) return page(400, '预授权码无效 (pre_auth_code unknown or used)');
  if (record === 42007) return page(400, '预授权码已过期 (pre_auth_code expired)');
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return page(400, '回调地址无效 (redirect_uri is not an absolute URL)');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return page(400, '回调地址无效 (redirect_uri must be http(s))');
  record.used = true;
  const mockCorpId = query.get('mock_corpid');
  const corp = mockCorpId === null ? installCorp : { corpId: mockCorpId };
  const issued = state.issueAuthCode(corp, { state: query.get('state') ?? '', authType: record.authType, appId: suiteId });
  target.searchParams.set('auth_code', issued.authCode);
  target.searchParams.set('expires_in', String(AUTH_CODE_TTL_SECONDS));
  target.searchParams.set('state', query.get('state') ?? '');
  return { kind: 'redirect', location: target.toString() };
}

/** Validates a rule (programmatic or JSON); throws `TypeError` in the project's one message shape. */
export function validateInjectRule(rule: unknown): MockInjectRule {
  if (typeof rule !== 'object' || rule === null) throw typeError('rule', 'an object', rule);
  const r = rule as Record<string, unknown>;
  if (typeof r['path'] !== 'string' || r['path'] === '') throw typeError('path', 'a non-empty string', r['path']);
  const checks: [string, (v: unknown) => boolean, string][] = [
    ['errcode', Number.isInteger, 'an integer'],
    ['httpStatus', (v) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 599, 'an HTTP status (100-599)'],
    ['delayMs', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'a finite number >= 0'],
    ['hang', (v) => typeof v === 'boolean', 'a boolean'],
    ['times', (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'],
    ['corpId', (v) => typeof v === 'string' && v !== '', 'a non-empty string'],
    ['after', (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0'],
  ];
  for (const [key, valid, expected] of checks) {
    if (r[key] !== undefined && !valid(r[key])) throw typeError(key, expected, r[key]);
  }
  const path = (r['path'] as string).replace(/^\/?(cgi-bin\/)?/, '');
  return { ...(r as unknown as MockInjectRule), path };
}

function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\` (${typeof value})`);
}

function json(status: number, body: Record<string, unknown>): MockReply {
  return { kind: 'json', status, body };
}

function page(status: number, message: string): MockReply {
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>企业微信</title></head>` +
    `<body><p>${message.replace(/[<>&]/g, '')}</p></body></html>`;
  return { kind: 'text', status, contentType: 'text/html; charset=utf-8', body };
}
