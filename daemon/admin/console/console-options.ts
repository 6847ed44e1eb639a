import type { Logger } from '../../../src/logger.js';
import type { Store } from '../../../src/store/store.js';

/** A configured target as the console shows it: never its URL (bot keys live in URLs) or its secret. */
export interface ConsoleTarget {
  readonly name: string;
  readonly format: string;
  /** `enabled: false` in the config (no worker runs; runtime enable cannot revive it). */
  readonly enabledInConfig: boolean;
}

/** A configured WeCom app. Today one suite; the console lays apps out as rows so several fit. */
export interface ConsoleApp {
  readonly name: string;
  /** The SuiteID: the key of its suite_ticket in the store. */
  readonly id: string;
  readonly kind: string;
}

/** What the console is given by the admin server (everything it reads is injected). */
export interface ConsoleOptions {
  readonly store: Store;
  readonly now: () => number;
  readonly targets: readonly ConsoleTarget[];
  readonly apps: readonly ConsoleApp[];
  /** `admin.token`: when set every page and action needs it (a session cookie from /login, or the bearer header). */
  readonly token?: string | undefined;
  /** Whether the listener is bound to a loopback address; without a token, actions are refused otherwise. */
  readonly loopback: boolean;
  readonly logger: Logger;
}
