import { createHmac } from 'node:crypto';
import type { Locale } from '../target.js';
import { chatParts } from './chat-parts.js';
import { inertMarkup } from './inert-markup.js';
import { fitBody } from './fit-body.js';
import type { Formatter } from './formatter.js';
import { requestHeaders } from './request-headers.js';

/** DingTalk rejects messages over 20 000 bytes ("message too long"); keep the whole body under that. */
export const DINGTALK_MAX_BODY_BYTES = 19_000;

const TRUNCATED: Record<Locale, string> = { 'zh-CN': '…（已截断）', en: '… (truncated)' };

/**
 * The `dingtalk` format: `{ msgtype: 'markdown', markdown: { title, text } }` for a DingTalk custom robot
 * (`…/robot/send?access_token=…`). `title` is what the notification shows; `text` is a heading, the
 * details and the footer as a quote. DingTalk markdown needs a blank line between lines to break them.
 *
 * When the target has a `secret` (加签), `timestamp` (unix **milliseconds**) and
 * `sign` = urlencode(base64(HMAC-SHA256(key = secret, message = `timestamp + "\n" + secret`))) are
 * appended to the URL's query, keeping its `access_token` byte for byte; DingTalk rejects timestamps more
 * than an hour off (310000). A robot secured by keywords instead needs a keyword that the summaries
 * contain (e.g. a word of a title).
 */
export const formatDingtalk: Formatter = (event, target, context) => {
  const parts = chatParts(event, target.locale);
  const title = inertMarkup(parts.title);
  const footer = parts.footer.map((line) => `> ${inertMarkup(line)}`).join('\n\n');
  const render = (details: string): string => {
    const text = [`### ${title}`, ...(details === '' ? [] : details.split('\n')), footer].join('\n\n');
    return JSON.stringify({ msgtype: 'markdown', markdown: { title, text } });
  };
  const details = inertMarkup(parts.details.join('\n'));
  const body = fitBody(render, details, DINGTALK_MAX_BODY_BYTES, TRUNCATED[target.locale]);
  const url = target.secret !== null && target.secret !== '' ? signedUrl(target.url, target.secret, context.now) : target.url;
  return { url, headers: requestHeaders(target, 'application/json; charset=utf-8'), body };
};

/**
 * `url` with `timestamp` and `sign` set. Edited as text, not through `URLSearchParams`, so the existing
 * query (the `access_token`) is not re-encoded; a stale `timestamp`/`sign` pair from the config is
 * replaced; a `#fragment` is kept at the end.
 */
function signedUrl(url: string, secret: string, now: Date): string {
  const timestamp = String(now.getTime());
  const sign = encodeURIComponent(createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
  const hash = url.indexOf('#');
  const fragment = hash === -1 ? '' : url.slice(hash);
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  const base = question === -1 ? withoutFragment : withoutFragment.slice(0, question);
  const kept = question === -1 ? [] : withoutFragment.slice(question + 1).split('&')
    .filter((pair) => pair !== '' && !/^(timestamp|sign)(=|$)/.test(pair));
  return `${base}?${[...kept, `timestamp=${timestamp}`, `sign=${sign}`].join('&')}${fragment}`;
}
