import type { ConfigIssue } from '../src/errors.js';
import type { Config, DaemonAppConfig, ParsedConfig } from './config-schema.js';

const DEFAULT_DATA_PATH = '/api/v1/wecom/callback';
const DEFAULT_COMMAND_PATH = '/api/v1/wecom/command';
const DEFAULT_INSTALL = { installPath: '/wecom/install', callbackPath: '/wecom/install/callback' };

/** Trailing slashes do not make a different path (the receiver drops them). */
const normal = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/**
 * The problems of `suite:` / `apps:` that span fields or apps (SPEC §10), on the raw (interpolated) input,
 * each with its path: neither or both sections; duplicate names or ids; a `contact_edit` app with a
 * `dataPath` or an `install`; an app whose two paths are one; a path that is one app's data URL and
 * another's command URL; two apps on one path with the same Token and key (nothing tells them apart); an
 * `install` without the app's `secret` or on a callback path; a top-level `install:` beside `apps:`.
 * Paths not set default to `receiver.dataPath` / `receiver.commandPath` (contact_edit: no data path).
 */
export function appsIssues(input: unknown): ConfigIssue[] {
  const root = (input ?? {}) as { suite?: unknown; apps?: unknown; install?: unknown; receiver?: { dataPath?: unknown; commandPath?: unknown } };
  const issues: ConfigIssue[] = [];
  if (root.suite !== undefined && root.apps !== undefined) {
    issues.push({ path: 'apps', message: 'a config has suite: (one app) or apps:, not both' });
  }
  if (root.suite === undefined && root.apps === undefined) issues.push({ path: 'suite', message: 'is required (or list several apps under apps:)' });
  issues.push(...targetAppIssues(root));
  if (!Array.isArray(root.apps)) return issues;
  if (root.install !== undefined) issues.push({ path: 'install', message: 'with apps:, set the install flow per app (apps[i].install)' });
  const defaultData = typeof root.receiver?.dataPath === 'string' ? root.receiver.dataPath : DEFAULT_DATA_PATH;
  const defaultCommand = typeof root.receiver?.commandPath === 'string' ? root.receiver.commandPath : DEFAULT_COMMAND_PATH;
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  const routes = new Map<string, { endpoint: 'data' | 'command'; apps: Array<{ i: number; token: unknown; key: unknown }> }>();
  const callbackPaths = new Set<string>();
  const installs: Array<{ i: number; paths: Record<string, string> }> = [];
  root.apps.forEach((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object') return;
    const app = raw as Record<string, unknown>;
    const at = `apps[${i}]`;
    const name = typeof app.name === 'string' ? app.name : typeof app.id === 'string' ? app.id : undefined;
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) issues.push({ path: `${at}.name`, message: `duplicates apps[${first}]'s name "${name}"${app.name === undefined ? ' (the name defaults to the id)' : ''}` });
      else names.set(name, i);
    }
    if (typeof app.id === 'string') {
      const first = ids.get(app.id);
      if (first !== undefined) issues.push({ path: `${at}.id`, message: `duplicates apps[${first}].id "${app.id}"` });
      else ids.set(app.id, i);
    }
    const contactEdit = app.kind === 'contact_edit';
    if (contactEdit && app.dataPath !== undefined) issues.push({ path: `${at}.dataPath`, message: 'must be absent: a contact_edit app has only a command URL (指令回调URL)' });
    if (contactEdit && app.install !== undefined) issues.push({ path: `${at}.install`, message: 'must be absent: a contact-edit authorization is granted by QR code, not installed from a website' });
    const data = contactEdit ? null : typeof app.dataPath === 'string' ? normal(app.dataPath) : app.dataPath === undefined ? normal(defaultData) : null;
    const command = typeof app.commandPath === 'string' ? normal(app.commandPath) : app.commandPath === undefined ? normal(defaultCommand) : null;
    if (data !== null && data === command) issues.push({ path: `${at}.commandPath`, message: `must differ from the app's data path (${data})${app.commandPath === undefined || app.dataPath === undefined ? '; one of them is the receiver: default' : ''}` });
    for (const [endpoint, path] of [['data', data], ['command', command]] as const) {
      if (path === null || (endpoint === 'command' && path === data)) continue;
      callbackPaths.add(path);
      const field = `${at}.${endpoint}Path`;
      const route = routes.get(path);
      if (!route) {
        routes.set(path, { endpoint, apps: [{ i, token: app.token, key: app.encodingAESKey }] });
        continue;
      }
      if (route.endpoint !== endpoint) {
        issues.push({ path: field, message: `${path} is apps[${route.apps[0]!.i}]'s ${route.endpoint} URL; a path serves one kind of callback` });
        continue;
      }
      const twin = route.apps.find((other) => other.token === app.token && other.key === app.encodingAESKey);
      if (twin) {
        issues.push({ path: field, message: `shares ${path} with apps[${twin.i}] and has the same token and encodingAESKey: nothing would tell their callbacks apart (give one its own path or its own Token)` });
      }
      route.apps.push({ i, token: app.token, key: app.encodingAESKey });
    }
    if (app.install !== undefined && app.install !== null && typeof app.install === 'object' && !contactEdit) {
      if (!app.secret) issues.push({ path: `${at}.install`, message: `needs ${at}.secret (the install route fetches a pre-auth code with the app's suite token)` });
      const own = app.install as { installPath?: unknown; callbackPath?: unknown };
      const paths = {
        installPath: normal(typeof own.installPath === 'string' ? own.installPath : DEFAULT_INSTALL.installPath),
        callbackPath: normal(typeof own.callbackPath === 'string' ? own.callbackPath : DEFAULT_INSTALL.callbackPath),
      };
      if (paths.installPath === paths.callbackPath) issues.push({ path: `${at}.install.callbackPath`, message: `must differ from ${at}.install.installPath` });
      installs.push({ i, paths });
    }
  });
  const taken = new Map<string, string>();
  for (const { i, paths } of installs) {
    for (const [name, value] of Object.entries(paths)) {
      const field = `apps[${i}].install.${name}`;
      if (callbackPaths.has(value)) issues.push({ path: field, message: `must differ from every app's callback paths (${value} is one)` });
      const other = taken.get(value);
      if (other) issues.push({ path: field, message: `must differ from ${other} (each app's install flow has its own paths)` });
      else taken.set(value, field);
    }
  }
  return issues;
}

