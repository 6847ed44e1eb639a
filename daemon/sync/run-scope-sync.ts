import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import { WecomApiError, WecomRelayError } from '../../src/errors.js';
import type { EventApp } from '../../src/events/normalize.js';
import type { Logger } from '../../src/logger.js';
import { namespaces as NS, type SyncRunRecord } from '../../src/store/namespaces.js';
import type { Store } from '../../src/store/store.js';
import type { IdListApi } from '../../src/wecom-api/id-list-api.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';
import { listContacts } from './contacts-lister.js';
import { listExternalContacts } from './external-contacts-lister.js';
import { listGroupChats } from './groupchats-lister.js';
import { holdLock } from './hold-lock.js';
import { PartialListError, type ScopeLister } from './scope-lister.js';
import { syncCallback } from './sync-callback.js';
import { syncEventId } from './sync-event-id.js';
import { changeFields, type SyncChange } from './sync-ids.js';
import { scopeKeys, type SyncScope } from './sync-scope.js';
import type { ScopeResult, SyncDifference, SyncProgress } from './sync-types.js';
import { listTags } from './tags-lister.js';

const LISTERS: Readonly<Record<SyncScope, ScopeLister>> = {
  contacts: listContacts,
  external_contacts: listExternalContacts,
  groupchats: listGroupChats,
  tags: listTags,
};

/** Ids compared (and puts made) per step of the diff: memory stays bounded whatever the corp's size. */
const DIFF_PAGE = 1000;
const ADD_CHUNK = 10_000;

/** Inputs of {@link runScopeSync}. */
export interface ScopeSyncOptions {
  readonly store: Store;
  readonly api: IdListApi;
  readonly tokens: Pick<TokenProvider, 'withCorpToken'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly app: EventApp;
  readonly corpId: string;
  readonly scope: SyncScope;
  /** Lease of the store lock, renewed every third of it; a killed run's lock frees after it. */
  readonly leaseMs: number;
  /** List and diff only: print the differences, emit and save nothing (the listing goes to a temporary set, deleted after). */
  readonly dryRun?: boolean;
  readonly listIdPageSize?: number;
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly onDifference?: (difference: SyncDifference) => void;
}

/**
 * One reconciliation run of one (app, corp, scope) (SPEC §12), safe to start anywhere:
 *
 * 1. takes the store lock of the scope (renewed lease): another daemon or CLI on the store running it
 *    makes this one `busy`;
 * 2. resumes the run a killed process left (`sync_run`: phase, lister position, counts) or starts one;
 * 3. **list**: pages the ID-list APIs into the staging set (`run:<key>`), persisting the position after
 *    every page;
 * 4. **diff**: page by page, ids in staging and not in the snapshot are `created`, the reverse `deleted`;
 *    each becomes a synthetic callback in the inbox with a stable id — none on the first run (the
 *    baseline);
 * 5. **swap**: the staging set replaces the snapshot (one atomic move), the scope's state gets a new generation.
 *
 * An errcode or a partial answer (an empty page with a cursor) fails the scope: the staging set is
 * dropped, the snapshot kept, no deletion is emitted from a partial list. Never throws for WeCom's or the
 * network's failures; store failures reject.
 */
