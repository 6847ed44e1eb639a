import { randomBytes } from 'node:crypto';
import { defineNamespace } from '../../../src/store/namespaces.js';
import type { ListDeliveriesQuery, Store } from '../../../src/store/store.js';
import { anyObject, arrayOf, number, object, string, type Check } from '../../../src/store/value-shape.js';

/** A bulk replay, as stored for its progress page. */
export interface ReplayBatch {
  readonly at: number;
  readonly filter: { readonly target?: string | undefined; readonly since?: number | undefined; readonly until?: number | undefined };
  readonly ids: readonly string[];
  /** How many the store re-queued. */
  readonly replayed: number;
}

/** Store namespace of the console's bulk replays (their ids, for the progress page); kept one day. */
export const REPLAY_BATCH_NS = defineNamespace<ReplayBatch>('console_replay', object<ReplayBatch>({
  at: number,
  filter: anyObject as Check<unknown> as Check<ReplayBatch['filter']>,
  ids: arrayOf(string),
  replayed: number,
}));

const CHUNK = 500;

/**
 * Re-queues every dead delivery matching `filter` (up to `max`), by id in chunks through
 * `store.replayDeliveries` — the call `wecom-relay replay` makes — and records the batch so its
 * progress (pending → delivered / dead again) can be shown. Resolves the batch id.
 */
export async function replayDead(store: Store, filter: ListDeliveriesQuery, max: number, now: number): Promise<{ readonly id: string; readonly batch: ReplayBatch }> {
  const ids = (await store.listDeliveries({ ...filter, state: 'dead', limit: max })).map((d) => d.id);
  let replayed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) replayed += await store.replayDeliveries({ ids: ids.slice(i, i + CHUNK) }, now);
  const batch: ReplayBatch = { at: now, filter: { target: filter.target, since: filter.since, until: filter.until }, ids, replayed };
  const id = randomBytes(9).toString('base64url');
  await store.putKv(REPLAY_BATCH_NS, id, batch, { now, ttlMs: 86_400_000 });
  return { id, batch };
}

/** How the deliveries of a batch stand now. */
export interface ReplayProgress {
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
  readonly gone: number;
}

/** Reads the state of every delivery of a batch. */
export async function replayProgress(store: Store, batch: ReplayBatch): Promise<ReplayProgress> {
  const counts = { pending: 0, delivered: 0, dead: 0, gone: 0 };
  for (let i = 0; i < batch.ids.length; i += 100) {
    const rows = await Promise.all(batch.ids.slice(i, i + 100).map((id) => store.getDelivery(id)));
    for (const row of rows) counts[row ? row.state : 'gone']++;
  }
  return counts;
}
