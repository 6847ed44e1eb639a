import t, { type Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { runCli } from '../helpers/spawn-cli.js';
import { jsonBody } from '../e2e/helpers/recording-target.js';
import { REDIS_URL, setUpSync } from '../e2e/helpers/sync-setup.js';

/**
 * Two `wecom-relay sync` processes started together on one store (a SQLite file, or Redis) for the same
 * corp and scope: the per-scope store lock lets one run it while the other reports it `busy`, so WeCom is
 * listed once and one `sync.completed` goes out. The lock is free again afterwards.
 */
async function twoAtOnce(t: Test, store: 'sqlite' | 'redis'): Promise<void> {
  const setup = await setUpSync(t, store);
  if (setup === undefined) {
    t.pass(`skipped: Redis not reachable at ${REDIS_URL}`);
    return;
  }
  const { relay, target, configFile } = setup;
  const sync = async () => {
    const result = await runCli(['sync', '-c', configFile, '--scope', 'contacts', '--json'], { timeoutMs: 60_000 });
    const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    return { code: result.code, stderr: result.stderr, scopes: lines.filter((l) => l.type === 'scope') };
  };
  const completions = () => target.requests.filter((r) => r.complete).map((r) => jsonBody<EventEnvelope>(r)).filter((e) => e.type === 'sync.completed');
  const baseline = await sync();
  t.same(baseline.scopes.map((s) => s.status), ['completed'], `the baseline, alone ${baseline.stderr}`);
  t.ok(await target.waitFor(() => completions().length === 1, 15_000), 'its sync.completed arrived');

  relay.mock.clearCalls();
  // Whoever lists first holds the lock for 4 s while its first page is held back.
  relay.mock.inject({ path: 'department/simplelist', delayMs: 4000 });
  const [a, b] = await Promise.all([sync(), sync()]);
  t.same([a.code, b.code], [0, 0], 'both exit 0 (busy is not a failure)');
  t.same([a.scopes[0]?.status, b.scopes[0]?.status].sort(), ['busy', 'completed'], 'one ran the scope, the other found it busy');
  t.equal(relay.mock.calls.filter((c) => c.path === 'department/simplelist').length, 1, 'WeCom was listed once');
  t.ok(await target.waitFor(() => completions().length === 2, 15_000), 'one more sync.completed');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(completions().length, 2, 'and only one');

  const after = await sync();
  t.same(after.scopes.map((s) => s.status), ['completed'], 'the lock is free once the run released it');
}

t.test('two sync processes on one SQLite file never run one scope at once', (t) => twoAtOnce(t, 'sqlite'));
t.test('two sync processes on one Redis never run one scope at once', (t) => twoAtOnce(t, 'redis'));
