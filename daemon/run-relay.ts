import type { Logger as PinoLogger } from 'pino';
import { startReceiver, type ExtraRoutes, type StandaloneReceiver } from '../src/receiver/standalone.js';
import type { InstallOptions } from '../src/receiver/install-options.js';
import { createStore } from '../src/store/create-store.js';
import type { DeliveryRecord, Store } from '../src/store/store.js';
import { WecomApiClient } from '../src/wecom-api/client.js';
import { SuiteApi } from '../src/wecom-api/suite-api.js';
import { migrateAppKeys } from '../src/store/migrate-app-keys.js';
import { TokenProviders } from '../src/wecom-api/token-providers.js';
import { startAdminServer, type AdminServer } from './admin/admin-server.js';
import { RelayMetrics } from './admin/metrics.js';
import type { Config } from './config-schema.js';
import type { Sender } from './delivery/http-sender.js';
import { credentialFacts } from './daemon-thread.js';
import { resolveTargets } from './delivery/resolve-targets.js';
import { startGateway, type RunningGateway } from './gateway/start-gateway.js';
import { listenAs } from './listen-error.js';
import { RelayDaemon } from './relay-daemon.js';
import { createSyncScheduler } from './sync/create-sync-scheduler.js';
import { startDaemonThread, threadSharesStore, type DaemonThread } from './start-daemon-thread.js';

/** Which halves run in this process. */
export type RelayMode = 'start' | 'serve' | 'daemon';

/** Inputs of {@link runRelay}. */
export interface RunRelayOptions {
  readonly config: Config;
  readonly mode: RelayMode;
  readonly logger: PinoLogger;
  /** Use this store instead of opening `config.store`. */
  readonly store?: Store;
  readonly now?: () => number;
  readonly sender?: Sender;
  readonly onDelivered?: (delivery: DeliveryRecord) => void;
  /** Routes beside the callback routes (the website install flow). */
  readonly extraRoutes?: ExtraRoutes;
  /**
   * `start` only: run the daemon in a worker thread with its own store connection, so the receiver keeps
   * its event loop (`daemon` is then null). Not with `store`, `now`, `sender` or `onDelivered`, which
   * cannot cross a thread; ignored for an in-memory SQLite store, which cannot be shared. @default false
   */
  readonly daemonThread?: boolean;
}

/** A running relay. */
export interface RunningRelay {
  readonly store: Store;
  readonly metrics: RelayMetrics;
  readonly receiver: StandaloneReceiver | null;
  readonly daemon: RelayDaemon | null;
  readonly admin: AdminServer | null;
  /** The credential gateway (`gateway:`, `start` and `daemon` modes), or null. */
  readonly gateway: RunningGateway | null;
  /** Stops intake first (receiver), then drains the daemon within `config.daemon.shutdownTimeoutMs`. */
  stop(): Promise<void>;
}

/**
 * Starts the receiver and/or the daemon on one store, with the admin server. The receiver goes first on
 * start and stops first on shutdown, so nothing is acked that the store did not take.
 */
