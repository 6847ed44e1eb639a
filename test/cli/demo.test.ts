import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { outputOf } from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

/** The JSON blocks the demo prints (each starts with `{` and ends with `}` at the start of a line). */
function printedEvents(stdout: string): Array<Record<string, any>> {
  return [...stdout.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((m) => JSON.parse(m[0]) as Record<string, any>);
}

t.test('wecom-relay demo runs the whole pipeline offline and prints an enriched external_contact.added', async (t) => {
  const data = t.testdir();
  const result = await runCli(['demo', '--timeout', '60000', '--data', data], { timeoutMs: 120_000 });
  t.equal(result.code, 0, 'demo exits 0', outputOf(result));
  t.match(result.stdout, /^→ external_contact\.added\s+evt_[0-9a-f]{32}\s+corp wxf8b4f85f3a794e77 enrichment: externalContact, followUser$/m,
    'a one-line summary of the delivered external_contact.added, enriched');
  const added = printedEvents(result.stdout).find((e) => e.type === 'external_contact.added');
  t.ok(added, 'the external_contact.added event is printed in full as JSON');
  t.equal(added?.source?.corpId, 'wxf8b4f85f3a794e77', 'from the demo corp');
  t.equal(added?.data?.externalUserId, 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'carrying the external user id');
  t.equal(added?.enrichment?.externalContact?.name, '李部长', 'enriched with the contact from the mock WeCom API');
  t.ok(Array.isArray(added?.enrichment?.followUser) && added.enrichment.followUser.length > 0, 'enriched with the follow users');
  t.match(result.stdout, /^→ auth\.created\s/m, 'auth.created was delivered (create_auth went through the mock)');
  const summary = /(\d+) callbacks sent \((\d+) rejected\), (\d+)\/(\d+) events delivered to demo-sink/.exec(result.stdout);
  t.ok(summary, 'prints the summary line');
  t.equal(summary?.[2], '0', 'no callback was rejected');
  t.equal(summary?.[3], summary?.[4], 'every expected event was delivered');
  t.ok(Number(summary?.[4]) > 50, 'dozens of event kinds went through');
  t.match(result.stdout, /a chat message reads: External contact added: /, 'a Slack-format message for the chat target');
  const welcome = /^welcome message: the sink answered external_contact\.added through the gateway .*; it arrived at the mock WeCom API (\d+) ms after the callback was received/m.exec(result.stdout);
  t.ok(welcome, 'the sink sent the welcome message through the gateway and it arrived at the mock', outputOf(result));
  t.ok(Number(welcome?.[1]) <= 20_000, `within WeCom's 20 s (${welcome?.[1]} ms)`);
  t.match(result.stdout, /^FAMILY\s+EVENTS/m, 'a summary by family');
  t.ok(result.stdout.slice(result.stdout.indexOf('FAMILY')).split('\n').length <= 40, 'the summary from the table on fits one screen (40 lines)');
  t.ok(existsSync(join(data, 'wecom-relay.db')), '--data keeps the SQLite store in the given directory');
});

t.test('demo --keep writes its configuration and prints commands that work as printed', async (t) => {
  const { execFile } = await import('node:child_process');
  const { spawnCli } = await import('../helpers/spawn-cli.js');
  const { waitForOutput } = await import('../helpers/cli-fixture.js');
  const demo = spawnCli(['demo', '--keep', '--timeout', '60000', '--data', t.testdir()]);
  t.teardown(() => demo.stop('SIGKILL'));
  const printed = await waitForOutput(demo, /^ {2}(node \S+ trigger add_external_contact --config \S+ --mock-api \S+)$/m, 120_000);
  const listed = await waitForOutput(demo, /^ {2}(node \S+ events list --config \S+)$/m);
  const run = (command: string) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  const sent = await run(printed[1]!);
  t.equal(sent.code, 0, 'the printed trigger command exits 0', sent);
  t.match(sent.stdout, /add_external_contact → POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/wecom\/command: 200 success/, 'and the demo receiver acks it');
  const events = await run(listed[1]!);
  t.equal(events.code, 0, 'the printed events list command exits 0', events);
  t.match(events.stdout, /external_contact\.added/, 'and lists the demo events');
  t.equal(await demo.stop('SIGTERM'), 0, 'the kept demo stops on SIGTERM with exit 0');
});

t.test('the demo summary groups by family and explains every non-success', async (t) => {
  const { demoSummary } = await import('../../dist/daemon/commands/demo-summary.js');
  const base = { id: 'evt_1', timestamp: '', receivedAt: '', source: { endpoint: 'command', suiteId: 's', corpId: 'c', agentId: null }, data: {}, raw: {} };
  const lines = demoSummary([{ kind: 'suite_ticket', status: 200 }, { kind: 'create_auth', status: 200 }, { kind: 'update_user', status: 200 }], [
    { ...base, type: 'auth.created', enrichment: { corp: {} }, enrichmentError: null },
    { ...base, type: 'contact.user.updated', enrichment: null, enrichmentError: { code: 'wecom_api', errcode: 60111, message: 'userid not found, hint: [x]' } },
  ] as never);
  t.match(lines[0], /^FAMILY\s+EVENTS\s+TYPES\s+ENRICHED\s+ENRICHMENT ERRORS\n/, 'a table by family');
  t.match(lines[0], /^auth\s+1\s+1\s+1\s+-$/m, 'auth: one event, enriched');
  t.match(lines[0], /^contact\s+1\s+1\s+0\s+1$/m, 'contact: one enrichment error');
  t.ok(lines.some((l) => /suite_ticket .*consumed by the daemon.*never forwarded/.test(l)), 'says why suite_ticket has no event');
  t.ok(lines.some((l) => /contact\.user\.updated: enrichmentError wecom_api \(errcode 60111: userid not found\) — /.test(l)), 'explains the enrichment error');
});
