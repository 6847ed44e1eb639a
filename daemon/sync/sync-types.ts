import type { SyncChange } from './sync-ids.js';
import type { SyncScope } from './sync-scope.js';

/** Where a run is, for the CLI's progress lines. */
export interface SyncProgress {
  readonly appId: string;
  readonly app: string;
  readonly corpId: string;
  readonly scope: SyncScope;
  readonly phase: 'list' | 'diff' | 'done';
  readonly pages: number;
  readonly ids: number;
  readonly calls: number;
  readonly elapsedMs: number;
}

/** The outcome of one (app, corp, scope). */
export type ScopeResult =
  | {
    readonly scope: SyncScope; readonly status: 'completed'; readonly runId: string; readonly baseline: boolean; readonly resumed: boolean;
    readonly total: number; readonly added: number; readonly removed: number; readonly pages: number; readonly calls: number;
    readonly startedAt: number; readonly finishedAt: number;
  }
  | {
    readonly scope: SyncScope; readonly status: 'failed'; readonly runId: string; readonly errcode: number | null; readonly message: string;
    readonly pages: number; readonly calls: number; readonly startedAt: number; readonly finishedAt: number;
  }
  /** Another process runs this scope now (the store lock is held). */
  | { readonly scope: SyncScope; readonly status: 'busy' };

/** One difference, as `--dry-run` prints it (and a real run emits). */
export interface SyncDifference {
  readonly appId: string;
  readonly corpId: string;
  readonly scope: SyncScope;
  readonly change: SyncChange;
  readonly id: string;
}
