/**
 * Durable ingest: distinct, valid, encrypted and signed callbacks POSTed to the real receiver (SQLite
 * store, fsync'd group commits) and, in the same run, to a bare Express 5 app that only reads the body
 * and answers `success`. Rounds alternate A-B-B-A so load from other processes hits both alike.
 *
 *   node bench/ingest.js [--requests 20000] [--seconds 10] [--connections 32] [--rounds 2] [--profile DIR]
 *                        [--besideSeconds 6] [--besideBacklog 5000]
 *
 * Then the receiver beside a working daemon (`lib/beside-daemon.js`): the SPEC §6 latency bound has to
 * hold there too.
 *
 * Needs the built library (`npm run build`). Loopback only; stops by itself.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import express from 'express';
import { startReceiver } from '../dist/src/receiver/standalone.js';
import { ingestBesideDaemon } from './lib/beside-daemon.js';
import { COMMAND_PATH, DATA_PATH, SUITE_ID, generateCredentials, sealedRequests } from './lib/fixtures.js';
import { fsyncProbe } from './lib/fsync-probe.js';
import { measureServer } from './lib/measure-server.js';
import { startProfile, summarizeProfile } from './lib/profile.js';
import { ratio, round, summarize } from './lib/stats.js';

/**
 * Defaults: 20,000 requests or 10 s per server, whichever first, at 32 connections, in 2 rounds; then
 * `besideSeconds` per configuration of the one-process (`start` mode) part, with a `besideBacklog` backlog.
 */
export const INGEST_DEFAULTS = Object.freeze({
  requests: 20_000, seconds: 10, connections: 32, rounds: 2, warmup: 1_000, besideSeconds: 6, besideBacklog: 5_000,
});

/** Starts the bare Express 5 baseline on a free loopback port. */
async function startBareExpress() {
  const app = express();
  app.use(express.text({ type: '*/*', limit: '1mb' }));
  app.use((req, res) => {
    res.type('text/plain').send(typeof req.body === 'string' ? 'success' : 'no body');
  });
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** Totals over the rounds of one server. */
function combine(runs) {
  const latencies = Float64Array.from(runs.flatMap((r) => Array.from(r.load.latencies)));
  const answered = runs.reduce((n, r) => n + r.load.latencies.length, 0);
  const elapsedMs = runs.reduce((n, r) => n + r.load.elapsedMs, 0);
  const statuses = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.load.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    requests: runs.reduce((n, r) => n + r.load.sent, 0),
    ok: runs.reduce((n, r) => n + r.load.ok, 0),
    success: runs.reduce((n, r) => n + r.load.expected, 0),
    errors: runs.reduce((n, r) => n + r.load.errors, 0),
    statuses,
    elapsedMs: round(elapsedMs, 1),
    throughput: round(answered / (elapsedMs / 1000), 1),
    perRound: runs.map((r) => round(r.load.latencies.length / (r.load.elapsedMs / 1000), 1)),
    serverElu: runs.map((r) => round(r.serverElu)),
    // CPU time of the server process per answered request (user + system, every thread of the process).
    cpuMsPerRequest: round(runs.reduce((n, r) => n + r.cpuMs, 0) / Math.max(1, answered)),
    latencyMs: summarize(latencies),
  };
}

/**
 * Runs the ingest benchmark and resolves its results.
 * @param {Partial<typeof INGEST_DEFAULTS> & { log?: (line: string) => void, profile?: string }} [overrides]
 */
