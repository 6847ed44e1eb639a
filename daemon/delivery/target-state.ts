import { namespaces } from '../../src/store/namespaces.js';
import type { Store } from '../../src/store/store.js';

/** Store namespace of runtime target state (shared by every daemon and the CLI). */
export const TARGET_STATE_NS = namespaces.target;

/** A target's runtime state. */
export interface TargetState {
  readonly disabled: boolean;
  /** Why it was disabled (a 410, an invalid bot key …), or null. */
  readonly reason: string | null;
  readonly changedAt: number;
}

/** Whether the target was disabled at runtime (by a permanent-failure answer or `wecom-relay targets disable`). */
export async function isTargetDisabled(store: Store, name: string): Promise<boolean> {
  const record = await store.getKv(TARGET_STATE_NS, name);
  return record?.value.disabled === true;
}

/** Disables a target until it is re-enabled; its pending deliveries wait (they are not lost). */
export async function setTargetDisabled(store: Store, name: string, reason: string, now: number): Promise<void> {
  await store.putKv(TARGET_STATE_NS, name, { disabled: true, reason, changedAt: now }, { now });
}

/** Re-enables a target; its waiting deliveries go out again. */
export async function setTargetEnabled(store: Store, name: string, now: number): Promise<void> {
  await store.putKv(TARGET_STATE_NS, name, { disabled: false, reason: null, changedAt: now }, { now });
}
