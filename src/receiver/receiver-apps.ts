import { APP_KINDS, type AppKind } from '../apps/app.js';
import type { Endpoint } from '../events/envelope.js';
import { expected } from '../expected.js';

/**
 * One WeCom app the receiver serves (SPEC §10), as {@link ReceiverOptions.apps} takes it. An `AppConfig`
 * (src/apps/app.ts) fits as is.
 */
export interface ReceiverApp {
  /** The app's SuiteID (customized: the template id `dk…`; contact_edit: its own id). Stored as the callback's `suiteId`. */
  readonly id: string;
  readonly kind: AppKind;
  /** Label for logs; default the id. */
  readonly name?: string | undefined;
  readonly token: string;
  readonly encodingAESKey: string;
  /** Receiveid of this app's URL-verification GETs; unset = any (the signature is still checked). */
  readonly providerCorpId?: string | undefined;
  /**
   * The data callback path; `null` = none. `contact_edit` has none (must be `null` or absent).
   * @default '/api/v1/wecom/callback' for `suite` and `customized`
   */
  readonly dataPath?: string | null | undefined;
  /** @default '/api/v1/wecom/command' */
  readonly commandPath?: string | undefined;
}

/** A {@link ReceiverApp} validated, defaults applied. */
export interface ResolvedReceiverApp {
  readonly id: string;
  /** Every suite id accepted as this app's command receiveid and stored `SuiteId` (the single-suite form may list several). */
  readonly ids: readonly string[];
  readonly kind: AppKind;
  readonly name: string;
  readonly token: string;
  readonly encodingAESKey: string;
  readonly providerCorpId: string | null;
  readonly dataPath: string | null;
  readonly commandPath: string;
}

/** The apps served on one path, and which of the two callbacks that path is. */
export interface ReceiverRoute {
  readonly endpoint: Exclude<Endpoint, 'install'>;
  readonly apps: readonly ResolvedReceiverApp[];
}

/** The paths of the two callbacks when an app sets none. */
export const DEFAULT_CALLBACK_PATHS = Object.freeze({ dataPath: '/api/v1/wecom/callback', commandPath: '/api/v1/wecom/command' });

const KEY = /^[A-Za-z0-9+/]{43}$/;

/** Validates a callback path (absolute, no query) and drops trailing slashes. */
export function callbackPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
    throw expected(name, 'an absolute path starting with `/`', value);
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw expected(name, 'a non-empty string', value);
  return value;
}

/**
 * Validates `apps` (TypeError naming `apps[i].field`, never echoing a token or key) and applies defaults:
 * ids unique, a `contact_edit` app without a data path, each app's two paths different, a path serving
 * one callback kind only, and no two apps on one path with the same Token and key (nothing would tell
 * them apart).
 */
export function resolveReceiverApps(apps: unknown): ResolvedReceiverApp[] {
  if (!Array.isArray(apps) || apps.length === 0) throw expected('apps', 'a non-empty array of apps', apps);
  const resolved = apps.map((raw: unknown, i): ResolvedReceiverApp => {
    const at = `apps[${i}]`;
    if (raw === null || typeof raw !== 'object') throw expected(at, 'an object', raw);
    const app = raw as Record<string, unknown>;
    const id = text(`${at}.id`, app.id);
    if (typeof app.kind !== 'string' || !(APP_KINDS as readonly string[]).includes(app.kind)) {
      throw expected(`${at}.kind`, APP_KINDS.map((k) => `\`${k}\``).join(', ').replace(/, ([^,]*)$/, ' or $1'), app.kind);
    }
    const kind = app.kind as AppKind;
    const name = app.name === undefined ? id : text(`${at}.name`, app.name);
    if (typeof app.token !== 'string' || app.token.length === 0) {
      throw new TypeError(`Expected \`${at}.token\` to be a non-empty string, got ${typeof app.token === 'string' ? 'an empty string' : typeof app.token}`);
    }
    if (typeof app.encodingAESKey !== 'string' || !KEY.test(app.encodingAESKey)) {
      const got = typeof app.encodingAESKey === 'string' ? `${app.encodingAESKey.length} characters` : typeof app.encodingAESKey;
      throw new TypeError(`Expected \`${at}.encodingAESKey\` to be exactly 43 base64 characters, got ${got}`);
    }
    const providerCorpId = app.providerCorpId === undefined || app.providerCorpId === '' ? null : text(`${at}.providerCorpId`, app.providerCorpId);
    let dataPath: string | null;
    if (kind === 'contact_edit') {
      if (app.dataPath !== undefined && app.dataPath !== null) throw expected(`${at}.dataPath`, 'absent (a contact_edit app has only a command URL)', app.dataPath);
      dataPath = null;
    } else {
      dataPath = app.dataPath === null ? null : callbackPath(`${at}.dataPath`, app.dataPath ?? DEFAULT_CALLBACK_PATHS.dataPath);
    }
    const commandPath = callbackPath(`${at}.commandPath`, app.commandPath ?? DEFAULT_CALLBACK_PATHS.commandPath);
    if (dataPath === commandPath) throw expected(`${at}.commandPath`, `different from \`${at}.dataPath\``, commandPath);
    return { id, ids: [id], kind, name, token: app.token, encodingAESKey: app.encodingAESKey, providerCorpId, dataPath, commandPath };
  });
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  resolved.forEach((app, i) => {
    const first = ids.get(app.id);
    if (first !== undefined) throw expected(`apps[${i}].id`, `different from \`apps[${first}].id\``, app.id);
    ids.set(app.id, i);
    const sameName = names.get(app.name);
    if (sameName !== undefined) throw expected(`apps[${i}].name`, `different from \`apps[${sameName}].name\``, app.name);
    names.set(app.name, i);
  });
  routesOf(resolved);
  return resolved;
}

/**
 * The receiver's routing table: every path any app serves, with its callback kind and the apps on it (in
 * `apps` order). Throws TypeError when a path is a data URL for one app and a command URL for another, or
 * when two apps on one path share both Token and key.
 */
export function routesOf(apps: readonly ResolvedReceiverApp[]): Map<string, ReceiverRoute> {
  const routes = new Map<string, { endpoint: ReceiverRoute['endpoint']; apps: ResolvedReceiverApp[] }>();
  apps.forEach((app, i) => {
    const served: Array<[ReceiverRoute['endpoint'], string | null]> = [['data', app.dataPath], ['command', app.commandPath]];
    for (const [endpoint, path] of served) {
      if (path === null) continue;
      const route = routes.get(path);
      if (!route) {
        routes.set(path, { endpoint, apps: [app] });
        continue;
      }
      const field = `apps[${i}].${endpoint}Path`;
      if (route.endpoint !== endpoint) throw expected(field, `a path no other app uses as its ${route.endpoint} URL`, path);
      const twin = route.apps.find((other) => other.token === app.token && other.encodingAESKey === app.encodingAESKey);
      if (twin) throw new TypeError(`Expected \`${field}\` to be a path where no other app has the same Token and EncodingAESKey, got ${path} shared with app \`${twin.name}\` (nothing would tell their callbacks apart)`);
      route.apps.push(app);
    }
  });
  return routes;
}
