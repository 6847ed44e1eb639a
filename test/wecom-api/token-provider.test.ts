import { join } from 'node:path';
import t, { type Test } from 'tap';
import { WecomApiError } from '../../src/errors.js';
import { appCorpKey, CREDENTIAL_NAMESPACES as NS, type CorpRecord, type StoredToken, type SuiteTicketRecord } from '../../src/wecom-api/credential-records.js';
import { TokenProvider, type TokenProviderOptions } from '../../src/wecom-api/token-provider.js';
import { fakeTokenApi, type FakeTokenApi } from './fake-token-api.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { CredentialStore } from '../../src/wecom-api/credential-records.js';

const SUITE = 'ww917724cb573d8629';
const CORP = 'wxcorp1';
const MINUTE = 60_000;

interface Setup {
  readonly clock: { now: number };
  /** A real SQLite store in the test's directory, on the test's clock. */
  readonly store: SqliteStore;
  /** Every acquireLock the providers made, and whether it got the lock. */
  readonly lockAttempts: Array<{ readonly key: string; readonly acquired: boolean }>;
  readonly api: FakeTokenApi;
  readonly provider: TokenProvider;
  /** Every store-poll wait a provider asked for (no real sleeping: each yields one event-loop turn). */
  readonly waits: number[];
  readonly make: (overrides?: Partial<TokenProviderOptions>) => TokenProvider;
}

function setup(t: Test, overrides: Partial<TokenProviderOptions> = {}): Setup {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const store = new SqliteStore(join(t.testdir(), 'relay.db'), { now });
  t.teardown(() => store.close());
  const lockAttempts: Array<{ readonly key: string; readonly acquired: boolean }> = [];
  const recorded: CredentialStore = {
    getKv: (ns, key, at) => store.getKv(ns, key, at),
    putKv: (ns, key, value, options) => store.putKv(ns, key, value, options),
    deleteKv: (ns, key, options) => store.deleteKv(ns, key, options),
    listKv: (ns, at) => store.listKv(ns, at),
    releaseLock: (key, token) => store.releaseLock(key, token),
    acquireLock: async (key, ttlMs, at) => {
      const token = await store.acquireLock(key, ttlMs, at);
      lockAttempts.push({ key, acquired: token !== undefined });
      return token;
    },
  };
  const api = fakeTokenApi(CORP);
  const waits: number[] = [];
  const make = (more: Partial<TokenProviderOptions> = {}) =>
    new TokenProvider({
      store: recorded,
      api,
      suiteId: SUITE,
      suiteSecret: 'suite-secret',
      now,
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setImmediate(resolve));
      },
      ...overrides,
      ...more,
    });
  return { clock, store, lockAttempts, api, provider: make(), waits, make };
}

async function withTicket(s: Setup, ticket = 'ticket-1', timestamp = 1_700_000_000): Promise<void> {
  await s.provider.saveSuiteTicket(ticket, timestamp);
}

async function storedTicket(s: Setup): Promise<SuiteTicketRecord | undefined> {
  return (await s.store.getKv<SuiteTicketRecord>(NS.suiteTicket, SUITE))?.value;
}

t.test('suite_ticket is newer-wins by TimeStamp', async (t) => {
  const s = setup(t);
  t.equal(await s.provider.saveSuiteTicket('ticket-200', 200), true, 'the first ticket is stored');
  t.equal(await s.provider.saveSuiteTicket('ticket-100', 100), false, 'an older TimeStamp does not overwrite it');
  t.equal(await s.provider.saveSuiteTicket('ticket-200b', 200), false, 'an equal TimeStamp does not either');
  t.same(await storedTicket(s), { ticket: 'ticket-200', timestamp: 200 }, 'the newest ticket is kept');
  t.equal(await s.provider.saveSuiteTicket('ticket-300', 300), true, 'a newer ticket replaces it');
  await s.provider.getSuiteToken();
  t.same(s.api.ticketsUsed, ['ticket-300'], 'the token is fetched with the newest ticket');
  t.same(await s.provider.suiteTicketStatus(), { timestamp: 300, updatedAt: s.clock.now }, 'the status names the TimeStamp, not the ticket');
});

