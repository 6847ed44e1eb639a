import type { AppKind } from '../../src/apps/app.js';

/** The four reconciliation scopes of SPEC §12. */
export type SyncScope = 'contacts' | 'external_contacts' | 'groupchats' | 'tags';

/** Every scope, in the order a run goes through them. */
export const SYNC_SCOPES: readonly SyncScope[] = ['contacts', 'external_contacts', 'groupchats', 'tags'];

/**
 * The scopes an app kind may call: the contact-edit authorization may read member and department ids
 * only (doc 96078, "其他未列举的接口均不能调用"); suites and customized apps all four.
 */
export function scopesForKind(kind: AppKind): readonly SyncScope[] {
  return kind === 'contact_edit' ? ['contacts'] : SYNC_SCOPES;
}

/** True for a scope name. */
export function isSyncScope(value: unknown): value is SyncScope {
  return typeof value === 'string' && (SYNC_SCOPES as readonly string[]).includes(value);
}

/** The store names of one (app, corp, scope): the snapshot, a run's staging set, the lister's helper set, lock, state. */
export function scopeKeys(appId: string, corpId: string, scope: SyncScope): {
  readonly key: string; readonly snapshot: string; readonly staging: string; readonly aux: string; readonly lock: string;
} {
  const key = `${appId}:${corpId}:${scope}`;
  return { key, snapshot: `snap:${key}`, staging: `run:${key}`, aux: `aux:${key}`, lock: `sync:${key}` };
}
