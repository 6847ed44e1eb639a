import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Store } from '../../src/store/store.js';
import { snapshotEditOf } from './sync-ids.js';
import { scopeKeys } from './sync-scope.js';

/**
 * The consumer's snapshot step (SPEC §12: "Callbacks update the snapshot as they arrive"): after a pushed
 * callback is normalized, the id it creates or deletes is added to / removed from the (app, corp, scope)
 * snapshot — and from a run's staging set, so a run in progress does not undo it — so the next sync
 * reports only what WeCom never told. Synthetic (`sync`) events are the run's own: skipped. Idempotent
 * (set operations), so a re-processed callback changes nothing more.
 */
export function snapshotUpdater(store: Pick<Store, 'addIds' | 'removeIds'>): (event: EventEnvelope) => Promise<void> {
  return async (event) => {
    const { source } = event;
    if (source.endpoint === 'sync' || source.corpId === null) return;
    const edit = snapshotEditOf(event.type, event.raw, source.appKind ?? 'suite');
    if (edit === undefined) return;
    const keys = scopeKeys(source.appId ?? source.suiteId, source.corpId, edit.scope);
    for (const set of [keys.snapshot, keys.staging]) {
      await store.removeIds(set, edit.remove);
      await store.addIds(set, edit.add);
    }
  };
}
