import { copyFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { AppConfig } from '../../src/apps/app.js';
import { readAppCorps } from '../../src/apps/app-corps.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { migrateAppKeys } from '../../src/store/migrate-app-keys.js';
import { namespaces } from '../../src/store/namespaces.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { TokenProvider } from '../../src/wecom-api/token-provider.js';
import { fakeTokenApi } from '../wecom-api/fake-token-api.js';
import { keysUnder, redisAdmin } from '../helpers/redis-admin.js';

/** Written by the one-suite release (commit 6c446d4) with `test/fixtures/make-one-suite-store.mjs`; fake secrets only. */
const FIXTURE = fileURLToPath(new URL('../fixtures/one-suite-store.db', import.meta.url));
const SUITE = 'wwFIXTUREsuite';
const CORP_A = 'wwFIXTURECORPA';
const CORP_B = 'wwFIXTURECORPB';
/** The fixture's clock (2026-12-01T12:00Z); its tokens and ticket last ten years from then. */
const FIXTURE_NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW = FIXTURE_NOW + 60_000;
const SUITE_APP: AppConfig = { name: 'crm', kind: 'suite', id: SUITE, secret: 'fake-suite-secret', token: 't', encodingAESKey: 'k'.repeat(43), dataPath: '/d', commandPath: '/c' };

/** Opens a copy of the fixture: the committed file is never written. */
function openFixtureCopy(t: Test): SqliteStore {
  const file = join(t.testdir(), 'relay.db');
  copyFileSync(FIXTURE, file);
  const store = new SqliteStore(file, { now: () => NOW });
  t.teardown(() => store.close());
  return store;
}

/** What every store must show after the migration. */
async function checkMigrated(t: Test, store: Store): Promise<void> {
  t.same(await migrateAppKeys(store, SUITE, NOW), { corp: 2, corpToken: 1 }, 'both corps and the live corp token are rewritten');
  t.same((await store.listKv(namespaces.corp, NOW)).map((r) => r.key), [appCorpKey(SUITE, CORP_A), appCorpKey(SUITE, CORP_B)], 'the corps are keyed suite:corp, none by corp alone');
  t.same((await store.listKv(namespaces.corpToken, NOW)).map((r) => r.key), [appCorpKey(SUITE, CORP_A)], 'so is the token');
  t.same(await migrateAppKeys(store, SUITE, NOW), { corp: 0, corpToken: 0 }, 'a second run changes nothing (idempotent)');

  const api = fakeTokenApi(CORP_A);
  const tokens = new TokenProvider({ store, api, suiteId: SUITE, suiteSecret: 'fake-suite-secret', now: () => NOW });
  const corps = await tokens.listCorps();
  t.same(corps.map((c) => [c.corpId, c.corpName, c.state]), [[CORP_A, 'Fixture Corp A', 'active'], [CORP_B, 'Fixture Corp B', 'revoked']], 'the suite app keeps its corps and their states');
  t.equal(await tokens.getCorpToken(CORP_A), `fake-corp-token-${CORP_A}`, 'the stored corp token is served under the suite\'s id');
  t.equal(api.calls.corpToken + api.calls.suiteToken, 0, 'without calling WeCom');
  await store.deleteKv(namespaces.corpToken, appCorpKey(SUITE, CORP_A));
  const fresh = new TokenProvider({ store, api, suiteId: SUITE, suiteSecret: 'fake-suite-secret', now: () => NOW });
  await fresh.getCorpToken(CORP_A);
  t.same(api.permanentCodesUsed, ['fake-permanent-code-A'], 'a refresh uses the migrated permanent code');
  t.equal(api.calls.suiteToken, 0, 'and the old store\'s suite token (suite_ticket and suite_token keys never changed)');
  t.ok(await store.getKv(namespaces.suiteTicket, SUITE, NOW), 'the suite_ticket is still there');
  const rows = await readAppCorps(store, [SUITE_APP], NOW);
  t.same(rows.map((r) => [r.app, r.appId, r.corpId, r.status]), [['crm', SUITE, CORP_A, 'active'], ['crm', SUITE, CORP_B, 'revoked']], 'corps list shows them under the suite');
}

t.test('a SQLite store written by the one-suite release opens, keeps its corps and serves them under the suite id', async (t) => {
  const store = openFixtureCopy(t);
  // Before the migration, `corps list` already files the old-form records under the first suite app.
  t.same((await readAppCorps(store, [SUITE_APP], NOW)).map((r) => [r.appId, r.corpId, r.status, r.lastTokenRefresh]),
    [[SUITE, CORP_A, 'active', FIXTURE_NOW], [SUITE, CORP_B, 'revoked', null]], 'unmigrated records are shown under the suite');
  await checkMigrated(t, store);
});

t.test('a migration interrupted between its two steps is finished by the next run', async (t) => {
  const store = openFixtureCopy(t);
  const old = (await store.getKv(namespaces.corp, CORP_A, NOW))!;
  await store.putKv(namespaces.corp, appCorpKey(SUITE, CORP_A), old.value, { version: old.version, now: NOW });
  await checkMigrated(t, store);
});

t.test('a newer record already under the new key is never overwritten by the old one', async (t) => {
  const store = openFixtureCopy(t);
  const old = (await store.getKv(namespaces.corp, CORP_B, NOW))!;
  const newer = { ...old.value, state: 'active' as const, permanentCode: 'fake-new-code', updatedAt: NOW };
  await store.putKv(namespaces.corp, appCorpKey(SUITE, CORP_B), newer, { version: NOW, now: NOW });
  await migrateAppKeys(store, SUITE, NOW);
  t.equal((await store.getKv(namespaces.corp, appCorpKey(SUITE, CORP_B), NOW))?.value.permanentCode, 'fake-new-code', 'the newer record stays');
  t.equal(await store.getKv(namespaces.corp, CORP_B, NOW), undefined, 'the old-form key is gone');
});

t.test('migrateAppKeys rejects an app id that cannot key a record', async (t) => {
  const store = openFixtureCopy(t);
  await t.rejects(migrateAppKeys(store, '', NOW), TypeError, 'empty');
  await t.rejects(migrateAppKeys(store, 'a:b', NOW), TypeError, 'with a colon');
});

t.test('Redis: the same records in the one-suite form are migrated in place', async (t) => {
  const admin = await redisAdmin();
  if (!admin) { t.plan(0, 'Redis not reachable at 127.0.0.1:6379'); return; }
  t.teardown(() => admin.quit().then(() => undefined));
  const prefix = `wr:test:${randomBytes(6).toString('hex')}:`;
  const store = await RedisStore.connect('redis://127.0.0.1:6379', { prefix, now: () => NOW });
  t.teardown(async () => {
    await store.close();
    const keys = await keysUnder(admin, prefix);
    if (keys.length > 0) await admin.del(...keys);
  });
  // The old release wrote the same KeyedState records (same namespaces, keys = corp id): copy the fixture's.
  const fixture = openFixtureCopy(t);
  for (const ns of [namespaces.suiteTicket, namespaces.suiteToken, namespaces.corp, namespaces.corpToken] as const) {
    for (const record of await fixture.listKv<unknown>(ns as never, NOW)) {
      await store.putKv(ns as never, record.key, record.value as never, {
        version: record.version, now: NOW, ...(record.expiresAt === null ? {} : { ttlMs: record.expiresAt - NOW }),
      });
    }
  }
  t.same((await store.listKv(namespaces.corp, NOW)).map((r) => r.key), [CORP_A, CORP_B], 'the Redis store starts in the old form');
  await checkMigrated(t, store);
});
