import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import Database from 'better-sqlite3';
import type { Teardown } from '../../e2e/helpers/recording-target.js';

/**
 * Another process holding the SQLite write lock: `BEGIN EXCLUSIVE` on its own connection (in WAL mode this
 * is the write lock; readers carry on). `release()` commits and ends the process.
 */
export interface LockHolder {
  release(): Promise<void>;
}

/** The lock-holding script; `better-sqlite3` resolves from the working directory. */
const LOCKER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); });
`;

/** Spawns a second process that takes an EXCLUSIVE lock on `file`; resolves once it holds it. */
export async function holdExclusiveLock(t: Teardown, file: string): Promise<LockHolder> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', LOCKER, file], { cwd: process.cwd(), stdio: 'pipe' });
  let output = '';
  let stderr = '';
  const seen = (word: string) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes(word)) resolve();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      check();
    });
    child.once('exit', (code) => (output.includes(word) ? resolve() : reject(new Error(`lock holder exited ${code}: ${stderr}`))));
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  await seen('locked');
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= (async () => {
        const done = seen('released');
        child.stdin.write('release\n');
        await done;
      })();
      return released;
    },
  };
}

/** A SQLite error as better-sqlite3 raises it (`code` set), e.g. `SQLITE_FULL`. */
function sqliteError(code: string, message: string): Error {
  return new Database.SqliteError(message, code);
}

/** Options of {@link injectSqliteFault}. */
export interface SqliteFaultOptions {
  /** A piece of the statement's SQL text. */
  readonly match: string;
  /** The SQLite error code, e.g. `SQLITE_FULL`. */
  readonly code: string;
  readonly message: string;
  /** Matching runs that succeed before the fault starts. @default 0 */
  readonly after?: number;
  /** How many matching runs fail. @default Infinity */
  readonly times?: number;
  /**
   * `before`: the statement fails without running (autocommit statements change nothing). `after`: it runs,
   * then fails, as when the disk fills mid-transaction; the enclosing transaction must roll the row back.
   * @default 'before'
   */
  readonly phase?: 'before' | 'after';
}

/**
 * Makes better-sqlite3 statements whose SQL contains `match` fail with a real `SqliteError` (`code` set).
 * Patches the executing methods of `Statement.prototype` (`run`, `get`, `all`: a write with `RETURNING`
 * runs through `get`) in this process; `t.teardown` (or `clear()`) restores them.
 */
export function injectSqliteFault(t: Teardown, options: SqliteFaultOptions): { readonly hits: number; clear(): void } {
  const probe = new Database(':memory:');
  type Execute = (this: { source: string }, ...args: unknown[]) => unknown;
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all', Execute>;
  probe.close();
  const methods = ['run', 'get', 'all'] as const;
  const originals = methods.map((name) => proto[name]);
  let hits = 0;
  let skip = options.after ?? 0;
  let remaining = options.times ?? Infinity;
  const phase = options.phase ?? 'before';
  const faulty = (original: Execute): Execute => function execute(this: { source: string }, ...args: unknown[]) {
    const matching = this.source.includes(options.match);
    const fail = matching && remaining > 0 && skip-- <= 0;
    if (fail && phase === 'before') {
      remaining -= 1;
      hits += 1;
      throw sqliteError(options.code, options.message);
    }
    const result = original.apply(this, args);
    if (fail) {
      remaining -= 1;
      hits += 1;
      throw sqliteError(options.code, options.message);
    }
    return result;
  };
  methods.forEach((name, i) => { proto[name] = faulty(originals[i]!); });
  const clear = () => { methods.forEach((name, i) => { proto[name] = originals[i]!; }); };
  t.teardown(clear);
  return { get hits() { return hits; }, clear };
}