/**
 * Resolves the schema's output into {@link Config}: `apps` from `apps:` (defaults applied: name = id,
 * paths from `receiver:`) or from the `suite:` shorthand as one `suite` app; `suite` as the first app (for
 * code that still serves one suite); `install` as that first app's. Run after {@link appsIssues} found
 * nothing.
 */
export function resolveApps(parsed: ParsedConfig): Config {
  const { apps: listed, suite: shorthand, ...rest } = parsed;
  const apps: DaemonAppConfig[] = listed
    ? listed.map((app) => ({
      name: app.name ?? app.id,
      kind: app.kind as DaemonAppConfig['kind'],
      id: app.id,
      ...(app.secret !== undefined ? { secret: app.secret } : {}),
      token: app.token,
      encodingAESKey: app.encodingAESKey,
      ...(app.providerCorpId !== undefined ? { providerCorpId: app.providerCorpId } : {}),
      dataPath: app.kind === 'contact_edit' ? null : normal(app.dataPath ?? parsed.receiver.dataPath),
      commandPath: normal(app.commandPath ?? parsed.receiver.commandPath),
      ...(app.install !== undefined ? { install: app.install } : {}),
    }))
    : [{
      name: shorthand!.id,
      kind: 'suite',
      id: shorthand!.id,
      ...(shorthand!.secret !== undefined ? { secret: shorthand!.secret } : {}),
      token: shorthand!.token,
      encodingAESKey: shorthand!.encodingAESKey,
      ...(shorthand!.providerCorpId !== undefined ? { providerCorpId: shorthand!.providerCorpId } : {}),
      dataPath: parsed.receiver.dataPath,
      commandPath: parsed.receiver.commandPath,
      ...(parsed.install !== undefined ? { install: parsed.install } : {}),
    }];
  const first = apps[0]!;
  const suite = shorthand ?? {
    id: first.id,
    ...(first.secret !== undefined ? { secret: first.secret } : {}),
    token: first.token,
    encodingAESKey: first.encodingAESKey,
    ...(first.providerCorpId !== undefined ? { providerCorpId: first.providerCorpId } : {}),
    allowEmptyReceiveId: false,
    allowReceiveIds: [],
  };
  const install = listed ? first.install : parsed.install;
  const { install: _ignored, ...withoutInstall } = rest;
  void _ignored;
  return { ...withoutInstall, ...(install !== undefined ? { install } : {}), suite, apps };
}

/** `targets[i].apps[j]` naming no app (names default to the id; `suite:` is one app named by its id). */
function targetAppIssues(root: { suite?: unknown; apps?: unknown; targets?: unknown }): ConfigIssue[] {
  if (!Array.isArray((root as { targets?: unknown }).targets)) return [];
  const names = new Set<string>();
  if (Array.isArray(root.apps)) {
    for (const raw of root.apps) {
      const app = (raw ?? {}) as { name?: unknown; id?: unknown };
      const name = typeof app.name === 'string' ? app.name : app.id;
      if (typeof name === 'string') names.add(name);
    }
  } else if (typeof (root.suite as { id?: unknown } | undefined)?.id === 'string') {
    names.add((root.suite as { id: string }).id);
  }
  const issues: ConfigIssue[] = [];
  (root.targets as unknown[]).forEach((raw, i) => {
    const apps = ((raw ?? {}) as { apps?: unknown }).apps;
    if (!Array.isArray(apps)) return;
    apps.forEach((name: unknown, j) => {
      if (typeof name === 'string' && name !== '' && !names.has(name)) {
        issues.push({ path: `targets[${i}].apps[${j}]`, message: `names no app (known: ${[...names].join(', ') || 'none'})` });
      }
    });
  });
  return issues;
}
