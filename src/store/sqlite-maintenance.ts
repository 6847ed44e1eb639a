import type Database from 'better-sqlite3';
import type { Prepare } from './sqlite-statements.js';
import type { StoreStats, TargetDeliveryStats } from './records.js';

/**
 * Counts for metrics and `/readyz`, read in one snapshot. `oldestPendingAt` is the oldest pending
 * callback's `receivedAt` and, per target, the oldest pending delivery's `createdAt`.
 */
export function readStats(db: Database.Database, prepare: Prepare): StoreStats {
  return db.transaction((): StoreStats => {
    const callbacks = { pending: 0, failed: 0, done: 0, oldestPendingAt: null as number | null };
    const states = prepare('SELECT state, COUNT(*) AS n FROM callbacks GROUP BY state').all() as Array<{ state: 'pending' | 'failed' | 'done'; n: number }>;
    for (const { state, n } of states) callbacks[state] = n;
    callbacks.oldestPendingAt = prepare("SELECT MIN(received_at) FROM callbacks WHERE state = 'pending'").pluck().get() as number | null;

    const deliveries: Record<string, TargetDeliveryStats> = {};
    const rows = prepare('SELECT target, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries GROUP BY target, state')
      .all() as Array<{ target: string; state: 'pending' | 'delivered' | 'dead'; n: number; oldest: number }>;
    for (const { target, state, n, oldest } of rows) {
      const stats = deliveries[target] ?? { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null };
      deliveries[target] = { ...stats, [state]: n, ...(state === 'pending' ? { oldestPendingAt: oldest } : {}) };
    }
    return { callbacks, deliveries };
  })();
}

/**
 * Deletes delivered deliveries with `deliveredAt < before` (and their attempts logs), then `done` callbacks with
 * `processedAt < before` that have no delivery left (a dead or recent one keeps its event), in one
 * IMMEDIATE transaction. Resolves how many rows of those two kinds went.
 */
export function pruneDelivered(db: Database.Database, prepare: Prepare, before: number): number {
  return db.transaction((): number => {
    // The attempts logs of the deliveries about to go, first (by the same condition, through the state index).
    prepare(`DELETE FROM delivery_attempts WHERE (created_at, delivery_id) IN
      (SELECT created_at, id FROM deliveries WHERE state = 'delivered' AND delivered_at < ?)`).run(before);
    const deliveries = prepare("DELETE FROM deliveries WHERE state = 'delivered' AND delivered_at < ?").run(before).changes;
    const callbacks = prepare(`DELETE FROM callbacks WHERE state = 'done' AND processed_at < ?
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = callbacks.id)`).run(before).changes;
    return deliveries + callbacks;
  }).immediate();
}
