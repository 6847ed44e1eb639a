import type { ConsoleOptions } from './console-options.js';
import { readTargets } from './console-targets.js';
import { duration, isoTime } from './format-time.js';
import { html } from './html.js';
import { badge } from './layout.js';
import { noticeOf, type PageResult } from './page-result.js';

/** `/targets`: every target with its state and counts, and an enable / disable button. */
export async function targetsPage(options: ConsoleOptions, query: URLSearchParams, actionsAllowed: boolean): Promise<PageResult> {
  const now = options.now();
  const targets = await readTargets(options.store, options.targets, await options.store.stats(now));
  const body = html`<h1>Targets</h1>
${actionsAllowed ? '' : html`<div class="notice error">Actions are off: this listener is not on loopback and <code>admin.token</code> is not set.</div>`}
<div class="card"><table><thead><tr><th>Target</th><th>Format</th><th>State</th><th class="num">Pending</th><th>Oldest pending</th><th class="num">Delivered</th><th class="num">Dead</th><th>Last error</th><th></th></tr></thead><tbody>
${targets.length === 0 ? html`<tr><td colspan="9" class="muted">No target configured.</td></tr>` : targets.map((t) => html`<tr id="target-${t.name}">
  <td>${t.name}</td><td>${t.format}</td><td>${badge(t.state)}${t.reason ? html`<div class="muted">${t.reason}</div>` : ''}</td>
  <td class="num">${t.pending}</td><td>${t.oldestPendingAt === null ? '' : duration(now - t.oldestPendingAt)}</td><td class="num">${t.delivered}</td>
  <td class="num">${t.dead > 0 ? html`<a href="/dead?target=${encodeURIComponent(t.name)}">${t.dead}</a>` : '0'}</td>
  <td class="excerpt">${t.lastError ? html`<a href="/events/${encodeURIComponent(t.lastError.eventId)}">${isoTime(t.lastError.at)}</a> ${t.lastError.text}` : ''}</td>
  <td>${t.state === 'enabled' || t.state === 'disabled' ? html`<form class="inline" method="post" action="/targets/${t.state === 'enabled' ? 'disable' : 'enable'}">
    <input type="hidden" name="name" value="${t.name}"><button type="submit" class="${t.state === 'enabled' ? 'danger' : ''}">${t.state === 'enabled' ? 'Disable' : 'Enable'}</button></form>` : ''}</td></tr>`)}
</tbody></table></div>`;
  return { title: 'Targets', current: '/targets', body, notice: noticeOf(query) };
}
