import type { Locale } from '../target.js';
import { chatParts } from './chat-parts.js';
import { inertMarkup } from './inert-markup.js';
import type { Formatter } from './formatter.js';
import { requestHeaders } from './request-headers.js';
import { truncateUtf8 } from './truncate-utf8.js';

/** WeCom group robot: `markdown.content` may not exceed 4096 bytes of UTF-8 (doc 91770). */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

const TRUNCATED: Record<Locale, string> = { 'zh-CN': '…（已截断）', en: '… (truncated)' };

/**
 * The `wecom-bot` format: `{ msgtype: 'markdown', markdown: { content } }` for a WeCom group robot
 * (`…/cgi-bin/webhook/send?key=…`; the key in the URL is the only credential, so `secret` is unused).
 * The title is coloured (`info`, or `warning` for removals and failures) and the footer `comment`; nothing
 * else. When the content would exceed {@link WECOM_MARKDOWN_MAX_BYTES}, the details are cut on a code
 * point boundary with a marker, keeping title and footer; the result is always valid UTF-8.
 */
export const formatWecomBot: Formatter = (event, target) => {
  const parts = chatParts(event, target.locale);
  const head = `### <font color="${parts.tone}">${inertMarkup(parts.title)}</font>\n`;
  const tail = `\n${parts.footer.map((line) => `> <font color="comment">${inertMarkup(line)}</font>`).join('\n')}`;
  const budget = WECOM_MARKDOWN_MAX_BYTES - Buffer.byteLength(head + tail, 'utf8');
  const details = truncateUtf8(inertMarkup(parts.details.join('\n')), Math.max(budget, 0), TRUNCATED[target.locale]);
  // The outer cut only matters if title + footer alone were over the limit, which clipping prevents.
  const content = truncateUtf8(head + details + tail, WECOM_MARKDOWN_MAX_BYTES);
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { content } });
  return { url: target.url, headers: requestHeaders(target, 'application/json; charset=utf-8'), body };
};
