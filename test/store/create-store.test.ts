import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { WecomRelayError } from '../../src/errors.js';
import { createStore, parseStoreUrl } from '../../src/store/create-store.js';
import { defineNamespace } from '../../src/store/namespaces.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { NewCallback, Store } from '../../src/store/store.js';
import { holdExclusiveLock } from '../reliability/helpers/sqlite-faults.js';

const T0 = 1_700_000_000_000;
const execFileAsync = promisify(execFile);

/** A test namespace holding any JSON value. */
const anyNs = (name: string) => defineNamespace<unknown>(name, (value) => value);

function callback(id: string): NewCallback {
  return {
    id, endpoint: 'data', suiteId: 'wwsuite', receiveId: 'wwsuite', receivedAt: T0, plaintext: `<xml><Id>${id}</Id></xml>`,
    fields: { Id: id }, type: 'suite.ticket', corpId: null,
  };
}

function isUnavailable(error: unknown): boolean {
  return error instanceof WecomRelayError && error.code === 'ERR_STORE_UNAVAILABLE';
}

t.test('parseStoreUrl', async (t) => {
  const cwd = '/srv/relay';
  t.same(parseStoreUrl('sqlite:./data/relay.db', cwd), { kind: 'sqlite', filename: '/srv/relay/data/relay.db' }, 'sqlite:./relative');
  t.same(parseStoreUrl('sqlite:relay.db', cwd), { kind: 'sqlite', filename: '/srv/relay/relay.db' }, 'sqlite:bare-relative');
  t.same(parseStoreUrl('sqlite:/var/lib/relay.db', cwd), { kind: 'sqlite', filename: '/var/lib/relay.db' }, 'sqlite:/absolute');
  t.same(parseStoreUrl('sqlite:///var/lib/relay.db', cwd), { kind: 'sqlite', filename: '/var/lib/relay.db' }, 'sqlite:///absolute');
  t.same(parseStoreUrl('sqlite::memory:', cwd), { kind: 'sqlite', filename: ':memory:' }, 'sqlite::memory:');
  t.same(parseStoreUrl('file:///var/lib/relay%20x.db', cwd), { kind: 'sqlite', filename: '/var/lib/relay x.db' }, 'file:///absolute (decoded)');
  t.same(parseStoreUrl('file:./relay.db', cwd), { kind: 'sqlite', filename: '/srv/relay/relay.db' }, 'file:./relative');
  t.same(parseStoreUrl('file::memory:', cwd), { kind: 'sqlite', filename: ':memory:' }, 'file::memory:');
  t.same(parseStoreUrl('redis://user:pw@10.0.0.1:6379/2', cwd), { kind: 'redis', url: 'redis://user:pw@10.0.0.1:6379/2' }, 'redis://');
  t.same(parseStoreUrl('rediss://cache.example.com:6380', cwd), { kind: 'redis', url: 'rediss://cache.example.com:6380' }, 'rediss://');

  for (const bad of ['', 'relay.db', './relay.db', 'sqlite:', 'file:', 'sqlite://host/relay.db', 'sqlite:/var/lib/', 'redis:localhost', 'mysql://u@h/db']) {
    t.throws(() => parseStoreUrl(bad, cwd), { code: 'ERR_STORE_URL' }, `${JSON.stringify(bad)} is refused with ERR_STORE_URL`);
  }
  const error = (() => {
    try {
      parseStoreUrl('postgres://admin:hunter2@db/relay');
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  t.match(error?.message, /sqlite:<path>.*redis:\/\//, 'the message names the accepted forms');
  t.notMatch(error?.message, /hunter2/, 'and never echoes the URL (it may hold a password)');
  t.throws(() => parseStoreUrl(42 as unknown as string), TypeError, 'a non-string is a TypeError');
});

t.test('createStore', async (t) => {
  t.test('opens a SQLite store from a URL', async (t) => {
    const filename = path.join(t.testdir(), 'sub', 'relay.db');
    const store = await createStore(`sqlite:${filename}`);
    t.teardown(() => store.close());
    t.ok(store instanceof SqliteStore, 'a SqliteStore');
    t.equal(store.kind, 'sqlite', 'of kind sqlite');
    await store.putCallback(callback('evt_1'));
    t.ok(fs.existsSync(filename), 'the file (and its directory) exist');
  });

  t.test('passes a Store object through and hands the clock to SQLite', async (t) => {
    const given = new SqliteStore(':memory:');
    t.teardown(() => given.close());
    t.equal(await createStore(given), given, 'the same object');
    let now = T0;
    const store = await createStore('sqlite::memory:', { now: () => now });
    t.teardown(() => store.close());
    await store.putKv(anyNs('ns'), 'k', 'v', { ttlMs: 100 });
    now = T0 + 100;
    t.equal(await store.getKv(anyNs('ns'), 'k'), undefined, 'kv expiry follows the injected clock');
  });

  t.test('a file another process holds EXCLUSIVE rejects a put after busyTimeoutMs, naming the file and the setting', async (t) => {
    const file = path.join(t.testdir(), 'locked.db');
    const store = await createStore({ url: `sqlite:${file}`, busyTimeoutMs: 200 });
    t.teardown(() => store.close());
    await store.putCallback(callback('evt_before'));
    const lock = await holdExclusiveLock(t, file);
    const error = await store.putCallback(callback('evt_1')).catch((e: unknown) => e);
    t.ok(isUnavailable(error), 'rejected with ERR_STORE_UNAVAILABLE (the receiver answers 503 well before WeCom\'s 5 s)');
    t.equal((error as Error).message, `cannot write to sqlite:${file} (setting \`store\`): SQLITE_BUSY`, 'naming the file, the setting and SQLITE_BUSY');
    t.match((error as Error).cause, { code: 'SQLITE_BUSY' }, 'with the SQLite error as cause');
    await lock.release();
    t.same(await store.putCallback(callback('evt_1')), { inserted: true }, 'the retry goes through once the lock is gone');
  });

  t.test('a store opened by URL waits 1 s by default for a locked file, then rejects', async (t) => {
    const file = path.join(t.testdir(), 'locked-default.db');
    const store = await createStore(`sqlite:${file}`);
    t.teardown(() => store.close());
    await store.putCallback(callback('evt_before'));
    const lock = await holdExclusiveLock(t, file);
    await t.rejects(store.putCallback(callback('evt_1')), { code: 'ERR_STORE_UNAVAILABLE', message: /SQLITE_BUSY$/ }, 'rejected, not left waiting');
    await lock.release();
  });

  t.test('a store that cannot be opened names its path and the setting', async (t) => {
    const error = await createStore('sqlite:/proc/nope/x.db').catch((e: unknown) => e);
    t.ok(isUnavailable(error), 'ERR_STORE_UNAVAILABLE');
    t.match((error as Error).message, /^cannot open sqlite:\/proc\/nope\/x\.db \(setting `store`\): E[A-Z]+$/, 'with the path, the setting and the errno code');
  });

  t.test('importing createStore loads neither better-sqlite3 nor ioredis', async (t) => {
    const script = `
      import { createRequire } from 'node:module';
      await import(${JSON.stringify(new URL('../../dist/src/store/create-store.js', import.meta.url).href)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      process.stdout.write(JSON.stringify(['better-sqlite3', 'ioredis'].filter((name) => loaded.some((file) => file.includes(name)))));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script]);
    t.same(JSON.parse(stdout), [], 'no store driver is loaded until a URL asks for one');
  });

  t.test('loads the SQLite store only for sqlite URLs', async (t) => {
    const fake = new SqliteStore(':memory:');
    t.teardown(() => fake.close());
    const opened: Array<[string, unknown]> = [];
    const { createStore: create } = await t.mockImport<typeof import('../../src/store/create-store.js')>('../../src/store/create-store.js', {
      '../../src/store/sqlite.js': {
        SqliteStore: function FakeSqliteStore(filename: string, options: unknown) {
          opened.push([filename, options]);
          return fake;
        },
      },
    });
    t.equal(await create({ url: 'sqlite:/var/lib/relay.db', busyTimeoutMs: 250 }), fake, 'the module is loaded when asked for');
    t.same(opened, [['/var/lib/relay.db', { busyTimeoutMs: 250 }]], 'with the file and the busy timeout of the setting');
  });

  t.test('loads the Redis store only for redis URLs', async (t) => {
    const fake = new SqliteStore(':memory:');
    t.teardown(() => fake.close());
    const connected: string[] = [];
    const { createStore: create } = await t.mockImport<typeof import('../../src/store/create-store.js')>('../../src/store/create-store.js', {
      '../../src/store/redis.js': {
        RedisStore: {
          connect: async (url: string): Promise<Store> => {
            connected.push(url);
            return fake;
          },
        },
      },
    });
    t.equal(await create('rediss://u:p@cache:6380/1'), fake, 'RedisStore.connect resolves the store');
    t.same(connected, ['rediss://u:p@cache:6380/1'], 'with the whole URL');
  });

  t.test('refuses unknown URLs and non-strings', async (t) => {
    await t.rejects(createStore('mongodb://x'), { code: 'ERR_STORE_URL' }, 'ERR_STORE_URL');
    await t.rejects(createStore(undefined as unknown as string), TypeError, 'TypeError');
  });
});

t.test('the long form passes attemptsPerDelivery to the store', async (t) => {
  const store = await createStore({ url: 'sqlite::memory:', attemptsPerDelivery: 2 });
  t.teardown(() => store.close());
  const T0 = 1_700_000_000_000;
  const cb: NewCallback = {
    id: 'evt_1', endpoint: 'data', suiteId: 's', receiveId: 's', receivedAt: T0, plaintext: '<xml/>', fields: {}, type: 't', corpId: null,
  };
  await store.putCallback(cb);
  await store.claimCallbacks({ owner: 'o', limit: 1, leaseMs: 1000, now: T0 });
  await store.completeCallback('evt_1', 'o', {
    event: { id: 'evt_1', type: 't', timestamp: '', receivedAt: '', source: { endpoint: 'data', suiteId: 's', corpId: null, agentId: null }, data: {}, enrichment: null, enrichmentError: null, raw: {} },
    targets: ['hook'], now: T0,
  });
  for (let i = 0; i < 4; i++) {
    await store.claimDeliveries({ target: 'hook', owner: 'w', limit: 1, leaseMs: 1000, now: T0 + i * 10 });
    await store.recordAttempt('evt_1:hook', 'w', { state: 'pending', countAttempt: true, nextAttemptAt: T0 + (i + 1) * 10, status: 500, now: T0 + i * 10 + 1 });
  }
  t.same((await store.listAttempts('evt_1:hook')).map((a) => a.seq), [3, 4], 'two entries kept');
  await t.rejects(createStore({ url: 'sqlite::memory:', attemptsPerDelivery: 0 }), TypeError, 'a bad value is a TypeError');
});
