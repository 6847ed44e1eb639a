import type Database from 'better-sqlite3';
import type { Prepare } from './sqlite-statements.js';

/**
 * The id sets of the SQLite store (table `id_sets`, one row per (set, id), WITHOUT ROWID so the primary
 * key is the table): adds and removes are one transaction per batch, a scan is an index range, a move is
 * one IMMEDIATE transaction (delete the target, rename the source's rows). Ids compare as BINARY (UTF-8
 * bytes), the order Redis' ZRANGEBYLEX uses too.
 */
export class SqliteIdSets {
  readonly #prepare: Prepare;
  readonly #add: (set: string, ids: readonly string[]) => number;
  readonly #remove: (set: string, ids: readonly string[]) => number;
  readonly #move: (from: string, to: string) => void;

  constructor(db: Database.Database, prepare: Prepare) {
    this.#prepare = prepare;
    const add = db.transaction((set: string, ids: readonly string[]) => {
      const insert = prepare('INSERT OR IGNORE INTO id_sets (set_key, id) VALUES (?, ?)');
      let added = 0;
      for (const id of ids) added += insert.run(set, id).changes;
      return added;
    });
    const remove = db.transaction((set: string, ids: readonly string[]) => {
      const del = prepare('DELETE FROM id_sets WHERE set_key = ? AND id = ?');
      let removed = 0;
      for (const id of ids) removed += del.run(set, id).changes;
      return removed;
    });
    const move = db.transaction((from: string, to: string) => {
      prepare('DELETE FROM id_sets WHERE set_key = ?').run(to);
      prepare('UPDATE id_sets SET set_key = ? WHERE set_key = ?').run(to, from);
    });
    this.#add = (set, ids) => add.immediate(set, ids);
    this.#remove = (set, ids) => remove.immediate(set, ids);
    this.#move = (from, to) => move.immediate(from, to);
  }

  add(set: string, ids: readonly string[]): number {
    return this.#add(set, ids);
  }

  remove(set: string, ids: readonly string[]): number {
    return this.#remove(set, ids);
  }

  has(set: string, ids: readonly string[]): boolean[] {
    const found = this.#prepare('SELECT 1 FROM id_sets WHERE set_key = ? AND id = ?').pluck();
    return ids.map((id) => found.get(set, id) !== undefined);
  }

  scan(set: string, after: string | null, limit: number): string[] {
    if (after === null) return this.#prepare('SELECT id FROM id_sets WHERE set_key = ? ORDER BY id LIMIT ?').pluck().all(set, limit) as string[];
    return this.#prepare('SELECT id FROM id_sets WHERE set_key = ? AND id > ? ORDER BY id LIMIT ?').pluck().all(set, after, limit) as string[];
  }

  count(set: string): number {
    return this.#prepare('SELECT COUNT(*) FROM id_sets WHERE set_key = ?').pluck().get(set) as number;
  }

  move(from: string, to: string): void {
    this.#move(from, to);
  }

  delete(set: string): number {
    return this.#prepare('DELETE FROM id_sets WHERE set_key = ?').run(set).changes;
  }
}
