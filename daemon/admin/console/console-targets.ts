import type { Store, StoreStats } from '../../../src/store/store.js';
import { TARGET_STATE_NS, type TargetState } from '../../delivery/target-state.js';
import type { ConsoleTarget } from './console-options.js';

/** A target's row in the overview and on the targets page. */
export interface TargetRow {
  readonly name: string;
  readonly format: string;
  /** `enabled`, `disabled` (at runtime), `off in config`, or `not configured` (only seen in the store). */
  readonly state: 'enabled' | 'disabled' | 'off in config' | 'not configured';
  readonly reason: string | null;
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
  readonly oldestPendingAt: number | null;
  /** The newest failure seen: `status …` / error, and its time; null when none. */
  readonly lastError: { readonly text: string; readonly at: number; readonly deliveryId: string; readonly eventId: string } | null;
}

/** Reads every configured target (and any target the store has deliveries for) with its state and counts. */
export async function readTargets(store: Store, targets: readonly ConsoleTarget[], stats: StoreStats): Promise<TargetRow[]> {
  const states = new Map((await store.listKv<TargetState>(TARGET_STATE_NS)).map((r) => [r.key, r.value]));
  const known = new Map(targets.map((t) => [t.name, t]));
  const names = [...new Set([...targets.map((t) => t.name), ...Object.keys(stats.deliveries)])];
  return Promise.all(names.map(async (name): Promise<TargetRow> => {
    const configured = known.get(name);
    const runtime = states.get(name);
    const counts = stats.deliveries[name] ?? { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null };
    const recent = [
      ...await store.listDeliveries({ target: name, state: 'dead', limit: 1 }),
      ...await store.listDeliveries({ target: name, state: 'pending', limit: 3 }),
    ].filter((d) => d.lastError !== null || (d.lastStatus !== null && (d.lastStatus < 200 || d.lastStatus > 299)))
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const last = recent[0];
    return {
      name,
      format: configured?.format ?? '',
      state: configured === undefined ? 'not configured' : !configured.enabledInConfig ? 'off in config' : runtime?.disabled ? 'disabled' : 'enabled',
      reason: runtime?.disabled ? runtime.reason : null,
      ...counts,
      lastError: last ? {
        // The worker's error already reads `HTTP <status>: <excerpt>`; the raw response only when it adds something.
        text: (last.lastError ?? [last.lastStatus === null ? '' : `HTTP ${last.lastStatus}`, last.lastResponse ?? ''].join(' ').trim()).slice(0, 240),
        at: last.updatedAt, deliveryId: last.id, eventId: last.eventId,
      } : null,
    };
  }));
}
