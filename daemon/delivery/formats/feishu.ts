import { createHmac } from 'node:crypto';
import type { Locale } from '../target.js';
import { chatParts } from './chat-parts.js';
import { fitBody } from './fit-body.js';
import type { Formatter } from './formatter.js';
import { requestHeaders } from './request-headers.js';

/** Feishu/Lark custom bot: "请求体的数据大小不能超过 20 KB"; 20 000 bytes is under either reading of KB. */
export const FEISHU_MAX_BODY_BYTES = 20_000;

const LANGUAGE: Record<Locale, 'zh_cn' | 'en_us'> = { 'zh-CN': 'zh_cn', en: 'en_us' };
const TRUNCATED: Record<Locale, string> = { 'zh-CN': '…（已截断）', en: '… (truncated)' };

/**
 * The `feishu` format: a `post` (rich text) message for a Feishu/Lark custom bot, in `zh_cn` or `en_us`
 * by the target's locale: title = the summary title, one paragraph per detail line, then the footer
 * (corp, time, type and event id). `post` text elements are plain text, so nothing needs escaping.
 *
 * When the target has a `secret` (签名校验), the body also carries `timestamp` (unix **seconds**, as a
 * string) and `sign` = base64(HMAC-SHA256(key = `timestamp + "\n" + secret`, message = empty)) — the key
 * and message are the reverse of DingTalk's. Feishu rejects timestamps more than an hour off (19021).
 * The body is kept within {@link FEISHU_MAX_BODY_BYTES} by cutting the details.
 */
export const formatFeishu: Formatter = (event, target, context) => {
  const parts = chatParts(event, target.locale);
  const signature: Record<string, string> = {};
  if (target.secret !== null && target.secret !== '') {
    const timestamp = String(Math.floor(context.now.getTime() / 1000));
    signature['timestamp'] = timestamp;
    signature['sign'] = createHmac('sha256', `${timestamp}\n${target.secret}`).update('').digest('base64');
  }
  const render = (details: string): string => {
    const lines = [...(details === '' ? [] : details.split('\n')), ...parts.footer];
    const post = { title: parts.title, content: lines.map((text) => [{ tag: 'text', text }]) };
    return JSON.stringify({ ...signature, msg_type: 'post', content: { post: { [LANGUAGE[target.locale]]: post } } });
  };
  const body = fitBody(render, parts.details.join('\n'), FEISHU_MAX_BODY_BYTES, TRUNCATED[target.locale]);
  return { url: target.url, headers: requestHeaders(target, 'application/json; charset=utf-8'), body };
};