t.test('a ticket for another suite is ignored', async (t) => {
  const s = setup(t);
  t.equal(await s.provider.saveSuiteTicket('other', 100, 'wwanothersuite'), false, 'not stored');
  t.equal(await storedTicket(s), undefined, 'nothing in the store');
});

t.test('the ticket expires after 30 minutes without a push', async (t) => {
  const s = setup(t);
  await withTicket(s);
  s.clock.now += 29 * MINUTE;
  t.ok(await storedTicket(s), 'still there after 29 min');
  s.clock.now += 2 * MINUTE;
  t.equal(await storedTicket(s), undefined, 'gone after 31 min');
});

t.test('without a ticket, getSuiteToken fails with ERR_WECOM_NO_SUITE_TICKET', async (t) => {
  const s = setup(t);
  await t.rejects(s.provider.getSuiteToken(), { code: 'ERR_WECOM_NO_SUITE_TICKET' }, 'no ticket yet');
  t.equal(s.api.calls.suiteToken, 0, 'WeCom was not called');
  await withTicket(s);
  t.equal(await s.provider.getSuiteToken(), 'suite-token-1', 'once a ticket arrives the token is fetched');
});

t.test('20 concurrent getSuiteToken calls make one fetch (single flight)', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const tokens = await Promise.all(Array.from({ length: 20 }, () => s.provider.getSuiteToken()));
  t.same(new Set(tokens), new Set(['suite-token-1']), 'every caller gets the same token');
  t.equal(s.api.calls.suiteToken, 1, 'one fetch');
  t.same(s.provider.tokenRefreshes, { suite: 1, corp: 0 }, 'the refresh counter counts it');
  await s.provider.getSuiteToken();
  t.equal(s.api.calls.suiteToken, 1, 'a later call is served from the cache');
  const stored = (await s.store.getKv<StoredToken>(NS.suiteToken, SUITE))?.value;
  t.match(stored, { token: 'suite-token-1', fetchedAt: s.clock.now, expiresAt: s.clock.now + 7_200_000 }, 'the token is shared through the store');
});

t.test('the token is refreshed before it expires', async (t) => {
  const s = setup(t);
  await withTicket(s);
  t.equal(await s.provider.getSuiteToken(), 'suite-token-1', 'first token');
  s.clock.now += 109 * MINUTE;
  await withTicket(s, 'ticket-2', 1_700_006_540);
  t.equal(await s.provider.getSuiteToken(), 'suite-token-1', 'kept until 10 min before expiry');
  s.clock.now += 2 * MINUTE;
  t.equal(await s.provider.getSuiteToken(), 'suite-token-2', 'refreshed inside the last 10 min');
  t.equal(s.api.calls.suiteToken, 2, 'two fetches in all');
});

t.test('a short-lived token is refreshed at 80 % of its life', async (t) => {
  const s = setup(t);
  const api = fakeTokenApi(CORP, 60);
  const provider = s.make({ api });
  await provider.saveSuiteTicket('ticket', 1);
  t.equal(await provider.getSuiteToken(), 'suite-token-1', 'first token (60 s)');
  s.clock.now += 47_000;
  t.equal(await provider.getSuiteToken(), 'suite-token-1', 'still fresh at 47 s');
  s.clock.now += 2_000;
  t.equal(await provider.getSuiteToken(), 'suite-token-2', 'refreshed at 49 s');
});

