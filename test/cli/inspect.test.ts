import { spawn } from 'node:child_process';
import t from 'tap';
import {
  jsonLines, newSuite, newWebhookSecret, outputOf, relayConfig, startRecordingTarget, startSwitchableTarget, storeFile, trigger,
  untilDeliveries, waitForEventType, writeConfig,
} from '../helpers/cli-fixture.js';
import { CLI, HAS_SCRIPT, runCli, runCliOnTty, spawnCli } from '../helpers/spawn-cli.js';

/** Runs the CLI with its stdout pipe closed by the reader before anything is written (`… | head -0`). */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

t.test('inspect commands: targets list, unknown targets, replay by event id, no secrets needed, closed pipes', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const good = await startRecordingTarget(t);
  const bad = await startSwitchableTarget(t, () => 400);
  // The secrets come from the environment, as the docs recommend; the inspect commands run without them.
  const env = { NC_SECRET: suite.secret, NC_TOKEN: suite.token, NC_KEY: suite.encodingAESKey };
  const base = relayConfig({
    dir, suite, enrich: false,
    targets: [
      { name: 'good', url: `${good.url}/hooks`, secret: newWebhookSecret() },
      { name: 'bad', url: `${bad.url}/hooks`, events: ['external_contact.*'] },
    ],
  });
  const config = writeConfig(dir, { ...base, suite: { id: suite.id, secret: '${NC_SECRET}', token: '${NC_TOKEN}', encodingAESKey: '${NC_KEY}' } });
  const relay = spawnCli(['start', '--config', config], { env });
  t.teardown(() => relay.stop('SIGKILL'));
  const url = String((await relay.waitForLine((l) => l.msg === 'receiver listening', 60_000)).url);
  const sent = await runCli(['trigger', 'add_external_contact', '--config', config, '--to', url], { env });
  t.equal(sent.code, 0, 'trigger exits 0', outputOf(sent));
  t.ok(await waitForEventType(good, 'external_contact.added'), 'the event reaches the good target');
  t.ok(await untilDeliveries(storeFile(dir), (rows) => rows.some((r) => r.target === 'bad' && r.state === 'dead')), 'and is dead at the bad one (400)');
  t.equal(await relay.stop(), 0, 'the relay stops cleanly');

  const cli = (...args: string[]) => runCli([...args, '--config', config]);
  const [events, noSecrets, targets, unknown] = await Promise.all([
    cli('events', 'list', '--json'),
    runCli(['start', '--config', config]),
    cli('targets', 'list', '--json'),
    cli('targets', 'disable', 'nosuch'),
  ]);

  t.test('events list needs only the store, not the suite secrets', async (t) => {
    t.equal(events.code, 0, 'events list exits 0 with WECOM secrets unset', outputOf(events));
    t.equal(jsonLines(events.stdout).length, 1, 'and lists the one event');
    t.equal(noSecrets.code, 2, 'while start, which needs them, still refuses (exit 2)');
    t.match(noSecrets.stderr, /environment variable NC_TOKEN is not set/, 'naming the missing variable');
  });

  t.test('targets list shows state, queue depth, oldest pending and last error', async (t) => {
    t.equal(targets.code, 0, 'targets list --json exits 0', outputOf(targets));
    const rows = jsonLines<{ name: string; state: string; pending: number; delivered: number; dead: number; oldestPendingAt: number | null; lastError: string | null }>(targets.stdout);
    t.same(rows.map((r) => r.name), ['good', 'bad'], 'one row per configured target, in order');
    t.match(rows[0], { state: 'enabled', pending: 0, delivered: 1, dead: 0, oldestPendingAt: null, lastError: null }, 'good: one delivered');
    t.match(rows[1], { state: 'enabled', pending: 0, dead: 1 }, 'bad: one dead');
    t.match(rows[1]?.lastError, /400|HTTP/, 'with its last error');
    const table = await cli('targets', 'list');
    t.match(table.stdout, /^NAME\s+STATE\s+PENDING\s+OLDEST PENDING\s+DELIVERED\s+DEAD\s+LAST ERROR$/m, 'the table has the columns');
  });

  t.test('targets disable of an unknown name is an error', async (t) => {
    t.equal(unknown.code, 1, 'exit 1', outputOf(unknown));
    t.match(unknown.stderr, /no target "nosuch"; known targets: good, bad/, 'names the known targets');
    t.notMatch(unknown.stdout, /disabled/, 'and does not claim to have disabled it');
  });

  t.test('deliveries show and events show list every attempt, as a table and as JSON', async (t) => {
    const eventId = String(jsonLines(events.stdout)[0]?.id);
    const [table, json, shown, missing] = await Promise.all([
      cli('deliveries', 'show', `${eventId}:bad`), cli('deliveries', 'show', `${eventId}:bad`, '--json'), cli('events', 'show', eventId),
      cli('deliveries', 'show', `${eventId}:nosuch`),
    ]);
    t.equal(table.code, 0, 'deliveries show exits 0', outputOf(table));
    t.match(table.stdout, new RegExp(`^delivery ${eventId}:bad: dead, 1 attempt since created`, 'm'), 'a summary line');
    t.match(table.stdout, /^#\s+ROUND\s+TIME\s+OUTCOME\s+HTTP\s+MS\s+REASON\s+RESPONSE$/m, 'the attempts table has the columns');
    t.match(table.stdout, /^1\s+first\s+\S+Z\s+dead\s+400\s+\d+/m, 'the one attempt: first round, dead, HTTP 400, its duration');
    const delivery = JSON.parse(json.stdout) as { id: string; attempts: Array<{ seq: number; status: number; outcome: string; durationMs: number; atIso: string }> };
    t.equal(delivery.id, `${eventId}:bad`, '--json is the delivery');
    t.match(delivery.attempts, [{ seq: 1, status: 400, outcome: 'dead', replay: 0 }], 'with its attempts');
    t.ok(typeof delivery.attempts[0]?.durationMs === 'number' && /Z$/.test(delivery.attempts[0]?.atIso ?? ''), 'duration and ISO time included');
    const event = JSON.parse(shown.stdout) as { deliveries: Array<{ target: string; attempts: Array<{ status: number }> }> };
    t.same(event.deliveries.map((d) => [d.target, d.attempts.map((a) => a.status)]).sort(), [['bad', [400]], ['good', [200]]], 'events show lists each delivery\'s attempts');
    t.equal(missing.code, 1, 'an unknown delivery exits 1');
    t.match(missing.stderr, /no delivery .*eventId:target/, 'and says what a delivery id is');
  });

  t.test('replay takes the event id events list shows, and says its default filter', async (t) => {
    const eventId = String(jsonLines(events.stdout)[0]?.id);
    const [byEvent, byTarget, missing] = await Promise.all([cli('replay', eventId), cli('replay', '--target', 'bad'), cli('replay', 'evt_nosuch')]);
    t.equal(byEvent.code, 0, 'replay <event id> exits 0', outputOf(byEvent));
    t.match(byEvent.stdout, /re-queued 2 deliveries/, 'and re-queues both of its deliveries');
    t.notMatch(byEvent.stderr, /\r/, 'no carriage-return progress line when stderr is not a terminal');
    if (HAS_SCRIPT) {
      const onTty = await runCliOnTty(['replay', eventId, '--config', config]);
      t.match(onTty, /\rreplaying 2\/2/, 'on a terminal (a real pty) the progress line is shown');
    }
    t.match(byTarget.stdout, /--status defaults to dead/, 'replay --target says it picks dead deliveries by default');
    t.equal(missing.code, 1, 'an unknown id exits 1');
    t.match(missing.stderr, /an event id \(evt_…, from `events list`\) replays every delivery/, 'and explains which ids it takes');
    t.match(missing.stderr, /a delivery id is eventId:target/, 'including the delivery id form');
  });

  t.test('deliveries list shows a disabled target', async (t) => {
    const disabled = await cli('targets', 'disable', 'bad');
    t.equal(disabled.code, 0, 'targets disable bad exits 0', outputOf(disabled));
    const [table, json] = await Promise.all([cli('deliveries', 'list'), cli('deliveries', 'list', '--json')]);
    t.match(table.stdout, /bad \(disabled\)/, 'the TARGET column says disabled');
    t.match(table.stdout, /when the target is enabled/, 'the replayed pending delivery waits for it, not for a past time');
    t.match(table.stdout, /target bad is disabled \(disabled by an operator\)/, 'with a hint how to send them');
    t.same(jsonLines<{ target: string; targetState: string }>(json.stdout).map((d) => [d.target, d.targetState]).sort(), [['bad', 'disabled'], ['good', 'enabled']], '--json has targetState');
  });

  t.test('a closed stdout ends every kind of command quietly', async (t) => {
    const runs = await Promise.all([
      runWithClosedStdout(['events', 'list', '--json', '--config', config]),
      runWithClosedStdout(['targets', 'list', '--config', config]),
      runWithClosedStdout(['trigger', 'list']),
      runWithClosedStdout(['--help']),
    ]);
    runs.forEach((r, i) => {
      t.equal(r.code, 0, `run ${i + 1} exits 0`, { stderr: r.stderr });
      t.equal(r.stderr, '', `run ${i + 1} prints nothing (no EPIPE stack)`);
    });
  });
});
