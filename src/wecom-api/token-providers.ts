import type { AppConfig } from '../apps/app.js';
import type { Logger } from '../logger.js';
import type { CredentialStore } from './credential-records.js';
import { TokenProvider, type TokenApi } from './token-provider.js';

/** Inputs of {@link TokenProviders}. */
export interface TokenProvidersOptions {
  readonly apps: readonly AppConfig[];
  readonly store: CredentialStore;
  /** One WeCom API for every app (its rate-limit queues are per corp and API). */
  readonly api: TokenApi;
  /** @default Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * One {@link TokenProvider} per app that has a secret (an app without one is not managed by the relay),
 * keyed by app id: built once per process and shared by the daemon, the receiver's install routes and the
 * commands, so each app has one in-memory token cache and one refresher per key.
 */
export class TokenProviders {
  readonly #byId = new Map<string, TokenProvider>();
  readonly #apps: readonly AppConfig[];

  constructor(options: TokenProvidersOptions) {
    this.#apps = options.apps;
    for (const app of options.apps) {
      if (!app.secret) continue;
      this.#byId.set(app.id, new TokenProvider({
        store: options.store,
        api: options.api,
        suiteId: app.id,
        suiteSecret: app.secret,
        kind: app.kind,
        ...(options.now ? { now: options.now } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      }));
    }
  }

  /** The provider of the app with this id, or undefined (unknown app, or no secret configured). */
  get(appId: string): TokenProvider | undefined {
    return this.#byId.get(appId);
  }

  /** The provider of the app named `name`, or undefined. */
  byName(name: string): TokenProvider | undefined {
    const app = this.#apps.find((candidate) => candidate.name === name);
    return app ? this.#byId.get(app.id) : undefined;
  }

  /** Every managed app with its provider, in config order. */
  entries(): Array<{ readonly app: AppConfig; readonly tokens: TokenProvider }> {
    return this.#apps.flatMap((app) => {
      const tokens = this.#byId.get(app.id);
      return tokens ? [{ app, tokens }] : [];
    });
  }
}
