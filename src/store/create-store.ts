import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeUnavailable, WecomRelayError } from '../errors.js';
import { expected } from '../expected.js';
import type { Logger } from '../logger.js';
import type { Store } from './store.js';

/** What a store URL designates. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; /** An absolute file name, or `:memory:`. */ readonly filename: string }
  | { readonly kind: 'redis'; readonly url: string };

/** The `store` setting in its long form (the short form is the URL alone). */
export interface StoreSetting {
  /** A store URL (see {@link parseStoreUrl}). */
  readonly url: string;
  /**
   * SQLite: how long a write waits for another process's write lock before the store answers
   * `ERR_STORE_UNAVAILABLE` (the receiver then answers 503 and WeCom retries), instead of waiting past
   * WeCom's 5 s answer window. Ignored for Redis.
   * @default 1000
   */
  readonly busyTimeoutMs?: number;
  /** Entries of each delivery's attempts log kept, SQLite and Redis alike. @default 50 */
  readonly attemptsPerDelivery?: number;
}

/** Options of {@link createStore}. */
export interface CreateStoreOptions {
  /**
   * The store's clock for kv calls that give no `now` and for `prune`'s housekeeping; ignored for a
   * given Store.
   * @default Date.now
   */
  readonly now?: () => number;
  /** Where a Redis store logs connection trouble (rate-limited); silent by default. */
  readonly logger?: Logger;
  /** As {@link StoreSetting.busyTimeoutMs}; the setting's own value wins. @default 1000 */
  readonly busyTimeoutMs?: number;
}

/** The SQLite busy timeout of a store opened by URL: a receiver's answer must reach WeCom within 5 s. */
export const DEFAULT_BUSY_TIMEOUT_MS = 1000;

/** The shape of `./sqlite.js`, loaded only when a SQLite URL is used (better-sqlite3 stays unloaded otherwise). */
interface SqliteStoreModule {
  readonly SqliteStore: new (filename: string, options?: { now?: () => number; busyTimeoutMs?: number; attemptsPerDelivery?: number }) => Store;
}

/** The shape of `./redis.js`, loaded only when a Redis URL is used (ioredis stays unloaded otherwise). */
interface RedisStoreModule {
  readonly RedisStore: { connect(url: string, options?: { logger?: Logger; now?: () => number; attemptsPerDelivery?: number }): Promise<Store> };
}

/** Kept in variables so each implementation (and its driver) loads only when asked for. */
const SQLITE_MODULE = './sqlite.js';
const REDIS_MODULE = './redis.js';

const ACCEPTED = 'sqlite:<path>, sqlite::memory:, file:<path>, redis://… or rediss://…';

/**
 * Reads a store URL:
 * - `sqlite:./relative.db`, `sqlite:/abs/path.db`, `sqlite:///abs/path.db` and `sqlite::memory:`;
 * - `file:./relative.db`, `file:///abs/path.db` and `file::memory:`;
 * - `redis://…` and `rediss://…` (passed through whole).
 *
 * Relative paths resolve against `cwd`.
 * @throws TypeError when `url` is not a string; `WecomRelayError('ERR_STORE_URL')` for any other form.
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): StoreLocation {
  if (typeof url !== 'string') throw expected('url', 'a string', url);
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();

  if (scheme === 'redis' || scheme === 'rediss') {
    if (!trimmed.slice(scheme.length + 1).startsWith('//')) throw badUrl(url);
    return { kind: 'redis', url: trimmed };
  }
  if (scheme === 'sqlite' || scheme === 'file') {
    const rest = trimmed.slice(scheme.length + 1);
    if (rest === ':memory:') return { kind: 'sqlite', filename: ':memory:' };
    let file: string;
    if (scheme === 'file' && rest.startsWith('//')) {
      try {
        file = fileURLToPath(trimmed);
      } catch (cause) {
        throw badUrl(url, cause);
      }
    } else {
      // `sqlite:///abs` is the three-slash spelling of `sqlite:/abs`.
      file = rest.startsWith('///') ? rest.slice(2) : rest;
    }
    if (file === '' || file.startsWith('//') || file.endsWith('/')) throw badUrl(url);
    return { kind: 'sqlite', filename: path.resolve(cwd, file) };
  }
  throw badUrl(url);
}

/** The URL of a `store` setting, short form or long. */
export function storeUrlOf(setting: string | StoreSetting): string {
  return typeof setting === 'string' ? setting : setting.url;
}

/**
 * A `store` setting fit for a log line or a message: its URL with any credentials (`redis://user:pass@…`)
 * masked; a SQLite path is shown whole (it is what the operator has to fix).
 */
export function describeStoreSetting(setting: string | StoreSetting): string {
  return storeUrlOf(setting).replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * The store a URL (or a `store` setting) designates, opened and ready; a {@link Store} object passes
 * through unchanged (tests and embedders bring their own). The implementation is loaded with a dynamic
 * `import()` only for the kind chosen, so importing the library loads neither better-sqlite3 nor ioredis.
 *
 * @throws TypeError when `url` is neither a string, a setting nor a Store; `WecomRelayError('ERR_STORE_URL')`
 * for an unknown URL form; `WecomRelayError('ERR_STORE_UNAVAILABLE')` naming the store when it cannot be opened.
 */
export async function createStore(url: string | StoreSetting | Store, options: CreateStoreOptions = {}): Promise<Store> {
  if (isStore(url)) return url;
  const setting: StoreSetting = typeof url === 'string' ? { url } : url;
  if (setting === null || typeof setting !== 'object' || typeof setting.url !== 'string') {
    throw expected('url', 'a store URL, a store setting or a Store', url);
  }
  const location = parseStoreUrl(setting.url);
  const common = {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(setting.attemptsPerDelivery === undefined ? {} : { attemptsPerDelivery: setting.attemptsPerDelivery }),
  };
  if (location.kind === 'sqlite') {
    const busyTimeoutMs = setting.busyTimeoutMs ?? options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const module = await load<SqliteStoreModule>(SQLITE_MODULE, `sqlite:${location.filename}`);
    return new module.SqliteStore(location.filename, { ...common, busyTimeoutMs });
  }
  const module = await load<RedisStoreModule>(REDIS_MODULE, 'the Redis store');
  return module.RedisStore.connect(location.url, { ...common, ...(options.logger ? { logger: options.logger } : {}) });
}

async function load<M>(specifier: string, what: string): Promise<M> {
  try {
    return (await import(specifier)) as M;
  } catch (cause) {
    throw storeUnavailable(cause, `cannot load the store implementation for ${what} (setting \`store\`)`);
  }
}

function isStore(value: unknown): value is Store {
  return typeof value === 'object' && value !== null &&
    typeof (value as Partial<Store>).putCallback === 'function' && typeof (value as Partial<Store>).claimCallbacks === 'function';
}

function badUrl(url: string, cause?: unknown): WecomRelayError {
  return new WecomRelayError('ERR_STORE_URL', {
    cause,
    // The URL itself is left out: a redis:// URL may carry a password.
    message: `the store URL is not one of ${ACCEPTED} (got a ${describeScheme(url)} URL)`,
  });
}

function describeScheme(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
  return scheme === undefined ? 'scheme-less' : `"${scheme}:"`;
}
