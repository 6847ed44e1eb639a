import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../src/clock.js';
import type { AppKind } from '../src/apps/app.js';
import type { Logger } from '../src/logger.js';
import type { DeliveryRecord, Store } from '../src/store/store.js';
import { WecomApiClient } from '../src/wecom-api/client.js';
import { SuiteApi } from '../src/wecom-api/suite-api.js';
import type { TokenProvider } from '../src/wecom-api/token-provider.js';
import { TokenProviders } from '../src/wecom-api/token-providers.js';
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
  /**
   * One suite only (the one-app API): this provider manages every callback's credentials; null =
   * unmanaged. Without `providers`, giving it makes the daemon one-suite (`config.suite.id`).
   */
  readonly tokens?: TokenProvider | null;
  /**
   * The process's one {@link TokenProviders} (`runRelay` builds it once and shares it with the install
   * routes): each callback's credentials and enrichment go through its own app's provider (SPEC §10).
   * Built here from `config.apps` when neither this nor `tokens` is given.
   */
  readonly providers?: TokenProviders;
  /** The process's WeCom client (its per-corp queues pace enrichment and the gateway together); built here when absent. */
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
  /** The first app's provider (`config.suite`), for one-suite callers; null = unmanaged. */
  readonly tokens: TokenProvider | null;
  /** Every app's provider; null when the daemon was given one `tokens` only (one suite). */
  readonly providers: TokenProviders | null;
  readonly workers = new Map<string, TargetWorker>();
  private readonly options: RelayDaemonOptions;
  private readonly consumer: CallbackConsumer;
  private readonly api: WecomApiClient;
  private readonly sender: Sender & { close?: () => void };
  private readonly clock: Clock;
  private unsubscribe: (() => void) | undefined;
  private maintenance: AbortController | undefined;
  private readonly lastTicketAlert = new Map<string, number>();
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
    this.providers = options.providers ?? (options.tokens !== undefined ? null : new TokenProviders({ apps: config.apps, store, api: suiteApi, now, logger }));
    this.tokens = options.tokens !== undefined ? options.tokens : (this.providers?.get(config.suite.id) ?? null);
    const managed = this.managed();
    if (metrics && managed.length > 0) {
      metrics.watchAppTokenRefreshes(() => managed.map(({ app, tokens }) => ({ app, ...tokens.tokenRefreshes })));
    }
    for (const app of config.apps) {
      if (!managed.some((m) => m.appId === app.id)) logger.warn({ app: app.name }, `${app.name}: no secret set: the daemon forwards its events but does not manage its credentials or enrich them`);
    }
    const onApiCall = (app: string) => (api: string, errcode: number) => metrics?.enrichmentCalls.inc({ api, errcode: String(errcode), app });
    // One enricher per app, on its own provider; a contact_edit app's calls only what its authorization allows.
    const enrichers = new Map<string, Enricher>();
    if (config.enrich.enabled) {
      for (const { appId, app, kind, tokens } of managed) {
        enrichers.set(appId, createEnricher({ api: suiteApi, kind, tokens, store, logger, now, onApiCall: onApiCall(app) }));
      }
    }
    const enrich: Enricher | null = enrichers.get(config.suite.id) ?? null;
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
        ...(this.providers ? { providers: this.providers, enrichers } : {}),
        maxEnrichDelayMs: config.enrich.maxDelaySeconds * 1000,
        maxAttemptMs: Math.max(500, ATTEMPT_BUDGET_MS - 2 * config.wecomApi.timeoutMs),
        updateSnapshots: snapshotUpdater(store),
      },
      onProcessed: (callback, outcome) => {
        metrics?.processedTotal.inc({ outcome, app: this.appName(callback.suiteId) });
        if (outcome === 'complete') options.onProcessed?.(callback.type);
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
      for (const { appId, app, tokens } of this.managed()) {
        const ticket = await tokens.suiteTicketStatus();
        const limitMs = config.daemon.ticketAlertMinutes * 60_000;
        // Without any ticket yet, count from start-up: a fresh deployment gets its first push within 10 min.
        const age = ticket ? now - ticket.updatedAt : null;
        const silentFor = age ?? now - this.startedAt;
        if (silentFor > limitMs && now - (this.lastTicketAlert.get(appId) ?? 0) > limitMs) {
          this.lastTicketAlert.set(appId, now);
          logger.warn({ alert: 'suite_ticket_stale', app, ageSeconds: age === null ? null : Math.round(age / 1000) },
            `${app}: no suite_ticket received for ${config.daemon.ticketAlertMinutes} minutes: check the app's command callback URL, or press 刷新ticket in the provider console`);
        }
      }
    } catch (err) {
      logger.error({ err }, 'maintenance failed');
    }
  }

  /** Every managed app (one with a provider), in config order; the one `tokens` as the first app without `providers`. */
  managed(): Array<{ readonly appId: string; readonly app: string; readonly kind: AppKind; readonly tokens: TokenProvider }> {
    const { config } = this.options;
    if (this.providers) return this.providers.entries().map(({ app, tokens }) => ({ appId: app.id, app: app.name, kind: app.kind, tokens }));
    const first = config.apps.find((app) => app.id === config.suite.id);
    return this.tokens ? [{ appId: config.suite.id, app: first?.name ?? config.suite.id, kind: first?.kind ?? 'suite', tokens: this.tokens }] : [];
  }

  private appName(appId: string): string {
    return this.options.config.apps.find((app) => app.id === appId)?.name ?? appId;
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
    if (!this.options.api) this.api.close();
    this.options.logger.info({ owner: this.owner }, 'daemon stopped');
  }
}