t.test('invalidation is by value: a stale failing token never deletes a newer one', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const first = await s.provider.getSuiteToken();
  // Another process refreshed meanwhile: a newer token is in the store.
  s.clock.now += MINUTE;
  const newer: StoredToken = { token: 'suite-token-newer', fetchedAt: s.clock.now, expiresAt: s.clock.now + 7_200_000 };
  await s.store.putKv(NS.suiteToken, SUITE, newer, { version: newer.fetchedAt, ifNewer: true });
  t.equal(await s.provider.invalidateSuiteToken(first), false, 'invalidating the old value deletes nothing');
  t.same((await s.store.getKv(NS.suiteToken, SUITE))?.value, newer, 'the newer token is still stored');
  t.equal(await s.provider.getSuiteToken(), 'suite-token-newer', 'the failing value left memory; the newer one is used');
  t.equal(s.api.calls.suiteToken, 1, 'without a fetch');
  t.equal(await s.provider.invalidateSuiteToken('suite-token-newer'), true, 'invalidating the current value deletes it');
  t.equal(await s.store.getKv(NS.suiteToken, SUITE), undefined, 'the store copy is gone');
  t.equal(await s.provider.getSuiteToken(), 'suite-token-2', 'the next call fetches');
});

t.test('an older fetch never overwrites a newer token (write-if-newer)', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const newer: StoredToken = { token: 'written-by-another-process', fetchedAt: s.clock.now + 1, expiresAt: s.clock.now + 7_200_001 };
  s.api.duringSuiteFetch = async () => {
    await s.store.putKv(NS.suiteToken, SUITE, newer, { version: newer.fetchedAt, ifNewer: true });
  };
  t.equal(await s.provider.getSuiteToken(), 'written-by-another-process', 'the newer stored token wins over this fetch');
  t.same((await s.store.getKv(NS.suiteToken, SUITE))?.value, newer, 'and stays in the store');
});

t.test('two providers sharing one store make one fetch (lock, then re-check)', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const other = s.make();
  let open!: () => void;
  s.api.suiteGate = new Promise<void>((resolve) => (open = resolve));
  const both = Promise.all([s.provider.getSuiteToken(), other.getSuiteToken()]);
  await s.api.suiteEntered;
  open();
  const [a, b] = await both;
  t.equal(a, b, 'both get the same token');
  t.equal(s.api.calls.suiteToken, 1, 'one fetch across both providers');
  t.equal(s.provider.tokenRefreshes.suite + other.tokenRefreshes.suite, 1, 'one refresh counted in all');
  t.ok(s.lockAttempts.some((a) => a.key === `lock:suite_token:${SUITE}` && !a.acquired), 'the loser found the lock held');
  t.ok(s.waits.length > 0, 'and polled the store instead of fetching');
});

t.test('a provider that gets the lock after another refreshed re-reads the store and does not fetch', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const first = s.make();
  // The lock is taken after `first` completed a whole refresh: the re-check must find its token.
  const late = s.make({
    store: {
      getKv: (ns, key, now) => s.store.getKv(ns, key, now),
      putKv: (ns, key, value, options) => s.store.putKv(ns, key, value, options),
      deleteKv: (ns, key, options) => s.store.deleteKv(ns, key, options),
      listKv: (ns, now) => s.store.listKv(ns, now),
      releaseLock: (key, token) => s.store.releaseLock(key, token),
      acquireLock: async (key, ttlMs, now) => {
        await first.getSuiteToken();
        return s.store.acquireLock(key, ttlMs, now);
      },
    },
  });
  t.equal(await late.getSuiteToken(), 'suite-token-1', 'the late provider returns the winner\'s token');
  t.equal(s.api.calls.suiteToken, 1, 'one fetch');
  t.equal(late.tokenRefreshes.suite, 0, 'the late provider fetched nothing');
});

t.test('a waiting provider gives up after lockWaitMs when the holder never writes', async (t) => {
  const s = setup(t, { lockWaitMs: 1000 });
  await withTicket(s);
  await s.store.acquireLock(`lock:suite_token:${SUITE}`, 30_000, s.clock.now);
  await t.rejects(s.provider.getSuiteToken(), { code: 'ERR_WECOM_API_HTTP', message: /waiting for another process/ }, 'times out');
  t.same(s.waits, [50, 100, 200, 400, 800], 'polling with backoff until the budget is spent');
  t.equal(s.api.calls.suiteToken, 0, 'and never fetched while the lock was held');
});

