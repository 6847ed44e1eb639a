import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { RedisStore } from '../../../src/store/redis.js';
import type { Store } from '../../../src/store/store.js';
import { deleteKeysUnder, redisAdmin } from '../../helpers/redis-admin.js';
import { startRecordingTarget, type RecordingTarget } from './recording-target.js';
import { startTestRelay, type TestRelay } from './test-relay.js';

/** The Redis the reconciliation tests use when the store is Redis. */
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A relay (receiver + daemon, enrichment on) with its corp installed, a JSON target, and a config file for `wecom-relay sync` on the same store. */
export interface SyncSetup {
  readonly relay: TestRelay;
  readonly target: RecordingTarget;
  /** The relay's config with `sync.leaseSeconds: 2`, for spawned `wecom-relay sync` processes. */
  readonly configFile: string;
}

/**
 * Sets up {@link SyncSetup} on a SQLite file or on Redis (a unique key prefix, deleted at teardown).
 * Resolves undefined when the store is Redis and none is reachable: the caller says so and skips.
 */
export async function setUpSync(t: Test, store: 'sqlite' | 'redis'): Promise<SyncSetup | undefined> {
  const dir = t.testdir();
  let shared: Store | undefined;
  let storeUrl: string | undefined;
  if (store === 'redis') {
    const admin = await redisAdmin(REDIS_URL);
    if (admin === undefined) return undefined;
    const prefix = `wr:test:sync:${randomBytes(6).toString('hex')}:`;
    storeUrl = `${REDIS_URL}/0?prefix=${encodeURIComponent(prefix)}`;
    shared = await RedisStore.connect(storeUrl);
    t.teardown(async () => {
      await shared?.close();
      await deleteKeysUnder(admin, prefix);
      await admin.quit();
    });
  }
  const target = await startRecordingTarget(t);
  const relay = await startTestRelay(t, {
    dir, enrich: true, ...(shared ? { store: shared } : {}),
    targets: [{ name: 'hooks', url: `${target.url}/hooks`, format: 'json', rateLimit: { count: 1000, intervalMs: 1000 } }],
  });
  const configFile = join(dir, 'sync.config.json');
  writeFileSync(configFile, JSON.stringify({ ...relay.input, store: storeUrl ?? relay.input.store, sync: { leaseSeconds: 2 } }));
  const installed = await relay.install();
  t.ok(installed.ok, 'the corp is installed');
  return { relay, target, configFile };
}
