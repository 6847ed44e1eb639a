import { randomBytes } from 'node:crypto';
import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { createLogger } from '../../daemon/logger.js';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay, type RunningRelay } from '../../daemon/run-relay.js';
import { createStore } from '../../src/store/create-store.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { deleteKeysUnder, redisAdmin, SHARED_REDIS_URL } from '../helpers/redis-admin.js';

const SUITE = 'ww917724cb573d8629';
const CORP = DEFAULT_CORP_IDS.corpId;
const KEY = `redis_${randomBytes(24).toString('hex')}`;

t.test('two relays on one Redis store: an expired corp token is refreshed once between them', async (t) => {
  const admin = await redisAdmin();
  if (!admin) {
    t.comment(`SKIP: no Redis answers at ${SHARED_REDIS_URL}: start one to run this test`);
    return;
  }
  const prefix = `wecom-relay-test:gateway:${randomBytes(6).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeysUnder(admin, prefix);
    admin.disconnect();
  });
  const secret = randomBytes(16).toString('hex');
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: secret });
  t.teardown(() => mock.close());
  const config = validateConfig({
    suite: { id: SUITE, secret, ...generateSuiteKeys() },
    store: `${SHARED_REDIS_URL}?prefix=${encodeURIComponent(prefix)}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    enrich: false,
    daemon: { pollIntervalMs: 100, retentionDays: 0 },
    gateway: { port: 0, keys: [{ name: 'crm', key: KEY }] },
    targets: [],
  }, {});
  const logger = createLogger({ level: 'silent' });
  const relays: RunningRelay[] = [];
  for (let i = 0; i < 2; i++) {
    const store = await createStore(config.store);
    const relay = await runRelay({ config, mode: 'daemon', logger, store });
    relays.push(relay);
    t.teardown(async () => { await relay.stop(); await store.close(); });
  }
  // Credentials as the daemon gets them from callbacks: a ticket and an authorization, into the shared store.
  const tokens = relays[0]!.daemon!.tokens!;
  const ticket = mock.issueSuiteTicket();
  await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
  await tokens.exchangeAuthCode(mock.issueAuthCode().authCode);

  const callOn = async (relay: RunningRelay) => {
    const response = await fetch(`${relay.gateway!.url}/v1/apps/${SUITE}/corps/${CORP}/cgi-bin/user/get?userid=zhangsan`, { headers: { authorization: `Bearer ${KEY}` } });
    return (await response.json() as { errcode: number }).errcode;
  };
  t.same(await Promise.all(relays.map(callOn)), [0, 0], 'both gateways call with the stored token');
  const fetches = () => mock.calls.filter((c) => c.path === 'service/get_corp_token').length;
  const before = fetches();
  t.equal(before, 0, 'no corp token fetched yet (the authorization\'s token is shared through the store)');

  mock.expireToken('corp', CORP);
  const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => callOn(relays[i % 2]!)));
  t.same(answers, Array(16).fill(0), '16 concurrent calls on the two relays, all answered errcode 0 after the refresh');
  t.equal(fetches() - before, 1, 'the expired token was refreshed once between the two relays');
  const rejected = mock.calls.filter((c) => c.path === 'user/get' && c.errcode === 42001).length;
  t.ok(rejected >= 1 && rejected <= 16, `each call retried at most once (${rejected} answered 42001)`);
});
