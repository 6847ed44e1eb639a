import type { Locale } from '../target.js';
import { summarize } from '../summary.js';
import type { Formatter } from './formatter.js';
import { escapeSlack } from './escape-slack.js';
import { requestHeaders } from './request-headers.js';

/** Slack's cap on a section's `text` (characters); the message `text` gets the same cap. */
const SECTION_MAX_CHARS = 3000;
/** Our cap on one context element, well under Slack's limits, so a huge id cannot break the message. */
const CONTEXT_MAX_CHARS = 300;

/**
 * The `slack` format: an incoming-webhook message `{ text, blocks, unfurl_links: false, unfurl_media:
 * false }`. `text` is the one-line summary (the notification and fallback text); `blocks` are a mrkdwn
 * section (bold title + details) and a context block (type, corp, time, event id). All text goes through
 * {@link escapeSlack}; unfurling is off so a URL quoted from an event never expands into a preview.
 */
export const formatSlack: Formatter = (event, target) => {
  const summary = summarize(event, target.locale);
  const labels = LABELS[target.locale];
  const oneLine = [summary.title, summary.details[0]].filter((part) => part !== undefined).join(': ');
  const section = `*${escapeSlack(summary.title, 200)}*\n${escapeSlack(summary.details.join('\n'), SECTION_MAX_CHARS - 210)}`;
  const context = [
    `${labels.type}: ${event.type}`,
    `${labels.corp}: ${summary.corp}`,
    `${labels.time}: ${summary.time}`,
    `${labels.id}: ${event.id}`,
  ].map((text) => ({ type: 'mrkdwn', text: escapeSlack(text, CONTEXT_MAX_CHARS) }));
  const body = JSON.stringify({
    text: escapeSlack(oneLine, SECTION_MAX_CHARS),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: section } },
      { type: 'context', elements: context },
    ],
    unfurl_links: false,
    unfurl_media: false,
  });
  return { url: target.url, headers: requestHeaders(target, 'application/json; charset=utf-8'), body };
};

const LABELS: Record<Locale, { type: string; corp: string; time: string; id: string }> = {
  'zh-CN': { type: '类型', corp: '企业', time: '时间', id: '事件 ID' },
  en: { type: 'Type', corp: 'Corp', time: 'Time', id: 'Event ID' },
};
