import { randomCredential } from './mock-state.js';
import { fail, ok, type MockReply } from './mock-reply.js';
import type { MockRoutes, RouteContext } from './mock-route.js';
import type { CorpState } from './mock-state.js';

/** JS-SDK ticket validity (doc 96909: "正常情况下为7200秒"). */
const TICKET_TTL_SECONDS = 7200;

/**
 * The JS-SDK tickets, both fetched with the corp's access_token (doc 96909): `get_jsapi_ticket` (the corp's,
 * for wx.config) and `ticket/get?type=agent_config` (the app's, for wx.agentConfig). Each fetch issues a new
 * ticket, as WeCom does; a `type` other than agent_config answers 40058.
 */
export const jsapiRoutes: MockRoutes = {
  get_jsapi_ticket: { auth: 'corp', handle: (ctx, corp) => issue(ctx, corp, 'corp') },
  'ticket/get': {
    auth: 'corp',
    handle: (ctx, corp) => (ctx.query.get('type') === 'agent_config' ? issue(ctx, corp, 'agent_config') : fail(40058, 'type')),
  },
};

function issue(ctx: RouteContext, corp: CorpState, kind: 'corp' | 'agent_config'): MockReply {
  const ticket = randomCredential(48);
  ctx.state.jsapiTickets.set(ticket, { corpId: corp.seed.corpId, kind, expiresAt: ctx.state.now() + TICKET_TTL_SECONDS * 1000 });
  return ok({ ticket, expires_in: TICKET_TTL_SECONDS });
}
