import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { mapLimit, newSuite, newWebhookSecret, outputOf, relayConfig, startMock, startRecordingTarget, writeConfig } from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

/**
 * One `doctor` run per class of misconfiguration, each against a config that is healthy except for that
 * one thing (a mock WeCom API and a recording target in this process, a SQLite file in a test dir). The
 * processes run in parallel up front; each subtest then judges its own.
 */
type Result = Awaited<ReturnType<typeof runCli>>;
interface Check { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }

/** `✓ name: detail` lines of a human doctor report. */
function findings(stdout: string): Array<{ mark: string; name: string; detail: string }> {
  return [...stdout.matchAll(/^([✓!✗]) ([^:]+): (.*)$/gm)].map((m) => ({ mark: m[1]!, name: m[2]!, detail: m[3]! }));
}

const WEAK_KEY = 'abcdabcdabcdabcdabcdabcdabcdabcdabcd';
const STRONG_KEY = randomBytes(32).toString('hex');

t.test('wecom-relay doctor', async (t) => {
  const dir = t.testdir({ 'not-a-dir': 'a regular file where the store directory should be' });
  const suite = newSuite();
  const mock = await startMock(t, suite);
  const target = await startRecordingTarget(t);
  const healthy = (over: Partial<Parameters<typeof relayConfig>[0]> = {}, name = 'healthy'): Record<string, unknown> => relayConfig({
    dir,
    suite,
    providerCorpId: 'wwprovidercorp0001',
    wecomApiBaseUrl: mock.url,
    store: `sqlite:${join(dir, `${name}.db`)}`,
    targets: [{ name: 'hooks', url: `${target.url}/hooks`, secret: newWebhookSecret() }],
    ...over,
  });
  const invalidFile = join(dir, 'invalid.yaml');
  writeFileSync(invalidFile, [
    'suite:',
    '  id: ""',
    '  token: abcdef',
    '  encodingAESKey: abc',
    'receiver:',
    '  port: 99999',
    'targets:',
    '  - name: "has spaces"',
    '    url: ftp://example.com/hook',
    'surprise: true',
  ].join('\n'));
  const shortKey = healthy({ suite: { ...suite, encodingAESKey: suite.encodingAESKey.slice(0, 42) } }, 'short-key');

  const cases: Record<string, string[]> = {
    invalid: ['--config', invalidFile],
    invalidJson: ['--json', '--config', invalidFile],
    shortKey: ['--config', writeConfig(dir, shortKey, 'short-key.json')],
    unwritableStore: ['--config', writeConfig(dir, healthy({ store: `sqlite:${join(dir, 'not-a-dir', 'relay.db')}` }), 'unwritable.json')],
    unreachableRedis: ['--config', writeConfig(dir, healthy({ store: 'redis://127.0.0.1:1/0' }), 'redis.json')],
    apiDown: ['--config', writeConfig(dir, healthy({ wecomApiBaseUrl: 'http://127.0.0.1:1' }, 'api-down'), 'api-down.json')],
    targetDown: ['--config', writeConfig(dir, healthy({ targets: [{ name: 'hooks', url: `${target.url}/hooks`, secret: newWebhookSecret() }, { name: 'gone', url: 'http://127.0.0.1:1/hook', secret: newWebhookSecret() }] }, 'target-down'), 'target-down.json')],
    unsigned: ['--json', '--config', writeConfig(dir, healthy({ targets: [{ name: 'unsigned', url: `${target.url}/hooks` }] }, 'unsigned'), 'unsigned.json')],
    noSecret: ['--config', writeConfig(dir, healthy({ withoutSecret: true }, 'no-secret'), 'no-secret.json')],
    healthy: ['--config', writeConfig(dir, healthy(), 'healthy.json')],
    gateway: ['--config', writeConfig(dir, { ...healthy({}, 'gateway'), gateway: { host: '0.0.0.0', port: 0, keys: [
      { name: 'weak', key: WEAK_KEY }, { name: 'ops', key: STRONG_KEY, tokens: true },
    ] } }, 'gateway.json')],
  };
  const names = Object.keys(cases);

  const outcomes = await mapLimit(names, 4, (name) => runCli(['doctor', '--timeout', '10000', ...cases[name]!], { timeoutMs: 60_000 }));
  const run: Record<string, Result> = Object.fromEntries(names.map((n, i) => [n, outcomes[i]!]));

  t.test('gateway findings: the bind address, a weak key and a raw-token key are warnings; no key value is printed', async (t) => {
    const r = run.gateway!;
    t.equal(r.code, 0, 'warnings alone exit 0', outputOf(r));
    const found = findings(r.stdout);
    t.ok(found.some((f) => f.mark === '!' && f.name === 'gateway.host' && /TLS in front/.test(f.detail)), '! gateway.host 0.0.0.0: put TLS in front', outputOf(r));
    t.ok(found.some((f) => f.mark === '!' && f.name === 'gateway.keys[0].key' && /"weak": weak/.test(f.detail)), '! the repeated-pattern key is weak');
    t.ok(found.some((f) => f.mark === '✓' && f.name === 'gateway.keys[1].key' && /may read raw tokens/.test(f.detail)), '✓ the random key, with its scope');
    t.ok(found.some((f) => f.mark === '!' && f.name === 'gateway.keys[1].tokens'), '! the key that may read raw tokens');
    t.notOk(r.stdout.includes(WEAK_KEY) || r.stdout.includes(STRONG_KEY) || r.stderr.includes(STRONG_KEY), 'no key value in the output');
  });

  t.test('an invalid config exits 2 and names every bad path', async (t) => {
    const r = run.invalid!;
    t.equal(r.code, 2, 'exit 2', outputOf(r));
    for (const path of ['suite.id', 'suite.encodingAESKey', 'receiver.port', 'targets[0].name', 'targets[0].url']) {
      t.ok(r.stderr.includes(`${path}: `), `names ${path}`);
    }
    t.match(r.stderr, /surprise/, 'names the unknown key');
    t.match(r.stderr, new RegExp(invalidFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'names the file');
  });

  t.test('an invalid config with --json prints the problems as failed checks, exit 2', async (t) => {
    const r = run.invalidJson!;
    t.equal(r.code, 2, 'exit 2', outputOf(r));
    let report: { ok: boolean; checks: Check[] } | undefined;
    t.doesNotThrow(() => { report = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] }; }, 'stdout is JSON');
    t.equal(report?.ok, false, 'ok: false');
    t.ok(report?.checks.some((c) => c.name === 'suite.encodingAESKey' && c.status === 'fail'), 'a failed suite.encodingAESKey check');
    t.ok(report?.checks.some((c) => c.name === 'receiver.port' && c.status === 'fail'), 'a failed receiver.port check');
  });

  t.test('an EncodingAESKey of the wrong length exits 2', async (t) => {
    const r = run.shortKey!;
    t.equal(r.code, 2, 'exit 2', outputOf(r));
    t.match(r.stderr, /suite\.encodingAESKey: must be exactly 43 base64 characters/, 'says the key must be 43 characters');
    t.notOk(r.stderr.includes(suite.encodingAESKey.slice(0, 42)), 'without quoting the key');
  });

  t.test('an unwritable SQLite store fails the store check, exit 1', async (t) => {
    const r = run.unwritableStore!;
    t.equal(r.code, 1, 'exit 1', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✗' && f.name === 'store' && f.detail.includes('not-a-dir')), '✗ store, naming the path', outputOf(r));
    t.match(r.stdout, /doctor: some checks failed/, 'ends with the failure line');
  });

  t.test('an unreachable Redis store fails the store check, exit 1', async (t) => {
    const r = run.unreachableRedis!;
    t.equal(r.code, 1, 'exit 1', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✗' && f.name === 'store' && f.detail.startsWith('redis://127.0.0.1:1/0')), '✗ store', outputOf(r));
  });

  t.test('an unreachable WeCom API base fails, exit 1', async (t) => {
    const r = run.apiDown!;
    t.equal(r.code, 1, 'exit 1', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✗' && f.name === 'wecomApi.baseUrl' && /unreachable \(ECONNREFUSED\)/.test(f.detail)), '✗ wecomApi.baseUrl unreachable', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✓' && f.name === 'targets.hooks'), 'the other checks still run (the target is ✓)');
  });

  t.test('an unreachable target fails, exit 1, and names it', async (t) => {
    const r = run.targetDown!;
    t.equal(r.code, 1, 'exit 1', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✗' && f.name === 'targets.gone' && f.detail.includes('http://127.0.0.1:1')), '✗ targets.gone', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '✓' && f.name === 'targets.hooks'), 'the reachable target is ✓');
  });

  t.test('a json target without a secret is a warning (run with --json: the report parses)', async (t) => {
    const r = run.unsigned!;
    t.equal(r.code, 0, 'a warning alone exits 0', outputOf(r));
    let report: { ok: boolean; checks: Check[] } | undefined;
    t.doesNotThrow(() => { report = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] }; }, 'stdout is one JSON document');
    t.equal(report?.ok, true, 'ok: true (warnings are not failures)');
    t.same(report?.checks.filter((c) => c.status !== 'ok').map((c) => `${c.status} ${c.name}`), ['warn targets.unsigned.secret'], 'the one warning is the unsigned target', outputOf(r));
    t.match(report?.checks.find((c) => c.name === 'targets.unsigned.secret')?.detail ?? '', /not signed/, 'saying deliveries are not signed');
    t.ok((report?.checks.length ?? 0) >= 8, 'and every other check is listed');
  });

  t.test('a missing suite.secret is a warning', async (t) => {
    const r = run.noSecret!;
    t.equal(r.code, 0, 'a warning alone exits 0', outputOf(r));
    t.ok(findings(r.stdout).some((f) => f.mark === '!' && f.name === 'suite.secret' && /not set/.test(f.detail)), '! suite.secret not set', outputOf(r));
    t.same(findings(r.stdout).filter((f) => f.mark !== '✓').map((f) => f.name), ['suite.secret'], 'and it is the only finding that is not ✓');
  });

  t.test('a healthy config (mock WeCom API, recording target) passes every check', async (t) => {
    const r = run.healthy!;
    t.equal(r.code, 0, 'exit 0', outputOf(r));
    const found = findings(r.stdout);
    for (const name of ['suite.encodingAESKey', 'suite.token', 'suite.secret', 'store', 'store.fileMode', 'wecomApi.baseUrl', 'clock', 'targets.hooks']) {
      t.ok(found.some((f) => f.name === name && f.mark === '✓'), `✓ ${name}`);
    }
    t.same(found.filter((f) => f.mark !== '✓'), [], 'nothing but ✓', outputOf(r));
    t.match(r.stdout, /doctor: no failures\n$/, 'ends with "no failures"');
    t.ok(target.requests.length > 0, 'doctor really probed the target');
    t.ok(found.some((f) => f.name === 'wecomApi.baseUrl' && f.detail.includes(mock.url) && /with a WeCom errcode/.test(f.detail)), 'doctor probed the mock WeCom API and recognised its answer');
  });
});
