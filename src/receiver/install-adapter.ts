import type { WecomEvent } from '../events/types.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { WecomApiClient } from '../wecom-api/client.js';
import { SuiteApi } from '../wecom-api/suite-api.js';
import { TokenProvider } from '../wecom-api/token-provider.js';
import { resolveInstallOptions, type InstallOptions } from './install-options.js';
import { createInstallHandler, type InstallHandler } from './install-routes.js';
import type { ReceiverMetrics } from './receiver-metrics.js';

/** What the receiver shares with its install routes. */
export interface InstallShared {
  /** The receiver's suite ids: `install.suiteId` must be one of them. */
  readonly suiteIds: readonly string[];
  readonly store: () => Promise<Store>;
  readonly logger: Logger;
  readonly metrics?: ReceiverMetrics;
  readonly onEvent?: (event: WecomEvent) => void | Promise<void>;
  readonly now?: () => number;
}

/**
 * The adapter side of the install flow: builds the concretes {@link createInstallHandler} is given — a WeCom
 * client on `wecomApiBaseUrl` unless `suiteApi` is passed, and, for `suiteSecret`, a {@link TokenProvider}
 * over the receiver's store (sharing the suite_ticket and tokens the daemon keeps there). With
 * `getSuiteAccessToken` (what `wecom-relay start` passes: the daemon's one TokenProvider) it builds no
 * TokenProvider. `close()` releases the client it built.
 */
export function installHandlerFor(options: InstallOptions, shared: InstallShared): InstallHandler {
  const resolved = resolveInstallOptions(options, shared.suiteIds);
  const credentials = resolved.credentials;
  const now = shared.now ?? Date.now;
  // A client only where the caller gave none (the suiteSecret case needs the full SuiteApi for tokens).
  const client = resolved.suiteApi && credentials.kind === 'function' ? null : new WecomApiClient({ baseUrl: resolved.wecomApiBaseUrl, logger: shared.logger });
  const suiteApi = client ? new SuiteApi(client) : null;
  let provider: Promise<TokenProvider> | undefined;
  const tokens = (): Promise<TokenProvider> => {
    if (credentials.kind !== 'secret' || !suiteApi) throw new Error('unreachable: a TokenProvider is built for suiteSecret only');
    provider ??= shared.store().then((store) => new TokenProvider({
      store, api: suiteApi, suiteId: resolved.suiteId, suiteSecret: credentials.suiteSecret, now, logger: shared.logger,
    }));
    // A store that failed to open is retried on the next install.
    provider.catch(() => { provider = undefined; });
    return provider;
  };
  const { getSuiteAccessToken: _get, invalidateSuiteAccessToken: _invalidate, suiteSecret: _secret, suiteApi: _api, wecomApiBaseUrl: _base, ...routes } = options;
  const handler = createInstallHandler({
    ...routes,
    suiteId: resolved.suiteId,
    store: shared.store,
    api: resolved.suiteApi ?? suiteApi!,
    suiteToken: credentials.kind === 'function' ? credentials.getSuiteAccessToken : async () => (await tokens()).getSuiteToken(),
    ...(credentials.kind === 'function'
      ? (credentials.invalidate ? { invalidateSuiteToken: credentials.invalidate } : {})
      : { invalidateSuiteToken: async (failing: string) => (await tokens()).invalidateSuiteToken(failing) }),
    logger: shared.logger,
    ...(shared.metrics ? { metrics: shared.metrics } : {}),
    ...(shared.onEvent ? { onEvent: shared.onEvent } : {}),
    ...(shared.now ? { now: shared.now } : {}),
  });
  return {
    ...handler,
    async close() {
      await handler.close();
      client?.close();
    },
  };
}
