import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { main } from '../../dist/daemon/cli.js';
import { newSuite, newWebhookSecret, outputOf, relayConfig, writeConfig } from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

/** Every command and subcommand, with the options its --help must mention. */
const HELP: ReadonlyArray<{ args: string[]; mentions: string[] }> = [
  { args: [], mentions: ['start', 'serve', 'daemon', 'demo', 'trigger', 'mock-api', 'events', 'deliveries', 'replay', 'targets', 'corps', 'doctor', 'config', 'init', '--version'] },
  { args: ['start'], mentions: ['--config'] },
  { args: ['serve'], mentions: ['--config'] },
  { args: ['daemon'], mentions: ['--config'] },
  { args: ['demo'], mentions: ['--keep', '--verbose', '--timeout', '--data'] },
  { args: ['trigger'], mentions: ['<kind>', '--config', '--token', '--key', '--to', '--corp', '--mock-api', '--endpoint', '--json'] },
  { args: ['mock-api'], mentions: ['--port', '--host', '--suite-id', '--suite-secret', '--accept-any-ticket'] },
  { args: ['events'], mentions: ['list', 'show'] },
  { args: ['events', 'list'], mentions: ['--config', '--store', '--type', '--corp', '--state', '--since', '--limit', '--json'] },
  { args: ['events', 'show'], mentions: ['<id>', '--config', '--store'] },
  { args: ['deliveries'], mentions: ['list', 'show'] },
  { args: ['deliveries', 'show'], mentions: ['<id>', '--config', '--store', '--json'] },
  { args: ['deliveries', 'list'], mentions: ['--config', '--store', '--status', '--target', '--event', '--since', '--limit', '--json'] },
  { args: ['replay'], mentions: ['[ids...]', '--config', '--store', '--target', '--status', '--since', '--until', '--json'] },
  { args: ['targets'], mentions: ['list', 'enable', 'disable'] },
  { args: ['corps'], mentions: ['list'] },
  { args: ['corps', 'list'], mentions: ['--config', '--store', '--app', '--json'] },
  { args: ['targets', 'list'], mentions: ['--config', '--store', '--json'] },
  { args: ['init'], mentions: ['--config', '--suite-id'] },
  { args: ['targets', 'enable'], mentions: ['<name>', '--config', '--store'] },
  { args: ['targets', 'disable'], mentions: ['<name>', '--config', '--store'] },
  { args: ['doctor'], mentions: ['--config', '--json', '--timeout'] },
  { args: ['config'], mentions: ['print'] },
  { args: ['config', 'print'], mentions: ['--config', '--json'] },
];

/** Runs the built CLI's `main` in this process (same code the binary runs), capturing its output. */
async function runInProcess(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  const code = await main(args, { env: {}, cwd: process.cwd(), stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }) });
  return { code, stdout, stderr };
}

function checkHelp(t: Test, how: string, h: (typeof HELP)[number], result: { code: number | null; stdout: string; stderr: string }): void {
  const name = ['wecom-relay', ...h.args].join(' ');
  t.equal(result.code, 0, `${how}: ${name} --help exits 0`, outputOf(result));
  t.match(result.stdout, new RegExp(`^Usage: ${name.replace(/-/g, '\\-')} `), `${how}: ${name} --help prints its usage line`);
  for (const word of h.mentions) t.ok(result.stdout.includes(word), `${how}: ${name} --help mentions ${word}`);
}

t.test('--help on every command and subcommand exits 0 and names its options', async (t) => {
  // Every node process pays ~0.7 CPU-s loading the CLI, so the whole matrix runs through the built
  // `main` in this process, and a top-level and a nested --help run as real processes too.
  const spawned = [HELP[0]!, HELP.find((h) => h.args.join(' ') === 'deliveries list')!];
  const spawnedResults = Promise.all(spawned.map((h) => runCli([...h.args, '--help'])));
  for (const h of HELP) checkHelp(t, 'in process', h, await runInProcess([...h.args, '--help']));
  const results = await spawnedResults;
  spawned.forEach((h, i) => checkHelp(t, 'spawned', h, results[i]!));
});

