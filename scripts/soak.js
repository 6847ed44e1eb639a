#!/usr/bin/env node
// Soak (docs/reliability.md): receiver + daemon (SQLite store, enrichment on) + mock WeCom API + a local
// sink in this process, on 127.0.0.1, like `wecom-relay start`. A worker thread (its own event loop, so
// the client's timing is not the server's) holds a steady callback rate for a bounded time, retrying a
// non-200 like WeCom; then the daemon drains. Reports throughput, ack latency (p50/p99/p99.9/max), the
// server's event-loop delay, end-to-end latency, RSS every 10 s and lost events (acked − delivered −
// dead), which must be 0. Exits 1 if anything was lost, a callback was never acked, or the drain did
// not finish in time.
//
//   npm run build && node scripts/soak.js [--seconds 180] [--rate 200] [--drain 300] [--out soak.json]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { buildXml, eventId, sampleCallback, sealCallback } from '../dist/src/index.js';
import { namespaces } from '../dist/src/store/namespaces.js';

const SUITE = 'ww917724cb573d8629';
const CORP = 'wxf8b4f85f3a794e77';
/** The mix: customer events (externalcontact/get), messages (no enrichment), chats, members, tags. */
const MIX = [
  ...Array(8).fill('add_external_contact'), ...Array(4).fill('text'), ...Array(3).fill('chat_update'),
  ...Array(3).fill('update_user'), ...Array(2).fill('tag_update'),
];

/** Seals one sample callback as WeCom would send it. */
function seal(keys, paths, kind, fields = {}, seq = 0, now = new Date()) {
  const sample = sampleCallback(kind, { suiteId: SUITE, corpId: CORP, now, seq });
  const plaintext = buildXml({ ...sample.fields, ...fields });
  const receiveId = sample.endpoint === 'data' ? CORP : SUITE;
  const sealed = sealCallback({ ...keys, receiveId, plaintext });
  return { id: eventId(SUITE, receiveId, plaintext), path: sample.endpoint === 'data' ? paths.data : paths.command, sealed };
}

