import type { DeliveryRecord, Store } from '../../src/store/store.js';
import type { StoreConfig } from '../config.js';
import { TARGET_STATE_NS, type TargetState } from '../delivery/target-state.js';

/** One row of `wecom-relay targets list`. */
export interface TargetSummary {
  readonly name: string;
  /**
   * `enabled`; `disabled` at runtime (by an operator or a permanent-failure answer, for every daemon on
   * the store); `disabled in config` (`enabled: false`); `not configured` (deliveries in the store for a
   * target the configuration no longer names).
   */
  readonly state: 'enabled' | 'disabled' | 'disabled in config' | 'not configured';
  /** Why it was disabled at runtime, or null. */
  readonly reason: string | null;
  /** Queue depth: deliveries waiting to be sent. */
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
  readonly oldestPendingAt: number | null;
  /** The most recent error among its newest pending and dead deliveries, or null. */
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
}

/** Targets disabled at runtime or in the configuration, with the reason (for `deliveries list`). */
export async function targetStates(store: Store, config: StoreConfig | null): Promise<Map<string, string>> {
  const disabled = new Map<string, string>();
  for (const t of config?.targets ?? []) if (!t.enabled) disabled.set(t.name, 'enabled: false in the configuration');
  for (const { key, value } of await store.listKv<TargetState>(TARGET_STATE_NS)) {
    if (value.disabled) disabled.set(key, value.reason ?? 'disabled');
  }
  return disabled;
}

/** Every target the configuration names, plus those the store has deliveries or runtime state for. */
export async function knownTargetNames(store: Store, config: StoreConfig | null, now: number): Promise<string[]> {
  const names = new Set((config?.targets ?? []).map((t) => t.name));
  for (const name of Object.keys((await store.stats(now)).deliveries)) names.add(name);
  for (const { key } of await store.listKv(TARGET_STATE_NS)) names.add(key);
  return [...names];
}

function lastFailure(rows: readonly DeliveryRecord[]): { error: string; at: number } | null {
  let best: { error: string; at: number } | null = null;
  for (const d of rows) {
    const error = d.lastError ?? (d.lastStatus !== null && (d.lastStatus < 200 || d.lastStatus > 299) ? `HTTP ${d.lastStatus}` : null);
    if (error && (!best || d.updatedAt > best.at)) best = { error, at: d.updatedAt };
  }
  return best;
}

/** The rows of `targets list`: configured targets first (in order), then any others the store knows. */
export async function describeTargets(store: Store, config: StoreConfig | null, now: number): Promise<TargetSummary[]> {
  const stats = (await store.stats(now)).deliveries;
  const runtime = new Map((await store.listKv<TargetState>(TARGET_STATE_NS)).map((r) => [r.key, r.value]));
  const configured = new Map((config?.targets ?? []).map((t) => [t.name, t.enabled]));
  const names = [...new Set([...configured.keys(), ...Object.keys(stats).sort(), ...[...runtime.keys()].sort()])];
  const rows: TargetSummary[] = [];
  for (const name of names) {
    const s = stats[name] ?? { pending: 0, delivered: 0, dead: 0, oldestPendingAt: null };
    const state = runtime.get(name);
    const recent = [
      ...await store.listDeliveries({ target: name, state: 'pending', limit: 20 }),
      ...await store.listDeliveries({ target: name, state: 'dead', limit: 20 }),
    ];
    const failure = lastFailure(recent);
    rows.push({
      name,
      state: state?.disabled ? 'disabled'
        : configured.get(name) === false ? 'disabled in config'
          : config !== null && !configured.has(name) ? 'not configured' : 'enabled',
      reason: state?.disabled ? state.reason : null,
      pending: s.pending,
      delivered: s.delivered,
      dead: s.dead,
      oldestPendingAt: s.oldestPendingAt,
      lastError: failure?.error ?? null,
      lastErrorAt: failure?.at ?? null,
    });
  }
  return rows;
}
