import { storeUnavailable } from '../errors.js';
import { expected } from '../expected.js';
import { GuardedStore } from './guard-store.js';
import { SqliteBackend } from './sqlite-backend.js';
import { MEMORY } from './sqlite-open.js';
import { resolveSqliteStoreOptions, type SqliteStoreOptions } from './sqlite-options.js';

export type { SqliteStoreOptions } from './sqlite-options.js';

/**
 * The SQLite {@link Store}: one file shared by the receiver and the daemon on one machine (WAL, file mode
 * 0600). Several processes (connections) may share the file safely: every method is one statement or
 * one IMMEDIATE transaction (see `sqlite-backend.ts` for the group commit and the durability of each
 * write). Arguments, error mapping and change notifications are the shared guard's (`guard-store.ts`):
 * every database failure rejects with `ERR_STORE_UNAVAILABLE` naming the file, e.g.
 * ``cannot write to sqlite:/var/lib/relay.db (setting `store`): SQLITE_BUSY``.
 *
 * better-sqlite3 is synchronous; the methods return promises to honour the {@link Store} contract.
 */
export class SqliteStore extends GuardedStore {
  /** The database file name (`:memory:` for an in-memory store). */
  readonly filename: string;
  readonly #backend: SqliteBackend;

  /**
   * Opens (creating and migrating it if needed) the database at `filename`, or `:memory:`.
   * @throws TypeError on invalid options; `WecomRelayError('ERR_STORE_UNAVAILABLE')` naming the file when
   * it cannot be opened or holds a schema from a newer version.
   */
  constructor(filename: string, options: SqliteStoreOptions = {}) {
    const resolved = resolveSqliteStoreOptions(options);
    const backend = open(filename, resolved);
    super('sqlite', backend, { location: locationOf(filename), now: resolved.now });
    this.filename = filename;
    this.#backend = backend;
  }

  /** How many group-commit transactions `putCallback` has run (for tests and metrics). */
  get putBatches(): number {
    return this.#backend.putBatches;
  }
}

function open(filename: string, options: ReturnType<typeof resolveSqliteStoreOptions>): SqliteBackend {
  if (typeof filename !== 'string' || filename === '') throw expected('filename', 'a non-empty string', filename);
  try {
    return new SqliteBackend(filename, options);
  } catch (error) {
    const what = `cannot open ${locationOf(filename)} (setting \`store\`)`;
    // A code-less error is the schema check's own (a newer version wrote the file): its message is the reason.
    const own = error instanceof Error && error.constructor === Error && !('code' in error);
    throw storeUnavailable(error, own ? `${what}: ${error.message}` : what);
  }
}

/** `sqlite:<file>` (or `sqlite::memory:`), as error messages name the store. */
function locationOf(filename: string): string {
  return filename === MEMORY ? 'sqlite::memory:' : `sqlite:${filename}`;
}
