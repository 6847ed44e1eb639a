import type { CallbackRecord, CallbackState, ListCallbacksQuery } from '../../../src/store/store.js';
import { summarize } from '../../delivery/summary.js';
import type { ConsoleOptions } from './console-options.js';
import { isoTime } from './format-time.js';
import { html } from './html.js';
import { badge } from './layout.js';
import type { PageResult } from './page-result.js';
import { choiceParam, intParam, queryString, textParam, timeParam } from './query-filters.js';

/** Rows per page. */
export const EVENTS_PAGE_SIZE = 50;

const STATES: readonly CallbackState[] = ['pending', 'done', 'failed'];

/** A one-line description of a stored callback: the chat summary of its event, or its type until processed. */
export function eventSummary(row: CallbackRecord): string {
  if (!row.event) return '';
  const summary = summarize(row.event, 'en');
  return [summary.title, ...summary.details].join(' · ').slice(0, 200);
}

/**
 * `/events`: stored callbacks newest first, with the filters of `wecom-relay events list` (type glob,
 * corp, state, since). Paged by a cursor: `before` (a receivedAt, exclusive upper bound + 1) and `skip`
 * (rows at that very millisecond already shown), so ties in receivedAt are neither lost nor repeated.
 */
export async function eventsPage(options: ConsoleOptions, query: URLSearchParams): Promise<PageResult> {
  const now = options.now();
  const filters = { type: textParam(query, 'type'), corp: textParam(query, 'corp'), state: choiceParam(query, 'state', STATES), since: textParam(query, 'since') };
  const since = timeParam(query, 'since', now);
  const before = intParam(query, 'before');
  const skip = before === undefined ? 0 : intParam(query, 'skip') ?? 0;
  const listQuery: ListCallbacksQuery = {
    limit: EVENTS_PAGE_SIZE + skip + 1,
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.corp ? { corpId: filters.corp } : {}),
    ...(filters.state ? { state: filters.state } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(before !== undefined ? { until: before } : {}),
  };
  const fetched = (await options.store.listCallbacks(listQuery)).slice(skip);
  const rows = fetched.slice(0, EVENTS_PAGE_SIZE);
  const more = fetched.length > EVENTS_PAGE_SIZE;
  const last = rows[rows.length - 1];
  let next = '';
  if (more && last) {
    const tail = rows.filter((r) => r.receivedAt === last.receivedAt).length;
    const carried = before === last.receivedAt + 1 ? skip : 0;
    next = `/events${queryString({ ...filters, before: last.receivedAt + 1, skip: tail + carried })}`;
  }
  const body = html`<h1>Events</h1>
<div class="card"><form class="filters" method="get" action="/events">
  <label>Type (glob)<input name="type" value="${filters.type ?? ''}" placeholder="external_contact.*"></label>
  <label>Corp<input name="corp" value="${filters.corp ?? ''}" placeholder="corp id"></label>
  <label>State<select name="state"><option value="">any</option>${STATES.map((s) => html`<option${filters.state === s ? html` selected` : ''}>${s}</option>`)}</select></label>
  <label>Since<input name="since" value="${filters.since ?? ''}" placeholder="2h, 30m or an ISO time"></label>
  <button type="submit">Filter</button> <a href="/events">clear</a>
</form></div>
<div class="card"><table><thead><tr><th>Received</th><th>Type</th><th>Summary</th><th>Corp</th><th>Endpoint</th><th>State</th></tr></thead><tbody>
${rows.length === 0 ? html`<tr><td colspan="6" class="muted">No event matches.</td></tr>` : rows.map((r) => html`<tr>
  <td class="mono"><a href="/events/${encodeURIComponent(r.id)}">${isoTime(r.receivedAt)}</a></td><td class="mono">${r.type}</td>
  <td>${eventSummary(r)}</td><td class="mono">${r.corpId ?? ''}</td><td>${r.endpoint}</td><td>${badge(r.state)}</td></tr>`)}
</tbody></table>
<div class="pager">${before !== undefined ? html`<a href="/events${queryString(filters)}">« newest</a>` : ''}${next ? html`<a href="${next}" rel="next">older »</a>` : ''}</div></div>`;
  return { title: 'Events', current: '/events', body };
}
