import { expected } from '../expected.js';
import { parseAppCorpKey, appCorpKey } from './app-corp-key.js';
import type { KeyedState } from './keyed-state.js';
import { namespaces, type Namespace } from './namespaces.js';

/** What {@link migrateAppKeys} did, per namespace: records rewritten under the app id. */
export interface AppKeyMigration {
  readonly corp: number;
  readonly corpToken: number;
}

/**
 * Rewrites the per-corp records of a store written by the one-suite release — `corp` and `corp_token`
 * keyed by corp id alone — to the `<appId>:<corpId>` form ({@link appCorpKey}), under the app that release
 * served (the first, or only, suite). Runs at start-up before anything reads credentials.
 *
 * One-shot and idempotent, on either backend, through the KeyedState contract only: each old-form record is
 * written under its new key newer-wins (its own version and remaining ttl, so a record already migrated,
 * or rewritten since, is never overwritten), then its old key is deleted only while it still holds the
 * value copied. A crash between the two steps leaves both forms; the next run finishes the job. Two
 * processes migrating at once write the same value and delete the same key.
 */
export async function migrateAppKeys(store: Pick<KeyedState, 'listKv' | 'putKv' | 'deleteKv'>, appId: string, now: number): Promise<AppKeyMigration> {
  if (typeof appId !== 'string' || appId === '' || appId.includes(':')) throw expected('appId', 'a non-empty app id without `:`', appId);
  return {
    corp: await migrateNamespace(store, namespaces.corp, appId, now),
    corpToken: await migrateNamespace(store, namespaces.corpToken, appId, now),
  };
}

async function migrateNamespace<T>(store: Pick<KeyedState, 'listKv' | 'putKv' | 'deleteKv'>, ns: Namespace<T>, appId: string, now: number): Promise<number> {
  let moved = 0;
  for (const record of await store.listKv(ns, now)) {
    if (parseAppCorpKey(record.key) !== undefined) continue;
    const ttlMs = record.expiresAt === null ? undefined : record.expiresAt - now;
    if (ttlMs !== undefined && ttlMs <= 0) continue;
    await store.putKv(ns, appCorpKey(appId, record.key), record.value, {
      version: record.version, ifNewer: true, now, ...(ttlMs === undefined ? {} : { ttlMs }),
    });
    if (await store.deleteKv(ns, record.key, { ifValue: record.value })) moved++;
  }
  return moved;
}
