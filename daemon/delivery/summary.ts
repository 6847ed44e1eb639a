import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Locale } from './target.js';
import { describeActivityEvent } from './summary-activity.js';
import { describeCustomerEvent } from './summary-customer.js';
import { corpNameOf } from './summary-corp-name.js';
import { readEventFields } from './summary-fields.js';
import { describeGenericEvent } from './summary-generic.js';
import { describeOrganizationEvent } from './summary-organization.js';
import { describeSyncEvent } from './summary-sync.js';

/** A short human summary of one event, in one locale, for the chat formats. Plain text: not escaped. */
export interface Summary {
  /** A few words naming what happened (`添加客户`, `External contact added`). */
  readonly title: string;
  /** Everything to show, in order: {@link Summary.details}, then the corp line, then the time line. */
  readonly lines: string[];
  /** What happened: the event-specific lines, plus a note when enrichment is incomplete. */
  readonly details: string[];
  /** The corp's name when enrichment knows it, else its corp id (`-` when the event names no corp). */
  readonly corp: string;
  /** The event time: Beijing time for `zh-CN`, UTC for `en`. */
  readonly time: string;
}

/**
 * Summarizes an event for people: per family (`external_contact.*`, `external_chat.*`, `external_tag.*`,
 * `contact.*`, `auth.*`, `message.*`, `app.*`) with a generic fallback naming the type and its key ids.
 * Built only from *known* fields, looked up by name (never by copying `raw` or `data` wholesale), so
 * nothing unexpected reaches a chat group. Every quoted value is on one line and clipped; the formats
 * still enforce their platform's byte limit.
 */
export function summarize(event: EventEnvelope, locale: Locale): Summary {
  const zh = locale === 'zh-CN';
  const fields = readEventFields(event);
  const description =
    describeSyncEvent(event, fields, locale) ??
    describeCustomerEvent(event, fields, locale) ??
    describeOrganizationEvent(event, fields, locale) ??
    describeActivityEvent(event, fields, locale) ??
    describeGenericEvent(event, fields, locale) ?? { title: event.type, details: [] };
  const details = [...description.details];
  // A reconciled event (SPEC §12): WeCom never called back about it; a sync run found it.
  if (event.source.endpoint === 'sync' && event.data['reconciled'] === true && !event.type.startsWith('sync.')) {
    details.push(zh ? '来源：对账发现（企业微信未回调）' : 'Source: found by reconciliation (WeCom sent no callback)');
  }
  const failure = event.enrichmentError;
  if (failure !== null) {
    const code = /^[a-z_]{1,40}$/.test(failure.code) ? failure.code : 'error';
    const errcode = typeof failure.errcode === 'number' ? ` errcode ${failure.errcode}` : '';
    details.push(zh ? `注意：补全信息不完整（${code}${errcode}）` : `Note: enrichment incomplete (${code}${errcode})`);
  }
  const corp = corpNameOf(fields) ?? event.source.corpId ?? fields.value('authCorpId') ?? '-';
  const time = formatTime(event.timestamp, locale);
  const lines = [...details, zh ? `企业：${corp}` : `Corp: ${corp}`, zh ? `时间：${time}` : `Time: ${time}`];
  return { title: description.title, lines, details, corp, time };
}

/** Beijing time (UTC+8, no DST) for `zh-CN`, UTC for `en`; an unparseable timestamp is shown as given. */
function formatTime(iso: string, locale: Locale): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return iso.slice(0, 40);
  const zh = locale === 'zh-CN';
  const shown = new Date(millis + (zh ? 8 * 3600_000 : 0)).toISOString();
  const text = `${shown.slice(0, 10)} ${shown.slice(11, 19)}`;
  return zh ? `${text}（北京时间）` : `${text} UTC`;
}
