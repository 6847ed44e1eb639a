import { readAppCorps } from '../../src/apps/app-corps.js';
import type { AppConfig } from '../../src/apps/app.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import type { IdListApi } from '../../src/wecom-api/id-list-api.js';
import type { TokenProviders } from '../../src/wecom-api/token-providers.js';
import { runCorpSync, type CorpSyncResult } from './run-corp-sync.js';
import type { SyncScope } from './sync-scope.js';
import type { SyncDifference, SyncProgress } from './sync-types.js';

/** What a sync of several corps works with (the CLI and the daemon build it once). */
export interface SyncDeps {
  readonly store: Store;
  readonly api: IdListApi;
  readonly providers: Pick<TokenProviders, 'get'>;
  readonly apps: readonly AppConfig[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly listIdPageSize?: number;
}

/** Which corps and scopes to sync. */
export interface SyncSelection {
  /** Only the app with this name (default: every app whose credentials the relay manages). */
  readonly app?: string;
  /** Only this corp (default: every active corp of the apps). */
  readonly corpId?: string;
  readonly scopes?: readonly SyncScope[];
  readonly dryRun?: boolean;
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly onDifference?: (difference: SyncDifference) => void;
  readonly onCorp?: (result: CorpSyncResult) => void;
}

/** The (app, corp) pairs a selection names: active corps of managed apps. */
export async function syncTargets(deps: Pick<SyncDeps, 'store' | 'providers' | 'apps' | 'clock'>, selection: Pick<SyncSelection, 'app' | 'corpId'>): Promise<Array<{ readonly app: AppConfig; readonly corpId: string }>> {
  const apps = deps.apps.filter((app) => (selection.app === undefined || app.name === selection.app) && deps.providers.get(app.id) !== undefined);
  const rows = await readAppCorps(deps.store, apps, deps.clock.now());
  return rows
    .filter((row) => row.status === 'active' && (selection.corpId === undefined || row.corpId === selection.corpId))
    .map((row) => ({ app: apps.find((app) => app.id === row.appId) as AppConfig, corpId: row.corpId }));
}

/** Runs {@link runCorpSync} for every (app, corp) of the selection, one after the other. */
export async function syncCorps(deps: SyncDeps, selection: SyncSelection): Promise<CorpSyncResult[]> {
  const results: CorpSyncResult[] = [];
  for (const { app, corpId } of await syncTargets(deps, selection)) {
    const tokens = deps.providers.get(app.id);
    if (tokens === undefined) continue;
    const result = await runCorpSync({
      store: deps.store, api: deps.api, tokens, clock: deps.clock, logger: deps.logger, app, corpId, leaseMs: deps.leaseMs,
      ...(deps.listIdPageSize === undefined ? {} : { listIdPageSize: deps.listIdPageSize }),
      ...(selection.scopes === undefined ? {} : { scopes: selection.scopes }),
      ...(selection.dryRun === undefined ? {} : { dryRun: selection.dryRun }),
      ...(selection.onProgress === undefined ? {} : { onProgress: selection.onProgress }),
      ...(selection.onDifference === undefined ? {} : { onDifference: selection.onDifference }),
    });
    selection.onCorp?.(result);
    results.push(result);
  }
  return results;
}
