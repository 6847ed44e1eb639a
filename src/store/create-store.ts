import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WecomRelayError } from '../errors.js';
import { SqliteStore } from './sqlite.js';
import type { Logger } from '../logger.js';
import type { Store } from './store.js';

/** What a store URL designates. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; /** An absolute file name, or `:memory:`. */ readonly filename: string }
  | { readonly kind: 'redis'; readonly url: string };

/** Options of {@link createStore}. */
export interface CreateStoreOptions {
  /**
   * The clock of a SQLite store (see `SqliteStoreOptions.now`); ignored for Redis and for a given Store.
   * @default Date.now
   */
  readonly now?: () => number;
  /** Where a Redis store logs connection trouble (rate-limited); silent by default. */
  readonly logger?: Logger;
}

/** The shape of `./redis.js`, which is loaded only when a Redis URL is used (ioredis stays unloaded otherwise). */
interface RedisStoreModule {
  readonly RedisStore: { connect(url: string, options?: { logger?: Logger }): Promise<Store> };
}

/** Kept in a variable so the Redis store (and ioredis) load only when asked for. */
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
  if (typeof url !== 'string') throw new TypeError(`Expected \`url\` to be a string, got \`${String(url)}\` (${typeof url})`);
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

/**
 * The store a URL designates, opened and ready; a {@link Store} object passes through unchanged
 * (tests and embedders bring their own).
 *
 * @throws TypeError when `url` is neither a string nor a Store; `WecomRelayError('ERR_STORE_URL')` for
 * an unknown URL form; `WecomRelayError('ERR_STORE_UNAVAILABLE')` when the store cannot be opened.
 */
export async function createStore(url: string | Store, options: CreateStoreOptions = {}): Promise<Store> {
  if (isStore(url)) return url;
  const location = parseStoreUrl(url);
  if (location.kind === 'sqlite') {
    return new SqliteStore(location.filename, options.now === undefined ? {} : { now: options.now });
  }
  let module: RedisStoreModule;
  try {
    module = (await import(REDIS_MODULE)) as RedisStoreModule;
  } catch (cause) {
    throw new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause, message: 'the Redis store could not be loaded' });
  }
  return module.RedisStore.connect(location.url, options.logger ? { logger: options.logger } : {});
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