t.test('--version, an unknown command, an unknown option and a bad --port', async (t) => {
  const [version, unknown] = await Promise.all([runCli(['--version']), runCli(['frobnicate'])]);
  t.equal(version.code, 0, '--version exits 0');
  t.equal(version.stdout.trim(), '0.1.0', '--version prints 0.1.0');
  t.equal(unknown.code, 2, 'an unknown command exits 2');
  t.match(unknown.stderr, /unknown command 'frobnicate'/, 'and says which command is unknown');
  t.equal(unknown.stdout, '', 'and prints nothing on stdout');
  // The same usage errors through `main` in this process (the exit code the entry point sets).
  const badOption = await runInProcess(['events', 'list', '--colour']);
  t.equal(badOption.code, 2, 'an unknown option exits 2');
  t.match(badOption.stderr, /unknown option '--colour'/, 'and names the option');
  const badPort = await runInProcess(['mock-api', '--port', '70000']);
  t.equal(badPort.code, 2, 'mock-api --port 70000 exits 2');
  t.match(badPort.stderr, /--port must be 0–65535/, 'and says the valid range');
  const missingArg = await runInProcess(['events', 'show']);
  t.equal(missingArg.code, 2, 'events show without an id exits 2');
  t.match(missingArg.stderr, /missing required argument 'id'/, 'and names the missing argument');
});

