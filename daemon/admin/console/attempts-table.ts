import type { DeliveryAttempt, DeliveryRecord } from '../../../src/store/store.js';
import { isoTime } from './format-time.js';
import { html, type SafeHtml } from './html.js';

/** What an attempt came to, for people: its label and the badge class it wears. */
function outcome(a: DeliveryAttempt): SafeHtml {
  const [label, cls] = a.state === 'delivered' ? ['delivered', 'delivered']
    : a.state === 'dead' ? ['dead', 'dead']
    : a.counted ? ['retry', 'pending'] : ['paused', 'pending'];
  return html`<span class="badge ${cls}">${label}</span>`;
}

/**
 * The worker's reason, unless it only repeats what the row already shows: the status (`HTTP 503`), or
 * the status and the start of the response body (`HTTP 422: {"error":…}`, the worker's wording).
 */
function reason(a: DeliveryAttempt): string {
  if (a.error === null) return '';
  if (a.status === null || !a.error.startsWith(`HTTP ${a.status}`)) return a.error;
  const rest = a.error.slice(`HTTP ${a.status}`.length).replace(/^: /, '').replace(/…$/, '');
  const body = (a.response ?? '').replace(/\s+/g, ' ').trim();
  return rest === '' || body.startsWith(rest) ? '' : a.error;
}

/**
 * A delivery's attempts log as a table, oldest first: number, replay round, time, outcome, HTTP status,
 * duration, reason and response excerpt (the store keeps 512 bytes of it, target secrets masked by the
 * worker). A delivery tried before the store kept a log says so (its last attempt is on the delivery).
 */
export function attemptsTable(d: DeliveryRecord, attempts: readonly DeliveryAttempt[]): SafeHtml {
  if (attempts.length === 0) {
    const tried = d.lastStatus !== null || d.lastError !== null || d.lastResponse !== null;
    return html`<p class="muted">${tried ? 'Its attempts were made before this store kept an attempts log; the last one is shown above.' : 'No attempt yet.'}</p>`;
  }
  return html`<table class="attempts"><thead><tr><th class="num">#</th><th>Round</th><th>Time</th><th>Outcome</th><th>HTTP</th><th class="num">Duration</th><th>Reason</th><th>Response</th></tr></thead><tbody>
${attempts.map((a) => html`<tr id="attempt-${d.target}-${String(a.seq)}">
  <td class="num">${String(a.seq)}</td><td>${a.replay === 0 ? 'first' : `replay ${a.replay}`}</td><td class="mono">${isoTime(a.at)}</td><td>${outcome(a)}</td>
  <td>${a.status === null ? html`<span class="muted">no response</span>` : `HTTP ${a.status}`}</td>
  <td class="num">${a.durationMs === null ? '' : `${a.durationMs} ms`}</td>
  <td class="excerpt">${reason(a)}</td><td class="excerpt mono">${a.response ?? ''}</td></tr>`)}
</tbody></table>`;
}
