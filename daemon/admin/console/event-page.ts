import type { CallbackRecord, DeliveryAttempt, DeliveryRecord } from '../../../src/store/store.js';
import { maskCallback } from '../../commands/mask-secrets.js';
import { attemptsTable } from './attempts-table.js';
import type { ConsoleOptions } from './console-options.js';
import { isoTime } from './format-time.js';
import { html, type SafeHtml } from './html.js';
import { badge } from './layout.js';
import { noticeOf, type PageResult } from './page-result.js';
import { eventSummary } from './events-page.js';

/** Characters of a response body shown per attempt (the store keeps 2,000). */
const EXCERPT_CHARS = 500;

/**
 * The envelope as `events show` prints it, secrets masked: `maskCallback` (the CLI's masking) replaces
 * every secret field's value wherever it appears in the text it is given, here the envelope's JSON.
 */
export function maskedEnvelope(row: CallbackRecord): string {
  if (!row.event) return '';
  return maskCallback({ ...row, plaintext: JSON.stringify(row.event, null, 2) }).plaintext;
}

function attemptCell(d: DeliveryRecord): SafeHtml {
  const tried = d.lastStatus !== null || d.lastError !== null || d.lastResponse !== null;
  if (!tried) return html`<span class="muted">not attempted yet</span>`;
  return html`<div>${d.lastStatus === null ? html`<span class="badge failed">no response</span>` : html`<span class="badge ${d.lastStatus >= 200 && d.lastStatus < 300 ? 'delivered' : 'failed'}">HTTP ${d.lastStatus}</span>`}
  <span class="muted">at ${isoTime(d.updatedAt)}</span></div>
  ${d.lastError && !(d.lastStatus !== null && d.lastError.startsWith(`HTTP ${d.lastStatus}`)) ? html`<div class="excerpt">${d.lastError}</div>` : ''}
  ${d.lastResponse ? html`<div class="excerpt mono">${d.lastResponse.slice(0, EXCERPT_CHARS)}${d.lastResponse.length > EXCERPT_CHARS ? '…' : ''}</div>` : ''}`;
}

/** A replay button for one delivery; `back` is where to return. */
export function replayButton(d: DeliveryRecord, back: string): SafeHtml {
  return html`<form class="inline" method="post" action="/deliveries/replay"><input type="hidden" name="id" value="${d.id}"><input type="hidden" name="back" value="${back}"><button type="submit" class="secondary">Replay</button></form>`;
}

/**
 * `/events/<id>`: the callback, its envelope (secrets masked as in `events show`) and every delivery —
 * count, replays, the last attempt's status, time, error and response excerpt, a replay button — then
 * each delivery's attempts log (every attempt: status, time, duration, reason, response excerpt), read
 * for all the event's deliveries in one store call.
 */
export async function eventPage(options: ConsoleOptions, id: string, query: URLSearchParams): Promise<PageResult> {
  const row = await options.store.getCallback(id);
  if (!row) return { status: 404, title: 'Not found', current: '/events', body: html`<h1>No such event</h1><p><a href="/events">All events</a></p>` };
  const masked = maskCallback(row);
  const [deliveries, attempts] = await Promise.all([
    options.store.listDeliveries({ eventId: id, limit: 1000 }), options.store.listEventAttempts(id),
  ]);
  const log = new Map<string, DeliveryAttempt[]>();
  for (const a of attempts) log.set(a.deliveryId, [...(log.get(a.deliveryId) ?? []), a]);
  const back = `/events/${encodeURIComponent(id)}`;
  const body = html`<h1>${row.type} <span class="muted mono">${row.id}</span></h1>
<div class="card"><dl class="kv">
  <dt>Summary</dt><dd>${eventSummary(row) || html`<span class="muted">not processed yet</span>`}</dd>
  <dt>State</dt><dd>${badge(row.state)} ${row.lastError ? html`<span class="muted">${row.lastError}</span>` : ''}</dd>
  <dt>Received</dt><dd>${isoTime(row.receivedAt)} on the ${row.endpoint} URL</dd>
  <dt>Corp</dt><dd class="mono">${row.corpId ? html`<a href="/events?corp=${encodeURIComponent(row.corpId)}">${row.corpId}</a>` : ''}</dd>
  <dt>Processed</dt><dd>${isoTime(row.processedAt)} <span class="muted">(${row.attempts} processing attempt${row.attempts === 1 ? '' : 's'})</span></dd>
</dl></div>
<div class="card"><h2>Deliveries</h2>
<table><thead><tr><th>Target</th><th>State</th><th class="num">Attempts</th><th class="num">Replays</th><th>Last attempt</th><th>Next / delivered</th><th></th></tr></thead><tbody>
${deliveries.length === 0 ? html`<tr><td colspan="7" class="muted">No delivery (no target matched, or not processed yet).</td></tr>` : deliveries.map((d) => html`<tr id="delivery-${d.target}">
  <td>${d.target}</td><td>${badge(d.state)}</td><td class="num">${d.attempts}</td><td class="num">${d.replays}</td>
  <td>${attemptCell(d)}</td>
  <td>${d.state === 'delivered' ? isoTime(d.deliveredAt) : d.state === 'pending' ? html`next ${isoTime(d.nextAttemptAt)}` : ''}</td>
  <td>${d.state === 'pending' ? '' : replayButton(d, back)}</td></tr>`)}
</tbody></table>
${deliveries.map((d) => html`<section id="attempts-${d.target}"><h3>Attempts to ${d.target}</h3>${attemptsTable(d, log.get(d.id) ?? [])}</section>`)}</div>
<div class="card"><h2>Envelope</h2>${row.event ? html`<pre>${maskedEnvelope(row)}</pre>` : html`<p class="muted">Not normalized yet.</p>`}</div>
<div class="card"><h2>Decrypted fields</h2><pre>${JSON.stringify(masked.fields, null, 2)}</pre></div>`;
  return { title: row.type, current: '/events', body, notice: noticeOf(query) };
}
