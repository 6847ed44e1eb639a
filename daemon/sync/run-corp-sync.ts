import type { Store } from '../../src/store/store.js';
import { runScopeSync, type ScopeSyncOptions } from './run-scope-sync.js';
import { syncCallback } from './sync-callback.js';
import { syncEventId } from './sync-event-id.js';
import { scopesForKind, type SyncScope } from './sync-scope.js';
import type { ScopeResult } from './sync-types.js';

/** Inputs of {@link runCorpSync}: those of a scope run, for several scopes. */
export interface CorpSyncOptions extends Omit<ScopeSyncOptions, 'scope'> {
  /** Wanted scopes; those the app kind may not call are skipped. @default every scope the kind may call */
  readonly scopes?: readonly SyncScope[];
}

/** What one corp's run did. */
export interface CorpSyncResult {
  readonly appId: string;
  readonly corpId: string;
  readonly results: readonly ScopeResult[];
  /** Scopes asked for that the app kind may not call. */
  readonly skipped: readonly SyncScope[];
  /** Ids of the report events put in the inbox (none for a dry run). */
  readonly reportIds: readonly string[];
}

/**
 * One reconciliation run of one (app, corp): each scope in turn ({@link runScopeSync}), then the run's
 * report events — one `sync.completed` (per scope `{total, added, removed}`, start and end) when any scope
 * completed, and one `sync.failed` per failed scope with its errcode — as synthetic callbacks with ids
 * stable for the scope runs they report, so a resumed run does not report twice.
 */
export async function runCorpSync(options: CorpSyncOptions): Promise<CorpSyncResult> {
  const { app, corpId, store, clock } = options;
  const allowed = scopesForKind(app.kind);
  const wanted = options.scopes ?? allowed;
  const scopes = wanted.filter((scope) => allowed.includes(scope));
  const skipped = wanted.filter((scope) => !allowed.includes(scope));
  const results: ScopeResult[] = [];
  for (const scope of scopes) results.push(await runScopeSync({ ...options, scope }));
  const reportIds = options.dryRun === true ? [] : await putReports(store, app.id, app.name, corpId, results, clock.now());
  return { appId: app.id, corpId, results, skipped, reportIds };
}

async function putReports(store: Store, appId: string, app: string, corpId: string, results: readonly ScopeResult[], now: number): Promise<string[]> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const ids: string[] = [];
  for (const result of results) {
    if (result.status !== 'failed') continue;
    const id = syncEventId('sync.failed', appId, corpId, result.scope, result.runId, result.finishedAt);
    const report = { runId: result.runId, appId, app, corpId, scope: result.scope, errcode: result.errcode, message: result.message, startedAt: iso(result.startedAt), failedAt: iso(result.finishedAt) };
    await store.putCallback(syncCallback({ id, appId, corpId, now, fields: { InfoType: 'sync_failed', Report: JSON.stringify(report) } }));
    ids.push(id);
  }
  const completed = results.filter((r): r is Extract<ScopeResult, { status: 'completed' }> => r.status === 'completed');
  if (completed.length > 0) {
    const runIds = completed.map((r) => r.runId);
    const id = syncEventId('sync.completed', appId, corpId, ...runIds);
    const report = {
      runId: `run_${id.slice(4, 20)}`, appId, app, corpId,
      scopes: Object.fromEntries(completed.map((r) => [r.scope, { total: r.total, added: r.added, removed: r.removed, baseline: r.baseline }])),
      failed: results.filter((r) => r.status === 'failed').map((r) => r.scope),
      busy: results.filter((r) => r.status === 'busy').map((r) => r.scope),
      startedAt: iso(Math.min(...completed.map((r) => r.startedAt))),
      finishedAt: iso(Math.max(...completed.map((r) => r.finishedAt))),
    };
    await store.putCallback(syncCallback({ id, appId, corpId, now, fields: { InfoType: 'sync_completed', Report: JSON.stringify(report) } }));
    ids.push(id);
  }
  return ids;
}
