import { join } from 'node:path';
import t from 'tap';
import { triggerCallback } from '../../daemon/commands/trigger-command.js';
import { validateConfig } from '../../daemon/config.js';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay } from '../../daemon/run-relay.js';
import { createLogger } from '../../daemon/logger.js';
import { createCondition } from './helpers/condition.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const SUITE = 'ww917724cb573d8629';
const SECRET = 'e2e-one-provider-secret';

t.test('`start` keeps one TokenProvider: the install route fetches its suite token through the daemon\'s', async (t) => {
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret: SECRET });
  t.teardown(() => mock.close());
  const keys = generateSuiteKeys();
  const config = validateConfig({
    suite: { id: SUITE, secret: SECRET, ...keys },
    receiver: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${join(t.testdir(), 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50 },
    targets: [{ name: 'crm', url: 'http://127.0.0.1:9/hooks', format: 'json', events: ['nothing.*'] }],
    install: { publicBaseUrl: 'https://zjemail.cn', installPageUrl: `${mock.url}/3rdapp/install` },
  }, {});
  const logs: string[] = [];
  const logged = createCondition();
  const logger = createLogger({ level: 'info', secrets: [], destination: { write(chunk: string) { logs.push(chunk); logged.changed(); } } });
  const relay = await runRelay({ config, mode: 'start', logger });
  t.teardown(() => relay.stop());
  const tokens = relay.daemon!.tokens!;
  const pushed = await triggerCallback({
    kind: 'suite_ticket', to: relay.receiver!.url, suiteId: SUITE, ...keys, corpId: DEFAULT_CORP_IDS.corpId,
    dataPath: config.receiver.dataPath, commandPath: config.receiver.commandPath, mockApi: mock.url,
  });
  t.equal(pushed.status, 200, 'the suite_ticket push is acked');
  t.ok(await logged.until(() => logs.some((l) => l.includes('suite_ticket saved')), 10_000), 'the daemon saved the ticket');
  const before = tokens.tokenRefreshes.suite;
  const started = await fetch(`${relay.receiver!.url}/wecom/install`, { redirect: 'manual' });
  t.equal(started.status, 302, 'the install starts');
  t.equal(tokens.tokenRefreshes.suite, before + 1, 'its suite token was fetched by the daemon\'s TokenProvider');
  const again = await fetch(`${relay.receiver!.url}/wecom/install`, { redirect: 'manual' });
  t.equal(again.status, 302, 'a second install starts');
  t.equal(tokens.tokenRefreshes.suite, before + 1, 'from the same in-memory cache');
});
