import t from 'tap';
import { startRecordingTarget } from './helpers/recording-target.js';
import { startTestRelay } from './helpers/test-relay.js';
t.test('probe', async (t) => {
  const hooks = await startRecordingTarget(t);
  const relay = await startTestRelay(t, { dir: t.testdir(), enrich: false,
    targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, format: 'json', concurrency: 4, rateLimit: { count: 5, intervalMs: 1000 } }] });
  for (let seq = 0; seq < 12; seq++) await relay.send('text', { seq });
  await relay.until(() => relay.delivered.length >= 12, 20000);
  console.error('delivered', Date.now());
  t.teardown(() => console.error('teardown registered last', Date.now()));
  t.pass('x');
});