t.test('while another process refreshes, a still-valid token is used at once', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.getSuiteToken();
  s.clock.now += 115 * MINUTE; // inside the refresh margin, not expired
  await s.store.acquireLock(`lock:suite_token:${SUITE}`, 30_000, s.clock.now);
  const fresh = s.make();
  t.equal(await fresh.getSuiteToken(), 'suite-token-1', 'the current token is returned');
  t.same(s.waits, [], 'without waiting');
});

t.test('a failed refresh falls back to the still-valid token and is not hammered', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.getSuiteToken();
  s.clock.now += 115 * MINUTE;
  await withTicket(s, 'ticket-2', 1_700_006_900);
  s.api.script.suiteToken.push({ errcode: -1 });
  t.equal(await s.provider.getSuiteToken(), 'suite-token-1', 'the old token is used while the refresh fails');
  t.equal(await s.provider.getSuiteToken(), 'suite-token-1', 'again');
  t.equal(s.api.calls.suiteToken, 2, 'the failing fetch is not repeated within the cooldown');
  s.clock.now += 11_000;
  t.equal(await s.provider.getSuiteToken(), 'suite-token-3', 'after the cooldown it refreshes');
});

t.test('without a valid token, a failing fetch is reused for the cooldown', async (t) => {
  const s = setup(t);
  await withTicket(s);
  s.api.script.suiteToken.push({ errcode: 40001 });
  await t.rejects(s.provider.getSuiteToken(), { code: 'ERR_WECOM_API', errcode: 40001 }, 'the config error is thrown');
  await t.rejects(s.provider.getSuiteToken(), { code: 'ERR_WECOM_API', errcode: 40001 }, 'and again');
  t.equal(s.api.calls.suiteToken, 1, 'without calling WeCom again');
  await s.provider.saveSuiteTicket('ticket-new', 1_800_000_000);
  t.equal(await s.provider.getSuiteToken(), 'suite-token-2', 'a new ticket allows a fetch at once');
});

t.test('exchangeAuthCode persists the permanent code and caches the corp token', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const authorization = await s.provider.exchangeAuthCode('AUTH_CODE');
  t.match(authorization, { corpId: CORP, corpName: 'Acme', state: 'active', authInfo: { agent: [{ agentid: 1000001 }] }, authUserInfo: { userid: 'admin' } }, 'the authorization describes the corp');
  t.notOk('permanentCode' in authorization, 'without the permanent code');
  const record = (await s.store.getKv<CorpRecord>(NS.corp, appCorpKey(SUITE, CORP)))?.value;
  t.match(record, { corpId: CORP, permanentCode: 'permanent-code-1', state: 'active', authorizedAt: s.clock.now }, 'the store keeps the permanent code');
  t.equal(await s.provider.getCorpToken(CORP), 'corp-token-0', 'the token from the exchange is used');
  t.equal(s.api.calls.corpToken, 0, 'without calling get_corp_token');
  t.same((await s.provider.listCorps()).map((c) => [c.corpId, 'permanentCode' in c]), [[CORP, false]], 'listCorps never shows permanent codes');
  t.notOk('permanentCode' in ((await s.provider.getCorp(CORP)) ?? {}), 'getCorp neither');
});

t.test('corp tokens are fetched with the permanent code, single flight', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  s.clock.now += 119 * MINUTE;
  await withTicket(s, 'ticket-2', 1_700_007_140);
  const tokens = await Promise.all(Array.from({ length: 10 }, () => s.provider.getCorpToken(CORP)));
  t.same(new Set(tokens), new Set(['corp-token-1']), 'one new token for everyone');
  t.same(s.api.permanentCodesUsed, ['permanent-code-1'], 'one get_corp_token with the stored permanent code');
  t.equal(s.provider.tokenRefreshes.corp, 1, 'counted as a corp refresh');
});

t.test('a corp never authorized fails with ERR_WECOM_CORP_NOT_AUTHORIZED', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await t.rejects(s.provider.getCorpToken('wxunknown'), { code: 'ERR_WECOM_CORP_NOT_AUTHORIZED' }, 'no authorization');
});