t.test('config print shows the defaults and masks every secret, as YAML and as JSON', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const webhookSecret = newWebhookSecret();
  const botKey = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
  const feishuSecret = 'feishu-signing-secret-0123456789';
  const adminToken = 'admin-token-0123456789abcdef';
  const config = writeConfig(dir, relayConfig({
    dir,
    suite,
    admin: { enabled: true, port: 0, token: adminToken },
    targets: [
      { name: 'hooks', url: 'https://hooks.example.com/wecom', secret: webhookSecret },
      { name: 'bot', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${botKey}`, format: 'wecom-bot' },
      { name: 'lark', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', format: 'feishu', secret: feishuSecret },
    ],
  }));
  const secrets: Record<string, string> = {
    'suite secret': suite.secret,
    'callback token': suite.token,
    EncodingAESKey: suite.encodingAESKey,
    'json target secret': webhookSecret,
    'json target secret (base64 part)': webhookSecret.slice('whsec_'.length),
    'wecom-bot key': botKey,
    'feishu secret': feishuSecret,
    'admin token': adminToken,
  };
  const [yaml, json] = await Promise.all([runCli(['config', 'print', '--config', config]), runCli(['config', 'print', '--json', '--config', config])]);
  t.equal(yaml.code, 0, 'config print exits 0', outputOf(yaml));
  t.equal(json.code, 0, 'config print --json exits 0', outputOf(json));
  for (const [name, value] of Object.entries(secrets)) {
    t.notOk(yaml.stdout.includes(value), `the YAML does not show the ${name}`);
    t.notOk(json.stdout.includes(value), `the JSON does not show the ${name}`);
  }
  t.ok(yaml.stdout.startsWith(`# ${config}\n`), 'the YAML names the file it came from');
  t.match(yaml.stdout, /dataPath: \/api\/v1\/wecom\/callback/, 'the YAML shows a default (receiver.dataPath)');
  let printed: any;
  t.doesNotThrow(() => { printed = JSON.parse(json.stdout); }, 'config print --json prints JSON');
  t.equal(printed?.suite?.secret, '***', 'suite.secret is masked');
  t.equal(printed?.suite?.token, '***', 'suite.token is masked');
  t.equal(printed?.suite?.encodingAESKey, '***', 'suite.encodingAESKey is masked');
  t.equal(printed?.admin?.token, '***', 'admin.token is masked');
  t.equal(printed?.targets?.[0]?.secret, '***', 'the json target secret is masked');
  t.equal(printed?.targets?.[1]?.url, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***', 'the wecom-bot key is masked inside its URL');
  t.equal(printed?.targets?.[2]?.secret, '***', 'the feishu secret is masked');
  t.equal(printed?.suite?.id, suite.id, 'the suite id (not a secret) is shown');
  t.equal(printed?.receiver?.dataPath, '/api/v1/wecom/callback', 'default receiver.dataPath');
  t.equal(printed?.receiver?.commandPath, '/api/v1/wecom/command', 'default receiver.commandPath');
  t.equal(printed?.wecomApi?.baseUrl, 'https://qyapi.weixin.qq.com', 'default wecomApi.baseUrl');
  t.same(printed?.enrich, { enabled: true, maxDelaySeconds: 300 }, 'default enrich');
  t.same(printed?.targets?.[0]?.events, ['*'], 'default target events');
  t.same(printed?.targets?.[0]?.retrySchedule, [0, 5, 300, 1800, 7200, 18000, 36000, 36000], 'default retry schedule');
  t.equal(printed?.targets?.[0]?.format, 'json', 'default target format');
});

t.test('config print shows the per-format target defaults', async (t) => {
  const dir = t.testdir();
  const config = writeConfig(dir, relayConfig({
    dir,
    suite: newSuite(),
    targets: [
      { name: 'hooks', url: 'https://hooks.example.com/wecom' },
      { name: 'bot', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456', format: 'wecom-bot' },
      { name: 'own', url: 'https://hooks.example.com/own', rateLimit: { count: 2, intervalMs: 500 } },
    ],
  }));
  const r = await runCli(['config', 'print', '--json', '--config', config]);
  t.equal(r.code, 0, 'exit 0', outputOf(r));
  const printed = JSON.parse(r.stdout) as { targets: Array<Record<string, unknown>> };
  t.match(printed.targets[0], { rateLimit: { count: 50, intervalMs: 1000 }, concurrency: 4, timeoutMs: 10000 }, 'json target defaults');
  t.match(printed.targets[1], { rateLimit: { count: 18, intervalMs: 60000 }, concurrency: 1 }, 'wecom-bot: 18/min, one at a time');
  t.match(printed.targets[2], { rateLimit: { count: 2, intervalMs: 500 } }, 'a configured rateLimit is kept');
});

t.test('corps list --json: one row per (app, corp) of a store written by the one-suite release, before and after the start-up migration', async (t) => {
  const { copyFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { migrateAppKeys } = await import('../../dist/src/store/migrate-app-keys.js');
  const { createStore } = await import('../../dist/src/store/create-store.js');
  const dir = t.testdir();
  const db = join(dir, 'relay.db');
  copyFileSync(fileURLToPath(new URL('../fixtures/one-suite-store.db', import.meta.url)), db);
  const suite = { ...newSuite(), id: 'wwFIXTUREsuite' };
  const file = writeConfig(dir, relayConfig({ dir, suite, store: `sqlite:${db}` }));
  const rowsOf = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const before = await runInProcess(['corps', 'list', '--json', '--config', file]);
  t.equal(before.code, 0, 'corps list exits 0', outputOf(before));
  t.same(rowsOf(before.stdout).map((r) => [r['app'], r['appId'], r['appKind'], r['corpId'], r['corpName'], r['status']]), [
    ['wwFIXTUREsuite', 'wwFIXTUREsuite', 'suite', 'wwFIXTURECORPA', 'Fixture Corp A', 'active'],
    ['wwFIXTUREsuite', 'wwFIXTUREsuite', 'suite', 'wwFIXTURECORPB', 'Fixture Corp B', 'revoked'],
  ], 'the old store\'s corps are shown under the suite');
  t.notOk(before.stdout.includes('fake-permanent-code') || before.stdout.includes('fake-corp-token'), 'no permanent code or token printed');
  const store = await createStore(`sqlite:${db}`);
  t.same(await migrateAppKeys(store, 'wwFIXTUREsuite', Date.now()), { corp: 2, corpToken: 1 }, 'the start-up migration rewrites the keys');
  await store.close();
  const after = await runInProcess(['corps', 'list', '--json', '--config', file]);
  t.same(rowsOf(after.stdout), rowsOf(before.stdout), 'the same rows after the migration');
  const table = await runInProcess(['corps', 'list', '--config', file]);
  t.match(table.stdout, /APP\s+KIND\s+CORP\s+NAME\s+STATUS/, 'a table without --json');
  const unknown = await runInProcess(['corps', 'list', '--app', 'nope', '--config', file]);
  t.equal(unknown.code, 2, 'an unknown --app is a usage error');
  t.match(unknown.stderr, /no app named nope/, 'naming the app');
});
