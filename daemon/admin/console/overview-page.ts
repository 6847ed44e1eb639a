import type { ConsoleOptions } from './console-options.js';
import { activityChart } from './activity-chart.js';
import { readApps } from './console-apps.js';
import { readTargets } from './console-targets.js';
import { duration, isoTime } from './format-time.js';
import { html } from './html.js';
import { badge } from './layout.js';
import type { PageResult } from './page-result.js';

const HOUR = 3_600_000;

/** `/`: the last 24 h as a chart, the apps with their ticket age and corps, the targets with their queues. */
export async function overviewPage(options: ConsoleOptions): Promise<PageResult> {
  const { store } = options;
  const now = options.now();
  const end = now - (now % HOUR) + HOUR;
  const [buckets, stats, apps] = await Promise.all([
    store.activity(end - 24 * HOUR, end, HOUR),
    store.stats(now),
    readApps(store, options.apps, now),
  ]);
  const targets = await readTargets(store, options.targets, stats);
  const cb = stats.callbacks;
  const body = html`<h1>Overview</h1>
<div class="grid">
  <div class="stat"><div class="value">${cb.pending}</div><div class="label">callbacks pending${cb.oldestPendingAt === null ? '' : html` · oldest ${duration(now - cb.oldestPendingAt)}`}</div></div>
  <div class="stat"><div class="value"><a href="/events?state=failed">${cb.failed}</a></div><div class="label">callbacks failed</div></div>
  <div class="stat"><div class="value">${targets.reduce((n, t) => n + t.pending, 0)}</div><div class="label">deliveries pending</div></div>
  <div class="stat"><div class="value"><a href="/dead">${targets.reduce((n, t) => n + t.dead, 0)}</a></div><div class="label">dead letters</div></div>
</div>
<div class="card"><h2>Last 24 hours</h2>${activityChart(buckets)}</div>
<div class="card"><h2>Apps</h2>
<table><thead><tr><th>App</th><th>Kind</th><th>ID</th><th>suite_ticket age</th><th class="num">Active corps</th><th class="num">Revoked</th><th class="num">Gone</th></tr></thead><tbody>
${apps.length === 0 ? html`<tr><td colspan="7" class="muted">No app configured.</td></tr>` : apps.map((a) => html`<tr>
  <td><a href="/corps">${a.name}</a></td><td>${a.kind}</td><td class="mono">${a.id}</td>
  <td>${a.ticketAt === null ? html`<span class="badge failed">none</span>` : html`${duration(now - a.ticketAt)} <span class="muted">(${isoTime(a.ticketAt)})</span>`}</td>
  <td class="num">${a.corps.active}</td><td class="num">${a.corps.revoked}</td><td class="num">${a.corps.gone}</td></tr>`)}
</tbody></table></div>
<div class="card"><h2>Targets</h2>
<table><thead><tr><th>Target</th><th>State</th><th class="num">Queue</th><th>Oldest pending</th><th class="num">Delivered</th><th class="num">Dead</th><th>Last error</th></tr></thead><tbody>
${targets.length === 0 ? html`<tr><td colspan="7" class="muted">No target configured.</td></tr>` : targets.map((t) => html`<tr>
  <td><a href="/targets">${t.name}</a> <span class="muted">${t.format}</span></td><td>${badge(t.state)}${t.reason ? html` <span class="muted">${t.reason}</span>` : ''}</td>
  <td class="num">${t.pending}</td><td>${t.oldestPendingAt === null ? '' : duration(now - t.oldestPendingAt)}</td>
  <td class="num">${t.delivered}</td><td class="num">${t.dead > 0 ? html`<a href="/dead?target=${encodeURIComponent(t.name)}">${t.dead}</a>` : '0'}</td>
  <td class="excerpt">${t.lastError ? html`<a href="/events/${encodeURIComponent(t.lastError.eventId)}">${isoTime(t.lastError.at)}</a> ${t.lastError.text}` : html`<span class="muted">none</span>`}</td></tr>`)}
</tbody></table></div>`;
  return { title: 'Overview', current: '/', body };
}
