import type { EventEnvelope } from '../../../src/events/envelope.js';
import type { Locale } from '../target.js';
import { summarize } from '../summary.js';

/** The pieces every chat message is built from, as plain text (each format escapes for its markup). */
export interface ChatParts {
  readonly title: string;
  /** What happened (may be long: a text message's content); the part that is truncated to fit. */
  readonly details: string[];
  /** Short fixed lines: corp, time, and type + event id. */
  readonly footer: string[];
  /** `warning` for removals, cancellations and failures, else `info`: the one colour a title may get. */
  readonly tone: 'info' | 'warning';
}

/** Longest type / id quoted in a footer, in UTF-16 units: they come from the callback, so bound them. */
const MAX_ID_CHARS = 120;

/** Summarizes `event` in `locale` and lays it out as {@link ChatParts}. */
export function chatParts(event: EventEnvelope, locale: Locale): ChatParts {
  const summary = summarize(event, locale);
  const zh = locale === 'zh-CN';
  const type = clip(event.type);
  const id = clip(event.id);
  return {
    title: summary.title,
    details: summary.details,
    footer: [
      zh ? `企业：${summary.corp}` : `Corp: ${summary.corp}`,
      zh ? `时间：${summary.time}` : `Time: ${summary.time}`,
      zh ? `类型：${type}　ID：${id}` : `Type: ${type}  ID: ${id}`,
    ],
    tone: /(deleted|cancelled|dismissed|failed|unsubscribe)$/.test(event.type) ? 'warning' : 'info',
  };
}

function clip(text: string): string {
  return text.length <= MAX_ID_CHARS ? text : `${text.slice(0, MAX_ID_CHARS - 1)}…`;
}
