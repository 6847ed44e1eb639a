import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Endpoint } from '../../src/events/envelope.js';
import type { ReceiverMetrics } from '../../src/receiver/receiver-metrics.js';
import type { Store } from '../../src/store/store.js';
import type { AppConfig } from '../../src/apps/app.js';
import { readAppCorps } from '../../src/apps/app-corps.js';

/** The relay's Prometheus metrics, on a registry of its own (several relays can share a process in tests). */
export class RelayMetrics implements ReceiverMetrics {
  readonly registry = new Registry();
  private readonly receivedTotal = new Counter({ name: 'wecom_relay_received_total', help: 'Requests to a WeCom callback route', labelNames: ['endpoint', 'method'], registers: [this.registry] });
  private readonly storedTotal = new Counter({ name: 'wecom_relay_stored_total', help: 'Callbacks stored for the first time', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly duplicatesTotal = new Counter({ name: 'wecom_relay_duplicates_total', help: 'Callbacks acked as already stored (WeCom retries, replays)', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'wecom_relay_rejected_total', help: 'Callbacks rejected, by error code', labelNames: ['endpoint', 'code'], registers: [this.registry] });
  readonly deliveryAttempts = new Counter({ name: 'wecom_relay_delivery_attempts_total', help: 'Delivery attempts by target and verdict (delivered, retry, rate_limited, dead)', labelNames: ['target', 'verdict'], registers: [this.registry] });
  readonly deliveryDuration = new Histogram({ name: 'wecom_relay_delivery_duration_seconds', help: 'Time of one delivery attempt', labelNames: ['target'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  /** By outcome and `app` (the app's name; SPEC §10). */
  readonly processedTotal = new Counter({ name: 'wecom_relay_callbacks_processed_total', help: 'Callbacks processed by the daemon, by outcome and app', labelNames: ['outcome', 'app'], registers: [this.registry] });
  /** By API, errcode and `app`: each call is made with that app's corp token. */
  readonly enrichmentCalls = new Counter({ name: 'wecom_relay_enrichment_calls_total', help: 'WeCom API calls for enrichment, by API, errcode and app', labelNames: ['api', 'errcode', 'app'], registers: [this.registry] });
  readonly gatewayRequests = new Counter({ name: 'wecom_relay_gateway_requests_total', help: 'Gateway calls by key, app and outcome class (ok, a WeCom errcode class, or the gateway error)', labelNames: ['key', 'app', 'class'], registers: [this.registry] });
  readonly gatewayDuration = new Histogram({ name: 'wecom_relay_gateway_duration_seconds', help: 'Time of one gateway call, WeCom included', labelNames: ['key', 'app', 'class'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [this.registry] });
  private tokenCounts: (() => ReadonlyArray<{ readonly app: string; readonly suite: number; readonly corp: number }>) | undefined;

  /**
   * With `store`, the store gauges; with `apps` too, `wecom_relay_corps{app, state}` (installed corps per
   * app by state: active, revoked, gone).
   */
  constructor(options: { readonly store?: Store; readonly now?: () => number; readonly defaultMetrics?: boolean; readonly apps?: readonly AppConfig[] } = {}) {
    const self = this;
    new Counter({
      name: 'wecom_relay_token_refreshes_total', help: 'Token fetches from WeCom by this process, by kind (suite, corp) and app', labelNames: ['kind', 'app'], registers: [this.registry],
      collect() {
        const counts = self.tokenCounts?.();
        if (!counts) return;
        this.reset();
        for (const { app, suite, corp } of counts) {
          this.inc({ kind: 'suite', app }, suite);
          this.inc({ kind: 'corp', app }, corp);
        }
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'wecom_relay_' });
    const store = options.store;
    const now = options.now ?? Date.now;
    if (!store) return;
    const stats = () => store.stats(now());
    new Gauge({
      name: 'wecom_relay_deliveries', help: 'Deliveries by target and state', labelNames: ['target', 'state'], registers: [this.registry],
      async collect() {
        const s = await stats();
        this.reset(); // a pruned or removed target must not keep reporting its last values
        for (const [target, t] of Object.entries(s.deliveries)) {
          this.set({ target, state: 'pending' }, t.pending);
          this.set({ target, state: 'delivered' }, t.delivered);
          this.set({ target, state: 'dead' }, t.dead);
        }
      },
    });
    new Gauge({
      name: 'wecom_relay_oldest_pending_age_seconds', help: 'Age of the oldest pending delivery per target (inbox = unprocessed callbacks)', labelNames: ['target'], registers: [this.registry],
      async collect() {
        const s = await stats();
        const t0 = now();
        this.reset();
        this.set({ target: 'inbox' }, s.callbacks.oldestPendingAt === null ? 0 : (t0 - s.callbacks.oldestPendingAt) / 1000);
        for (const [target, t] of Object.entries(s.deliveries)) this.set({ target }, t.oldestPendingAt === null ? 0 : (t0 - t.oldestPendingAt) / 1000);
      },
    });
    const apps = options.apps;
    if (apps && apps.length > 0) {
      new Gauge({
        name: 'wecom_relay_corps', help: 'Installed corps per app and state (active, revoked, gone)', labelNames: ['app', 'state'], registers: [this.registry],
        async collect() {
          const rows = await readAppCorps(store, apps, now());
          this.reset();
          for (const app of apps) for (const state of ['active', 'revoked', 'gone'] as const) {
            this.set({ app: app.name, state }, rows.filter((row) => row.appId === app.id && row.status === state).length);
          }
        },
      });
    }
    new Gauge({
      name: 'wecom_relay_inbox', help: 'Stored callbacks by state', labelNames: ['state'], registers: [this.registry],
      async collect() {
        const s = await stats();
        this.set({ state: 'pending' }, s.callbacks.pending);
        this.set({ state: 'failed' }, s.callbacks.failed);
        this.set({ state: 'done' }, s.callbacks.done);
      },
    });
  }

  /** Reports one token provider's refresh counts as `wecom_relay_token_refreshes_total` (labelled `app`, default `default`). */
  watchTokenRefreshes(counts: () => { readonly suite: number; readonly corp: number }, app = 'default'): void {
    this.tokenCounts = () => [{ app, ...counts() }];
  }

  /** Reports every app's token provider's refresh counts as `wecom_relay_token_refreshes_total{kind, app}`. */
  watchAppTokenRefreshes(counts: () => ReadonlyArray<{ readonly app: string; readonly suite: number; readonly corp: number }>): void {
    this.tokenCounts = counts;
  }

  received(endpoint: Endpoint, method: string): void { this.receivedTotal.inc({ endpoint, method }); }
  stored(endpoint: Endpoint): void { this.storedTotal.inc({ endpoint }); }
  duplicate(endpoint: Endpoint): void { this.duplicatesTotal.inc({ endpoint }); }
  rejected(endpoint: Endpoint, code: string): void { this.rejectedTotal.inc({ endpoint, code }); }
}
