import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  bodies, CORP_ID, newSuite, newWebhookSecret, openStoreReadonly, relayConfig, spawnRelay, startMock, startRecordingTarget, storeFile, trigger,
  outputOf, waitForEventType, writeConfig,
} from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

interface Secret { readonly name: string; readonly value: string }

/** Every credential value the relay's store holds after the run: what it received and what it fetched. */
function storedSecrets(file: string): Secret[] {
  const db = openStoreReadonly(file);
  try {
    const found: Secret[] = [];
    for (const row of db.prepare('SELECT type, fields_json FROM callbacks').all() as Array<{ type: string; fields_json: string }>) {
      const fields = JSON.parse(row.fields_json) as Record<string, unknown>;
      for (const key of ['SuiteTicket', 'AuthCode']) {
        if (typeof fields[key] === 'string' && fields[key] !== '') found.push({ name: `${key} of ${row.type}`, value: fields[key] as string });
      }
    }
    for (const row of db.prepare('SELECT ns, key, value_json FROM kv').all() as Array<{ ns: string; key: string; value_json: string }>) {
      const value = JSON.parse(row.value_json) as { ticket?: string; token?: string; permanentCode?: string };
      if (row.ns === 'suite_ticket' && value.ticket) found.push({ name: `stored suite_ticket (${row.key})`, value: value.ticket });
      if ((row.ns === 'suite_token' || row.ns === 'corp_token' || row.ns === 'jsapi_ticket') && value.token) found.push({ name: `${row.ns} (${row.key})`, value: value.token });
      if (row.ns === 'corp' && value.permanentCode) found.push({ name: `permanent code (${row.key})`, value: value.permanentCode });
    }
    return found;
  } finally {
    db.close();
  }
}

/** The config with the credential gateway on (port 0), one key that may read raw tokens. */
function withGateway(key: string, config: Record<string, unknown>): Record<string, unknown> {
  return { ...config, gateway: { host: '127.0.0.1', port: 0, keys: [{ name: 'crm', key, tokens: true }] } };
}