export async function runScopeSync(options: ScopeSyncOptions): Promise<ScopeResult> {
  const { store, clock, app, corpId, scope, logger } = options;
  const keys = scopeKeys(app.id, corpId, scope);
  const lock = await holdLock(store, keys.lock, options.leaseMs, clock);
  if (lock === undefined) return { scope, status: 'busy' };
  const dry = options.dryRun === true;
  const staging = dry ? `dry:${keys.key}:${randomBytes(6).toString('hex')}` : keys.staging;
  const began = clock.now();
  let run: SyncRunRecord | undefined;
  let resumed = false;
  let calls = 0;
  const progress = (phase: SyncProgress['phase'], current: SyncRunRecord): void => options.onProgress?.({
    appId: app.id, app: app.name, corpId, scope, phase, pages: current.pages, ids: current.ids, calls, elapsedMs: clock.now() - began,
  });
  try {
    const state = (await store.getKv(NS.syncState, keys.key))?.value;
    const stored = dry ? undefined : (await store.getKv(NS.syncRun, keys.key))?.value;
    resumed = stored !== undefined;
    run = stored ?? {
      runId: `run_${randomBytes(8).toString('hex')}`, startedAt: began, baseGeneration: state?.generation ?? null,
      phase: 'list', position: {}, pages: 0, ids: 0,
    };
    const save = async (next: SyncRunRecord): Promise<void> => {
      if (lock.signal.aborted) throw lock.signal.reason;
      run = next;
      if (!dry) await store.putKv(NS.syncRun, keys.key, next);
    };
    if (!resumed) {
      await store.deleteIds(staging);
      await save(run);
    } else {
      logger.info({ appId: app.id, corpId, scope, runId: run.runId, phase: run.phase, pages: run.pages }, 'resuming a sync run a stopped process left');
    }

    if (run.phase === 'list') {
      const lister = LISTERS[scope];
      const context = {
        api: options.api, corpId, kind: app.kind, store, auxSet: keys.aux + (dry ? `:${staging}` : ''), signal: lock.signal,
        withToken: <T>(fn: (token: string) => Promise<T>) => options.tokens.withCorpToken(corpId, fn),
        ...(options.listIdPageSize === undefined ? {} : { listIdPageSize: options.listIdPageSize }),
      };
      for await (const page of lister(context, run.position)) {
        for (let i = 0; i < page.ids.length; i += ADD_CHUNK) await store.addIds(staging, page.ids.slice(i, i + ADD_CHUNK));
        calls += page.calls;
        await save({ ...run, position: page.position, pages: run.pages + 1, ids: run.ids + page.ids.length });
        progress('list', run);
      }
      await store.deleteIds(context.auxSet);
      await save({ ...run, phase: 'diff' });
    }

    let added = 0;
    let removed = 0;
    if (run.phase === 'diff') {
      progress('diff', run);
      if (run.baseGeneration !== null) {
        const base = run.baseGeneration;
        const report = async (ids: readonly string[], change: SyncChange): Promise<void> => {
          if (ids.length === 0) return;
          for (const id of ids) options.onDifference?.({ appId: app.id, corpId, scope, change, id });
          if (dry) return;
          if (lock.signal.aborted) throw lock.signal.reason;
          const now = clock.now();
          await Promise.all(ids.map((id) => store.putCallback(syncCallback({
            id: syncEventId(app.id, corpId, scope, id, change, base), appId: app.id, corpId, now, fields: changeFields(scope, id, change, app.kind),
          }))));
        };
        added = await diff(store, staging, keys.snapshot, (ids) => report(ids, 'created'));
        removed = await diff(store, keys.snapshot, staging, (ids) => report(ids, 'deleted'));
      }
      await save({ ...run, phase: 'swap' });
    }

    let total: number;
    if (dry) {
      total = await store.countIds(staging);
    } else {
      // A run resumed in `swap` with an empty staging set had already moved it (the move empties it).
      if (!resumed || (await store.countIds(staging)) > 0 || stored?.phase !== 'swap') await store.moveIds(staging, keys.snapshot);
      total = await store.countIds(keys.snapshot);
      const finishedAt = clock.now();
      await store.putKv(NS.syncState, keys.key, { generation: (state?.generation ?? 0) + 1, total, startedAt: run.startedAt, completedAt: finishedAt });
      await store.deleteKv(NS.syncRun, keys.key);
    }
    progress('done', { ...run, ids: total });
    const finishedAt = clock.now();
    logger.info({ appId: app.id, corpId, scope, runId: run.runId, baseline: run.baseGeneration === null, total, added, removed, pages: run.pages, dryRun: dry }, 'sync scope completed');
    return {
      scope, status: 'completed', runId: run.runId, baseline: run.baseGeneration === null, resumed, total, added, removed,
      pages: run.pages, calls, startedAt: run.startedAt, finishedAt,
    };
  } catch (error) {
    const { errcode, message } = describeFailure(error, lock.signal.aborted);
    logger.warn({ appId: app.id, corpId, scope, runId: run?.runId, errcode, reason: message }, 'sync scope failed; the snapshot is kept');
    // With the lock lost, another process owns the run now: leave its state alone.
    if (!lock.signal.aborted) {
      await store.deleteIds(staging).catch(() => 0);
      await store.deleteIds(keys.aux + (dry ? `:${staging}` : '')).catch(() => 0);
      if (!dry) await store.deleteKv(NS.syncRun, keys.key).catch(() => false);
    }
    return {
      scope, status: 'failed', runId: run?.runId ?? 'run_none', errcode, message, pages: run?.pages ?? 0, calls,
      startedAt: run?.startedAt ?? began, finishedAt: clock.now(),
    };
  } finally {
    if (dry) await store.deleteIds(staging).catch(() => 0);
    await lock.release();
  }
}

/** Ids of `from` absent from `other`, page by page (handed to `found`); resolves how many. */
async function diff(store: Store, from: string, other: string, found: (ids: readonly string[]) => Promise<void>): Promise<number> {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const page: string[] = await store.scanIds(from, after, DIFF_PAGE);
    if (page.length === 0) return count;
    const present = await store.hasIds(other, page);
    const missing = page.filter((_, i) => !present[i]);
    count += missing.length;
    await found(missing);
    after = page[page.length - 1] as string;
  }
}

function describeFailure(error: unknown, lockLost: boolean): { errcode: number | null; message: string } {
  if (lockLost) return { errcode: null, message: 'the store lock was lost (another process took the run over)' };
  if (error instanceof WecomApiError) return { errcode: error.errcode, message: `${error.path}: errcode ${error.errcode} ${error.errmsg}`.trim() };
  if (error instanceof PartialListError) return { errcode: null, message: error.message };
  if (error instanceof WecomRelayError && error.code !== 'ERR_STORE_UNAVAILABLE') return { errcode: null, message: `${error.code}: ${error.message}` };
  throw error;
}
