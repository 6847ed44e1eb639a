/**
 * Fills a SQLite store with completed callbacks, each with one pending delivery to `target`: the state a
 * daemon finds when a target has fallen behind.
 *
 * Every callback goes in through the Store API (`putCallback`, group-committed). The first `viaApi`
 * callbacks are then finished through the API too (`claimCallbacks` + `completeCallback`). The rest are
 * finished by the same two SQL statements `completeCallback` runs (src/store/sqlite-inbox.ts), on a second
 * connection with `synchronous = OFF`, in one transaction per batch: `completeCallback` is one fsync'd
 * IMMEDIATE transaction per callback (~5 ms here), so 100,000 through the API alone would take minutes.
 * The result is checked through the API afterwards (stats, and one delivery read back from each part).
 */
import Database from 'better-sqlite3';
import { createStore } from '../../dist/src/store/create-store.js';
import { storedCallback } from './fixtures.js';

/**
 * @param {string} file  the SQLite file (created)
 * @param {{ count: number, target: string, viaApi?: number, batch?: number, now?: number }} options
 * @returns {Promise<{ count: number, viaApi: number, ms: number, bodies?: string[] }>}
 */
export async function prefillStore(file, options) {
  const { count, target } = options;
  const viaApi = Math.min(options.viaApi ?? 500, count);
  const batch = options.batch ?? 500;
  const now = options.now ?? Date.now();
  const date = new Date(now);
  const started = performance.now();
  const store = await createStore(`sqlite:${file}`);
  const owner = 'bench-prefill';
  const raw = new Database(file);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = OFF');
  const done = raw.prepare(`UPDATE callbacks SET state = 'done', attempts = attempts + 1, event_json = ?, processed_at = ?,
    last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'`);
  const delivery = raw.prepare(`INSERT OR IGNORE INTO deliveries
    (id, event_id, target, event_type, state, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`);
  const complete = raw.transaction((items) => {
    for (const { callback, event } of items) {
      if (done.run(JSON.stringify(event), now, callback.id).changes !== 1) throw new Error(`prefill: ${callback.id} was not pending`);
      delivery.run(`${callback.id}:${target}`, callback.id, target, event.type, now, now, now);
    }
  });
  try {
    for (let from = 0; from < count; from += batch) {
      const items = [];
      for (let seq = from; seq < Math.min(count, from + batch); seq++) items.push(storedCallback(seq, now, date));
      const results = await Promise.all(items.map(({ callback }) => store.putCallback(callback)));
      if (results.some((r) => !r.inserted)) throw new Error('prefill: a callback was already stored (samples not distinct)');
      const apiPart = items.slice(0, Math.max(0, viaApi - from));
      if (apiPart.length > 0) {
        const events = new Map(apiPart.map((i) => [i.callback.id, i.event]));
        const claimed = await store.claimCallbacks({ owner, limit: apiPart.length, leaseMs: 600_000, now });
        for (const cb of claimed) {
          const event = events.get(cb.id);
          if (!event || !(await store.completeCallback(cb.id, owner, { event, targets: [target], now }))) {
            throw new Error(`prefill: completeCallback(${cb.id}) failed`);
          }
        }
      }
      complete.immediate(items.slice(apiPart.length));
    }
    const stats = await store.stats(now);
    const pending = stats.deliveries[target]?.pending ?? 0;
    if (pending !== count || stats.callbacks.pending !== 0) {
      throw new Error(`prefill: expected ${count} pending deliveries and no pending callback, got ${pending} and ${stats.callbacks.pending}`);
    }
    // One delivery of each part reads back with its event through the API.
    for (const seq of count > 0 ? new Set([0, count - 1]) : []) {
      const { callback } = storedCallback(seq, now, date);
      const d = await store.getDelivery(`${callback.id}:${target}`);
      if (d?.event?.id !== callback.id) throw new Error(`prefill: delivery ${seq} does not read back`);
    }
  } finally {
    raw.close();
    await store.close();
  }
  return { count, viaApi, ms: Math.round(performance.now() - started) };
}