t.test('a relay run at log level debug with secrets in its config, tickets and auth codes in its events, logs none of them', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const webhookSecret = newWebhookSecret();
  const botKey = 'b9a4e4c2-5f1d-4c7e-9a3b-7d2e1f0c8a61';
  const adminToken = `adm_${randomBytes(18).toString('hex')}`;
  const gatewayKey = `gw_${randomBytes(24).toString('hex')}`;
  const mock = await startMock(t, suite);
  const hooks = await startRecordingTarget(t);
  const bot = await startRecordingTarget(t, { respond: () => ({ body: '{"errcode":0,"errmsg":"ok"}' }) });
  const config = writeConfig(dir, withGateway(gatewayKey, relayConfig({
    dir,
    suite,
    wecomApiBaseUrl: mock.url,
    logLevel: 'debug',
    admin: { enabled: true, host: '127.0.0.1', port: 0, token: adminToken },
    targets: [
      { name: 'hooks', url: `${hooks.url}/hooks`, secret: webhookSecret },
      { name: 'bot', url: `${bot.url}/cgi-bin/webhook/send?key=${botKey}`, format: 'wecom-bot', events: ['external_contact.*'] },
    ],
  })));
  const start = await spawnRelay(t, 'start', config);
  const to = start.url!;
  const admin = String((await start.cli.waitForLine((l) => l.msg === 'admin listening (/healthz, /readyz, /metrics)')).url);
  const gateway = String((await start.cli.waitForLine((l) => l.msg === 'gateway listening')).url);

  // Credentials first, with a ticket and an auth code the mock issued (trigger --mock-api asks it for them).
  const ticket = await trigger('suite_ticket', config, to, ['--mock-api', mock.url]);
  t.equal(ticket.code, 0, 'suite_ticket acked', outputOf(ticket));
  const auth = await trigger('create_auth', config, to, ['--mock-api', mock.url]);
  t.equal(auth.code, 0, 'create_auth acked', outputOf(auth));
  t.ok(await waitForEventType(hooks, 'auth.created'), 'auth.created delivered: the daemon exchanged the auth code for a permanent code');
  const more = await Promise.all([
    trigger('add_external_contact', config, to),
    trigger('create_user', config, to),
    trigger('reset_permanent_code', config, to, ['--mock-api', mock.url]),
  ]);
  more.forEach((r, i) => t.equal(r.code, 0, `event #${i + 1} acked`, outputOf(r)));
  t.ok(await waitForEventType(hooks, 'external_contact.added'), 'external_contact.added delivered (enriched with the corp token)');
  t.ok(await waitForEventType(hooks, 'contact.user.created'), 'contact.user.created delivered');
  t.ok(await waitForEventType(hooks, 'auth.permanent_code_reset'), 'auth.permanent_code_reset delivered');
  t.ok(await bot.waitFor((r) => r.some((x) => x.complete), 30_000), 'the wecom-bot target got its message');
  const added = bodies(hooks).find((b) => b.type === 'external_contact.added') as { enrichment?: unknown } | undefined;
  t.ok(added?.enrichment, 'the customer event was enriched (tokens were really used)');
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const response = await fetch(`${admin}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    t.equal(response.status, 200, `admin ${path} answers with the token`);
    await response.text();
  }
  // The gateway: a proxied call, the raw-token routes, the JS-SDK route, a wrong key, a caller's own token.
  const asKey = { headers: { authorization: `Bearer ${gatewayKey}` } };
  const corpBase = `${gateway}/v1/apps/${suite.id}/corps/${CORP_ID}`;
  const gatewayAnswers = await Promise.all([
    fetch(`${corpBase}/cgi-bin/user/get?userid=zhangsan`, asKey),
    fetch(`${corpBase}/token`, asKey),
    fetch(`${gateway}/v1/apps/${suite.id}/suite-token`, asKey),
    fetch(`${corpBase}/jsapi?url=${encodeURIComponent('https://app.example.com/p?x=1#f')}`, asKey),
    fetch(`${corpBase}/cgi-bin/user/get?userid=zhangsan`, { headers: { authorization: `Bearer ${gatewayKey}x` } }),
    fetch(`${corpBase}/cgi-bin/user/get?access_token=${gatewayKey}`, asKey),
  ]);
  t.same(gatewayAnswers.map((r) => r.status), [200, 200, 200, 200, 401, 400], 'the gateway answered each call');
  await Promise.all(gatewayAnswers.map((r) => r.text()));
  // The home page's login through the suite route (docs/gateway.md): code → member → details.
  const login = mock.issueOAuthCode({ corpId: CORP_ID, userid: 'zhangsan', scope: 'snsapi_privateinfo' });
  const member = await fetch(`${gateway}/v1/apps/${suite.id}/cgi-bin/service/auth/getuserinfo3rd?code=${encodeURIComponent(login.code)}`, asKey)
    .then((r) => r.json() as Promise<Record<string, unknown>>);
  t.match(member, { errcode: 0, corpid: CORP_ID, userid: 'zhangsan', user_ticket: String }, 'getuserinfo3rd through a spawned relay\'s gateway: the member');
  const detail = await fetch(`${gateway}/v1/apps/${suite.id}/cgi-bin/service/auth/getuserdetail3rd`, {
    method: 'POST', headers: { ...asKey.headers, 'content-type': 'application/json' }, body: JSON.stringify({ user_ticket: member['user_ticket'] }),
  }).then((r) => r.json() as Promise<Record<string, unknown>>);
  t.match(detail, { errcode: 0, userid: 'zhangsan' }, 'getuserdetail3rd: the details');
  const audited = await start.cli.waitForLine(() => start.cli.lines.filter((l) => l.msg === 'gateway call').length >= 8).then(() => true, () => false);
  t.ok(audited, 'one audit line per gateway call', { lines: start.cli.lines.filter((l) => l.msg === 'gateway call') });
  const refused = await fetch(`${admin}/metrics`);
  t.equal(refused.status, 401, 'and refuses without it');
  await refused.text();

  t.equal(await start.cli.stop('SIGTERM'), 0, 'start exits 0 on SIGTERM');
  const output = start.cli.output();
  t.ok(start.cli.lines.some((l) => l.level === 20), 'debug lines were logged (the level really was debug)');
  t.ok(start.cli.lines.length > 20, `the relay logged plenty (${start.cli.lines.length} lines)`);

  const stored = storedSecrets(storeFile(dir));
  const secrets: Secret[] = [
    { name: 'suite secret', value: suite.secret },
    { name: 'callback token', value: suite.token },
    { name: 'EncodingAESKey', value: suite.encodingAESKey },
    { name: 'json target secret', value: webhookSecret },
    { name: 'json target secret (base64 part)', value: webhookSecret.slice('whsec_'.length) },
    { name: 'wecom-bot key', value: botKey },
    { name: 'admin token', value: adminToken },
    { name: 'gateway key', value: gatewayKey },
    { name: 'OAuth code', value: login.code },
    { name: 'user_ticket', value: String(member['user_ticket']) },
    ...stored,
  ];
  const mockCode = mock.corpStatus(CORP_ID)?.permanentCode;
  if (mockCode) secrets.push({ name: 'permanent code (mock)', value: mockCode });
  t.ok(stored.some((s) => s.name.startsWith('SuiteTicket')), 'the store holds the suite_ticket the relay received');
  t.ok(stored.filter((s) => s.name.startsWith('AuthCode')).length >= 2, 'and both auth codes (create_auth, reset_permanent_code)');
  t.ok(stored.some((s) => s.name.startsWith('permanent code')), 'and the permanent code');
  t.ok(stored.some((s) => s.name.startsWith('suite_token')), 'and a suite access token');
  t.ok(stored.some((s) => s.name.startsWith('corp_token')), 'and a corp access token');
  t.ok(stored.some((s) => s.name.startsWith('jsapi_ticket')), 'and the JS-SDK tickets the gateway fetched');
  t.ok(mockCode, 'the mock issued a permanent code');
  for (const secret of secrets) {
    t.ok(secret.value.length >= 8, `${secret.name} is a real value`);
    t.notOk(output.includes(secret.value), `the ${secret.name} does not appear in the relay's output`);
  }

  // The inspection commands print stored callbacks (decrypted): their ticket and auth-code fields are masked.
  const [events, deliveries] = await Promise.all([
    runCli(['events', 'list', '--json', '--limit', '100', '--config', config]),
    runCli(['deliveries', 'list', '--json', '--limit', '100', '--config', config]),
  ]);
  t.equal(events.code, 0, 'events list exits 0', outputOf(events));
  t.equal(deliveries.code, 0, 'deliveries list exits 0', outputOf(deliveries));
  t.match(events.stdout, /"SuiteTicket":"\[redacted\]"/, 'events list --json shows the SuiteTicket field as [redacted]');
  t.match(events.stdout, /"AuthCode":"\[redacted\]"/, 'and the AuthCode field as [redacted]');
  for (const secret of secrets) {
    t.notOk(events.stdout.includes(secret.value) || deliveries.stdout.includes(secret.value), `the ${secret.name} does not appear in events/deliveries list --json`);
  }
});
