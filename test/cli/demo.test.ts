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
  t.ok(existsSync(join(data, 'wecom-relay.db')), '--data keeps the SQLite store in the given directory');
});
