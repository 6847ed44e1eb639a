import t from 'tap';
import {
  bodies, CORP_ID, newSuite, newWebhookSecret, outputOf, relayConfig, spawnMockApi, spawnRelay, startRecordingTarget, trigger, waitForEventType, writeConfig,
} from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

/**
 * `wecom-relay start` against `wecom-relay mock-api` (both spawned), driven by `wecom-relay trigger`:
 * the credential chain (suite_ticket → suite token, create_auth → permanent code) works with values the
 * mock issued, and a customer event reaches the target enriched from the mock.
 */
t.test('start + mock-api + trigger: an enriched external_contact.added reaches the target, then SIGTERM stops cleanly', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const hooks = await startRecordingTarget(t);
  const { cli: mockApi, url: mockUrl } = await spawnMockApi(t, ['--suite-secret', suite.secret]);
  const config = writeConfig(dir, relayConfig({
    dir,
    suite,
    wecomApiBaseUrl: mockUrl,
    targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, secret: newWebhookSecret() }],
  }));
  // Independent of the relay: run while it starts.
  const listing = Promise.all([runCli(['trigger', 'list']), trigger('no_such_kind', config, 'http://127.0.0.1:1')]);
  const start = await spawnRelay(t, 'start', config);
  const to = start.url!;
  t.match(to, /^http:\/\/127\.0\.0\.1:\d+$/, 'the receiver logs the URL it listens on (port 0 → a free port)');

  t.test('mock-api --port 0 prints its URL and answers get_suite_token with an errcode for a bad ticket', async (t) => {
    t.match(mockUrl, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/, 'a concrete URL, not port 0');
    const response = await fetch(`${mockUrl}/cgi-bin/service/get_suite_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ suite_id: suite.id, suite_secret: suite.secret, suite_ticket: 'not-a-ticket-the-mock-issued' }),
    });
    t.equal(response.status, 200, 'HTTP 200, like WeCom');
    const body = await response.json() as { errcode?: number; errmsg?: string; suite_access_token?: string };
    t.equal(body.errcode, 40085, 'errcode 40085 (invalid suite_ticket)');
    t.equal(body.suite_access_token, undefined, 'and no token');
  });

  t.test('trigger list, and an unknown kind', async (t) => {
    const [list, unknown] = await listing;
    t.equal(list.code, 0, 'trigger list exits 0');
    const kinds = list.stdout.trim().split('\n');
    for (const kind of ['suite_ticket', 'create_auth', 'add_external_contact', 'cancel_auth', 'text']) t.ok(kinds.includes(kind), `lists ${kind}`);
    t.ok(kinds.length > 50, 'lists every kind, one a line');
    t.equal(unknown.code, 2, 'an unknown kind exits 2');
    t.match(unknown.stderr, /unknown kind "no_such_kind"/, 'and says so');
    t.match(unknown.stderr, /add_external_contact/, 'listing the valid kinds');
  });

  t.test('suite_ticket and create_auth with values from the mock, then add_external_contact', async (t) => {
    const ticket = await trigger('suite_ticket', config, to, ['--mock-api', mockUrl]);
    t.equal(ticket.code, 0, 'trigger suite_ticket exits 0', outputOf(ticket));
    t.match(ticket.stdout, /^suite_ticket → POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/wecom\/command: 200 success$/m, 'the receiver acked it');
    const auth = await trigger('create_auth', config, to, ['--mock-api', mockUrl, '--json']);
    t.equal(auth.code, 0, 'trigger create_auth exits 0', outputOf(auth));
    const authResult = JSON.parse(auth.stdout) as { kind: string; status: number; body: string; endpoint: string };
    t.same({ kind: authResult.kind, status: authResult.status, body: authResult.body, endpoint: authResult.endpoint },
      { kind: 'create_auth', status: 200, body: 'success', endpoint: 'command' }, '--json prints the result');
    t.ok(await waitForEventType(hooks, 'auth.created'), 'auth.created is delivered');
    const created = bodies(hooks).find((b) => b.type === 'auth.created') as { enrichment?: { corp?: { corpId?: string } } } | undefined;
    t.ok(created?.enrichment?.corp, 'auth.created carries the corp the daemon got by exchanging the auth code with the mock');

    const added = await trigger('add_external_contact', config, to);
    t.equal(added.code, 0, 'trigger add_external_contact exits 0', outputOf(added));
    t.match(added.stdout, /^add_external_contact → POST .*: 200 success$/m, 'the receiver acked it');
    t.ok(await waitForEventType(hooks, 'external_contact.added'), 'external_contact.added is delivered to the recording target');
    const event = bodies(hooks).find((b) => b.type === 'external_contact.added') as Record<string, any> | undefined;
    t.equal(event?.source?.corpId, CORP_ID, 'for the corp in the sample');
    t.equal(event?.data?.externalUserId, 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'about the sample external user');
    t.equal(event?.enrichment?.externalContact?.name, '李部长', 'enriched with externalcontact/get from the mock');
    t.ok(Array.isArray(event?.enrichment?.followUser), 'with the follow users');
    t.notOk(event?.enrichmentError, 'and no enrichment error');
    const request = hooks.requests.find((r) => r.body.includes('"external_contact.added"'));
    t.ok(request?.headers['webhook-signature'], 'signed (Standard Webhooks) with the target secret');
  });

  t.test('SIGTERM stops both processes cleanly', async (t) => {
    t.equal(await start.cli.stop('SIGTERM'), 0, 'start exits 0 on SIGTERM');
    t.ok(start.cli.lines.some((l) => l.msg === 'shutting down: stopping intake, draining in-flight work'), 'start logged that it is shutting down');
    t.ok(start.cli.lines.some((l) => l.msg === 'stopped'), 'start logged "stopped"');
    t.equal(await mockApi.stop('SIGTERM'), 0, 'mock-api exits 0 on SIGTERM');
  });
});
