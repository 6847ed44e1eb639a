import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { createLogger } from '../../daemon/logger.js';
import { runRelay } from '../../daemon/run-relay.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const SUITE = 'wwFIXTUREsuite';

t.test('starting the relay on a store written by the one-suite release migrates it in place and serves its corps', async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'relay.db');
  copyFileSync(fileURLToPath(new URL('../fixtures/one-suite-store.db', import.meta.url)), db);
  const config = validateConfig({
    suite: { id: SUITE, secret: 'fake-suite-secret-for-tests', ...generateSuiteKeys() },
    receiver: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${db}`,
    wecomApi: { baseUrl: 'http://127.0.0.1:9' },
    enrich: false,
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50, retentionDays: 0, shutdownTimeoutMs: 1000 },
    log: { level: 'info' },
    targets: [],
  }, {});
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (chunk: string) => { lines.push(...chunk.split('\n').filter(Boolean)); } } });
  const relay = await runRelay({ config, mode: 'serve', logger });
  t.teardown(() => relay.stop());
  const keys = (await relay.store.listKv(namespaces.corp)).map((r) => r.key);
  t.same(keys, [appCorpKey(SUITE, 'wwFIXTURECORPA'), appCorpKey(SUITE, 'wwFIXTURECORPB')], 'the corps are keyed by (suite, corp) after start-up');
  t.match((await relay.store.getKv(namespaces.corp, appCorpKey(SUITE, 'wwFIXTURECORPA')))?.value, { state: 'active', permanentCode: 'fake-permanent-code-A' }, 'the permanent code is kept');
  t.ok(lines.some((line) => line.includes('keyed by (app, corp)') && line.includes('"corp":2')), 'the migration is logged once with its counts');
  t.notOk(lines.some((line) => line.includes('fake-permanent-code')), 'no permanent code in the log');
});
