/** The receiver beside a working daemon: a part of `bench/ingest.js`. */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { validateConfig } from '../../dist/daemon/config.js';
import { RelayDaemon } from '../../dist/daemon/relay-daemon.js';
import { startDaemonThread } from '../../dist/daemon/start-daemon-thread.js';
import { silentLogger } from '../../dist/src/logger.js';
import { startReceiver } from '../../dist/src/receiver/standalone.js';
import { createStore } from '../../dist/src/store/create-store.js';
import { spawnDaemon } from './daemon-process.js';
import { COMMAND_PATH, DATA_PATH, SUITE_ID, generateCredentials, sealedRequests } from './fixtures.js';
import { runLoadInChild } from './load.js';
import { measureServer } from './measure-server.js';
import { prefillStore } from './prefill.js';
import { startSink } from './sink.js';
import { round, summarize } from './stats.js';

/**
 * The receiver beside a running daemon, on one SQLite file, in three configurations, back to back:
 *
 * - `sameProcessIdle`: receiver and daemon in ONE process (what `wecom-relay start` runs), sharing the
 *   store; no backlog (the daemon still consumes and forwards every incoming callback to a local sink);
 * - `sameProcessDraining`: the same while the daemon drains a `besideBacklog` backlog;
 * - `separateProcessDraining`: the receiver here, the daemon as its own process (`wecom-relay daemon`, as
 *   with `serve` + `daemon`) draining the same backlog;
 * - `daemonThreadDraining`: the daemon in a worker thread of this process (what `wecom-relay start` runs
 *   now, `daemon/start-daemon-thread.ts`) draining the same backlog.
 *
 * better-sqlite3 is synchronous: in one process every daemon write (and its fsync) runs on the receiver's
 * event loop, which is what this part measures against the SPEC §6 bound.
 */
export async function ingestBesideDaemon(options, dir, log) {
  const credentials = generateCredentials();
  const prefillAt = Date.now();
  // A day later than the pre-filled events: no plaintext of the load repeats a pre-filled one.
  const now = new Date(prefillAt + 86_400_000);
  const seen = new Set();
  const perRun = Math.ceil(options.requests / 2);
  const sink = await startSink();
  const out = {};
  const configs = [
    { name: 'sameProcessIdle', backlog: 0, separate: false },
    { name: 'sameProcessDraining', backlog: options.besideBacklog, separate: false },
    { name: 'separateProcessDraining', backlog: options.besideBacklog, separate: true },
    { name: 'daemonThreadDraining', backlog: options.besideBacklog, separate: false, thread: true },
  ];
  try {
    for (const [index, { name, backlog, separate, thread }] of configs.entries()) {
      const file = join(dir, `beside-${name}.db`);
      if (backlog > 0) {
        log(`ingest+daemon: pre-filling a backlog of ${backlog} deliveries…`);
        await prefillStore(file, { count: backlog, target: 'sink', now: prefillAt });
      }
      const from = index * (perRun + 200);
      const warmup = sealedRequests(credentials, from, 200, now, seen);
      const requests = sealedRequests(credentials, from + 200, perRun, now, seen);
      const raw = {
        suite: { id: SUITE_ID, ...credentials }, store: `sqlite:${file}`, enrich: false, admin: { enabled: false },
        log: { level: separate ? 'warn' : 'silent' }, daemon: { shutdownTimeoutMs: 2_000 },
        targets: [{ name: 'sink', url: sink.url, format: 'json', concurrency: 32, rateLimit: { count: 100_000, intervalMs: 1_000 } }],
      };
      const config = validateConfig(raw, {});
      const store = await createStore(config.store);
      const receiver = await startReceiver({
        host: '127.0.0.1', port: 0, suiteId: SUITE_ID, ...credentials, store, maxClockSkewSeconds: 0, dataPath: DATA_PATH, commandPath: COMMAND_PATH,
      });
      const daemon = separate || thread ? null : new RelayDaemon({ config, store, logger: silentLogger });
      let child = null;
      let daemonThread = null;
      try {
        await runLoadInChild({ url: receiver.url, requests: warmup, connections: options.connections, maxMs: 30_000 });
        await sink.reset();
        if (separate) child = spawnDaemon(raw, dir, name);
        else if (thread) daemonThread = await startDaemonThread({ config, logger: { ...silentLogger, level: 'silent' }, store, registry: new Registry() });
        else daemon.start();
        // Idle: let the daemon forward the warm-up callbacks first. Draining: wait until it is delivering.
        const want = backlog === 0 ? warmup.length : 1;
        for (const t0 = performance.now(); (await sink.count()) < want && performance.now() - t0 < 30_000;) await sleep(20);
        await sink.reset();
        const run = await measureServer(receiver.url, requests, { ...options, seconds: options.besideSeconds, rounds: 1 });
        const forwarded = await sink.count();
        const answered = run.load.latencies.length;
        out[name] = {
          backlog, daemon: separate ? 'own process' : thread ? 'worker thread' : 'same process', requests: run.load.sent, success: run.load.expected,
          statuses: run.load.statuses, throughput: round(answered / (run.load.elapsedMs / 1000), 1), latencyMs: summarize(run.load.latencies),
          forwardedMeanwhile: forwarded, serverElu: round(run.serverElu),
        };
        log(`ingest+daemon: ${name.padEnd(23)} ${out[name].throughput} req/s, p99 ${out[name].latencyMs.p99} ms,` +
          ` p99.9 ${out[name].latencyMs.p999} ms, ${forwarded} forwarded meanwhile`);
      } finally {
        if (child) await child.stop(10_000);
        if (daemon) await daemon.stop(2_000);
        if (daemonThread) await daemonThread.stop(2_000);
        await receiver.close();
        await store.close();
      }
    }
  } finally {
    await sink.close();
  }
  const met = (r) => r.latencyMs.p999 < 1000;
  return {
    ...out,
    target: {
      want: 'p99.9 < 1000 ms beside a working daemon (SPEC §6)',
      met: Object.fromEntries(Object.entries(out).map(([k, r]) => [k, met(r)])),
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
