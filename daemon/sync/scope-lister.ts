import type { AppKind } from '../../src/apps/app.js';
import type { Store } from '../../src/store/store.js';
import type { IdListApi } from '../../src/wecom-api/id-list-api.js';

/** A lister's resume position: JSON, persisted after every page (`sync_run.position`). `{}` = from the start. */
export type ListPosition = Readonly<Record<string, unknown>>;

/** One page of ids, and where to resume after it. */
export interface ListedPage {
  readonly ids: readonly string[];
  readonly position: ListPosition;
  /** WeCom calls this page took. */
  readonly calls: number;
}

/** What a lister works with. */
export interface ListerContext {
  readonly api: IdListApi;
  /** Runs a call with the corp's token (refreshed once on 40014/42001 by the token provider). */
  readonly withToken: <T>(fn: (token: string) => Promise<T>) => Promise<T>;
  readonly corpId: string;
  readonly kind: AppKind;
  /** For the lister's helper set (departments to walk, members to batch), bounded like the snapshots. */
  readonly store: Pick<Store, 'addIds' | 'scanIds' | 'deleteIds'>;
  readonly auxSet: string;
  readonly signal: AbortSignal;
  /** `user/list_id` page size (1–10000). @default 10000 */
  readonly listIdPageSize?: number;
}

/** Pages through one scope's ID-list APIs from `from`, yielding each page with its resume position. */
export type ScopeLister = (context: ListerContext, from: ListPosition) => AsyncGenerator<ListedPage>;

/**
 * A partial or inconsistent answer — an empty page that still names a next cursor, a cursor WeCom already
 * gave — which fails the scope like an errcode does: the list cannot be trusted to be complete.
 */
export class PartialListError extends Error {
  override readonly name = 'PartialListError';
}

/** The next cursor after a page, checked: an empty page with a cursor, or a cursor seen before, is partial. */
export function nextCursor(api: string, rows: number, next: string | undefined, seen: Set<string>): string | null {
  if (next === undefined || next === '') return null;
  if (rows === 0) throw new PartialListError(`${api}: an empty page with a next_cursor`);
  if (seen.has(next)) throw new PartialListError(`${api}: next_cursor repeats an earlier one`);
  seen.add(next);
  return next;
}

/** Refills the helper set from a list (chunks within the store's batch limit). */
export async function refillAux(context: ListerContext, ids: readonly string[]): Promise<void> {
  await context.store.deleteIds(context.auxSet);
  for (let i = 0; i < ids.length; i += 10_000) await context.store.addIds(context.auxSet, ids.slice(i, i + 10_000));
}

/** A string or null out of a stored position. */
export function positionText(position: ListPosition, key: string): string | null {
  const value = position[key];
  return typeof value === 'string' && value !== '' ? value : null;
}
