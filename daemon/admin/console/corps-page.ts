import type { ConsoleOptions } from './console-options.js';
import { readCorps } from './console-apps.js';
import { isoTime } from './format-time.js';
import { html } from './html.js';
import { badge } from './layout.js';
import type { PageResult } from './page-result.js';

/** `/corps`: per app, every installed corp with its state, install and token times (never a code or token). */
export async function corpsPage(options: ConsoleOptions): Promise<PageResult> {
  const now = options.now();
  const sections = await Promise.all(options.apps.map(async (app) => ({ app, corps: await readCorps(options.store, app, now) })));
  const body = html`<h1>Corps</h1>
${sections.length === 0 ? html`<p class="muted">No app configured.</p>` : sections.map(({ app, corps }) => html`<div class="card"><h2>${app.name} <span class="muted mono">${app.id}</span></h2>
<table><thead><tr><th>Corp</th><th>Name</th><th>State</th><th>Installed</th><th>Last token refresh</th><th>Updated</th></tr></thead><tbody>
${corps.length === 0 ? html`<tr><td colspan="6" class="muted">No corp has installed this app yet.</td></tr>` : corps.map((c) => html`<tr>
  <td class="mono"><a href="/events?corp=${encodeURIComponent(c.corpId)}">${c.corpId}</a></td><td>${c.corpName ?? ''}</td><td>${badge(c.state)}</td>
  <td>${isoTime(c.authorizedAt)}</td><td>${isoTime(c.tokenFetchedAt)}</td><td>${isoTime(c.updatedAt)}</td></tr>`)}
</tbody></table></div>`)}`;
  return { title: 'Corps', current: '/corps', body };
}
