import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { newSuite, outputOf, relayConfig, spawnRelay, writeConfig } from '../helpers/cli-fixture.js';
import { HAS_SCRIPT, runCli, runCliOnTty } from '../helpers/spawn-cli.js';

t.test('trigger works from flags, and trigger verify sends the console URL-verification GET', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const config = writeConfig(dir, relayConfig({ dir, suite, withoutSecret: true }));
  const { url } = await spawnRelay(t, 'serve', config);
  const flags = ['--token', suite.token, '--key', suite.encodingAESKey, '--to', url!];
  const [verify, wrong, sent, half] = await Promise.all([
    runCli(['trigger', 'verify', ...flags]),
    runCli(['trigger', 'verify', '--token', 'not-the-token', '--key', suite.encodingAESKey, '--to', url!]),
    runCli(['trigger', 'add_external_contact', ...flags]),
    runCli(['trigger', 'add_external_contact', '--token', suite.token, '--to', url!]),
  ]);
  t.equal(verify.code, 0, 'trigger verify exits 0 against a receiver with that token and key', outputOf(verify));
  t.match(verify.stdout, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/wecom\/callback: 200 echo matches/, 'the data URL echoes');
  t.match(verify.stdout, /GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/wecom\/command: 200 echo matches/, 'the command URL echoes');
  t.equal(wrong.code, 1, 'a wrong token: exit 1', outputOf(wrong));
  t.match(wrong.stdout, /401 unexpected answer: ERR_WECOM_SIGNATURE_MISMATCH/, 'and shows the receiver\'s answer');
  t.equal(sent.code, 0, 'trigger <kind> --token --key needs no configuration file', outputOf(sent));
  t.match(sent.stdout, /: 200 success$/m, 'and the callback is acked');
  t.equal(half.code, 2, '--token without --key is a usage error');
  t.match(half.stderr, /--token and --key go together/, 'saying so');
});

t.test('init writes a commented config with a fresh Token and key, mode 0600, and refuses to overwrite', async (t) => {
  const dir = t.testdir();
  const [first, second] = [await runCli(['init'], { cwd: dir }), await runCli(['init'], { cwd: dir })];
  const file = join(dir, 'wecom-relay.config.yaml');
  t.equal(first.code, 0, 'init exits 0', outputOf(first));
  t.ok(existsSync(file), 'writes ./wecom-relay.config.yaml');
  t.equal(statSync(file).mode & 0o777, 0o600, 'with mode 0600');
  const text = readFileSync(file, 'utf8');
  t.match(text, /^\s+token: [A-Za-z0-9]{32}$/m, 'a 32-character Token');
  t.match(text, /^\s+encodingAESKey: [A-Za-z0-9]{43}\s/m, 'a 43-character EncodingAESKey');
  t.match(text, /^# /m, 'with comments');
  t.notMatch(first.stdout, new RegExp(/token: (\S+)/.exec(text)![1]!), 'the Token is not printed');
  t.equal(second.code, 1, 'a second init exits 1', outputOf(second));
  t.match(second.stderr, /already exists; not overwriting it/, 'and says it will not overwrite');
  t.equal(readFileSync(file, 'utf8'), text, 'the file is unchanged');
  const again = await runCli(['init'], { cwd: dir });
  t.not(readFileSync(file, 'utf8'), '', 'still there');
  t.equal(again.code, 1, 'still refused');
  const loaded = await runCli(['config', 'print', '--config', file], { env: { WECOM_SUITE_SECRET: 'a-suite-secret-for-the-test' } });
  t.equal(loaded.code, 0, 'the written config is valid', outputOf(loaded));
  const doctor = await runCli(['doctor', '--config', file, '--timeout', '300'], { env: { WECOM_SUITE_SECRET: 'a-suite-secret-for-the-test' } });
  t.match(doctor.stdout, /^! targets: no targets: events are stored and processed, but forwarded nowhere/m, 'doctor warns there are no targets');
  const a = /encodingAESKey: (\S+)/.exec(text)![1]!;
  const other = t.testdir();
  await runCli(['init'], { cwd: other });
  t.not(/encodingAESKey: (\S+)/.exec(readFileSync(join(other, 'wecom-relay.config.yaml'), 'utf8'))![1], a, 'every init draws a new key');
});

t.test('config messages: "is required", did-you-mean, the key length found', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const base = relayConfig({ dir, suite });
  const file = writeConfig(dir, {
    ...base,
    suite: { id: suite.id, encodingAESKey: suite.encodingAESKey.slice(0, 42) },
    reciever: { port: 8080 },
    targets: [{ name: 'crm' }],
  });
  const r = await runCli(['config', 'print', '--config', file]);
  t.equal(r.code, 2, 'exit 2', outputOf(r));
  t.match(r.stderr, /^ {2}suite\.token: is required$/m, 'a missing value "is required"');
  t.notMatch(r.stderr, /received undefined/, 'not zod\'s wording');
  t.match(r.stderr, /^ {2}\(root\): unknown key "reciever" \(did you mean "receiver"\?\)$/m, 'an unknown key suggests the known one');
  t.match(r.stderr, /^ {2}suite\.encodingAESKey: must be exactly 43 base64 characters \(the EncodingAESKey from 回调配置\), got 42 characters$/m, 'the key: both the rule and the length found');
  t.match(r.stderr, /^ {2}targets\[0\]\.url: is required$/m, 'a missing target url "is required"');
});

t.test('logs are pretty on a terminal, JSON when log.format says so', { skip: HAS_SCRIPT ? false : 'util-linux script (for a pseudo-terminal) is not installed' }, async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  // A port in use makes `start` log its first lines and exit at once.
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const port = (busy.address() as { port: number }).port;
  const config = (format?: string) => writeConfig(dir, { ...relayConfig({ dir, suite }), receiver: { host: '127.0.0.1', port }, log: { level: 'info', ...(format ? { format } : {}) } }, `${format ?? 'auto'}.json`);
  const [auto, json] = await Promise.all([runCliOnTty(['start', '--config', config()]), runCliOnTty(['start', '--config', config('json')])]);
  t.match(auto, /INFO.*wecom-relay starting/, 'on a terminal (log.format auto): pino-pretty lines');
  t.notMatch(auto, /\{"level":30/, 'not JSON');
  t.match(auto, /receiver\.port \d+ is in use/, 'and the failure line');
  t.match(json, /\{"level":30,.*"msg":"wecom-relay starting"\}/, 'log.format: json prints JSON even on a terminal');
});