t.test('42001 inside withCorpToken refreshes the token and retries once', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  const seen: string[] = [];
  const result = await s.provider.withCorpToken(CORP, async (token) => {
    seen.push(token);
    if (seen.length === 1) throw new WecomApiError('externalcontact/get', 42001, 'access_token expired');
    return 'enriched';
  });
  t.equal(result, 'enriched', 'the retry\'s result is returned');
  t.same(seen, ['corp-token-0', 'corp-token-1'], 'the retry used a freshly fetched token');
  t.equal(s.api.calls.corpToken, 1, 'one refresh');

  const twice: string[] = [];
  await t.rejects(
    s.provider.withCorpToken(CORP, async (token) => {
      twice.push(token);
      throw new WecomApiError('externalcontact/get', 42001, 'access_token expired');
    }),
    { code: 'ERR_WECOM_API', errcode: 42001 },
    'a second 42001 is thrown',
  );
  t.equal(twice.length, 2, 'after exactly one retry');
  t.equal(s.api.calls.corpToken, 2, 'and exactly one more refresh');
});

t.test('other errors inside withCorpToken are thrown without a refresh', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  let calls = 0;
  await t.rejects(s.provider.withCorpToken(CORP, async () => {
    calls++;
    throw new WecomApiError('user/get', 60011, 'no privilege');
  }), { errcode: 60011, code: 'ERR_WECOM_API' }, 'the 60011 is thrown');
  t.equal(calls, 1, 'not retried');
  t.equal(s.api.calls.corpToken, 0, 'no token refresh');
});

t.test('42009 inside withSuiteToken refreshes the suite token and retries once', async (t) => {
  const s = setup(t);
  await withTicket(s);
  const seen: string[] = [];
  const result = await s.provider.withSuiteToken(async (token) => {
    seen.push(token);
    if (seen.length === 1) throw new WecomApiError('service/get_pre_auth_code', 42009, 'suite token expired');
    return 'pre-auth';
  });
  t.equal(result, 'pre-auth', 'the retry succeeds');
  t.same(seen, ['suite-token-1', 'suite-token-2'], 'with a new suite token');
  t.same(await storedTicket(s), { ticket: 'ticket-1', timestamp: 1_700_000_000 }, 'the ticket is untouched');
});

t.test('40084 inside withCorpToken marks the corp gone', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  await t.rejects(s.provider.withCorpToken(CORP, async () => {
    throw new WecomApiError('externalcontact/get', 40084, 'invalid permanent_code');
  }), { code: 'ERR_WECOM_API', errcode: 40084 }, 'the 40084 is rethrown');
  const record = (await s.store.getKv<CorpRecord>(NS.corp, appCorpKey(SUITE, CORP)))?.value;
  t.match(record, { corpId: CORP, state: 'gone' }, 'the corp is gone');
  t.notOk(record && 'permanentCode' in record, 'its permanent code is deleted');
  t.equal(await s.store.getKv(NS.corpToken, appCorpKey(SUITE, CORP)), undefined, 'its token is deleted');
  await t.rejects(s.provider.getCorpToken(CORP), { code: 'ERR_WECOM_CORP_NOT_AUTHORIZED' }, 'no token is handed out any more');
});

t.test('a stale 40084 does not undo a re-authorization', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  await t.rejects(s.provider.withCorpToken(CORP, async () => {
    s.clock.now += 1000;
    await s.provider.exchangeAuthCode('NEW_AUTH_CODE'); // reset_permanent_code processed meanwhile
    throw new WecomApiError('externalcontact/get', 40084, 'invalid permanent_code');
  }), { code: 'ERR_WECOM_API', errcode: 40084 }, 'the call still fails');
  t.match((await s.store.getKv<CorpRecord>(NS.corp, appCorpKey(SUITE, CORP)))?.value, { state: 'active', permanentCode: 'permanent-code-2' }, 'the new authorization stands');
});

