import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../src/errors.js';
import { appsIssues, resolveApps } from './config-apps.js';
import { configSchema, crossFieldIssues, type Config } from './config-schema.js';
import { describeIssue } from './config-issues.js';
import { gatewayIssues } from './gateway/gateway-config.js';

/** The file names tried, in order, when neither `--config` nor `WECOM_RELAY_CONFIG` names one. */
export const DEFAULT_CONFIG_FILES = ['wecom-relay.config.yaml', 'wecom-relay.config.yml', 'wecom-relay.config.json'] as const;

/** Where a configuration comes from. Read once, at the edge. */
export interface LoadConfigOptions {
  /** `--config F`. */
  readonly file?: string;
  /** The environment (`WECOM_RELAY_CONFIG` and `${NAME}` values). @default process.env at the call site */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory default file names are looked up in. */
  readonly cwd: string;
}

/** A loaded configuration and the file it came from. */
export interface LoadedConfig {
  readonly config: Config;
  readonly file: string;
  /** The file's content as parsed, before `${ENV}` interpolation and defaults (to tell a default from a setting). */
  readonly raw: unknown;
}

/** `a.b[1].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * Replaces `${NAME}` in every string value with `env.NAME`. A missing variable is an issue at that value's
 * path (all are collected); `$${` escapes a literal `${`.
 */
export function interpolateEnv(value: unknown, env: LoadConfigOptions['env'], issues: ConfigIssue[], path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found === undefined || found === '') {
        issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, issues, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, issues, [...path, k])]));
  }
  return value;
}

/** Finds the configuration file: `--config`, then `WECOM_RELAY_CONFIG`, then the default names in `cwd`. */
export function findConfigFile(options: LoadConfigOptions): string {
  const named = options.file ?? options.env.WECOM_RELAY_CONFIG;
  if (named) {
    const file = resolve(options.cwd, named);
    if (!existsSync(file)) throw new ConfigError([{ path: '', message: `config file ${file} does not exist` }], file, 'ERR_CONFIG_NOT_FOUND');
    return file;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const file = resolve(options.cwd, name);
    if (existsSync(file)) return file;
  }
  throw new ConfigError(
    [{ path: '', message: `no config file: pass --config F, set WECOM_RELAY_CONFIG, or create ${DEFAULT_CONFIG_FILES.join(' / ')} in ${options.cwd}` }],
    undefined,
    'ERR_CONFIG_NOT_FOUND',
  );
}

