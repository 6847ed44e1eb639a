import { createHash } from 'node:crypto';

/** The page URL a JS-SDK signature is made for: the URL without `#` and what follows (doc 96909). */
export function signedPageUrl(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/**
 * The JS-SDK signature of `wx.config` (corp jsapi_ticket) and `wx.agentConfig` (agent_config ticket), the same
 * algorithm for both (doc 96909): `sha1("jsapi_ticket=T&noncestr=N&timestamp=TS&url=URL")`, hex, lower case,
 * in that order, without URL encoding, the URL's fragment dropped.
 *
 * @example
 * jsapiSignature('sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
 *   'Wm3WZYTPz0wzccnW', 1414587457, 'http://mp.weixin.qq.com?params=value')
 * // '0f9de62fce790f9a083d5c99e95740ceb90c27ed'
 */
export function jsapiSignature(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${signedPageUrl(url)}`).digest('hex');
}
