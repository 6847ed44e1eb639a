import type { ListDeliveriesQuery } from '../../../src/store/store.js';
import type { ConsoleOptions } from './console-options.js';
import { replayButton } from './event-page.js';
import { isoTime } from './format-time.js';
import { html } from './html.js';
import { noticeOf, type PageResult } from './page-result.js';
import { queryString, textParam, timeParam } from './query-filters.js';

/** Rows shown; the replay-all form acts on every match up to {@link MAX_BULK_REPLAY}. */
const SHOWN = 100;

/** The most dead deliveries one "replay all" click re-queues (and tracks the progress of). */
export const MAX_BULK_REPLAY = 5000;

/** The dead-letter filter of a query (or a form): target, created since / until, as `wecom-relay replay`. */
export function deadFilter(query: URLSearchParams, now: number): { readonly form: Record<string, string | undefined>; readonly store: ListDeliveriesQuery } {
  const target = textParam(query, 'target');
  const since = timeParam(query, 'since', now);
  const until = timeParam(query, 'until', now);
  return {
    form: { target, since: textParam(query, 'since'), until: textParam(query, 'until') },
    store: { state: 'dead', ...(target ? { target } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) },
  };
}

/** `/dead`: dead deliveries newest first, filtered like `wecom-relay replay --target … --since …`, with replay one / replay all. */
export async function deadLettersPage(options: ConsoleOptions, query: URLSearchParams): Promise<PageResult> {
  const filter = deadFilter(query, options.now());
  const matches = await options.store.listDeliveries({ ...filter.store, limit: MAX_BULK_REPLAY + 1 });
  const count = matches.length > MAX_BULK_REPLAY ? `${MAX_BULK_REPLAY}+` : String(matches.length);
  const back = `/dead${queryString(filter.form)}`;
  const targets = [...new Set([...options.targets.map((t) => t.name)])];
  const body = html`<h1>Dead letters</h1>
<div class="card"><form class="filters" method="get" action="/dead">
  <label>Target<select name="target"><option value="">any</option>${targets.map((t) => html`<option${filter.form['target'] === t ? html` selected` : ''}>${t}</option>`)}</select></label>
  <label>Created since<input name="since" value="${filter.form['since'] ?? ''}" placeholder="24h or an ISO time"></label>
  <label>Created before<input name="until" value="${filter.form['until'] ?? ''}" placeholder="1h or an ISO time"></label>
  <button type="submit">Filter</button> <a href="/dead">clear</a>
</form></div>
<div class="card"><p><strong>${count}</strong> dead deliver${count === '1' ? 'y matches' : 'ies match'}.</p>
${matches.length > 0 ? html`<form method="post" action="/dead/replay">
  ${Object.entries(filter.form).map(([k, v]) => (v ? html`<input type="hidden" name="${k}" value="${v}">` : ''))}
  <button type="submit" class="danger">Replay ${matches.length > MAX_BULK_REPLAY ? `the newest ${MAX_BULK_REPLAY}` : `all ${count}`}</button>
</form>` : ''}
<table><thead><tr><th>Created</th><th>Target</th><th>Event</th><th class="num">Attempts</th><th>Last answer</th><th></th></tr></thead><tbody>
${matches.slice(0, SHOWN).map((d) => html`<tr>
  <td class="mono">${isoTime(d.createdAt)}</td><td>${d.target}</td>
  <td><a href="/events/${encodeURIComponent(d.eventId)}">${d.eventType}</a></td><td class="num">${d.attempts}</td>
  <td class="excerpt">${d.lastStatus === null ? '' : `HTTP ${d.lastStatus} `}${d.lastError ?? ''} ${d.lastResponse?.slice(0, 200) ?? ''}</td>
  <td>${replayButton(d, back)}</td></tr>`)}
</tbody></table>${matches.length > SHOWN ? html`<p class="muted">The newest ${SHOWN} are shown.</p>` : ''}</div>`;
  return { title: 'Dead letters', current: '/dead', body, notice: noticeOf(query) };
}
