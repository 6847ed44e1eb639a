import t from 'tap';
import type { AppConfig } from '../../src/apps/app.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { SyncScheduler } from '../../daemon/sync/sync-scheduler.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { createStore } from '../../src/store/create-store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { IdListApi } from '../../src/wecom-api/id-list-api.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProviders } from '../../src/wecom-api/token-providers.js';

const CRM: AppConfig = { name: 'crm', kind: 'suite', id: 'ww917724cb573d8629', secret: 'crm-secret-for-tests', token: 't1', encodingAESKey: 'a'.repeat(43), dataPath: '/data', commandPath: '/command' };
const HOUR = 3_600_000;

/** The scheduler on an injected clock: install-triggered, interval-triggered, and a failed corp waits. */
t.test('the schedule: after install, every intervalHours, and a failure waits before a retry', async (t) => {
  const mock = await startMockWecomApi({ suiteId: CRM.id, suiteSecret: CRM.secret! });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${t.testdir()}/db.sqlite`);
  t.teardown(() => store.close());
  const client = new WecomApiClient({ baseUrl: mock.url, sleep: async () => {} });
  t.teardown(() => client.close());
  let now = Date.now();
  const providers = new TokenProviders({ apps: [CRM], store, api: new SuiteApi(client), now: () => now });
  const tokens = providers.get(CRM.id)!;
  const ticket = mock.issueSuiteTicket();
  await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
  await tokens.exchangeAuthCode(mock.issueAuthCode().authCode);
  const clock = { now: () => now, sleep: systemClock.sleep };
  const scheduler = new SyncScheduler({
    deps: { store, api: new IdListApi(client), providers, apps: [CRM], clock, logger: silentLogger, leaseMs: 5000 },
    schedule: { onInstall: true, intervalHours: 24 }, clock,
  });
  now += 1000;
  t.equal((await scheduler.tick()).length, 1, 'a freshly installed corp is synced');
  now += HOUR;
  t.equal((await scheduler.tick()).length, 0, 'not due an hour later');
  now += 24 * HOUR;
  t.equal((await scheduler.tick()).length, 1, 'due again after intervalHours');
  now += 25 * HOUR;
  // 50 hours on: the suite_ticket (30 min) is long stale and the corp token expired, so the run fails
  // (ERR_WECOM_NO_SUITE_TICKET, errcode null) — a failed corp either way.
  const failed = await scheduler.tick();
  t.match(failed[0]?.results[0], { scope: 'contacts', status: 'failed' }, 'a run with a failed scope');
  now += 60_000;
  t.equal((await scheduler.tick()).length, 0, 'the failed corp is not retried at once');
  const fresh = mock.issueSuiteTicket();
  await tokens.saveSuiteTicket(fresh.ticket, Math.floor(now / 1000));
  now += 15 * 60_000;
  const retried = await scheduler.tick();
  t.equal(retried.length, 1, 'but after 15 minutes');
  const off = new SyncScheduler({ deps: { store, api: new IdListApi(client), providers, apps: [CRM], clock, logger: silentLogger, leaseMs: 5000 }, schedule: { onInstall: false, intervalHours: 0 }, clock });
  t.equal(off.enabled, false, 'onInstall false and intervalHours 0: nothing is ever scheduled');
});