/** Parses JSON or YAML text (by extension; YAML also reads JSON). */
export function parseConfigText(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot parse ${file}: ${(error as Error).message}` }], file);
  }
}

/**
 * Validates a raw configuration object (after `${ENV}` interpolation) and applies defaults. Every problem
 * is reported together, each with its path, in one {@link ConfigError}.
 */
export function validateConfig(raw: unknown, env: LoadConfigOptions['env'], file?: string): Config {
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(raw ?? {}, env, issues);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push({ path: formatPath(issue.path), message: describeIssue(issue, interpolated) });
  }
  issues.push(...crossFieldIssues(interpolated), ...appsIssues(interpolated), ...gatewayIssues(interpolated));
  // An unset ${VAR} also fails the value's own rule ("too small"): report only the cause.
  const unsetEnv = new Set(issues.filter((i) => i.message.startsWith('environment variable ')).map((i) => i.path));
  const reported = issues.filter((i) => !unsetEnv.has(i.path) || i.message.startsWith('environment variable '));
  issues.length = 0;
  issues.push(...reported);
  if (issues.length > 0 || !result.success) throw new ConfigError(dedupe(issues), file);
  return resolveApps(result.data);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Finds, reads, interpolates and validates the configuration. Throws {@link ConfigError}. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const file = findConfigFile(options);
  const raw = parseConfigText(readFileSync(file, 'utf8'), file);
  return { config: validateConfig(raw, options.env, file), file, raw };
}

/** Top-level sections of the configuration. */
export type ConfigSection = keyof typeof configSchema.shape;

/**
 * Finds and reads the configuration like {@link loadConfig}, but interpolates and validates only the
 * `sections` a command uses (with their defaults), leaving out the `omit` paths (`suite.secret`): a
 * command that needs no secret runs where the secret's environment variable is not set.
 */
export function loadConfigSections<K extends ConfigSection>(options: LoadConfigOptions, sections: readonly K[], omit: readonly string[] = []): { config: Pick<Config, K>; file: string; raw: unknown } {
  const file = findConfigFile(options);
  const raw = parseConfigText(readFileSync(file, 'utf8'), file);
  const root = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const section of sections) if (root[section] !== undefined) picked[section] = root[section];
  // `suite` asked of an `apps:` config: the first app, in the suite: shape (what one-suite commands read).
  if ((sections as readonly string[]).includes('suite') && root.suite === undefined && Array.isArray(root.apps) && root.apps.length > 0) {
    const first = (root.apps[0] ?? {}) as Record<string, unknown>;
    picked.suite = Object.fromEntries(['id', 'secret', 'token', 'encodingAESKey', 'providerCorpId'].filter((k) => first[k] !== undefined).map((k) => [k, first[k]]));
  }
  for (const path of omit) {
    const [section, key] = path.split('.') as [string, string];
    const value = picked[section];
    if (value !== null && typeof value === 'object' && key in value) picked[section] = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
  }
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(picked, options.env, issues);
  const shape = Object.fromEntries(sections.map((s) => [s, s === 'suite' ? configSchema.shape.suite.unwrap() : configSchema.shape[s]]));
  const result = z.object(shape).safeParse(interpolated);
  if (!result.success) for (const issue of result.error.issues) issues.push({ path: formatPath(issue.path), message: describeIssue(issue, interpolated) });
  if (issues.length > 0 || !result.success) throw new ConfigError(dedupe(issues), file);
  return { config: result.data as unknown as Pick<Config, K>, file, raw };
}

/** The store setting (URL, or `{ url, busyTimeoutMs }`) of a configuration, validated alone: what the inspect commands need (no secrets). */
export interface StoreConfig {
  readonly store: Config['store'];
  readonly file: string;
  /** The configured targets' names and `enabled` flags, read as written (for `targets list`). */
  readonly targets: ReadonlyArray<{ readonly name: string; readonly enabled: boolean }>;
  /** The configured apps' names and ids, read as written (`suite:` is one app named by its id): `--app NAME`. */
  readonly apps: ReadonlyArray<{ readonly name: string; readonly id: string }>;
}

/** {@link loadConfigSections} for `store` only, plus the target names: `events list` and the other inspect commands. */
export function loadStoreConfig(options: LoadConfigOptions): StoreConfig {
  const { config, file, raw } = loadConfigSections(options, ['store']);
  const root = (raw ?? {}) as { targets?: unknown; apps?: unknown; suite?: unknown };
  const apps = Array.isArray(root.apps)
    ? root.apps.flatMap((a: unknown) => {
      const app = (a ?? {}) as { name?: unknown; id?: unknown };
      return typeof app.id === 'string' ? [{ name: typeof app.name === 'string' ? app.name : app.id, id: app.id }] : [];
    })
    : typeof (root.suite as { id?: unknown } | undefined)?.id === 'string' ? [{ name: (root.suite as { id: string }).id, id: (root.suite as { id: string }).id }] : [];
  const targets = Array.isArray(root.targets)
    ? root.targets.flatMap((t: unknown) => {
      const target = (t ?? {}) as { name?: unknown; enabled?: unknown };
      return typeof target.name === 'string' ? [{ name: target.name, enabled: target.enabled !== false }] : [];
    })
    : [];
  return { store: config.store, file, targets, apps };
}

/** Things that work but are likely not what was meant; logged at start-up and shown by `doctor`. */
export function configWarnings(config: Config): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  if (config.targets.length === 0) {
    warnings.push({ path: 'targets', message: 'no targets: events are stored and processed, but forwarded nowhere (add one under targets:)' });
  } else if (config.targets.every((t) => !t.enabled)) {
    warnings.push({ path: 'targets', message: 'every target is disabled (enabled: false): events are forwarded nowhere' });
  }
  return warnings;
}
