import type Database from 'better-sqlite3';
import { emptyBuckets, validateActivityWindow } from './activity-window.js';
import type { Prepare } from './sqlite-statements.js';
import type { ActivityBucket } from './store.js';


/**
 * Indexes the console's overview reads: deliveries by the time they were delivered, and by state and
 * last update (a dead delivery's `updated_at` is the time it died), for the activity counts; and
 * (target, state, created_at), which makes `stats()` — the overview's queue depths and oldest pending
 * ages — one covering-index scan instead of a table scan (134 → 30 ms at 100,000 deliveries).
 * `IF NOT EXISTS`, so idempotent; built on the first `activity` call of a connection (once per file);
 * a read-only connection skips it and counts without the indexes.
 */
const ACTIVITY_INDEXES = `
  CREATE INDEX IF NOT EXISTS deliveries_delivered_at ON deliveries (delivered_at) WHERE delivered_at IS NOT NULL;
  CREATE INDEX IF NOT EXISTS deliveries_state_updated ON deliveries (state, updated_at);
  CREATE INDEX IF NOT EXISTS deliveries_target_state_created ON deliveries (target, state, created_at);
`;

const indexed = new WeakSet<Database.Database>();

/**
 * `Store.activity` on SQLite: three index-backed `GROUP BY` counts — callbacks by `received_at`
 * (`callbacks_received`), deliveries by `delivered_at` and dead deliveries by `updated_at` (the indexes
 * above, created on first use). Validates the window at once (a bad one throws `TypeError`) and returns
 * the read, for the store to run inside its error mapping.
 */
export function sqliteActivity(db: Database.Database, prepare: Prepare, since: number, until: number, bucketMs: number): () => ActivityBucket[] {
  const count = validateActivityWindow(since, until, bucketMs);
  return () => read(db, prepare, since, until, bucketMs, count);
}

function read(db: Database.Database, prepare: Prepare, since: number, until: number, bucketMs: number, count: number): ActivityBucket[] {
  if (!indexed.has(db)) {
    indexed.add(db);
    if (!db.readonly) db.exec(ACTIVITY_INDEXES);
  }
  const buckets = emptyBuckets(since, bucketMs, count);
  const add = (field: 'received' | 'delivered' | 'dead', sql: string) => {
    for (const row of prepare(sql).all(since, bucketMs, since, until) as Array<{ b: number; n: number }>) {
      const bucket = buckets[row.b];
      if (bucket) bucket[field] += row.n;
    }
  };
  add('received', `SELECT CAST((received_at - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM callbacks
    WHERE received_at >= ? AND received_at < ? GROUP BY b`);
  add('delivered', `SELECT CAST((delivered_at - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM deliveries
    WHERE delivered_at >= ? AND delivered_at < ? GROUP BY b`);
  add('dead', `SELECT CAST((updated_at - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM deliveries
    WHERE state = 'dead' AND updated_at >= ? AND updated_at < ? GROUP BY b`);
  return buckets;
}
