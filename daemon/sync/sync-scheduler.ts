import { readAppCorps } from '../../src/apps/app-corps.js';
import type { Clock } from '../../src/clock.js';
import { namespaces as NS } from '../../src/store/namespaces.js';
import type { CorpSyncResult } from './run-corp-sync.js';
import { syncCorps, type SyncDeps } from './sync-corps.js';
import { scopeKeys, scopesForKind, type SyncScope } from './sync-scope.js';

/** The `sync:` settings the scheduler follows. */
export interface SyncSchedule {
  /** Sync a corp after its install (`auth.created`, or a re-install). */
  readonly onInstall: boolean;
  /** Hours between two syncs of a corp; 0 = never on a schedule. */
  readonly intervalHours: number;
  readonly scopes?: readonly SyncScope[] | undefined;
}

/** Inputs of a {@link SyncScheduler}. */
export interface SyncSchedulerOptions {
  readonly deps: SyncDeps;
  readonly schedule: SyncSchedule;
  readonly clock: Clock;
  /** How often it looks for due corps. @default 60000 */
  readonly tickMs?: number;
  /** A corp whose run failed is not tried again before this. @default 15 minutes */
  readonly retryMs?: number;
}

/**
 * The daemon's sync triggers (SPEC §12): every tick (and at once when woken, e.g. after an `auth.created`
 * was processed) it syncs each active corp that is due — installed (authorized) since its last sync when
 * `onInstall`, or last synced `intervalHours` ago (never synced counts as due) — one corp at a time. Due
 * is decided from the store (`sync_state`, the corp records), so any number of daemons agree, and the
 * per-scope store lock makes the one that gets there first run it while the others skip it as `busy`.
 */
export class SyncScheduler {
  readonly #options: SyncSchedulerOptions;
  readonly #failedAt = new Map<string, number>();
  #stop: AbortController | undefined;
  #wake: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: SyncSchedulerOptions) {
    this.#options = options;
  }

  /** True when the schedule can ever run something. */
  get enabled(): boolean {
    return this.#options.schedule.onInstall || this.#options.schedule.intervalHours > 0;
  }

  start(): void {
    if (!this.enabled || this.#loop) return;
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal);
  }

  /** Looks for due corps now (after an install). */
  wake(): void {
    this.#wake?.abort();
  }

  /** Stops after the corp being synced (its scope run keeps its progress for a resume). */
  async stop(): Promise<void> {
    this.#stop?.abort();
    this.#wake?.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One pass: syncs every due corp; resolves what ran. */
  async tick(): Promise<CorpSyncResult[]> {
    const { deps, schedule, clock } = this.#options;
    const ran: CorpSyncResult[] = [];
    const now = clock.now();
    const apps = deps.apps.filter((app) => deps.providers.get(app.id) !== undefined);
    for (const row of await readAppCorps(deps.store, apps, now)) {
      if (this.#stop?.signal.aborted) break;
      if (row.status !== 'active') continue;
      const app = apps.find((candidate) => candidate.id === row.appId);
      if (app === undefined) continue;
      const key = `${app.id}:${row.corpId}`;
      const failedAt = this.#failedAt.get(key);
      if (failedAt !== undefined && now - failedAt < (this.#options.retryMs ?? 15 * 60_000)) continue;
      const scopes = (schedule.scopes ?? scopesForKind(app.kind)).filter((scope) => scopesForKind(app.kind).includes(scope));
      const states = await Promise.all(scopes.map(async (scope) => (await deps.store.getKv(NS.syncState, scopeKeys(app.id, row.corpId, scope).key))?.value));
      const synced = states.every((state) => state !== undefined);
      const lastStarted = synced ? Math.min(...states.map((state) => state!.startedAt)) : undefined;
      const lastCompleted = synced ? Math.min(...states.map((state) => state!.completedAt)) : undefined;
      const installed = schedule.onInstall && row.installedAt !== null && (lastStarted === undefined || row.installedAt > lastStarted);
      const interval = schedule.intervalHours > 0 && (lastCompleted === undefined || now - lastCompleted >= schedule.intervalHours * 3_600_000);
      if (!installed && !interval) continue;
      deps.logger.info({ appId: app.id, corpId: row.corpId, reason: installed ? 'install' : 'interval' }, 'sync due');
      const [result] = await syncCorps(deps, { app: app.name, corpId: row.corpId, ...(schedule.scopes ? { scopes: schedule.scopes } : {}) });
      if (result === undefined) continue;
      if (result.results.some((r) => r.status === 'failed')) this.#failedAt.set(key, clock.now());
      else this.#failedAt.delete(key);
      ran.push(result);
    }
    return ran;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.#options.deps.logger.error({ err }, 'sync pass failed');
      }
      if (signal.aborted) return;
      this.#wake = new AbortController();
      const both = AbortSignal.any([signal, this.#wake.signal]);
      await this.#options.clock.sleep(this.#options.tickMs ?? 60_000, both);
    }
  }
}
