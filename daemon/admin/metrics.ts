import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Endpoint } from '../../src/events/envelope.js';
import type { ReceiverMetrics } from '../../src/receiver/receiver-metrics.js';
import type { Store } from '../../src/store/store.js';

/** The relay's Prometheus metrics, on a registry of its own (several relays can share a process in tests). */
export class RelayMetrics implements ReceiverMetrics {
  readonly registry = new Registry();
  private readonly receivedTotal = new Counter({ name: 'wecom_relay_received_total', help: 'Requests to a WeCom callback route', labelNames: ['endpoint', 'method'], registers: [this.registry] });
  private readonly storedTotal = new Counter({ name: 'wecom_relay_stored_total', help: 'Callbacks stored for the first time', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly duplicatesTotal = new Counter({ name: 'wecom_relay_duplicates_total', help: 'Callbacks acked as already stored (WeCom retries, replays)', labelNames: ['endpoint'], registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'wecom_relay_rejected_total', help: 'Callbacks rejected, by error code', labelNames: ['endpoint', 'code'], registers: [this.registry] });
  readonly deliveryAttempts = new Counter({ name: 'wecom_relay_delivery_attempts_total', help: 'Delivery attempts by target and verdict (delivered, retry, rate_limited, dead)', labelNames: ['target', 'verdict'], registers: [this.registry] });
  readonly deliveryDuration = new Histogram({ name: 'wecom_relay_delivery_duration_seconds', help: 'Time of one delivery attempt', labelNames: ['target'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly processedTotal = new Counter({ name: 'wecom_relay_callbacks_processed_total', help: 'Callbacks processed by the daemon, by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly enrichmentCalls = new Counter({ name: 'wecom_relay_enrichment_calls_total', help: 'WeCom API calls for enrichment, by API and errcode', labelNames: ['api', 'errcode'], registers: [this.registry] });
  readonly gatewayRequests = new Counter({ name: 'wecom_relay_gateway_requests_total', help: 'Gateway calls by key, app and outcome class (ok, a WeCom errcode class, or the gateway error)', labelNames: ['key', 'app', 'class'], registers: [this.registry] });
  readonly gatewayDuration = new Histogram({ name: 'wecom_relay_gateway_duration_seconds', help: 'Time of one gateway call, WeCom included', labelNames: ['key', 'app', 'class'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [this.registry] });
  private tokenCounts: (() => { readonly suite: number; readonly corp: number }) | undefined;

  constructor(options: { readonly store?: Store; readonly now?: () => number; readonly defaultMetrics?: boolean } = {}) {
    const self = this;
    new Counter({
      name: 'wecom_relay_token_refreshes_total', help: 'Token fetches from WeCom by this process, by kind (suite, corp)', labelNames: ['kind'], registers: [this.registry],
      collect() {
        const counts = self.tokenCounts?.();
        if (!counts) return;
        this.reset();
        this.inc({ kind: 'suite' }, counts.suite);
        this.inc({ kind: 'corp' }, counts.corp);
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

  /** Reports the token provider's refresh counts as `wecom_relay_token_refreshes_total`. */
  watchTokenRefreshes(counts: () => { readonly suite: number; readonly corp: number }): void {
    this.tokenCounts = counts;
  }

  received(endpoint: Endpoint, method: string): void { this.receivedTotal.inc({ endpoint, method }); }
  stored(endpoint: Endpoint): void { this.storedTotal.inc({ endpoint }); }
  duplicate(endpoint: Endpoint): void { this.duplicatesTotal.inc({ endpoint }); }
  rejected(endpoint: Endpoint, code: string): void { this.rejectedTotal.inc({ endpoint, code }); }
}
