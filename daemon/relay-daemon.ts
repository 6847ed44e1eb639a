import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../src/clock.js';
import type { Logger } from '../src/logger.js';
import type { DeliveryRecord, Store } from '../src/store/store.js';
import { WecomApiClient } from '../src/wecom-api/client.js';
import { SuiteApi } from '../src/wecom-api/suite-api.js';
import { TokenProvider } from '../src/wecom-api/token-provider.js';
import type { RelayMetrics } from './admin/metrics.js';
import type { Config } from './config-schema.js';
import { CallbackConsumer } from './consumer/callback-consumer.js';
import type { Enricher } from './consumer/process-callback.js';
import { createHttpSender, type Sender } from './delivery/http-sender.js';
import { resolveTargets } from './delivery/resolve-targets.js';
import { createSsrfGuard } from './delivery/ssrf-guard.js';
import { deliveryLeaseMs, TargetWorker } from './delivery/target-worker.js';
import { createEnricher } from './enrich/create-enricher.js';
import { snapshotUpdater } from './sync/update-snapshots.js';

/** Inputs of a {@link RelayDaemon}. Effects (store, clock, logger, HTTP) are injected. */
export interface RelayDaemonOptions {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics?: RelayMetrics;
  /** The clock of every loop (claims, lease renewals, waits). @default the system clock */
  readonly clock?: Clock;
  /** Only the current time (sleeps stay the system clock's); `clock` wins when both are given. */
  readonly now?: () => number;
  /** Downstream transport; got by default. */
  readonly sender?: Sender;
  /** A unique id of this process for leases; host + pid + random by default. */
  readonly owner?: string;
  /** Called after each successful delivery (the demo prints these). */
  readonly onDelivered?: (delivery: DeliveryRecord) => void;
  /** The process's one TokenProvider (`runRelay` shares it with the install routes); null = unmanaged. Built here when absent. */
  readonly tokens?: TokenProvider | null;
  /** The process's WeCom client (`runRelay` shares it with reconciliation, so both are paced per corp together). Built here when absent. */
  readonly api?: WecomApiClient;
  /** Called with a callback's type after it was processed (reconciliation syncs a corp after `auth.created`). */
  readonly onProcessed?: (type: string) => void;
}

/** One processing attempt (enrichment included) is cut after this, minus 2 × the WeCom API timeout. */
const ATTEMPT_BUDGET_MS = 30_000;

/**
 * The long-running half: consumes stored callbacks (credentials, normalize, enrich, route) and runs one
 * {@link TargetWorker} per enabled target. Several daemons may share one store (Redis, or one SQLite
 * file): work is claimed under short leases that each daemon renews while it works, so a killed
 * daemon's work is taken over within about one lease.
 */
export class RelayDaemon {
  readonly owner: string;
  readonly tokens: TokenProvider | null;
  readonly workers = new Map<string, TargetWorker>();
  private readonly options: RelayDaemonOptions;
  private readonly consumer: CallbackConsumer;
  private readonly api: WecomApiClient;
  private readonly sender: Sender & { close?: () => void };
  private readonly clock: Clock;
  private unsubscribe: (() => void) | undefined;
  private maintenance: AbortController | undefined;
  private lastTicketAlert = 0;
  private startedAt = 0;

