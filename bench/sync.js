/**
 * Reconciliation at scale (SPEC §12): `wecom-relay sync` (a child process, so its RSS is its own) against
 * the mock WeCom API serving one generated corp, pacing off (wecomApi.corpRateLimit raised out of the way),
 * SQLite store. Per size: the baseline run (every id listed and stored) and a second run with nothing
 * changed (list + diff), with wall time, WeCom calls and the child's peak RSS (VmHWM). Then how the time
 * grows with the corp: the ratio of the largest to the smallest, against the ratio of their sizes.
 *
 *   node bench/sync.js [--quick]       (build first: npm run build)
 *
 * Full: members 10k / 25k / 50k / 100k with half as many customer pairs (100k members + 50k pairs at the
 * top). `--quick`: 2k / 5k.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '../dist');
const CLI = join(DIST, 'daemon/cli.js');
const { values: args } = parseArgs({ options: { quick: { type: 'boolean' } }, strict: true });
const SIZES = args.quick ? [2_000, 5_000] : [10_000, 25_000, 50_000, 100_000];
const SUITE_ID = 'wwBENCHsuite00001';
const SUITE_SECRET = 'bench-suite-secret';

const { startMockWecomApi } = await import(join(DIST, 'daemon/mock-api/start-mock-wecom-api.js'));
const { createStore } = await import(join(DIST, 'src/store/create-store.js'));
const { WecomApiClient } = await import(join(DIST, 'src/wecom-api/client.js'));
const { SuiteApi } = await import(join(DIST, 'src/wecom-api/suite-api.js'));
const { TokenProviders } = await import(join(DIST, 'src/wecom-api/token-providers.js'));

/** Runs the CLI; resolves its wall time, exit code, JSON lines and peak RSS (VmHWM, polled from /proc). */
function runSync(config) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'sync', '-c', config, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch { /* exited */ }
    }, 50);
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      resolve({ code, err, lines, ms: performance.now() - started, peakRssMB: Math.round(peakKb / 1024) });
    });
  });
}

async function measure(members) {
  const pairs = Math.floor(members / 2);
  const corpId = `wwBENCH${members}`;
  const dir = mkdtempSync(join(tmpdir(), 'wr-bench-sync-'));
  const mock = await startMockWecomApi({ suiteId: SUITE_ID, suiteSecret: SUITE_SECRET, tokenTtlSeconds: 7200 });
  try {
    mock.seedLargeCorp({ corpId, members, pairs, chats: Math.floor(members / 100), tags: 200 });
    const storeUrl = `sqlite:${join(dir, 'relay.db')}`;
    const store = await createStore(storeUrl);
    const client = new WecomApiClient({ baseUrl: mock.url });
    const app = { name: 'bench', kind: 'suite', id: SUITE_ID, secret: SUITE_SECRET, token: 'benchtoken', encodingAESKey: 'a'.repeat(43), dataPath: '/d', commandPath: '/c' };
    const tokens = new TokenProviders({ apps: [app], store, api: new SuiteApi(client) }).get(SUITE_ID);
    const ticket = mock.issueSuiteTicket();
    await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
    await tokens.exchangeAuthCode(mock.issueAuthCode({ corpId }).authCode);
    await tokens.getCorpToken(corpId);
    client.close();
    await store.close();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      suite: { id: SUITE_ID, secret: SUITE_SECRET, token: 'benchtoken', encodingAESKey: 'a'.repeat(43) },
      store: storeUrl,
      // Pacing off: the per-corp queue out of the way (the default is 150 calls/s, 5 in flight).
      wecomApi: { baseUrl: mock.url, timeoutMs: 60_000, corpRateLimit: { concurrency: 100, intervalCap: 1_000_000, intervalMs: 1000 } },
      log: { level: 'silent' },
    }));
    const runs = [];
    for (const label of ['baseline', 'unchanged']) {
      mock.clearCalls();
      const run = await runSync(config);
      if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.err}`);
      const scopes = Object.fromEntries(run.lines.filter((l) => l.type === 'scope').map((l) => [l.scope, { status: l.status, total: l.total, pages: l.pages, added: l.added, removed: l.removed }]));
      runs.push({ run: label, seconds: Math.round(run.ms) / 1000, wecomCalls: mock.calls.filter((c) => c.path !== 'service/get_corp_token' && c.path !== 'service/get_suite_token').length, peakRssMB: run.peakRssMB, scopes });
    }
    return { members, pairs, runs };
  } finally {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const members of SIZES) {
  const result = await measure(members);
  results.push(result);
  for (const r of result.runs) process.stderr.write(`members ${members} pairs ${result.pairs} ${r.run}: ${r.seconds}s, ${r.wecomCalls} WeCom calls, peak RSS ${r.peakRssMB} MB\n`);
}
const first = results[0];
const last = results[results.length - 1];
const growth = {
  sizeRatio: last.members / first.members,
  baselineTimeRatio: Math.round((last.runs[0].seconds / first.runs[0].seconds) * 100) / 100,
  unchangedTimeRatio: Math.round((last.runs[1].seconds / first.runs[1].seconds) * 100) / 100,
};
const peak = Math.max(...results.flatMap((r) => r.runs.map((x) => x.peakRssMB)));
const summary = { machine: machineInfo(), sizes: results, growth, peakRssMB: peak, target: { peakRssMB: 300, met: peak < 300 } };
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
