import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { CorpRegistry } from '../../src/wecom-api/corp-registry.js';
import type { CorpRecord, CredentialStore } from '../../src/wecom-api/credential-records.js';

const APP = 'ww917724cb573d8629';
const CORP = 'wxcorp00000000001';

function record(state: CorpRecord['state'], updatedAt: number): CorpRecord {
  return {
    corpId: CORP, permanentCode: state === 'active' ? 'pc-1' : undefined, corpName: 'Corp', authCorpInfo: null, authInfo: null,
    authUserInfo: null, dealerCorpInfo: null, state, authorizedAt: 1, updatedAt,
  } as CorpRecord;
}

t.test('recent(): one store read per corp per maxAgeMs; its own writes are seen at once, another process\'s within maxAgeMs', async (t) => {
  let now = 1_000_000;
  const clock = () => now;
  const store = new SqliteStore(join(t.testdir(), 'relay.db'), { now: clock });
  t.teardown(() => store.close());
  let reads = 0;
  const counted: CredentialStore = {
    getKv: (ns, key, at) => { reads++; return store.getKv(ns, key, at); },
    putKv: (ns, key, value, options) => store.putKv(ns, key, value, options),
    deleteKv: (ns, key, options) => store.deleteKv(ns, key, options),
    listKv: (ns, at) => store.listKv(ns, at),
    acquireLock: (key, ttlMs, at) => store.acquireLock(key, ttlMs, at),
    releaseLock: (key, token) => store.releaseLock(key, token),
  };
  const gateway = new CorpRegistry(counted, APP, clock, silentLogger);
  const daemon = new CorpRegistry(store, APP, clock, silentLogger);

  t.equal(await gateway.recent(CORP, 1000), undefined, 'never installed: none');
  await daemon.put(record('active', now));
  t.equal(await gateway.recent(CORP, 1000), undefined, 'another registry\'s write is not seen within maxAgeMs');
  now += 1000;
  t.equal((await gateway.recent(CORP, 1000))?.state, 'active', 'and is seen once the read is maxAgeMs old');
  const before = reads;
  for (let i = 0; i < 5; i++) await gateway.recent(CORP, 1000);
  t.equal(reads, before, 'five more checks within the second: no store read');

  await gateway.put(record('revoked', now));
  t.equal((await gateway.recent(CORP, 1000))?.state, 'revoked', 'its own write is seen at once');
  now -= 5000;
  t.equal((await gateway.recent(CORP, 1000))?.state, 'revoked', 'a clock that went back reads again');
  t.ok(reads > before + 1, 'each fresh answer came from the store');
});