  constructor(options: RelayDaemonOptions) {
    this.options = options;
    const { config, store, logger, metrics } = options;
    this.clock = options.clock ?? (options.now ? { now: options.now, sleep: systemClock.sleep } : systemClock);
    const clock = this.clock;
    const now = () => clock.now();
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.api = options.api ?? new WecomApiClient({
      baseUrl: config.wecomApi.baseUrl,
      timeoutMs: config.wecomApi.timeoutMs,
      logger,
    });
    const suiteApi = new SuiteApi(this.api);
    this.tokens = options.tokens !== undefined ? options.tokens : config.suite.secret
      ? new TokenProvider({ store, api: suiteApi, suiteId: config.suite.id, suiteSecret: config.suite.secret, now, logger })
      : null;
    if (this.tokens && metrics) {
      const tokens = this.tokens;
      metrics.watchTokenRefreshes(() => tokens.tokenRefreshes);
    }
    if (!this.tokens) logger.warn({}, 'suite.secret is not set: the daemon forwards events but does not manage credentials or enrich');
    const enrich: Enricher | null = config.enrich.enabled && this.tokens
      ? createEnricher({ api: suiteApi, tokens: this.tokens, store, logger, now, onApiCall: (api, errcode) => metrics?.enrichmentCalls.inc({ api, errcode: String(errcode) }) })
      : null;
    const targets = resolveTargets(config).filter((t) => t.enabledInConfig);
    // security.blockPrivateTargets: opt-in, since targets on the relay's own network are a normal deployment.
    this.sender = options.sender ?? createHttpSender(config.security.blockPrivateTargets
      ? { guard: createSsrfGuard({ allow: config.security.allowPrivateRanges }) }
      : {});
    const leaseFloor = config.daemon.leaseMs;
    for (const target of targets) {
      // Leases are renewed while a delivery waits locally or is sent, so they need not cover the wait; the
      // worker starts no send with less than timeoutMs + 1 s of lease left, which a renewed lease must have.
      const leaseMs = deliveryLeaseMs(leaseFloor, target.timeoutMs);
      this.workers.set(target.name, new TargetWorker({
        target, store, send: this.sender, owner: this.owner, logger, clock, leaseMs, pollIntervalMs: config.daemon.pollIntervalMs,
        observer: {
          attempted: (name, verdict, ms) => {
            metrics?.deliveryAttempts.inc({ target: name, verdict });
            metrics?.deliveryDuration.observe({ target: name }, ms / 1000);
          },
          deliveredEvent: (d) => options.onDelivered?.(d),
        },
      }));
    }
    this.consumer = new CallbackConsumer({
      store, owner: this.owner, logger, clock,
      concurrency: 8,
      // Renewed while a callback is processed, so a killed daemon's callbacks are claimable again after
      // one lease however long enrichment takes.
      leaseMs: leaseFloor,
      pollIntervalMs: config.daemon.pollIntervalMs,
      context: {
        suiteIds: [config.suite.id], apps: config.apps, tokens: this.tokens, enrich, targets, logger, now,
        maxEnrichDelayMs: config.enrich.maxDelaySeconds * 1000,
        maxAttemptMs: Math.max(500, ATTEMPT_BUDGET_MS - 2 * config.wecomApi.timeoutMs),
        updateSnapshots: snapshotUpdater(store),
      },
      onProcessed: (cb, outcome) => {
        metrics?.processedTotal.inc({ outcome });
        if (outcome === 'complete') options.onProcessed?.(cb.type);
      },
      onDeliveriesCreated: (names) => { for (const name of names) this.workers.get(name)?.wake(); },
    });
  }

  /** Starts consuming and delivering; returns at once. */
  start(): void {
    const { store, config, logger } = this.options;
    this.unsubscribe = store.onChange((change?: { readonly kind: string; readonly target?: string }) => this.wakeFor(change));
    this.startedAt = this.clock.now();
    this.consumer.start();
    for (const worker of this.workers.values()) worker.start();
    this.maintenance = new AbortController();
    void this.maintainEvery(60_000, this.maintenance.signal);
    logger.info({ owner: this.owner, targets: [...this.workers.keys()], store: store.kind, enrich: config.enrich.enabled }, 'daemon started');
  }

  /** Retention pruning and the "no suite_ticket for a while" alert. */
  async maintain(): Promise<void> {
    const { store, config, logger } = this.options;
    const now = this.clock.now();
    try {
      if (config.daemon.retentionDays > 0) {
        const pruned = await store.prune(now - config.daemon.retentionDays * 86_400_000);
        if (pruned > 0) logger.info({ pruned }, 'pruned delivered events past retention');
      }
      if (this.tokens) {
        const ticket = await this.tokens.suiteTicketStatus();
        const limitMs = config.daemon.ticketAlertMinutes * 60_000;
        // Without any ticket yet, count from start-up: a fresh deployment gets its first push within 10 min.
        const age = ticket ? now - ticket.updatedAt : null;
        const silentFor = age ?? now - this.startedAt;
        if (silentFor > limitMs && now - this.lastTicketAlert > limitMs) {
          this.lastTicketAlert = now;
          logger.warn({ alert: 'suite_ticket_stale', ageSeconds: age === null ? null : Math.round(age / 1000) },
            `no suite_ticket received for ${config.daemon.ticketAlertMinutes} minutes: check the command callback URL, or press 刷新ticket in the provider console`);
        }
      }
    } catch (err) {
      logger.error({ err }, 'maintenance failed');
    }
  }

  /**
   * Wakes the loops a store change concerns: with a change (the store contract's `StoreChange`), a
   * callback wakes the consumer and a delivery its target; without one (older stores), everything.
   */
  private wakeFor(change?: { readonly kind: string; readonly target?: string }): void {
    if (change?.kind !== 'delivery') this.consumer.wake();
    if (change?.kind === 'callback') return;
    const one = change?.target === undefined ? undefined : this.workers.get(change.target);
    for (const worker of one ? [one] : this.workers.values()) worker.wake();
  }

  private async maintainEvery(intervalMs: number, signal: AbortSignal): Promise<void> {
    await this.maintain();
    while (!signal.aborted) {
      await this.clock.sleep(intervalMs, signal);
      if (!signal.aborted) await this.maintain();
    }
  }

  /** Stops claiming, hands back unstarted work, waits up to `timeoutMs` for in-flight work. */
  async stop(timeoutMs: number): Promise<void> {
    this.unsubscribe?.();
    this.maintenance?.abort();
    await Promise.all([this.consumer.stop(timeoutMs), ...[...this.workers.values()].map((w) => w.stop(timeoutMs))]);
    this.sender.close?.();
    this.api.close();
    this.options.logger.info({ owner: this.owner }, 'daemon stopped');
  }
}
