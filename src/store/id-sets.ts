/**
 * Sets of opaque ids kept in the store, for reconciliation snapshots (SPEC §12): the ids of one
 * (app, corp, scope) — or a run's staging set — held as rows (SQLite table `id_sets`) or a sorted set
 * (Redis), never as one JSON value, so a set of 100,000 ids is written, compared and swapped page by page
 * with bounded memory. Ids are compared and ordered as UTF-8 bytes on both stores, so {@link IdSets.scanIds}
 * pages alike everywhere.
 */
export interface IdSets {
  /** Adds `ids` to `set` (an absent set is created); resolves how many were not in it yet. */
  addIds(set: string, ids: readonly string[]): Promise<number>;
  /** Removes `ids` from `set`; resolves how many were in it. */
  removeIds(set: string, ids: readonly string[]): Promise<number>;
  /** For each id of `ids`, in order, whether it is in `set`. */
  hasIds(set: string, ids: readonly string[]): Promise<boolean[]>;
  /** Up to `limit` ids of `set` greater than `after` (null: from the first), in UTF-8 byte order. */
  scanIds(set: string, after: string | null, limit: number): Promise<string[]>;
  /** How many ids `set` holds (0 when absent). */
  countIds(set: string): Promise<number>;
  /** Replaces `to` by the content of `from` in one atomic step; `from` is then empty. */
  moveIds(from: string, to: string): Promise<void>;
  /** Deletes `set`; resolves how many ids it held. */
  deleteIds(set: string): Promise<number>;
}
