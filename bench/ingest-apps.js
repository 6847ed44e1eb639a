/**
 * Ingest with several apps on shared paths (SPEC §10) against one app, in the same run: the real receiver
 * on SQLite (fsync'd group commits) serving
 *   - one app: a suite on the command and data paths (the baseline), and
 *   - three apps: that suite, a customized template on the same two paths and a contact-edit
 *     authorization on the same command path, each with its own Token and key,
 * both loaded with distinct, encrypted and signed callbacks; the three-app receiver's callbacks are a third
 * each app's, so it must find the app by signature (every candidate's Token checked) before it decrypts.
 * Rounds alternate A-B-B-A so load from other processes hits both alike.
 *
 *   node bench/ingest-apps.js [--requests 20000] [--seconds 10] [--connections 32] [--rounds 2] [--warmup 1000]
 *
 * Goal: three apps ≥ 0.9 × one app's req/s. Needs the built library (`npm run build`). Loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sealCallback } from '../dist/src/crypto/seal-callback.js';
import { verifySignature } from '../dist/src/crypto/signature.js';
import { sampleCallback } from '../dist/src/events/samples.js';
import { startReceiver } from '../dist/src/receiver/standalone.js';
import { COMMAND_PATH, CORP_ID, DATA_PATH, SUITE_ID, generateCredentials } from './lib/fixtures.js';
import { measureServer } from './lib/measure-server.js';
import { ratio, round, summarize } from './lib/stats.js';

export const INGEST_APPS_DEFAULTS = Object.freeze({ requests: 20_000, seconds: 10, connections: 32, rounds: 2, warmup: 1_000 });

/** The three apps on shared paths; the first is the one-app baseline's suite. */
function benchApps() {
  return [
    { name: 'crm', kind: 'suite', id: SUITE_ID, ...generateCredentials(), dataPath: DATA_PATH, commandPath: COMMAND_PATH },
    { name: 'tpl', kind: 'customized', id: 'dkbenchtemplate001', ...generateCredentials(), dataPath: DATA_PATH, commandPath: COMMAND_PATH },
    { name: 'hr', kind: 'contact_edit', id: 'wwbenchcontactedit', ...generateCredentials(), commandPath: COMMAND_PATH },
  ];
}

/**
 * `count` distinct sealed `add_external_contact` callbacks numbered from `from`, for `apps` in turn (sample
 * i is app i mod n's, sealed with its Token and key, its SuiteId in the plaintext).
 */
function sealedFor(apps, from, count, now, seen) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const seq = from + i;
    const app = apps[seq % apps.length];
    const s = sampleCallback('add_external_contact', { suiteId: app.id, corpId: CORP_ID, now, seq });
    if (seen.has(s.plaintext)) throw new Error(`sample ${seq} repeats an earlier plaintext`);
    seen.add(s.plaintext);
    const sealed = sealCallback({ token: app.token, encodingAESKey: app.encodingAESKey, receiveId: app.id, plaintext: s.plaintext });
    const path = s.endpoint === 'command' ? app.commandPath : app.dataPath;
    out[i] = { path: `${path}?${new URLSearchParams(sealed.query)}`, body: sealed.body };
  }
  return out;
}

/**
 * The cost of finding the app, alone and in this process: `msg_signature` checked against one Token (one
 * app) and against all three Tokens (as the receiver does on a shared path: every candidate, no early
 * exit), over the same sealed callbacks, alternating A-B-B-A. CPU-bound, so steadier than req/s on a
 * loaded machine. Resolves microseconds per callback for each and the difference.
 */
function signatureCost(apps, now, iterations = 20_000, repeats = 4) {
  const sealed = Array.from({ length: 3_000 }, (_, seq) => {
    const app = apps[seq % apps.length];
    const s = sampleCallback('add_external_contact', { suiteId: app.id, corpId: CORP_ID, now, seq: 10_000_000 + seq });
    return sealCallback({ token: app.token, encodingAESKey: app.encodingAESKey, receiveId: app.id, plaintext: s.plaintext });
  });
  const run = (tokens) => {
    const t0 = process.cpuUsage();
    let matched = 0;
    for (let i = 0; i < iterations; i++) {
      const { query, encrypt } = sealed[i % sealed.length];
      for (const token of tokens) if (verifySignature(query.msg_signature, token, query.timestamp, query.nonce, encrypt)) matched++;
    }
    const used = process.cpuUsage(t0);
    return { us: (used.user + used.system) / iterations, matched };
  };
  const one = [];
  const three = [];
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? ['one', 'three'] : ['three', 'one'];
    for (const name of order) (name === 'one' ? one : three).push(run(name === 'one' ? [apps[0].token] : apps.map((app) => app.token)).us);
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { oneTokenUsPerCallback: round(mean(one), 2), threeTokensUsPerCallback: round(mean(three), 2), extraUsPerCallback: round(mean(three) - mean(one), 2) };
}

