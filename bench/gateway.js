/**
 * The credential gateway's overhead (issue 12): N calls of one corp API (`POST externalcontact/get_corp_tag_list`)
 * through the gateway (`/v1/apps/{app}/corps/{corp}/cgi-bin/…`, key check, corp check, token from the
 * provider's cache, the per-corp queue, audit line, metrics) against the same calls straight to the mock
 * WeCom API with the corp's token, in the same run, at the same concurrency: direct, gateway, direct again
 * (the gateway is compared with the mean of the two direct runs).
 *
 * The mock runs as a child process (`wecom-relay mock-api`), the load generator in another
 * (bench/lib/load.js), the relay (mode `daemon`, SQLite store, the gateway on) in this process. Calls are
 * spread over `--corps` installed corps: the per-corp queue paces each corp at 150 calls/s (WeCom's limit
 * is 10,000/min per corp and API), so one corp would measure the pacing, not the gateway.
 *
 *   node bench/gateway.js [--calls 10000] [--concurrency 16] [--corps 64] [--profile FILE.cpuprofile]
 *
 * Needs the built library (`npm run build`). Loopback only; stops by itself.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { validateConfig } from '../dist/daemon/config.js';
import { createLogger } from '../dist/daemon/logger.js';
import { runRelay } from '../dist/daemon/run-relay.js';
import { startBareProxy } from './lib/bare-proxy.js';
import { runLoadInChild } from './lib/load.js';
import { startProfile } from './lib/profile.js';
import { machineInfo } from './lib/machine.js';
import { ratio, round, summarize, table } from './lib/stats.js';

const SUITE = 'ww917724cb573d8629';
const CLI = fileURLToPath(new URL('../dist/daemon/cli.js', import.meta.url));
const PATH = 'externalcontact/get_corp_tag_list';

/** Defaults: 10,000 calls, 16 concurrent, 64 corps. */
export const GATEWAY_DEFAULTS = Object.freeze({ calls: 10_000, concurrency: 16, corps: 64 });

/** Starts `wecom-relay mock-api --port 0` and resolves its URL and a stop function. */
async function startMockChild(secret) {
  const child = spawn(process.execPath, [CLI, 'mock-api', '--port', '0', '--suite-id', SUITE, '--suite-secret', secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`mock-api exited with ${code}`)));
  });
  return { url, stop: () => { child.kill('SIGTERM'); } };
}

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

/**
 * @param {Partial<typeof GATEWAY_DEFAULTS>} [options]
 */
