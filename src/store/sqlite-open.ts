import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkSchema, migrate } from './sqlite-schema.js';

/** How {@link openSqlite} opens the file. */
export interface OpenSqliteOptions {
  /** Open read-only: nothing is created, migrated or written. */
  readonly readonly: boolean;
  /** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
  readonly busyTimeoutMs: number;
}

/** The in-memory database name (one private database per connection). */
export const MEMORY = ':memory:';

/**
 * Opens (creating it and its directory if missing) a SQLite database for the store: WAL journal so the
 * receiver and the daemon can share the file, foreign keys on, schema migrated. The connection starts at
 * `synchronous=NORMAL`; the store raises it to FULL around the writes that must survive a power loss
 * (see `SqliteStore`), so those commits are on disk before they return.
 *
 * The file holds permanent codes and tokens: it is created `0600` (and its directory `0700`), and the
 * file and its `-wal` / `-shm` companions are chmod'ed `0600` whatever the umask.
 */
export function openSqlite(filename: string, options: OpenSqliteOptions): Database.Database {
  const memory = filename === MEMORY;
  if (!memory && !options.readonly) {
    makeDirectories(path.dirname(filename));
    // 'a' creates without truncating: harmless if another process created it in between.
    fs.closeSync(fs.openSync(filename, 'a', 0o600));
    restrict(filename);
  }

  const db = new Database(filename, {
    readonly: options.readonly,
    fileMustExist: options.readonly,
    timeout: options.busyTimeoutMs,
  });
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    db.pragma('foreign_keys = ON');
    if (options.readonly) {
      checkSchema(db);
    } else {
      if (!memory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      if (!memory) restrictCompanions(filename);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** chmod 0600 the database file and its WAL companions that exist. */
function restrictCompanions(filename: string): void {
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) restrict(file);
}

/**
 * chmod 0600, tolerating a file that does not exist (yet), or was checkpointed away by another process,
 * or belongs to another user (who chose its mode; SQLite gives companions the database file's mode).
 */
function restrict(file: string): void {
  try {
    fs.chmodSync(file, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw error;
  }
}

/**
 * Creates a directory and its missing parents (mode 0700), one level at a time. Node's recursive mkdir
 * loops forever on special filesystems (procfs answers ENOENT for a parent that exists); here an error
 * after the parent exists is thrown instead.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  while (!fs.existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing) fs.mkdirSync(level, { mode: 0o700 });
}