function combine(runs) {
  const latencies = Float64Array.from(runs.flatMap((r) => Array.from(r.load.latencies)));
  const answered = runs.reduce((n, r) => n + r.load.latencies.length, 0);
  const elapsedMs = runs.reduce((n, r) => n + r.load.elapsedMs, 0);
  return {
    requests: runs.reduce((n, r) => n + r.load.sent, 0),
    success: runs.reduce((n, r) => n + r.load.expected, 0),
    errors: runs.reduce((n, r) => n + r.load.errors, 0),
    throughput: round(answered / (elapsedMs / 1000), 1),
    perRound: runs.map((r) => round(r.load.latencies.length / (r.load.elapsedMs / 1000), 1)),
    cpuMsPerRequest: round(runs.reduce((n, r) => n + r.cpuMs, 0) / Math.max(1, answered)),
    latencyMs: summarize(latencies),
  };
}

/**
 * Runs the several-apps ingest benchmark and resolves its results.
 * @param {Partial<typeof INGEST_APPS_DEFAULTS> & { log?: (line: string) => void }} [overrides]
 */
export async function runIngestApps(overrides = {}) {
  const options = { ...INGEST_APPS_DEFAULTS, ...overrides };
  const log = overrides.log ?? ((line) => process.stderr.write(`${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'wecom-relay-bench-apps-'));
  const apps = benchApps();
  const one = [apps[0]];
  const perRound = Math.ceil(options.requests / options.rounds);
  const now = new Date();
  const seen = { one: new Set(), three: new Set() };
  log(`ingest-apps: sealing ${2 * (options.warmup + perRound * options.rounds)} distinct callbacks…`);
  const batches = {
    one: { warmup: sealedFor(one, 0, options.warmup, now, seen.one), rounds: Array.from({ length: options.rounds }, (_, r) => sealedFor(one, options.warmup + r * perRound, perRound, now, seen.one)) },
    three: { warmup: sealedFor(apps, 0, options.warmup, now, seen.three), rounds: Array.from({ length: options.rounds }, (_, r) => sealedFor(apps, options.warmup + r * perRound, perRound, now, seen.three)) },
  };
  const files = { one: join(dir, 'one.db'), three: join(dir, 'three.db') };
  const receivers = {
    one: await startReceiver({ host: '127.0.0.1', port: 0, apps: one, store: `sqlite:${files.one}`, maxClockSkewSeconds: 0 }),
    three: await startReceiver({ host: '127.0.0.1', port: 0, apps, store: `sqlite:${files.three}`, maxClockSkewSeconds: 0 }),
  };
  try {
    log('ingest-apps: warming up both receivers…');
    const warm = { ...options, seconds: 30 * options.rounds };
    const warmed = { one: await measureServer(receivers.one.url, batches.one.warmup, warm), three: await measureServer(receivers.three.url, batches.three.warmup, warm) };
    const runs = { one: [], three: [] };
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? ['one', 'three'] : ['three', 'one'];
      for (const name of order) {
        const run = await measureServer(receivers[name].url, batches[name].rounds[r], options);
        runs[name].push(run);
        log(`ingest-apps: round ${r + 1} ${name === 'one' ? 'one app   ' : 'three apps'} ${run.load.latencies.length} answers in ${round(run.load.elapsedMs, 0)} ms` +
          ` (${round(run.load.latencies.length / (run.load.elapsedMs / 1000), 0)} req/s, ${round(run.cpuMs / Math.max(1, run.load.latencies.length), 3)} CPU ms/req)`);
      }
    }
    await receivers.one.close();
    await receivers.three.close();
    const result = { one: combine(runs.one), three: combine(runs.three) };
    // Durability check: every `success` is a stored row; the three-app store holds each app's third.
    const count = (file) => {
      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT suite_id AS app, COUNT(*) AS n FROM callbacks GROUP BY suite_id').all();
      db.close();
      return Object.fromEntries(rows.map((row) => [row.app, row.n]));
    };
    const stored = { one: count(files.one), three: count(files.three) };
    const total = (byApp) => Object.values(byApp).reduce((n, v) => n + v, 0);
    const acked = { one: result.one.success + warmed.one.load.expected, three: result.three.success + warmed.three.load.expected };
    const throughputRatio = ratio(result.three.throughput, result.one.throughput);
    const signatures = signatureCost(apps, now);
    log(`ingest-apps: signature checks ${signatures.oneTokenUsPerCallback} µs (one Token) vs ${signatures.threeTokensUsPerCallback} µs (three) per callback`);
    return {
      options: { requests: options.requests, seconds: options.seconds, connections: options.connections, rounds: options.rounds, warmup: options.warmup },
      oneApp: result.one,
      threeApps: result.three,
      ratio: { throughput: throughputRatio, cpuPerRequest: ratio(result.three.cpuMsPerRequest, result.one.cpuMsPerRequest) },
      // The extra candidates' cost as a share of the one-app receiver's CPU per request.
      signatures: { ...signatures, shareOfOneAppCpu: round(signatures.extraUsPerCallback / 1000 / Math.max(1e-9, result.one.cpuMsPerRequest), 4) },
      store: { stored, acked, match: total(stored.one) === acked.one && total(stored.three) === acked.three },
      target: { want: '>= 0.9', met: throughputRatio >= 0.9 },
    };
  } finally {
    await receivers.one.close().catch(() => undefined);
    await receivers.three.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(INGEST_APPS_DEFAULTS).map((k) => [k, { type: 'string' }])), strict: true });
  const result = await runIngestApps(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)])));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