export async function runIngest(overrides = {}) {
  const options = { ...INGEST_DEFAULTS, ...overrides };
  const log = overrides.log ?? ((line) => process.stderr.write(`${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'wecom-relay-bench-ingest-'));
  if (options.profile) mkdirSync(options.profile, { recursive: true });
  const file = join(dir, 'ingest.db');
  const credentials = generateCredentials();
  const perRound = Math.ceil(options.requests / options.rounds);

  log(`ingest: sealing ${options.warmup + perRound * options.rounds} distinct callbacks…`);
  const t0 = performance.now();
  // One `now` and one `seen` for every batch: all plaintexts distinct, checked.
  const now = new Date();
  const seen = new Set();
  const warmup = sealedRequests(credentials, 0, options.warmup, now, seen);
  const rounds = Array.from({ length: options.rounds }, (_, r) => sealedRequests(credentials, options.warmup + r * perRound, perRound, now, seen));
  seen.clear();
  const sealMs = performance.now() - t0;

  const receiver = await startReceiver({
    host: '127.0.0.1', port: 0, suiteId: SUITE_ID, ...credentials, store: `sqlite:${file}`, maxClockSkewSeconds: 0,
    dataPath: DATA_PATH, commandPath: COMMAND_PATH,
  });
  const bare = await startBareExpress();
  const store = await receiver.middleware.handler.store();
  try {
    log('ingest: warming up both servers…');
    const warm = { ...options, seconds: 30 * options.rounds };
    const warmReceiver = await measureServer(receiver.url, warmup, warm);
    const warmBare = await measureServer(bare.url, warmup, warm);
    const batchesBefore = store.putBatches;
    const fsyncBefore = fsyncProbe(dir);

    const runs = { receiver: [], bare: [] };
    let profile;
    for (let r = 0; r < options.rounds; r++) {
      // A-B-B-A: each server goes first in every other round.
      const order = r % 2 === 0 ? ['bare', 'receiver'] : ['receiver', 'bare'];
      for (const name of order) {
        const url = name === 'receiver' ? receiver.url : bare.url;
        // --profile DIR: a CPU profile of the receiver's first round (the profiler slows it down a little).
        const stopProfile = options.profile && name === 'receiver' && r === 0 ? await startProfile() : undefined;
        const run = await measureServer(url, rounds[r], options);
        if (stopProfile) {
          const file = join(options.profile, 'ingest-receiver.cpuprofile');
          profile = { file, ...summarizeProfile(await stopProfile(file), 15) };
        }
        runs[name].push(run);
        log(`ingest: round ${r + 1} ${name.padEnd(8)} ${run.load.latencies.length} answers in ${round(run.load.elapsedMs, 0)} ms` +
          ` (${round(run.load.latencies.length / (run.load.elapsedMs / 1000), 0)} req/s, server ELU ${round(run.serverElu, 2)},` +
          ` ${round(run.cpuMs / Math.max(1, run.load.latencies.length), 3)} CPU ms/req)`);
      }
    }
    const receiverResult = combine(runs.receiver);
    const bareResult = combine(runs.bare);
    const batches = store.putBatches - batchesBefore;
    const fsyncAfter = fsyncProbe(dir);

    await receiver.close();
    await bare.close();
    const besideDaemon = options.besideSeconds > 0 ? await ingestBesideDaemon(options, dir, log) : null;
    // Durability check: every `success` is a stored row, and nothing else is.
    const db = new Database(file, { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) AS n FROM callbacks').get().n;
    const distinctIds = db.prepare('SELECT COUNT(DISTINCT id) AS n FROM callbacks').get().n;
    db.close();
    const acked = receiverResult.success + warmReceiver.load.expected;

    return {
      options: { requests: options.requests, seconds: options.seconds, connections: options.connections, rounds: options.rounds, warmup: options.warmup },
      sealMs: round(sealMs, 0),
      warmup: { receiver: warmReceiver.load.expected, bare: warmBare.load.expected },
      // Milliseconds per durable commit on this disk, probed just before and just after the rounds.
      fsyncMs: { before: fsyncBefore, after: fsyncAfter },
      receiver: { ...receiverResult, groupCommits: batches, meanBatch: round(receiverResult.success / Math.max(1, batches), 1) },
      bare: bareResult,
      ratio: {
        throughput: ratio(receiverResult.throughput, bareResult.throughput),
        cpuPerRequest: ratio(receiverResult.cpuMsPerRequest, bareResult.cpuMsPerRequest),
      },
      store: { stored, distinctIds, acked, match: stored === acked && distinctIds === stored },
      besideDaemon,
      ...(profile ? { profile } : {}),
      targets: {
        throughputRatio: { want: '>= 0.5', met: ratio(receiverResult.throughput, bareResult.throughput) >= 0.5 },
        p99Ms: { want: '< 50', met: receiverResult.latencyMs.p99 < 50 },
        p999Ms: { want: '< 1000 (SPEC §6)', met: receiverResult.latencyMs.p999 < 1000 },
      },
    };
  } finally {
    await receiver.close().catch(() => undefined);
    await bare.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--requests`, `--seconds`, `--connections`, `--rounds`, `--warmup`, `--besideSeconds` (0 skips the
 * one-process part), `--besideBacklog`, `--profile DIR` from the command line.
 */
export function ingestArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(Object.keys(INGEST_DEFAULTS).map((k) => [k, { type: 'string' }])), profile: { type: 'string' } },
    strict: false,
  });
  return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => [k, k === 'profile' ? v : Number(v)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runIngest(ingestArgs(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