function poster(url) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const post = (path, sealed) => new Promise((resolve) => {
    const query = new URLSearchParams(sealed.query).toString();
    const req = request({
      host: target.hostname, port: target.port, method: 'POST', path: `${path}?${query}`, agent,
      headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(sealed.body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(sealed.body);
  });
  return { post, close: () => agent.destroy() };
}

if (!isMainThread) {
  // ── The load generator (worker thread) ──────────────────────────────────────────────────────────────
  const { url, keys, paths, rate, seconds, baseNow } = workerData;
  const { post, close } = poster(url);
  const acked = [];
  const latencies = [];
  let sent = 0;
  let answered = 0;
  let non200 = 0;
  const non200ByStatus = {};
  let neverAcked = 0;
  const now = new Date(baseNow);
  const sendOne = async (seq) => {
    const { id, path, sealed } = seal(keys, paths, MIX[seq % MIX.length], {}, seq, now);
    try {
      // Like WeCom: a callback not answered `success` is sent again (three more times here, 200 ms apart).
      for (let attempt = 0; attempt < 4; attempt++) {
        const t0 = performance.now();
        const status = await post(path, sealed);
        latencies.push(performance.now() - t0);
        if (status === 200) {
          acked.push(id);
          return;
        }
        non200 += 1;
        non200ByStatus[status] = (non200ByStatus[status] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 200));
      }
      neverAcked += 1;
    } finally {
      answered += 1;
    }
  };
  const started = performance.now();
  const progress = setInterval(() => parentPort.postMessage({ type: 'progress', acked: acked.length }), 1000);
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(Math.floor(((performance.now() - started) / 1000) * rate), Math.floor(seconds * rate));
      while (sent < due) void sendOne(sent++);
      if (sent >= seconds * rate) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  while (answered < sent) await new Promise((r) => setTimeout(r, 20));
  clearInterval(progress);
  close();
  parentPort.postMessage({ type: 'done', acked, latencies, sent, non200, non200ByStatus, neverAcked, seconds: (performance.now() - started) / 1000 });
} else {
  await main();
}

async function main() {
  const { validateConfig } = await import('../dist/daemon/config.js');
  const { createLogger } = await import('../dist/daemon/logger.js');
  const { startMockWecomApi } = await import('../dist/daemon/mock-api/start-mock-wecom-api.js');
  const { runRelay } = await import('../dist/daemon/run-relay.js');

  const option = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    if (i === -1) return fallback;
    const value = process.argv[i + 1];
    if (name === 'out') return value;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`--${name} expects a positive number`);
      process.exit(2);
    }
    return n;
  };
  const SECONDS = option('seconds', 180);
  const RATE = option('rate', 200);
  const DRAIN_SECONDS = option('drain', 300);
  const OUT = option('out', undefined);
  const SAMPLE_EVERY_MS = 10_000;
  const mib = (bytes) => Math.round(bytes / 1048576);
  const percentile = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  const round = (n) => Math.round(n * 100) / 100;

  // ── The pieces ──────────────────────────────────────────────────────────────────────────────────────
  const dataDir = mkdtempSync(join(tmpdir(), 'wecom-relay-soak-'));
  const suiteSecret = randomBytes(24).toString('hex');
  const keys = { token: randomBytes(12).toString('hex'), encodingAESKey: randomBytes(32).toString('base64').slice(0, 43) };
  const mock = await startMockWecomApi({ suiteId: SUITE, suiteSecret });

  const seen = new Map(); // event id → times the sink received it
  const e2e = [];
  const sink = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      const id = req.headers['webhook-id'];
      seen.set(id, (seen.get(id) ?? 0) + 1);
      try {
        e2e.push(Date.now() - Date.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')).receivedAt));
      } catch {
        // counted by id only
      }
    });
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}`;

  const logCounts = { warn: 0, error: 0, fatal: 0 };
  const messages = new Map();
  const logger = createLogger({
    level: 'warn',
    destination: {
      write(line) {
        const { level, msg } = JSON.parse(line);
        logCounts[level >= 60 ? 'fatal' : level >= 50 ? 'error' : 'warn'] += 1;
        messages.set(msg, (messages.get(msg) ?? 0) + 1);
      },
    },
  });
  const config = validateConfig({
    suite: { id: SUITE, secret: suiteSecret, ...keys },
    receiver: { host: '127.0.0.1', port: 0 },
    store: `sqlite:${join(dataDir, 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    log: { level: 'warn' },
    targets: [{ name: 'soak', url: `${sinkUrl}/hooks`, format: 'json', secret: `whsec_${randomBytes(24).toString('base64')}`, rateLimit: { count: 2000, intervalMs: 1000 }, concurrency: 16 }],
  }, {});
  const relay = await runRelay({ config, mode: 'start', logger });
  const paths = { data: config.receiver.dataPath, command: config.receiver.commandPath };

  // ── Install the corp (suite_ticket, create_auth) as WeCom would; count its deliveries out ─────────────
  let baseline = { delivered: 0, dead: 0 };
  const targetStats = async () => {
    const stats = await relay.store.stats(Date.now());
    const d = stats.deliveries.soak ?? { pending: 0, delivered: 0, dead: 0 };
    return { callbacksPending: stats.callbacks.pending, pending: d.pending, delivered: d.delivered - baseline.delivered, dead: d.dead - baseline.dead };
  };
  {
    const installer = poster(relay.receiver.url);
    const { ticket, timestamp } = mock.issueSuiteTicket();
    const { authCode } = mock.issueAuthCode();
    const a = seal(keys, paths, 'suite_ticket', { SuiteTicket: ticket, TimeStamp: String(timestamp) });
    const b = seal(keys, paths, 'create_auth', { AuthCode: authCode });
    if ((await installer.post(a.path, a.sealed)) !== 200 || (await installer.post(b.path, b.sealed)) !== 200) throw new Error('install callbacks were refused');
    installer.close();
    const deadline = Date.now() + 15_000;
    let d = await targetStats();
    while ((await relay.store.getKv(namespaces.corp, CORP))?.value?.state !== 'active' || d.pending > 0 || d.callbacksPending > 0 || d.delivered === 0) {
      if (Date.now() > deadline) throw new Error('the corp was not authorized within 15 s');
      await new Promise((r) => setTimeout(r, 50));
      d = await targetStats();
    }
    baseline = { delivered: d.delivered, dead: d.dead };
  }

  // ── Steady load from the worker; the server's event loop is watched ──────────────────────────────────
  const loadBefore = loadavg().map((n) => round(n));
  console.log(`soak: ${RATE} callbacks/s for ${SECONDS} s through ${relay.receiver.url} (store ${config.store}), sink ${sinkUrl}`);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${loadBefore.join(' ')}, node ${process.version}`);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const samples = [];
  let ackedSoFar = 0;
  const started = performance.now();
  const sample = async (phase) => {
    const d = await targetStats();
    const mem = process.memoryUsage();
    const row = {
      t: Math.round((performance.now() - started) / 1000), phase, acked: ackedSoFar, delivered: d.delivered, dead: d.dead,
      pendingCallbacks: d.callbacksPending, pendingDeliveries: d.pending, rssMiB: mib(mem.rss), heapMiB: mib(mem.heapUsed),
    };
    samples.push(row);
    console.log(`  t=${String(row.t).padStart(4)}s ${phase.padEnd(5)} acked ${String(row.acked).padStart(6)}  delivered ${String(row.delivered).padStart(6)}  dead ${row.dead}  pending callbacks/deliveries ${row.pendingCallbacks}/${row.pendingDeliveries}  rss ${row.rssMiB} MiB  heap ${row.heapMiB} MiB`);
  };
  await sample('load');
  const sampler = setInterval(() => { void sample('load'); }, SAMPLE_EVERY_MS);
  const load = await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { url: relay.receiver.url, keys, paths, rate: RATE, seconds: SECONDS, baseNow: Date.now() },
    });
    worker.on('message', (m) => {
      if (m.type === 'progress') ackedSoFar = m.acked;
      else if (m.type === 'done') resolve(m);
    });
    worker.on('error', reject);
  });
  clearInterval(sampler);
  ackedSoFar = load.acked.length;
  const loopDelay = { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) };
  loop.disable();

  // ── Drain ───────────────────────────────────────────────────────────────────────────────────────────
  const acked = new Set(load.acked);
  const drainStarted = performance.now();
  const drainSampler = setInterval(() => { void sample('drain'); }, SAMPLE_EVERY_MS);
  let drained = false;
  while ((performance.now() - drainStarted) / 1000 < DRAIN_SECONDS) {
    const d = await targetStats();
    if (d.callbacksPending === 0 && d.pending === 0 && d.delivered + d.dead >= acked.size) {
      drained = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  clearInterval(drainSampler);
  await sample('end');
  const drainSeconds = (performance.now() - drainStarted) / 1000;

  // ── Account for every acked event, from the store ───────────────────────────────────────────────────
  let delivered = 0;
  let dead = 0;
  let pending = 0;
  let missing = 0;
  let deliveredUnseen = 0;
  for (const id of acked) {
    const delivery = await relay.store.getDelivery(`${id}:soak`);
    if (delivery?.state === 'delivered') {
      delivered += 1;
      if (!seen.has(id)) deliveredUnseen += 1;
    } else if (delivery?.state === 'dead') {
      dead += 1;
    } else if (delivery !== undefined || (await relay.store.getCallback(id))?.state === 'pending') {
      pending += 1; // still queued when the drain bound ran out: late, not lost
    } else {
      missing += 1;
    }
  }
  const duplicates = [...seen.values()].reduce((n, times) => n + times - 1, 0);
  const lost = acked.size - delivered - dead;

  const latencies = load.latencies.sort((a, b) => a - b);
  e2e.sort((a, b) => a - b);
  const rss = samples.map((s) => s.rssMiB);
  const summary = {
    node: process.version,
    cpus: availableParallelism(),
    loadAverage: { before: loadBefore, after: loadavg().map((n) => round(n)) },
    rate: RATE,
    seconds: SECONDS,
    callbacksSent: load.sent,
    acked: acked.size,
    neverAcked: load.neverAcked,
    non200Answers: load.non200,
    non200ByStatus: load.non200ByStatus,
    ackThroughputPerSecond: round(acked.size / load.seconds),
    deliveryThroughputPerSecond: round(delivered / ((performance.now() - started) / 1000)),
    ackLatencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), p999: round(percentile(latencies, 0.999)), max: round(latencies.at(-1) ?? 0) },
    serverEventLoopDelayMs: loopDelay,
    endToEndMs: { p50: percentile(e2e, 0.5), p99: percentile(e2e, 0.99), max: e2e.at(-1) ?? 0 },
    delivered, dead, lost, pendingAtEnd: pending, missing, deliveredUnseen, duplicatesAtSink: duplicates,
    drained, drainSeconds: round(drainSeconds),
    enrichmentApiCalls: mock.calls.filter((c) => !c.path.startsWith('service/')).length,
    rssMiB: { start: rss[0], max: Math.max(...rss), end: rss.at(-1) },
    logs: { ...logCounts, messages: Object.fromEntries(messages) },
    samples,
  };

  console.log('');
  console.log(`acked ${summary.acked}/${load.sent} callbacks in ${load.seconds.toFixed(1)} s = ${summary.ackThroughputPerSecond}/s; non-200 answers ${load.non200} ${JSON.stringify(load.non200ByStatus)} (status 0 = no answer within 10 s), never acked ${load.neverAcked}`);
  console.log(`ack latency ms: p50 ${summary.ackLatencyMs.p50}  p99 ${summary.ackLatencyMs.p99}  p99.9 ${summary.ackLatencyMs.p999}  max ${summary.ackLatencyMs.max}`);
  console.log(`server event-loop delay ms (during load): p50 ${loopDelay.p50}  p99 ${loopDelay.p99}  max ${loopDelay.max}`);
  console.log(`end-to-end (receipt → sink) ms: p50 ${summary.endToEndMs.p50}  p99 ${summary.endToEndMs.p99}  max ${summary.endToEndMs.max}`);
  console.log(`delivered ${delivered}, dead ${dead}, lost ${lost} (acked − delivered − dead; of which still pending ${pending}, without any record ${missing}); duplicates at the sink ${duplicates}; delivered but unseen by the sink ${deliveredUnseen}; drain ${summary.drainSeconds} s${drained ? '' : ' (bound reached)'}`);
  console.log(`load average before ${loadBefore.join(' ')}, after ${summary.loadAverage.after.join(' ')}`);
  console.log(`RSS MiB: start ${summary.rssMiB.start}, max ${summary.rssMiB.max}, end ${summary.rssMiB.end}; enrichment API calls ${summary.enrichmentApiCalls}; log lines warn/error ${logCounts.warn}/${logCounts.error}`);
  for (const [msg, n] of messages) console.log(`  log (warn or worse) ×${n}: ${msg}`);
  if (OUT) writeFileSync(OUT, `${JSON.stringify(summary, null, 2)}\n`);

  await relay.stop();
  await mock.close();
  await new Promise((resolve) => { sink.close(resolve); sink.closeAllConnections(); });
  rmSync(dataDir, { recursive: true, force: true });
  const ok = lost === 0 && load.neverAcked === 0 && drained;
  console.log(ok ? 'soak passed: nothing lost' : 'soak FAILED');
  process.exit(ok ? 0 : 1);
}