export async function runGateway(options = {}) {
  const { calls, concurrency, corps } = { ...GATEWAY_DEFAULTS, ...options };
  // options.profile: a file to write the CPU profile of this process during the gateway run to.
  const secret = 'bench-gateway-secret';
  const key = 'bench-gateway-key-0123456789abcdef0123456789';
  const dir = mkdtempSync(join(tmpdir(), 'wr-bench-gateway-'));
  const mock = await startMockChild(secret);
  const config = validateConfig({
    suite: { id: SUITE, secret, token: 'benchtoken', encodingAESKey: 'a'.repeat(43) },
    store: `sqlite:${join(dir, 'relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    enrich: false,
    gateway: { port: 0, keys: [{ name: 'bench', key }] },
    targets: [],
  }, {});
  // Info level, as deployed: every call writes its audit line (to nowhere, but formatted).
  const logger = createLogger({ level: 'info', destination: { write() {} } });
  const relay = await runRelay({ config, mode: 'daemon', logger });
  try {
    const tokens = relay.daemon.tokens;
    const ticket = await post(`${mock.url}/__mock/suite_ticket`, {});
    await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
    const corpIds = [];
    for (let i = 0; i < corps; i++) {
      const corpId = `wwbench${String(i).padStart(11, '0')}`;
      const issued = await post(`${mock.url}/__mock/auth_code`, { corpId });
      await tokens.exchangeAuthCode(issued.authCode);
      corpIds.push(corpId);
    }
    const corpTokens = await Promise.all(corpIds.map((corpId) => tokens.getCorpToken(corpId)));
    const body = '{}';
    const json = { 'content-type': 'application/json' };
    const direct = Array.from({ length: calls }, (_, i) => ({ path: `/cgi-bin/${PATH}?access_token=${encodeURIComponent(corpTokens[i % corps])}`, body, headers: json }));
    const proxied = Array.from({ length: calls }, (_, i) => ({ path: `/v1/apps/${SUITE}/corps/${corpIds[i % corps]}/cgi-bin/${PATH}`, body, headers: { ...json, authorization: `Bearer ${key}` } }));
    const run = async (url, requests) => {
      const result = await runLoadInChild({ url, requests, connections: concurrency, maxMs: 120_000 });
      return { ok: result.ok, sent: result.sent, errors: result.errors, statuses: result.statuses, throughput: round(result.ok / (result.elapsedMs / 1000), 1), latencyMs: summarize(result.latencies) };
    };
    // Warm-up of both paths (keep-alive sockets, JIT), not measured.
    await run(mock.url, direct.slice(0, 500));
    await run(relay.gateway.url, proxied.slice(0, 500));
    const directBefore = await run(mock.url, direct);
    const stopProfile = options.profile ? await startProfile() : undefined;
    const cpu = process.cpuUsage();
    const gateway = await run(relay.gateway.url, proxied);
    await stopProfile?.(options.profile);
    const used = process.cpuUsage(cpu);
    gateway.relayCpuMsPerCall = round((used.user + used.system) / 1000 / Math.max(1, gateway.ok));
    // The floor: the same calls through a bare Node proxy in this process (no keys, routes, tokens, pacing,
    // audit or metrics), i.e. what any proxy process in the chain costs on this machine.
    const tokenOf = new Map(corpIds.map((corpId, i) => [corpId, corpTokens[i]]));
    const bare = await startBareProxy(mock.url, (url) => {
      const match = /^\/v1\/apps\/[^/]+\/corps\/([^/]+)\/cgi-bin\/([^?]+)/.exec(url);
      return `/cgi-bin/${match?.[2] ?? ''}?access_token=${encodeURIComponent(tokenOf.get(match?.[1] ?? '') ?? '')}`;
    });
    let bareProxy;
    try {
      await run(bare.url, proxied.slice(0, 500));
      const bareCpu = process.cpuUsage();
      bareProxy = await run(bare.url, proxied);
      const bareUsed = process.cpuUsage(bareCpu);
      bareProxy.relayCpuMsPerCall = round((bareUsed.user + bareUsed.system) / 1000 / Math.max(1, bareProxy.ok));
    } finally {
      await bare.close();
    }
    const directAfter = await run(mock.url, direct);
    const baseThroughput = (directBefore.throughput + directAfter.throughput) / 2;
    const baseP50 = (directBefore.latencyMs.p50 + directAfter.latencyMs.p50) / 2;
    const throughputRatio = ratio(gateway.throughput, baseThroughput);
    const p50OverheadMs = round(gateway.latencyMs.p50 - baseP50);
    const bareRatio = ratio(bareProxy.throughput, baseThroughput);
    return {
      calls, concurrency, corps,
      directBefore, gateway, bareProxy, directAfter,
      throughputRatio, p50OverheadMs,
      bare: { throughputRatio: bareRatio, p50OverheadMs: round(bareProxy.latencyMs.p50 - baseP50), gatewayVsBare: ratio(gateway.throughput, bareProxy.throughput) },
      targets: { throughputRatio: { want: '>= 0.6', met: throughputRatio >= 0.6 }, p50OverheadMs: { want: '< 2', met: p50OverheadMs < 2 } },
    };
  } finally {
    await relay.stop();
    mock.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, concurrency: { type: 'string' }, corps: { type: 'string' }, profile: { type: 'string' } }, strict: true });
  const options = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === 'profile' ? v : Number(v)]));
  const machine = machineInfo();
  process.stderr.write(`bench gateway: node ${machine.node}, ${machine.nproc} CPUs, load ${machine.loadavg.join(' ')}\n`);
  const r = await runGateway(options);
  process.stdout.write(`${table([
    ['run', 'ok', 'calls/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    ...[['direct (before)', r.directBefore], ['gateway', r.gateway], ['bare proxy', r.bareProxy], ['direct (after)', r.directAfter]].map(([name, x]) => [name, x.ok, x.throughput, x.latencyMs.p50, x.latencyMs.p90, x.latencyMs.p99, x.latencyMs.max]),
  ])}\n\nrelay CPU per gateway call ${r.gateway.relayCpuMsPerCall} ms; throughput ratio ${r.throughputRatio} (target ${r.targets.throughputRatio.want}: ${r.targets.throughputRatio.met ? 'met' : 'NOT met'}), p50 overhead ${r.p50OverheadMs} ms (target ${r.targets.p50OverheadMs.want}: ${r.targets.p50OverheadMs.met ? 'met' : 'NOT met'})\nbare Node proxy (the floor of any proxy process here): ratio ${r.bare.throughputRatio}, p50 overhead ${r.bare.p50OverheadMs} ms, CPU per call ${r.bareProxy.relayCpuMsPerCall} ms; gateway / bare ${r.bare.gatewayVsBare}; load after ${machineInfo().loadavg.join(' ')}\n`);
}