export async function runRelay(options: RunRelayOptions): Promise<RunningRelay> {
  const { config, mode, logger } = options;
  const now = options.now ?? Date.now;
  if (options.daemonThread && (options.store || options.now || options.sender || options.onDelivered)) {
    throw new TypeError('Expected `daemonThread` without `store`, `now`, `sender` or `onDelivered` (they cannot cross a thread)');
  }
  const threaded = mode === 'start' && options.daemonThread === true && threadSharesStore(config.store);
  const store = options.store ?? (await createStore(config.store, { logger }));
  const apps = config.apps;
  // A store of the one-suite release keyed corps by corp id alone: file them under the (first) suite app,
  // once, before anything reads credentials (idempotent; SPEC §10).
  const legacyOwner = apps.find((app) => app.kind === 'suite');
  if (legacyOwner) {
    const migrated = await migrateAppKeys(store, legacyOwner.id, now()).catch(async (error: unknown) => {
      if (!options.store) await store.close().catch(() => undefined);
      throw error;
    });
    if (migrated.corp + migrated.corpToken > 0) logger.info({ appId: legacyOwner.id, ...migrated }, 'corp records of the one-suite store keyed by (app, corp)');
  }
  const metrics = new RelayMetrics({ store, now, apps });
  // One TokenProvider per app and process, shared by the daemon and the receiver's install routes (one
  // in-memory token cache, one refresher per key), on one WeCom client for every app's calls.
  const api = new WecomApiClient({
    baseUrl: config.wecomApi.baseUrl, timeoutMs: config.wecomApi.timeoutMs, logger,
    ...(config.wecomApi.corpRateLimit ? { corpRateLimit: config.wecomApi.corpRateLimit } : {}),
  });
  const suiteApi = new SuiteApi(api);
  const providers = new TokenProviders({ apps, store, api: suiteApi, now, logger });
  let receiver: StandaloneReceiver | null = null;
  let daemon: RelayDaemon | null = null;
  let thread: DaemonThread | null = null;
  let admin: AdminServer | null = null;
  let gateway: RunningGateway | null = null;
  // Reconciliation triggers (SPEC §12), beside the daemon: on the process's WeCom client and token providers.
  const scheduler = mode === 'serve' ? null : createSyncScheduler({ config, store, api, providers, logger, now });
  try {
    // Built now, started last: both listeners bind first, so a port in use starts nothing (no consumer
    // claims work, no worker sends) and fails with the setting named (ListenError).
    // (In `start` the daemon runs in a worker thread, started at the same point.)
    if (mode !== 'serve' && !threaded) {
      daemon = new RelayDaemon({ config, store, logger, metrics, now, providers, api, onProcessed: (type) => { if (type === 'auth.created') scheduler?.wake(); }, ...(options.sender ? { sender: options.sender } : {}), ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}) });
    }
    if (mode !== 'daemon') {
      receiver = await listenAs('receiver.port', config.receiver.host, config.receiver.port, () => startReceiver({
        // Every app (suite: is one), each on its paths; shared paths are told apart by signature.
        apps: config.apps,
        allowEmptyReceiveId: config.suite.allowEmptyReceiveId,
        allowReceiveIds: config.suite.allowReceiveIds,
        store,
        maxClockSkewSeconds: config.receiver.maxClockSkewSeconds,
        host: config.receiver.host,
        port: config.receiver.port,
        logger,
        metrics,
        now,
        // The website install flow of every app that has one, each on its app's provider in this process's
        // one TokenProviders (its suite token comes from the suite_ticket the daemon saves in the store).
        ...(installsOf(config, providers, suiteApi)),
        ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
      }));
      logger.info({ url: receiver.url, dataPath: config.receiver.dataPath, commandPath: config.receiver.commandPath, apps: config.apps.map(({ name, kind, dataPath, commandPath }) => ({ name, kind, dataPath, commandPath })) }, 'receiver listening');
    }
    if (config.admin.enabled) {
      admin = await listenAs('admin.port', config.admin.host, config.admin.port, () => startAdminServer({
        host: config.admin.host,
        port: config.admin.port,
        ...(config.admin.token ? { token: config.admin.token } : {}),
        metrics,
        store,
        logger,
        now,
        console: { targets: resolveTargets(config).map(({ name, format, enabledInConfig }) => ({ name, format, enabledInConfig })), apps: config.apps.map(({ name, id, kind }) => ({ name, id, kind })) },
        readiness: () => (thread ? thread.readiness() : credentialFacts(daemon ? providers : null, now())),
      }));
      logger.info({ url: admin.url }, 'admin listening (/healthz, /readyz, /metrics)');
    }
    if (config.gateway && mode === 'serve') logger.warn({ path: 'gateway' }, 'gateway: is served by `start` and `daemon`, not by `serve` (the receiver alone)');
    if (config.gateway && mode !== 'serve') {
      const gatewayConfig = config.gateway;
      // On this process's one WeCom client and token providers: gateway calls share the per-corp queues and
      // the single-flight token caches (SPEC §11).
      gateway = await listenAs('gateway.port', gatewayConfig.host, gatewayConfig.port, () => startGateway({ config: gatewayConfig, apps, providers, api, store, logger, audit: logger.child({}, { redact: [] }), metrics, now }));
      logger.info({ url: gateway.url, keys: gatewayConfig.keys.map((key) => key.name) }, 'gateway listening');
    }
    daemon?.start();
    scheduler?.start();
    if (threaded) thread = await startDaemonThread({ config, logger, store, registry: metrics.registry });
  } catch (error) {
    await gateway?.close().catch(() => undefined);
    await admin?.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await scheduler?.stop().catch(() => undefined);
    await daemon?.stop(0).catch(() => undefined);
    await thread?.stop(0).catch(() => undefined);
    api.close();
    if (!options.store) await store.close().catch(() => undefined);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    store, metrics, receiver, daemon, admin, gateway,
    stop() {
      stopping ??= (async () => {
        await receiver?.close();
        await gateway?.close();
        await scheduler?.stop();
        await daemon?.stop(config.daemon.shutdownTimeoutMs);
        await thread?.stop(config.daemon.shutdownTimeoutMs);
        await admin?.close();
        api.close();
        if (!options.store) await store.close();
      })();
      return stopping;
    },
  };
}

/**
 * The receiver's install options: every app's `install:` (apps[i].install; the `suite:` shorthand's
 * top-level one is the first app's), each for its own app id, on that app's provider when it has one.
 */
function installsOf(config: Config, providers: TokenProviders, suiteApi: SuiteApi): { install?: InstallOptions; installs?: InstallOptions[] } {
  const flows = config.apps.flatMap((app): InstallOptions[] => {
    if (!app.install || app.kind === 'contact_edit') return [];
    const tokens = providers.get(app.id);
    return [tokens
      ? { ...app.install, suiteId: app.id, getSuiteAccessToken: () => tokens.getSuiteToken(), invalidateSuiteAccessToken: (failing: string) => tokens.invalidateSuiteToken(failing), suiteApi }
      : { ...app.install, suiteId: app.id, ...(app.secret ? { suiteSecret: app.secret } : {}), wecomApiBaseUrl: config.wecomApi.baseUrl }];
  });
  const [first, ...rest] = flows;
  return { ...(first ? { install: first } : {}), ...(rest.length > 0 ? { installs: rest } : {}) };
}
