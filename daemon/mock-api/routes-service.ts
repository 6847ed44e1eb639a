import { authCorpInfo, authInfo, authUserInfo } from './auth-info.js';
import { bare, fail, ok, type MockReply } from './mock-reply.js';
import { stringField, suiteApp, type MockRoutes, type RouteContext } from './mock-route.js';
import type { CorpState } from './mock-state.js';

/**
 * The suite-credential APIs under `/cgi-bin/service/` (docs 90600, 90601, 90602, 90603, 90604, 90605,
 * 100776, 100795). Checks run in the order the fields are listed in the docs; the first failure answers.
 */
export const serviceRoutes: MockRoutes = {
  'service/get_suite_token': { auth: 'none', handle: getSuiteToken },
  'service/get_pre_auth_code': { auth: 'suite', handle: getPreAuthCode },
  'service/set_session_info': { auth: 'suite', handle: setSessionInfo },
  'service/get_permanent_code': { auth: 'suite', handle: (ctx) => getPermanentCode(ctx, 1) },
  'service/v2/get_permanent_code': { auth: 'suite', handle: (ctx) => getPermanentCode(ctx, 2) },
  'service/get_auth_info': { auth: 'suite', handle: getAuthInfo },
  'service/v2/get_auth_info': { auth: 'suite', handle: getAuthInfo },
  'service/get_corp_token': { auth: 'suite', handle: getCorpToken },
  gettoken: { auth: 'none', handle: getCustomizedToken },
};

function getSuiteToken(ctx: RouteContext): MockReply {
  const { state, body } = ctx;
  const suiteId = stringField(body, 'suite_id');
  const secret = stringField(body, 'suite_secret');
  const ticket = stringField(body, 'suite_ticket');
  if (suiteId === undefined) return fail(41021);
  const app = state.app(suiteId);
  if (app === undefined) return fail(40083);
  if (secret === undefined) return fail(41024);
  if (secret !== app.secret) return fail(40001);
  if (ticket === undefined) return fail(41023);
  if (!state.ticketIsValid(ticket, app.id)) return fail(40085);
  const { token, expiresIn } = state.issueSuiteToken(app.id);
  return bare({ suite_access_token: token, expires_in: expiresIn });
}

function getPreAuthCode(ctx: RouteContext): MockReply {
  const { token, expiresIn } = ctx.state.issuePreAuthCode();
  return ok({ pre_auth_code: token, expires_in: expiresIn });
}

/**
 * `session_info.auth_type`: 0 formal install, 1 test install (only for apps not yet online). An unknown or
 * already used pre_auth_code answers 40077, an expired one 42007.
 */
function setSessionInfo(ctx: RouteContext): MockReply {
  const code = stringField(ctx.body, 'pre_auth_code');
  if (code === undefined) return fail(40077);
  const record = ctx.state.preAuthCode(code);
  if (typeof record === 'number') return fail(record);
  const session = ctx.body['session_info'];
  if (session !== undefined && (typeof session !== 'object' || session === null)) return fail(40058, 'session_info');
  const authType = (session as { auth_type?: unknown } | undefined)?.auth_type ?? 0;
  if (authType !== 0 && authType !== 1) return fail(40058, 'session_info.auth_type');
  record.authType = authType;
  return ok();
}

function getPermanentCode(ctx: RouteContext, version: 1 | 2): MockReply {
  const authCode = stringField(ctx.body, 'auth_code');
  if (authCode === undefined) return fail(41008);
  const appId = suiteApp(ctx);
  const exchanged = ctx.state.exchangeAuthCode(authCode, appId);
  if (typeof exchanged === 'number') return fail(exchanged);
  const { corp, state } = exchanged;
  const seed = corp.seed;
  ctx.corpId = seed.corpId;
  const common = {
    permanent_code: corp.permanentCode,
    auth_user_info: authUserInfo(seed, ctx.fieldLimits),
    state,
  };
  if (version === 2 || ctx.state.app(appId)?.kind === 'customized') {
    // A customized app's exchange returns no access_token: its corp token comes from gettoken.
    // v2 (doc 100776) answers no corp access_token and a short auth_corp_info.
    return ok({ ...common, auth_corp_info: { corpid: seed.corpId, corp_name: seed.corpName } });
  }
  const { token, expiresIn } = ctx.state.issueCorpToken(seed.corpId, appId);
  return ok({
    access_token: token, expires_in: expiresIn, ...common,
    auth_corp_info: authCorpInfo(seed), auth_info: authInfo(seed),
  });
}

function getAuthInfo(ctx: RouteContext): MockReply {
  const corp = checkCorpCredentials(ctx);
  if ('kind' in corp) return corp;
  return ok({ auth_corp_info: authCorpInfo(corp.seed), auth_info: authInfo(corp.seed) });
}

function getCorpToken(ctx: RouteContext): MockReply {
  const corp = checkCorpCredentials(ctx);
  if ('kind' in corp) return corp;
  const appId = suiteApp(ctx);
  // A customized app's corp token is not from get_corp_token (doc 97164).
  if (ctx.state.app(appId)?.kind === 'customized') return fail(48002, 'customized apps use gettoken');
  const { token, expiresIn } = ctx.state.issueCorpToken(corp.seed.corpId, appId);
  return bare({ access_token: token, expires_in: expiresIn });
}

/**
 * `gettoken` (GET, 97164) for a customized app: `corpid` = the authorizing corp, `corpsecret` = that app's
 * permanent code. 41002 / 41004 missing; 40013 unknown corp; 40001 a secret that is no customized app's
 * current permanent code for the corp (revoked, reset or wrong).
 */
function getCustomizedToken(ctx: RouteContext): MockReply {
  const corpId = ctx.query.get('corpid') ?? '';
  const secret = ctx.query.get('corpsecret') ?? '';
  if (corpId === '') return fail(41002);
  if (secret === '') return fail(41004);
  ctx.corpId = corpId;
  if (ctx.state.corps.get(corpId) === undefined) return fail(40013);
  const app = ctx.state.appList().find((candidate) => candidate.kind === 'customized'
    && ctx.state.checkPermanentCode(corpId, secret, candidate.id) !== 40084);
  if (app === undefined) return fail(40001);
  const { token, expiresIn } = ctx.state.issueCorpToken(corpId, app.id);
  return ok({ access_token: token, expires_in: expiresIn });
}

/** `{auth_corpid, permanent_code}`: 84054 / 41025 missing; 40084 wrong, replaced or revoked. */
function checkCorpCredentials(ctx: RouteContext): MockReply | CorpState {
  const corpId = stringField(ctx.body, 'auth_corpid');
  const permanentCode = stringField(ctx.body, 'permanent_code');
  if (corpId === undefined) return fail(84054);
  ctx.corpId = corpId;
  if (permanentCode === undefined) return fail(41025);
  const corp = ctx.state.checkPermanentCode(corpId, permanentCode, suiteApp(ctx));
  return typeof corp === 'number' ? fail(corp) : corp;
}
