/**
 * How long one durable SQLite commit takes right now on the disk the benchmark uses: WAL journal,
 * `synchronous = FULL` (the store's settings), one single-row INSERT per transaction. On a shared machine
 * this moves a lot from minute to minute, and both the receiver's group commit and every delivery-state
 * write wait for it, so each benchmark records it next to its figures.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { summarize } from './stats.js';

/**
 * @param {string} dir  a scratch directory on the same file system as the store
 * @param {number} [commits]
 * @returns {{ commits: number, p50: number, p90: number, max: number }} milliseconds per commit
 */
export function fsyncProbe(dir, commits = 40) {
  const file = join(dir, 'fsync-probe.db');
  const db = new Database(file);
  const times = [];
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS probe (n INTEGER)');
    const insert = db.prepare('INSERT INTO probe (n) VALUES (?)');
    for (let i = 0; i < commits; i++) {
      const t0 = performance.now();
      insert.run(i);
      times.push(performance.now() - t0);
    }
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
  const { p50, p90, max } = summarize(times);
  return { commits, p50, p90, max };
}
