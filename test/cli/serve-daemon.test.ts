import t from 'tap';
import {
  bodies, jsonLines, newSuite, newWebhookSecret, readDeliveries, relayConfig, spawnRelay, startRecordingTarget, startSwitchableTarget, storeFile,
  outputOf, trigger, untilDeliveries, waitForEventType, writeConfig, type DeliveryRow,
} from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

interface DeliveryJson { id: string; eventId: string; target: string; eventType: string; state: string; attempts: number; replays: number; lastStatus: number | null }
interface CallbackJson { id: string; type: string; corpId: string | null; state: string }

/**
 * `serve` and `daemon` as two processes on one SQLite file, and the operator commands against the same
 * store while they run: deliveries list, replay (by id and by target), targets disable/enable, events
 * list/show. One pair of processes serves every step, in order.
 *
 * Targets: `hooks` takes everything; `flaky` takes external_contact.* and answers what `flakyStatus` says
 * (400 → dead at once); `gated` takes contact.* and is disabled before its event arrives.
 */
t.test('serve + daemon on one SQLite file, with deliveries, replay, targets and events commands', async (t) => {
  const dir = t.testdir();
  const db = storeFile(dir);
  let flakyStatus = 400;
  const hooks = await startRecordingTarget(t);
  const flaky = await startSwitchableTarget(t, () => flakyStatus);
  const gated = await startRecordingTarget(t);
  const config = writeConfig(dir, relayConfig({
    dir,
    suite: newSuite(),
    withoutSecret: true,
    enrich: false,
    targets: [
      { name: 'hooks', url: `${hooks.url}/hooks`, secret: newWebhookSecret() },
      { name: 'flaky', url: `${flaky.url}/flaky`, events: ['external_contact.*'] },
      { name: 'gated', url: `${gated.url}/gated`, events: ['contact.*'] },
    ],
  }));
  const cli = (...args: string[]) => runCli([...args, '--config', config]);
  // Both at once, on a store file neither has created yet (the schema migration must happen once).
  const [serve, daemon] = await Promise.all([spawnRelay(t, 'serve', config), spawnRelay(t, 'daemon', config)]);
  const to = serve.url!;

  // Shared between the steps.
  let addedId = '';
  let editedId = '';
  let userId = '';
  const row = (rows: DeliveryRow[], id: string) => rows.find((r) => r.id === id);

  t.test('an event triggered into serve is delivered by the daemon process', async (t) => {
    const disabled = await cli('targets', 'disable', 'gated');
    t.equal(disabled.code, 0, 'targets disable gated exits 0', outputOf(disabled));
    t.match(disabled.stdout, /target gated disabled/, 'and says so');
    const sent = await Promise.all(['add_external_contact', 'edit_external_contact', 'create_user'].map((kind) => trigger(kind, config, to)));
    sent.forEach((s, i) => t.equal(s.code, 0, `trigger #${i + 1} exits 0`, outputOf(s)));
    t.ok(await waitForEventType(hooks, 'external_contact.added'), 'external_contact.added reaches hooks');
    t.ok(await waitForEventType(hooks, 'external_contact.edited'), 'external_contact.edited reaches hooks');
    t.ok(await waitForEventType(hooks, 'contact.user.created'), 'contact.user.created reaches hooks');
    const events = bodies(hooks);
    addedId = String(events.find((e) => e.type === 'external_contact.added')?.id);
    editedId = String(events.find((e) => e.type === 'external_contact.edited')?.id);
    userId = String(events.find((e) => e.type === 'contact.user.created')?.id);
    t.ok(serve.cli.lines.some((l) => l.msg === 'receiver listening'), 'serve runs the receiver');
    t.notOk(serve.cli.lines.some((l) => l.msg === 'daemon started'), 'serve runs no daemon');
    t.notOk(daemon.cli.lines.some((l) => l.msg === 'receiver listening'), 'daemon runs no receiver');
  });

  t.test('a 400 makes a delivery dead at once; a disabled target keeps its delivery pending; listings filter', async (t) => {
    const dead = await untilDeliveries(db, (rows) => row(rows, `${addedId}:flaky`)?.state === 'dead' && row(rows, `${editedId}:flaky`)?.state === 'dead');
    t.ok(dead, 'both flaky deliveries are dead in the store');
    const [list, table, unknown, pending, events, missing] = await Promise.all([
      cli('deliveries', 'list', '--status', 'dead', '--json'),
      cli('deliveries', 'list', '--status', 'dead', '--target', 'flaky'),
      cli('replay', 'evt_00000000000000000000000000000000:flaky'),
      cli('deliveries', 'list', '--status', 'pending', '--target', 'gated', '--json'),
      cli('events', 'list', '--type', 'external_contact.*', '--json'),
      cli('events', 'show', 'evt_00000000000000000000000000000000'),
    ]);
    t.equal(list.code, 0, 'deliveries list exits 0', outputOf(list));
    const rows = jsonLines<DeliveryJson>(list.stdout);
    t.same(rows.map((r) => r.id).sort(), [`${addedId}:flaky`, `${editedId}:flaky`].sort(), 'deliveries list --status dead shows exactly the two flaky deliveries');
    t.ok(rows.every((r) => r.state === 'dead' && r.lastStatus === 400 && r.attempts === 1), 'each dead after one attempt answered 400');
    t.equal(flaky.requests.length, 2, 'flaky was called once per event (no retry after a 400)');
    t.equal(table.code, 0, 'the table form exits 0');
    t.match(table.stdout, /^ID\s+TARGET\s+TYPE\s+STATE\s+ATTEMPTS/m, 'the table has a header');
    t.match(table.stdout, new RegExp(`^${addedId}:flaky\\s+flaky\\s+external_contact\\.added\\s+dead\\s+1\\s+400`, 'm'), 'and the dead delivery as a row');
    t.not(unknown.code, 0, 'replay of an unknown delivery id exits non-zero');
    t.match(unknown.stderr, /not found: evt_0{32}:flaky/, 'and names the id it did not find');

    // create_user was processed before the dead check passed (hooks got it); seconds later gated still has nothing.
    t.equal(gated.requests.length, 0, 'the disabled target received nothing');
    t.equal(row(readDeliveries(db), `${userId}:gated`)?.state, 'pending', 'its delivery waits, pending, in the store');
    t.same(jsonLines<DeliveryJson>(pending.stdout).map((r) => r.id), [`${userId}:gated`], 'deliveries list --status pending --target gated shows it');

    t.equal(events.code, 0, 'events list exits 0', outputOf(events));
    const listed = jsonLines<CallbackJson>(events.stdout);
    t.same(listed.map((e) => e.id).sort(), [addedId, editedId].sort(), "events list --type 'external_contact.*' lists only the two customer events");
    t.ok(listed.every((e) => e.type.startsWith('external_contact.') && e.state === 'done'), 'each of that type, processed');
    t.equal(missing.code, 1, 'events show of an unknown id exits 1');
    t.match(missing.stderr, /no event evt_0+/, 'and says so');
  });

  t.test('replay <id> re-queues one dead delivery and the running daemon delivers it', async (t) => {
    flakyStatus = 200;
    const replay = await cli('replay', `${addedId}:flaky`);
    t.equal(replay.code, 0, 'replay exits 0', outputOf(replay));
    t.match(replay.stdout, /re-queued 1 delivery/, 'says it re-queued one');
    t.ok(await untilDeliveries(db, (rows) => row(rows, `${addedId}:flaky`)?.state === 'delivered'), 'the delivery is delivered in the store');
    t.equal(flaky.requests.filter((r) => r.body.includes(addedId)).length, 2, 'flaky received the event a second time');
    const rows = readDeliveries(db);
    t.equal(row(rows, `${addedId}:flaky`)?.replays, 1, 'one replay is counted');
    t.equal(row(rows, `${editedId}:flaky`)?.state, 'dead', 'the other dead delivery was not touched');
  });

  t.test('replay --target flaky --status dead re-queues the rest; targets enable releases the waiting delivery', async (t) => {
    const [replay, enabled] = await Promise.all([
      cli('replay', '--target', 'flaky', '--status', 'dead', '--json'),
      cli('targets', 'enable', 'gated'),
    ]);
    t.equal(replay.code, 0, 'replay --target exits 0', outputOf(replay));
    t.same(JSON.parse(replay.stdout), { replayed: 1 }, '--json says one was re-queued');
    t.equal(enabled.code, 0, 'targets enable exits 0', outputOf(enabled));
    t.match(enabled.stdout, /target gated enabled/, 'and says so');
    t.ok(await untilDeliveries(db, (rows) => row(rows, `${editedId}:flaky`)?.state === 'delivered'), 'the daemon delivers the replayed delivery');
    t.ok(await waitForEventType(gated, 'contact.user.created'), 'the re-enabled target receives the waiting event');
    t.ok(await untilDeliveries(db, (rows) => rows.every((r) => r.state === 'delivered')), 'every delivery is now delivered');
  });

  t.test('deliveries list --status delivered and events show reflect it', async (t) => {
    const [delivered, show] = await Promise.all([
      cli('deliveries', 'list', '--status', 'delivered', '--json'),
      cli('events', 'show', addedId),
    ]);
    t.equal(delivered.code, 0, 'deliveries list exits 0', outputOf(delivered));
    t.same(jsonLines<DeliveryJson>(delivered.stdout).map((r) => r.id).sort(),
      [`${addedId}:hooks`, `${addedId}:flaky`, `${editedId}:hooks`, `${editedId}:flaky`, `${userId}:hooks`, `${userId}:gated`].sort(),
      'deliveries list --status delivered shows all six, the replayed ones included');
    t.equal(show.code, 0, 'events show exits 0', outputOf(show));
    let shown: (CallbackJson & { deliveries: DeliveryJson[] }) | undefined;
    t.doesNotThrow(() => { shown = JSON.parse(show.stdout) as CallbackJson & { deliveries: DeliveryJson[] }; }, 'events show prints JSON');
    t.equal(shown?.id, addedId, 'the event asked for');
    t.equal(shown?.type, 'external_contact.added', 'with its type');
    t.same(shown?.deliveries.map((d) => `${d.target}:${d.state}`).sort(), ['flaky:delivered', 'hooks:delivered'], 'and its deliveries, per target');
    t.equal(shown?.deliveries.find((d) => d.target === 'flaky')?.replays, 1, 'the replay is visible');
  });

  t.test('SIGTERM stops both', async (t) => {
    const [serveCode, daemonCode] = await Promise.all([serve.cli.stop('SIGTERM'), daemon.cli.stop('SIGTERM')]);
    t.equal(serveCode, 0, 'serve exits 0');
    t.equal(daemonCode, 0, 'daemon exits 0');
    t.ok(daemon.cli.lines.some((l) => l.msg === 'daemon stopped'), 'the daemon logged that it stopped');
  });
});
