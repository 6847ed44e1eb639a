import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLogger } from '../../daemon/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { CREDENTIAL_NAMESPACES as NS, type CredentialStore, type StoredToken } from '../../src/wecom-api/credential-records.js';
import { SharedTokenCache } from '../../src/wecom-api/shared-token-cache.js';

const KEY = 'ww917724cb573d8629:wxcorp1';
const HOUR = 3_600_000;

/**
 * A real SQLite store whose `getKv` answers can be held after they were read: the test decides in which
 * order two concurrent readers go on, which is how the invalidate/reload race happens in a busy process.
 */
function heldStore(t: Test, now: () => number) {
  const store = new SqliteStore(join(t.testdir(), 'relay.db'), { now });
  t.teardown(() => store.close());
  const held: Array<() => void> = [];
  let holding = false;
  const credentials: CredentialStore = {
    getKv: async (ns, key, at) => {
      const answer = await store.getKv(ns, key, at);
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      return answer;
    },
    putKv: (ns, key, value, options) => store.putKv(ns, key, value, options),
    deleteKv: (ns, key, options) => store.deleteKv(ns, key, options),
    listKv: (ns, at) => store.listKv(ns, at),
    acquireLock: (key, ttlMs, at) => store.acquireLock(key, ttlMs, at),
    releaseLock: (key, token) => store.releaseLock(key, token),
  };
  return {
    store, credentials, held,
    hold: () => { holding = true; },
    /** Stops holding and lets the n-th held reader (0 = the first that read) go on. */
    release: (index: number) => { holding = false; held[index]!(); },
  };
}

function setup(t: Test) {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const s = heldStore(t, now);
  const cache = new SharedTokenCache({
    store: s.credentials, now, logger: createLogger({ level: 'silent' }),
    marginMs: 5 * 60_000, lockTtlMs: 10_000, lockWaitMs: 5_000, failureCooldownMs: 30_000, max: 100,
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
  });
  let fetches = 0;
  /** Each fetch hands out the next token value, fetched now. */
  const fetch = async (): Promise<StoredToken> => {
    fetches++;
    return { token: `token-${fetches}`, expiresAt: clock.now + 2 * HOUR, fetchedAt: clock.now } as StoredToken;
  };
  return { ...s, clock, cache, fetch, fetches: () => fetches };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

t.test('a reload that read the store before invalidate deleted the token never hands the rejected value out', async (t) => {
  const s = setup(t);
  t.equal((await s.cache.get(NS.corpToken, KEY, s.fetch)).token, 'token-1');
  s.clock.now += 60_000;

  s.hold();
  const invalidated = s.cache.invalidate(NS.corpToken, KEY, 'token-1');
  await turn();
  // The memory copy is gone: this reader goes to the store and reads token-1 before its delete lands.
  const reloaded = s.cache.get(NS.corpToken, KEY, s.fetch);
  while (s.held.length < 2) await turn();

  s.release(0);
  t.equal(await invalidated, true, 'invalidate deleted the stored token-1');
  s.release(1);
  t.equal((await reloaded).token, 'token-2', 'the concurrent reload fetched a new token instead of taking token-1 back');
  t.equal((await s.cache.get(NS.corpToken, KEY, s.fetch)).token, 'token-2', 'and the next call is served token-2 from memory');
  t.equal(s.fetches(), 2, 'one fetch for the first token, one after the rejection');
});

t.test('a token fetched after the rejection is taken even when WeCom hands out the same value again', async (t) => {
  const s = setup(t);
  await s.cache.get(NS.corpToken, KEY, s.fetch);
  s.clock.now += 60_000;
  await s.cache.invalidate(NS.corpToken, KEY, 'token-1');
  s.clock.now += 1;
  let refetched = 0;
  const same = async (): Promise<StoredToken> => {
    refetched++;
    return { token: 'token-1', expiresAt: s.clock.now + 2 * HOUR, fetchedAt: s.clock.now } as StoredToken;
  };
  t.equal((await s.cache.get(NS.corpToken, KEY, same)).token, 'token-1', 'the refetched value is handed out');
  t.equal((await s.cache.get(NS.corpToken, KEY, same)).token, 'token-1', 'and remembered');
  t.equal(refetched, 1, 'no fetch per call: the fresh copy is cached');
});

t.test('a stored copy of the rejected value is not used as the fallback when the refresh fails', async (t) => {
  const s = setup(t);
  await s.cache.get(NS.corpToken, KEY, s.fetch);
  s.clock.now += 60_000;
  s.hold();
  const invalidated = s.cache.invalidate(NS.corpToken, KEY, 'token-1');
  await turn();
  const failing = async (): Promise<StoredToken> => { throw new Error('WeCom unreachable'); };
  const reloaded = s.cache.get(NS.corpToken, KEY, failing);
  while (s.held.length < 2) await turn();
  s.release(1);
  await t.rejects(reloaded, /unreachable/, 'the failure is the answer, not the token WeCom just rejected');
  s.held[0]!();
  await invalidated;
});
