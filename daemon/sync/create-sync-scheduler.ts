import { systemClock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import type { WecomApiClient } from '../../src/wecom-api/client.js';
import { IdListApi } from '../../src/wecom-api/id-list-api.js';
import type { TokenProviders } from '../../src/wecom-api/token-providers.js';
import type { Config } from '../config-schema.js';
import type { SyncScope } from './sync-scope.js';
import { SyncScheduler } from './sync-scheduler.js';

/** Builds the daemon's {@link SyncScheduler} from the config's `sync:` (not started). */
export function createSyncScheduler(input: {
  readonly config: Config; readonly store: Store; readonly api: WecomApiClient; readonly providers: TokenProviders;
  readonly logger: Logger; readonly now: () => number;
}): SyncScheduler {
  const { config } = input;
  return new SyncScheduler({
    deps: {
      store: input.store, api: new IdListApi(input.api), providers: input.providers, apps: config.apps,
      clock: { now: input.now, sleep: systemClock.sleep }, logger: input.logger,
      leaseMs: config.sync.leaseSeconds * 1000, listIdPageSize: config.sync.listIdPageSize,
    },
    schedule: { onInstall: config.sync.onInstall, intervalHours: config.sync.intervalHours, scopes: config.sync.scopes as readonly SyncScope[] | undefined },
    clock: { now: input.now, sleep: systemClock.sleep },
  });
}
