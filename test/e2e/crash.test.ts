import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { headerOf, startRecordingTarget, type Teardown } from './helpers/recording-target.js';
import { startTestRelay } from './helpers/test-relay.js';

/** The built CLI (`npm test` builds first: `pretest`). */
const CLI = fileURLToPath(new URL('../../dist/daemon/cli.js', import.meta.url));

interface DaemonProcess {
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** What it wrote (the last 2 000 characters), prefixed for a failure message; '' when nothing. */
  output(): string;
}

/** `wecom-relay daemon --config F` as a child process; teardown kills it if it is still running. */
function spawnDaemon(t: Teardown, configFile: string): DaemonProcess {
  const child = spawn(process.execPath, [CLI, 'daemon', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { exited, kill: (signal) => child.kill(signal), output: () => (output === '' ? '' : `; it wrote: ${output.slice(-2000)}`) };
}

t.test('a daemon killed with SIGKILL mid-backlog loses nothing and re-sends at most what it had in flight', async (t) => {
  if (!existsSync(CLI)) {
    t.fail(`${CLI} is missing: run \`npm run build\` first (npm test does, in pretest)`);
    return;
  }
  const dir = t.testdir();
  // A slow target (20 ms an answer, 4 at a time) behind a rate limit, so a backlog builds up.
  const target = await startRecordingTarget(t, { respond: () => ({ delayMs: 20 }) });
  const slow = { concurrency: 4, rateLimit: { count: 20, intervalMs: 200 } };
  // What the worker may hold at once (claimed, waiting or in flight): see TargetWorker's capacity.
  const inFlightBound = slow.concurrency + slow.rateLimit.count;
  // The receiver runs here (mode serve); the daemon runs as a child process on the same SQLite file.
  const receiver = await startTestRelay(t, {
    dir,
    mode: 'serve',
    enrich: false,
    // Short leases, so the restarted daemon takes over the killed one's claims after one delivery lease
    // (max(leaseMs, 1.5 × (timeout + 1 s) + 1 s) = 7 s; renewed while held) instead of the default 15 s.
    daemon: { leaseMs: 1000, shutdownTimeoutMs: 5000 },
    targets: [{ name: 'slow', url: `${target.url}/hooks`, format: 'json', timeoutMs: 3000, ...slow }],
  });
  const configFile = join(dir, 'wecom-relay.config.json');
  writeFileSync(configFile, JSON.stringify({ ...receiver.input, log: { level: 'warn' } }, null, 2));

  const total = 150;
  const refused: number[] = [];
  for (let batch = 0; batch < total; batch += 25) {
    const sent = await Promise.all(Array.from({ length: 25 }, (_, i) => receiver.send('text', { seq: batch + i })));
    sent.forEach((s, i) => { if (s.status !== 200) refused.push(batch + i); });
  }
  t.same(refused, [], `the receiver stores and acks all ${total} callbacks`);
  const eventIds = new Set((await receiver.store.listCallbacks({ limit: 1000 })).map((c) => c.id));
  t.equal(eventIds.size, total, `${total} distinct callbacks are in the store`);

  // ── first daemon: killed when about a third has been delivered ──────────────────────────────────────
  const first = spawnDaemon(t, configFile);
  t.ok(await target.waitFor((r) => r.length >= total / 3, 30_000), `the first daemon delivers a third of the backlog${first.output()}`);
  first.kill('SIGKILL');
  t.match(await first.exited, { signal: 'SIGKILL' }, 'the first daemon is killed');
  // Requests already on the wire are read before their connections close.
  t.ok(await target.waitFor(() => target.openConnections === 0, 5_000), 'the dead daemon\'s connections are gone');
  const receivedAtKill = target.requests.length;
  t.ok(receivedAtKill < total, `the kill left work undone (${receivedAtKill} of ${total} requests received)`);

  const pending = await receiver.store.listDeliveries({ state: 'pending', limit: 1000 });
  const unprocessed = await receiver.store.listCallbacks({ state: 'pending', limit: 1000 });
  const seenAtKill = new Set(target.requests.map((r) => headerOf(r, 'webhook-id')));
  // Sent, but the killed daemon never recorded the answer: these will be sent again.
  const resent = pending.filter((d) => seenAtKill.has(d.eventId));
  t.ok(resent.length <= inFlightBound, `what can be re-sent (${resent.length}) is within what the worker holds at once (${inFlightBound})`);

  // ── second daemon: finishes the backlog ─────────────────────────────────────────────────────────────
  const expectedRequests = receivedAtKill + pending.length + unprocessed.length;
  const second = spawnDaemon(t, configFile);
  const distinct = () => new Set(target.requests.filter((r) => r.complete).map((r) => headerOf(r, 'webhook-id'))).size;
  t.ok(await target.waitFor((r) => distinct() >= total && r.length >= expectedRequests, 60_000),
    `after the restart every event arrives (${distinct()} of ${total}; ${target.requests.length} of ${expectedRequests} requests)${second.output()}`);
  second.kill('SIGTERM');
  t.match(await second.exited, { code: 0 }, `the second daemon drains and exits 0 on SIGTERM${second.output()}`);

  const received = new Map<string, number>();
  for (const request of target.requests) {
    const id = headerOf(request, 'webhook-id') ?? '';
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  t.same([...eventIds].filter((id) => !received.has(id)), [], 'every event is delivered at least once');
  t.same([...received.keys()].filter((id) => !eventIds.has(id)), [], 'nothing else is delivered');
  const duplicates = target.requests.length - total;
  t.ok(duplicates <= inFlightBound, `duplicates (${duplicates}) stay within what was in flight at the kill (≤ concurrency ${slow.concurrency} + rateLimit.count ${slow.rateLimit.count} = ${inFlightBound})`);
  const delivered = await receiver.store.listDeliveries({ state: 'delivered', limit: 1000 });
  t.equal(delivered.length, total, 'the store records every delivery as delivered');
  // Counted attempts beyond one per delivery are ordinary retries (a timeout on a loaded machine), not the crash.
  const retries = delivered.reduce((sum, d) => sum + d.attempts, 0) - total;
  t.equal(duplicates, resent.length + retries, `the only duplicates are the ${resent.length} sent-but-unrecorded deliveries (plus ${retries} counted retries)`);
  t.equal((await receiver.store.listDeliveries({ state: 'pending', limit: 1000 })).length, 0, 'nothing is left pending');
});
