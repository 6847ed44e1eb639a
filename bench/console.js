/**
 * The console's overview with a full store: 100,000 stored events spread over the last 24 h, each with one
 * delivery to one of three targets (most delivered, some dead, some pending), all written through the
 * Store API in batches. Then `GET /` on the real admin server, timed a few times; prints the median.
 * The bound (issue 14): the overview renders in < 200 ms.
 *
 *   node bench/console.js [--events 100000] [--runs 7] [--db FILE]
 *
 * `--db FILE` keeps the filled store in FILE, and reuses it (no fill) when FILE exists.
 *
 * Needs the built library (`npm run build`). Loopback only; stops by itself.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAdminServer } from '../dist/daemon/admin/admin-server.js';
import { RelayMetrics } from '../dist/daemon/admin/metrics.js';
import { SqliteStore } from '../dist/src/store/sqlite.js';

const { values: args } = parseArgs({ options: { events: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' }, db: { type: 'string' } }, strict: true });
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);
const BATCH = 1000;
const TARGETS = ['crm', 'ops-chat', 'audit'];
const HOUR = 3_600_000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const dir = mkdtempSync(join(tmpdir(), 'wr-bench-console-'));
const file = args.db ?? join(dir, 'console.db');
const reuse = args.db !== undefined && existsSync(args.db);
const store = new SqliteStore(file);
// A reused store keeps its "now": the newest callback's time.
const now = reuse ? (await store.listCallbacks({ limit: 1 }))[0]?.receivedAt ?? Date.now() : Date.now();
const fillStarted = performance.now();
for (let from = 0; !reuse && from < EVENTS; from += BATCH) {
  const batch = [];
  for (let i = from; i < Math.min(EVENTS, from + BATCH); i++) {
    const at = now - 24 * HOUR + Math.floor((i / EVENTS) * 24 * HOUR);
    const fields = { InfoType: 'change_external_contact', ChangeType: 'add_external_contact', SuiteId: 'wwbenchsuite', AuthCorpId: 'wwbenchcorp', UserID: `u${i % 500}`, ExternalUserID: `wm${i}` };
    batch.push({ id: `evt_bench_${i}`, endpoint: 'command', suiteId: 'wwbenchsuite', receiveId: 'wwbenchsuite', receivedAt: at, plaintext: `<xml>${i}</xml>`, fields, type: 'external_contact.added', corpId: 'wwbenchcorp' });
  }
  await Promise.all(batch.map((cb) => store.putCallback(cb)));
  const last = batch[batch.length - 1].receivedAt;
  const claimed = await store.claimCallbacks({ owner: 'bench', limit: batch.length, leaseMs: 600_000, now: last });
  for (const cb of claimed) {
    const target = TARGETS[Number(cb.id.slice(10)) % TARGETS.length];
    const event = {
      id: cb.id, type: cb.type, timestamp: new Date(cb.receivedAt).toISOString(), receivedAt: new Date(cb.receivedAt).toISOString(),
      source: { endpoint: 'command', suiteId: 'wwbenchsuite', corpId: 'wwbenchcorp', agentId: null },
      data: { userId: cb.fields.UserID, externalUserId: cb.fields.ExternalUserID }, enrichment: { externalContact: { name: `客户 ${cb.id}` } }, enrichmentError: null, raw: cb.fields,
    };
    await store.completeCallback(cb.id, 'bench', { event, targets: [target], now: cb.receivedAt });
  }
  for (const target of TARGETS) {
    const deliveries = await store.claimDeliveries({ target, owner: 'bench', limit: BATCH, leaseMs: 600_000, now: last + 1000 });
    for (const d of deliveries) {
      const n = Number(d.eventId.slice(10));
      if (n % 50 === 7) continue; // left pending: a queue to show
      await store.recordAttempt(d.id, 'bench', n % 97 === 3
        ? { state: 'dead', countAttempt: true, status: 400, response: '{"error":"bad request"}', error: 'HTTP 400: {"error":"bad request"}', now: last + 1000 }
        : { state: 'delivered', countAttempt: true, status: 200, response: '{"ok":true}', now: last + 1000 });
    }
    for (const d of deliveries) await store.releaseDelivery(d.id, 'bench');
  }
}
const fillMs = performance.now() - fillStarted;

const admin = await startAdminServer({
  host: '127.0.0.1', port: 0, store, logger: silent, now: () => now, metrics: new RelayMetrics({ store, now: () => now }),
  console: { targets: TARGETS.map((name) => ({ name, format: 'json', enabledInConfig: true })), apps: [{ name: 'bench', id: 'wwbenchsuite', kind: 'suite' }] },
});
const times = [];
let bytes = 0;
let firstMs = 0;
for (let i = 0; i < RUNS + 1; i++) {
  const started = performance.now();
  const response = await fetch(`${admin.url}/`);
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200 || !body.includes('<svg class="chart"')) throw new Error(`bench: GET / answered ${response.status}`);
  bytes = body.length;
  // The first request warms the statement cache and, on a store that lacks them, builds the activity indexes (once per file).
  if (i > 0) times.push(ms);
  else firstMs = ms;
}
const stats = await store.stats(now);
await admin.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const result = {
  events: EVENTS, fillSeconds: Math.round(fillMs / 100) / 10, runs: RUNS, overviewMedianMs: Math.round(median * 10) / 10, firstRequestMs: Math.round(firstMs),
  overviewMinMs: Math.round(times[0] * 10) / 10, overviewMaxMs: Math.round(times[times.length - 1] * 10) / 10, pageBytes: bytes,
  deliveries: Object.fromEntries(Object.entries(stats.deliveries).map(([t, s]) => [t, { pending: s.pending, delivered: s.delivered, dead: s.dead }])),
  boundMs: 200, withinBound: median < 200,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
