import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../src/apps/app.js';
import { matchesAny } from '../../src/store/glob.js';
import type { GatewayKeyConfig } from './gateway-config.js';

/** One API key as the gateway holds it: its name, scope and the sha256 of its value (never the value). */
export interface GatewayKey {
  readonly name: string;
  /** App ids the key may act for; empty = every app. */
  readonly appIds: ReadonlySet<string>;
  /** Corp ids; empty = every corp. */
  readonly corpIds: ReadonlySet<string>;
  /** Globs on the path after `/cgi-bin/`; empty = every path. */
  readonly paths: readonly string[];
  /** May read raw tokens (the two token routes). */
  readonly tokens: boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The gateway's API keys. A presented key is hashed and compared with **every** configured key's digest
 * with `timingSafeEqual` (equal-length digests, no early exit), so neither the key's length nor which key
 * matched leaks through timing; the plain values are dropped after construction.
 */
export class GatewayKeys {
  readonly #keys: ReadonlyArray<{ readonly digest: Buffer; readonly key: GatewayKey }>;

  constructor(keys: readonly GatewayKeyConfig[], apps: readonly AppConfig[]) {
    this.#keys = keys.map((config) => ({
      digest: digest(config.key),
      key: {
        name: config.name,
        // Scopes name apps by name or id; held as ids.
        appIds: new Set(config.apps.map((name) => apps.find((app) => app.name === name || app.id === name)?.id ?? name)),
        corpIds: new Set(config.corpIds),
        paths: [...config.paths],
        tokens: config.tokens,
      },
    }));
  }

  /** The key presented in an `Authorization: Bearer <key>` header, or undefined (none, or not a configured one). */
  authenticate(authorization: string | undefined): GatewayKey | undefined {
    if (authorization === undefined) return undefined;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: GatewayKey | undefined;
    for (const entry of this.#keys) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.key;
    }
    return found;
  }
}

/** Whether `key` may act for the app with this id. */
export function keyAllowsApp(key: GatewayKey, appId: string): boolean {
  return key.appIds.size === 0 || key.appIds.has(appId);
}

/** Whether `key` may act for this corp. */
export function keyAllowsCorp(key: GatewayKey, corpId: string): boolean {
  return key.corpIds.size === 0 || key.corpIds.has(corpId);
}

/** Whether `key` may call this API path (after `/cgi-bin/`, e.g. `externalcontact/get`). */
export function keyAllowsPath(key: GatewayKey, path: string): boolean {
  return key.paths.length === 0 || matchesAny(path, key.paths);
}
