import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { A1_VERIFY, A2_POST, SET_A } from '../fixtures/vectors.js';
import { runCli, spawnCli } from '../helpers/spawn-cli.js';

t.test('wecom-relay serve answers the official vectors and events list shows the stored message once', async (t) => {
  const dir = t.testdir();
  const config = join(dir, 'relay.yaml');
  writeFileSync(config, [
    'suite:',
    '  id: ww917724cb573d8629',
    '  token: ${TEST_TOKEN}',
    '  encodingAESKey: ${TEST_KEY}',
    `  providerCorpId: ${SET_A.receiveId}`,
    'receiver:',
    '  host: 127.0.0.1',
    '  port: 0',
    '  maxClockSkewSeconds: 0   # the official vectors are from 2014',
    `store: sqlite:${join(dir, 'relay.db')}`,
    'admin:',
    '  enabled: false',
  ].join('\n'));
  const env = { TEST_TOKEN: SET_A.token, TEST_KEY: SET_A.encodingAESKey };
  const serve = spawnCli(['serve', '--config', config], { env });
  t.teardown(() => serve.stop('SIGKILL'));
  const listening = await serve.waitForLine((l) => l.msg === 'receiver listening');
  const url = String(listening.url);

  for (const path of ['/api/v1/wecom/callback', '/api/v1/wecom/command']) {
    const res = await fetch(`${url}${path}?${A1_VERIFY.url!.split('?')[1]}`);
    t.equal(res.status, 200, `GET ${path}: 200`);
    t.equal(await res.text(), A1_VERIFY.plaintext, `GET ${path}: the bare plaintext`);
  }
  const post = `${url}/api/v1/wecom/callback?msg_signature=${A2_POST.msgSignature}&timestamp=${A2_POST.timestamp}&nonce=${A2_POST.nonce}`;
  for (const attempt of [1, 2]) {
    const res = await fetch(post, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: A2_POST.body });
    t.equal(await res.text(), 'success', `POST attempt ${attempt}: success`);
  }
  t.equal(await serve.stop('SIGTERM'), 0, 'SIGTERM exits 0');
  t.ok(serve.lines.some((l) => l.msg === 'stopped'), 'logged a clean stop');
  t.notMatch(serve.output(), SET_A.encodingAESKey, 'the key never appears in the logs');

  const list = await runCli(['events', 'list', '--json', '--config', config], { env });
  t.equal(list.code, 0, 'events list exits 0');
  const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; plaintext: string; fields: Record<string, string> });
  t.equal(rows.length, 1, 'the message sent twice is stored once');
  t.equal(rows[0]?.type, 'message.text', 'normalized type');
  t.equal(rows[0]?.plaintext, A2_POST.plaintext, 'decrypted plaintext');
  t.equal(rows[0]?.fields.MsgId, '4561255354251345929', 'MsgId exact');

  const table = await runCli(['events', 'list', '--config', config], { env });
  t.match(table.stdout, /message\.text/, 'the human table lists it');
});

t.test('a config with problems is reported whole, with paths, and exits 2', async (t) => {
  const dir = t.testdir();
  const config = join(dir, 'bad.json');
  writeFileSync(config, JSON.stringify({
    suite: { id: '', token: 'x', encodingAESKey: 'short', secret: '${MISSING_SECRET_VAR}' },
    receiver: { port: 70000 },
    targets: [{ name: 'a', url: 'not a url' }, { name: 'a', url: 'https://example.com', format: 'carrier-pigeon' }],
    surprise: true,
  }));
  const result = await runCli(['serve', '--config', config], { env: { MISSING_SECRET_VAR: '' } });
  t.equal(result.code, 2, 'exit 2');
  for (const path of ['suite.id', 'suite.encodingAESKey', 'suite.secret', 'receiver.port', 'targets[0].url', 'targets[1].name', 'targets[1].format']) {
    t.match(result.stderr, new RegExp(`\\b${path.replace(/[[\].]/g, '\\$&')}: `), `reports ${path}`);
  }
  t.match(result.stderr, /surprise/, 'reports the unknown key');
  t.match(result.stderr, /MISSING_SECRET_VAR/, 'names the unset environment variable');
});
