import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SqliteStore } from '../../src/store/sqlite.js';
import { defineNamespace } from '../../src/store/namespaces.js';
import { object, string } from '../../src/store/value-shape.js';

/** A namespace holding a secret, as `corp` holds permanent codes. */
const SECRETS = defineNamespace('secrets', object<{ readonly permanentCode: string }>({ permanentCode: string }));

/**
 * The SQLite file holds every secret the relay keeps (permanent codes, suite and corp tokens, the
 * suite_ticket): it and its WAL companions are 0600 and its directory 0700, whatever the umask. It is the
 * only file the relay writes; no key material is written anywhere else.
 */

const mode = (file: string) => statSync(file).mode & 0o777;

t.test('a new store: directory 0700, database, -wal and -shm 0600 under a permissive umask', async (t) => {
  const previous = process.umask(0o000);
  t.teardown(() => { process.umask(previous); });
  const dir = join(t.testdir(), 'nested', 'data');
  const file = join(dir, 'wecom-relay.db');
  const store = new SqliteStore(file);
  await store.putKv(SECRETS, 'wx1', { permanentCode: 'secret-permanent-code' });
  t.equal(mode(dir), 0o700, 'the directory it created is 0700');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    t.ok(existsSync(f), `${f.slice(dir.length + 1)} exists`);
    t.equal(mode(f), 0o600, `${f.slice(dir.length + 1)} is 0600`);
  }
  await store.close();

  // A second process (here: connection) recreates the WAL after the first closed and checkpointed it away.
  const again = new SqliteStore(file);
  t.teardown(() => again.close());
  await again.putKv(SECRETS, 'wx2', { permanentCode: 'another' });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) t.equal(mode(f), 0o600, `${f.slice(dir.length + 1)} is 0600 after reopening`);
});

t.test('an existing database file readable by others is tightened to 0600 when opened', async (t) => {
  const file = join(t.testdir(), 'relay.db');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  const store = new SqliteStore(file);
  t.teardown(() => store.close());
  t.equal(mode(file), 0o600, 'chmod 0600 on open');
});