t.test('40084 from get_corp_token marks the corp gone', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  s.clock.now += 119 * MINUTE;
  s.api.script.corpToken.push({ errcode: 40084 });
  s.clock.now += 10 * MINUTE; // the exchange's token has expired
  await withTicket(s, 'ticket-2', 1_700_007_740);
  await t.rejects(s.provider.getCorpToken(CORP), { code: 'ERR_WECOM_API', errcode: 40084 }, 'the fetch fails');
  t.match(await s.provider.getCorp(CORP), { state: 'gone' }, 'the corp is gone');
});

t.test('the suite ticket survives every token invalidation', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  const suiteToken = await s.provider.getSuiteToken();
  await s.provider.invalidateSuiteToken(suiteToken);
  await s.provider.withSuiteToken(async (token) => {
    if (token === 'suite-token-2') throw new WecomApiError('service/get_auth_info', 40082, 'invalid suite token');
  });
  await s.provider.invalidateCorpToken(CORP, await s.provider.getCorpToken(CORP));
  await s.provider.withCorpToken(CORP, async (token) => {
    if (token === 'corp-token-1') throw new WecomApiError('user/get', 42001, 'expired');
  }).catch(() => undefined);
  await s.provider.markCorpGone(CORP);
  await s.provider.revokeCorp(CORP);
  t.same(await storedTicket(s), { ticket: 'ticket-1', timestamp: 1_700_000_000 }, 'the ticket is still stored');
});

t.test('revokeCorp removes the permanent code and the tokens', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  t.equal(await s.provider.getCorpToken(CORP), 'corp-token-0', 'a token is cached');
  const revoked = await s.provider.revokeCorp(CORP);
  t.match(revoked, { corpId: CORP, state: 'revoked', corpName: 'Acme' }, 'the corp is revoked, its info kept');
  const record = (await s.store.getKv<CorpRecord>(NS.corp, appCorpKey(SUITE, CORP)))?.value;
  t.notOk(record && 'permanentCode' in record, 'the permanent code is deleted from the store');
  t.equal(await s.store.getKv(NS.corpToken, appCorpKey(SUITE, CORP)), undefined, 'the stored token is deleted');
  await t.rejects(s.provider.getCorpToken(CORP), { code: 'ERR_WECOM_CORP_NOT_AUTHORIZED' }, 'and the cached one is not handed out');
  t.match(await s.provider.revokeCorp('wxnever'), { corpId: 'wxnever', state: 'revoked' }, 'revoking an unknown corp records it');
});

t.test('refreshAuthInfo updates the corp record', async (t) => {
  const s = setup(t);
  await withTicket(s);
  await s.provider.exchangeAuthCode('AUTH_CODE');
  const updated = await s.provider.refreshAuthInfo(CORP);
  t.match(updated, { corpName: 'Acme Renamed', authInfo: { agent: [{ agentid: 1000002 }] }, state: 'active' }, 'the new info is returned');
  t.match((await s.store.getKv<CorpRecord>(NS.corp, appCorpKey(SUITE, CORP)))?.value, { corpName: 'Acme Renamed', permanentCode: 'permanent-code-1' }, 'and stored, keeping the permanent code');
});

t.test('bad options are TypeErrors', async (t) => {
  const s = setup(t);
  t.throws(() => s.make({ suiteId: '' }), TypeError, 'an empty suiteId');
  t.throws(() => s.make({ suiteSecret: undefined as unknown as string }), TypeError, 'a missing secret');
  t.throws(() => s.make({ refreshMarginMs: -1 }), TypeError, 'a negative margin');
  const error = (() => {
    try {
      s.make({ suiteSecret: 7 as unknown as string });
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  t.notMatch(error?.message ?? '', '7', 'a bad secret is not echoed');
  await t.rejects(s.provider.saveSuiteTicket('', 1), TypeError, 'an empty ticket');
  await t.rejects(s.provider.saveSuiteTicket('x', Number.NaN), TypeError, 'a NaN TimeStamp');
});
