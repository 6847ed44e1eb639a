/**
 * Runs every benchmark (ingest, then forward), prints a summary table and writes the full results to
 * bench/results/<timestamp>.json (git-ignored). `npm run bench` calls this; build first (`npm run build`).
 *
 *   node bench/run.js [--quick] [--profile DIR] [--apps]
 *
 * `--quick` shrinks every benchmark (a smoke run, figures not comparable). A full run takes 2–4 minutes
 * depending on the machine's load, the largest part being the 100,000-delivery pre-fill of forward (b).
 * `--profile DIR` writes CPU profiles of the receiver's first round and of the daemon run of forward (a)
 * (summarize one with `node bench/lib/profile.js FILE`). `--apps` also runs `ingest-apps.js` (three apps
 * on shared paths vs one app, same run; about a minute more).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runForward } from './forward.js';
import { runIngest } from './ingest.js';
import { runIngestApps } from './ingest-apps.js';
import { machineInfo } from './lib/machine.js';
import { table } from './lib/stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, profile: { type: 'string' }, apps: { type: 'boolean' } }, strict: true });
if (!existsSync(join(HERE, '../dist/src/receiver/standalone.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}

const quick = args.quick === true;
const profile = args.profile ? { profile: args.profile } : {};
const started = new Date();
const machineBefore = machineInfo();
process.stderr.write(`bench: node ${machineBefore.node}, ${machineBefore.nproc} CPUs (${machineBefore.cpuModel}), load ${machineBefore.loadavg.join(' ')}\n`);

const ingest = await runIngest(quick ? { requests: 2_000, seconds: 4, warmup: 200, besideSeconds: 3, besideBacklog: 500, ...profile } : profile);
const i = ingest;
const ingestApps = args.apps ? await runIngestApps(quick ? { requests: 2_000, seconds: 4, warmup: 200 } : {}) : null;
const forward = await runForward(quick ? { events: 500, seconds: 10, backlog: 5_000, window: 5, ...profile } : profile);
const machineAfter = machineInfo();
const results = {
  startedAt: started.toISOString(),
  durationS: Math.round((Date.now() - started.getTime()) / 1000),
  quick,
  machine: { ...machineBefore, loadavgAfter: machineAfter.loadavg },
  ingest,
  ...(ingestApps ? { ingestApps } : {}),
  forward,
};

const dir = join(HERE, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

const a = forward.throughput;
const b = forward.memory;
const yes = (t) => (t.met ? 'yes' : 'NO');
process.stdout.write(`\n${table([
  ['benchmark', 'subject', 'baseline', 'ratio', 'target', 'met'],
  ['ingest req/s (32 conns)', i.receiver.throughput, i.bare.throughput, i.ratio.throughput, i.targets.throughputRatio.want, yes(i.targets.throughputRatio)],
  ['ingest p50 ms', i.receiver.latencyMs.p50, i.bare.latencyMs.p50, '', '', ''],
  ['ingest p99 ms', i.receiver.latencyMs.p99, i.bare.latencyMs.p99, '', i.targets.p99Ms.want, yes(i.targets.p99Ms)],
  ['ingest p99.9 ms', i.receiver.latencyMs.p999, i.bare.latencyMs.p999, '', i.targets.p999Ms.want, yes(i.targets.p999Ms)],
  ['ingest CPU ms/req', i.receiver.cpuMsPerRequest, i.bare.cpuMsPerRequest, i.ratio.cpuPerRequest, '', ''],
  ['ingest stored = acked', `${i.store.stored} / ${i.store.acked}`, '', '', 'equal', i.store.match ? 'yes' : 'NO'],
  ['ingest fsync ms p50 (before/after)', `${round2(i.fsyncMs.before.p50)} / ${round2(i.fsyncMs.after.p50)}`, '', '', '', ''],
  ...(i.besideDaemon ? besideRows(i.besideDaemon) : []),
  ...(ingestApps ? [
    ['ingest 3 apps, shared paths: req/s', ingestApps.threeApps.throughput, ingestApps.oneApp.throughput, ingestApps.ratio.throughput, ingestApps.target.want, yes(ingestApps.target)],
    ['ingest 3 apps: CPU ms/req', ingestApps.threeApps.cpuMsPerRequest, ingestApps.oneApp.cpuMsPerRequest, ingestApps.ratio.cpuPerRequest, '', ''],
    ['ingest 3 apps: p99 ms', ingestApps.threeApps.latencyMs.p99, ingestApps.oneApp.latencyMs.p99, '', '', ''],
    ['ingest 3 apps stored = acked', ingestApps.store.match ? 'yes' : 'NO', '', '', 'equal', ingestApps.store.match ? 'yes' : 'NO'],
  ] : []),
  ['forward events/s (conc 32)', a.daemon.perSecond, a.got.meanPerSecond, a.ratio.throughput, a.target.want, yes(a.target)],
  ['forward CPU ms/event', a.daemon.cpuMsPerEvent, round2((a.got.before.cpuMsPerEvent + a.got.after.cpuMsPerEvent) / 2), a.ratio.cpuPerEvent, '', ''],
  ['forward delivered', `${a.daemon.answered} / ${a.daemon.events}`, '', '', '', a.daemon.completed ? 'all' : 'time bound'],
  ['forward fsync ms p50 (before/after)', `${round2(a.fsyncMs.before.p50)} / ${round2(a.fsyncMs.after.p50)}`, '', '', '', ''],
  ['backlog peak RSS MB', b.peakRssMB, '', '', b.target.want, yes(b.target)],
  ['backlog delivered/s (50 ms, conc 2)', b.perSecond, b.idealPerSecond, Math.round((100 * b.perSecond) / b.idealPerSecond) / 100, '', ''],
])}\n\n`);
process.stdout.write(`machine: ${machineBefore.nproc} CPUs, node ${machineBefore.node}, load ${machineBefore.loadavg.join(' ')} → ${machineAfter.loadavg.join(' ')}\n`);
process.stdout.write(`results: ${file} (${results.durationS} s)\n`);

/** Rows of the receiver-beside-a-daemon part. */
function besideRows(d) {
  const rows = [];
  for (const [name, label] of [['sameProcessIdle', 'same process, idle'], ['sameProcessDraining', 'same process, draining'], ['separateProcessDraining', 'own process, draining'], ['daemonThreadDraining', 'worker thread (start), draining']]) {
    const r = d[name];
    if (!r) continue;
    // Baseline: the receiver alone, from the main rounds of the same run.
    rows.push([`+daemon ${label}: req/s`, r.throughput, i.receiver.throughput, ratioOf(r.throughput, i.receiver.throughput), '', '']);
    rows.push([`+daemon ${label}: p99 / p99.9 ms`, `${Math.round(r.latencyMs.p99)} / ${Math.round(r.latencyMs.p999)}`, '', '', '< 1000 (p99.9)', d.target.met[name] ? 'yes' : 'NO']);
  }
  return rows;
}

function ratioOf(a, b) {
  return b > 0 ? Math.round((1000 * a) / b) / 1000 : Number.NaN;
}

function round2(value) {
  return Math.round(value * 100) / 100;
}
