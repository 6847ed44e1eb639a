import { fail, ok, type MockReply } from './mock-reply.js';
import { queryParam, stringField, suiteApp, type MockRoutes, type RouteContext } from './mock-route.js';
import { openUseridOf } from './mock-state.js';
import { USER_TICKET_TTL_SECONDS } from './oauth-logins.js';

/**
 * A third-party app's web login with its suite_access_token (docs 91121, 91122): the home page turns the
 * OAuth `code` of its redirect into the member (`getuserinfo3rd`, GET `?code=`), and a user_ticket into the
 * member's details (`getuserdetail3rd`, POST `{user_ticket}`). Codes are single use; customized apps may
 * not call these ("不允许代开发自建应用调用": 48002).
 */
export const oauthRoutes: MockRoutes = {
  'service/auth/getuserinfo3rd': { auth: 'suite', handle: getUserInfo },
  'service/auth/getuserdetail3rd': { auth: 'suite', handle: getUserDetail },
};

function getUserInfo(ctx: RouteContext): MockReply {
  const appId = suiteApp(ctx);
  if (ctx.state.app(appId)?.kind === 'customized') return fail(48002, 'customized apps use auth/getuserinfo');
  const code = queryParam(ctx.query, 'code');
  if (code === undefined) return fail(41008, 'code');
  const login = ctx.state.oauth.exchange(code, appId);
  if (login === 40029) return fail(40029);
  // Not a member of any corp: only the provider-scoped openid (doc 91121 b).
  if (login.corpId === undefined || login.userid === undefined) return ok({ openid: `oo${code.slice(0, 24)}` });
  ctx.corpId = login.corpId;
  const corp = ctx.state.corps.get(login.corpId);
  const user = corp?.seed.users.find((candidate) => candidate.userid === login.userid);
  if (corp === undefined || user === undefined) return fail(40029);
  const member = { corpid: login.corpId, userid: user.userid, open_userid: openUseridOf(login.corpId, user) };
  // "scope为snsapi_userinfo或snsapi_privateinfo,且用户在应用可见范围之内时返回此参数".
  if (login.scope === 'snsapi_base' || user.visible === false) return ok(member);
  return ok({ ...member, user_ticket: ctx.state.oauth.ticketFor(login), expires_in: USER_TICKET_TTL_SECONDS });
}

function getUserDetail(ctx: RouteContext): MockReply {
  const ticket = stringField(ctx.body, 'user_ticket');
  if (ticket === undefined) return fail(40058, 'user_ticket');
  // [assumed] doc 91122 names no errcode for a bad ticket; the mock answers the login's 40029.
  const login = ctx.state.oauth.ticket(ticket, suiteApp(ctx));
  if (login === 40029 || login.corpId === undefined) return fail(40029);
  ctx.corpId = login.corpId;
  const user = ctx.state.corps.get(login.corpId)?.seed.users.find((candidate) => candidate.userid === login.userid);
  if (user === undefined) return fail(40029);
  // The real name is never returned to third-party apps (since 2020-06-30 the userid stands in for it);
  // gender, avatar and qr_code are real only with snsapi_privateinfo.
  const privateInfo = login.scope === 'snsapi_privateinfo';
  return ok({
    corpid: login.corpId, userid: user.userid, name: user.userid,
    gender: privateInfo ? user.gender ?? '0' : '0',
    avatar: privateInfo && user.avatar ? user.avatar : 'https://wework.qpic.cn/wwhead/default/0',
    ...(privateInfo ? { qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=mock${openUseridOf(login.corpId, user).slice(2, 18)}` } : {}),
  });
}
