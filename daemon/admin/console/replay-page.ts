import type { ConsoleOptions } from './console-options.js';
import { isoTime } from './format-time.js';
import { html } from './html.js';
import type { PageResult } from './page-result.js';
import { REPLAY_BATCH_NS, replayProgress, type ReplayBatch } from './replay-batch.js';

/** `/replays/<id>`: a bulk replay's count and progress; reloads itself every 2 s while any is pending. */
export async function replayPage(options: ConsoleOptions, id: string): Promise<PageResult> {
  const record = await options.store.getKv(REPLAY_BATCH_NS, id, options.now());
  if (!record) return { status: 404, title: 'Not found', current: '/dead', body: html`<h1>No such replay</h1><p><a href="/dead">Dead letters</a></p>` };
  const batch = record.value;
  const progress = await replayProgress(options.store, batch);
  const done = progress.delivered + progress.dead + progress.gone;
  const f = batch.filter;
  const body = html`<h1>Replay of ${batch.replayed} dead deliver${batch.replayed === 1 ? 'y' : 'ies'}</h1>
<div class="card"><dl class="kv">
  <dt>Started</dt><dd>${isoTime(batch.at)}</dd>
  <dt>Filter</dt><dd>target ${f.target ?? 'any'}${f.since !== undefined ? `, created since ${isoTime(f.since)}` : ''}${f.until !== undefined ? `, created before ${isoTime(f.until)}` : ''}</dd>
  <dt>Progress</dt><dd><progress max="${Math.max(1, batch.ids.length)}" value="${done}"></progress> ${done} / ${batch.ids.length} finished</dd>
  <dt>Delivered</dt><dd><span class="badge delivered">${progress.delivered}</span></dd>
  <dt>Pending</dt><dd><span class="badge pending">${progress.pending}</span></dd>
  <dt>Dead again</dt><dd><span class="badge dead">${progress.dead}</span></dd>
</dl>
<p>${progress.pending > 0 ? html`<span class="muted">Updating every 2 seconds while deliveries are pending (a running daemon sends them).</span>` : html`Finished. <a href="/dead">Back to the dead letters</a>`}</p></div>`;
  return { title: 'Replay', current: '/dead', body, ...(progress.pending > 0 ? { refreshSeconds: 2 } : {}) };
}
