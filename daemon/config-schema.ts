import { z } from 'zod';
import { APP_KINDS, type AppConfig } from '../src/apps/app.js';
import { parseCidr } from './delivery/ssrf-guard.js';
import { DEFAULT_RETRY_SCHEDULE } from './delivery/retry-policy.js';
import { TARGET_FORMATS } from './delivery/target.js';
import { gatewaySchema } from './gateway/gateway-config.js';
import { SYNC_SCOPES } from './sync/sync-scope.js';

const path = z.string().regex(/^\/[^?#\s]*$/, 'must be an absolute path starting with /');
const port = z.number().int().min(0).max(65535);
const storeUrl = z.string().regex(/^(sqlite:|file:|redis:\/\/|rediss:\/\/)/, 'must be sqlite:<path> or redis://host:port/db');
const seconds = z.number().int().min(0);
const cidr = z.string().refine((text) => {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}, 'must be a CIDR range such as 10.0.0.0/8 or fd00::/8 (or one address)');

/**
 * The EncodingAESKey. The message names the length found, like the library's TypeError
 * (`… 43 base64 characters, got 42 characters`), so the CLI and an app say the same thing.
 */
const encodingAESKey = z.string().superRefine((value, ctx) => {
  if (value.length !== 43) {
    ctx.addIssue({ code: 'custom', message: `must be exactly 43 base64 characters (the EncodingAESKey from 回调配置), got ${value.length} characters` });
  } else if (!/^[A-Za-z0-9+/]{43}$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be exactly 43 base64 characters (the EncodingAESKey from 回调配置), got characters outside A–Z a–z 0–9 + /' });
  }
});

const target = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, `_`, `.` or `-`'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  format: z.enum(TARGET_FORMATS as [string, ...string[]]).default('json'),
  secret: z.string().min(1).optional(),
  events: z.array(z.string().min(1)).min(1).default(['*']),
  // Names of the apps whose events this target gets (SPEC §10); empty = every app.
  apps: z.array(z.string().min(1)).default([]),
  corpIds: z.array(z.string().min(1)).default([]),
  rateLimit: z.strictObject({ count: z.number().int().min(1), intervalMs: z.number().int().min(1) }).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  retrySchedule: z.array(seconds).min(1).max(50).default([...DEFAULT_RETRY_SCHEDULE]),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  headers: z.record(z.string(), z.string()).default({}),
  enabled: z.boolean().default(true),
});

/** The website install flow (SPEC §6): top-level `install:` with `suite:`, `apps[i].install` with `apps:`. */
const installSchema = z.strictObject({
  publicBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).regex(/^[^?#]*$/, 'must have no query or fragment'),
  installPath: path.default('/wecom/install'),
  callbackPath: path.default('/wecom/install/callback'),
  successUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  stateTtlSeconds: z.number().int().min(10).max(3600).default(600),
  testInstall: z.boolean().default(false),
  installPageUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://open.work.weixin.qq.com/3rdapp/install'),
});

/** One app under `apps:` (SPEC §10). Paths default to `receiver.dataPath` / `receiver.commandPath` (contact_edit: no data path). */
const appSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, `_`, `.` or `-`').optional(),
  kind: z.enum(APP_KINDS as [string, ...string[]], { error: `must be one of ${APP_KINDS.join(', ')}` }),
  id: z.string().min(1, 'is required'),
  secret: z.string().min(1).optional(),
  token: z.string().min(1, 'is required'),
  encodingAESKey: encodingAESKey,
  providerCorpId: z.string().min(1).optional(),
  dataPath: path.optional(),
  commandPath: path.optional(),
  install: installSchema.optional(),
});

/** The configuration file's schema (SPEC §4). Unknown keys are errors, so typos are caught. */
export const configSchema = z.strictObject({
  // `suite:` is the one-app shorthand of `apps:` (SPEC §10); one of the two is required (crossFieldIssues).
  apps: z.array(appSchema).min(1, 'must list at least one app').optional(),
  suite: z.strictObject({
    id: z.string().min(1, 'is required'),
    secret: z.string().min(1).optional(),
    token: z.string().min(1, 'is required'),
    encodingAESKey: encodingAESKey,
    providerCorpId: z.string().min(1).optional(),
    allowEmptyReceiveId: z.boolean().default(false),
    allowReceiveIds: z.array(z.string()).default([]),
  }).optional(),
  receiver: z.strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: port.default(8080),
    dataPath: path.default('/api/v1/wecom/callback'),
    commandPath: path.default('/api/v1/wecom/command'),
    maxClockSkewSeconds: seconds.default(3600),
  }).prefault({}),
  store: z.union([
    storeUrl,
    // The long form: { url, busyTimeoutMs, attemptsPerDelivery } (SQLite: how long a write waits for another
    // process's lock before 503; both: entries of each delivery's attempts log kept, default 50).
    z.strictObject({
      url: storeUrl, busyTimeoutMs: z.number().int().min(0).max(60_000).optional(), attemptsPerDelivery: z.number().int().min(1).max(10_000).optional(),
    }),
  ]).default('sqlite:./data/wecom-relay.db'),
  wecomApi: z.strictObject({
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://qyapi.weixin.qq.com'),
    timeoutMs: z.number().int().min(100).default(10_000),
    // Per-corp pacing of every WeCom call of a process (enrichment, sync): see WecomApiClient's CorpRateLimit.
    corpRateLimit: z.strictObject({
      concurrency: z.number().int().min(1).max(100).optional(),
      intervalCap: z.number().int().min(1).optional(),
      intervalMs: z.number().int().min(1).optional(),
    }).optional(),
  }).prefault({}),
  enrich: z.union([
    z.boolean().transform((enabled) => ({ enabled, maxDelaySeconds: 300 })),
    z.strictObject({ enabled: z.boolean().default(true), maxDelaySeconds: seconds.default(300) }),
  ]).default({ enabled: true, maxDelaySeconds: 300 }),
  admin: z.strictObject({
    enabled: z.boolean().default(true),
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(9464),
    token: z.string().min(16, 'must be at least 16 characters').optional(),
  }).prefault({}),
  daemon: z.strictObject({
    pollIntervalMs: z.number().int().min(10).max(60_000).default(500),
    leaseMs: z.number().int().min(1000).default(15_000),
    shutdownTimeoutMs: z.number().int().min(0).default(10_000),
    retentionDays: z.number().min(0).default(7),
    ticketAlertMinutes: z.number().int().min(1).default(20),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    // auto: pretty (pino-pretty) when stdout is a terminal, JSON lines otherwise.
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  }).prefault({}),
  targets: z.array(target).default([]),
  // Reconciliation (SPEC §12, docs/reconciliation.md).
  sync: z.strictObject({
    onInstall: z.boolean().default(true),
    // 0 = no periodic sync.
    intervalHours: z.number().min(0).max(24 * 365).default(24),
    // Default: every scope the app kind may call (contact_edit: contacts only).
    scopes: z.array(z.enum(SYNC_SCOPES as [string, ...string[]], { error: `must be one of ${SYNC_SCOPES.join(', ')}` })).min(1).optional(),
    // Lease of the per-scope store lock (renewed every third): how soon a killed run can be resumed elsewhere.
    leaseSeconds: z.number().int().min(2).max(3600).default(60),
    // user/list_id page size (1–10000), for the contact-edit authorization.
    listIdPageSize: z.number().int().min(1).max(10_000).default(10_000),
  }).prefault({}),
  // Hardening. blockPrivateTargets is opt-in: targets on the relay's own network are a normal deployment.
  security: z.strictObject({
    blockPrivateTargets: z.boolean().default(false),
    allowPrivateRanges: z.array(cidr).default([]),
  }).prefault({}),
  // The website install flow (SPEC §6); absent = not served. Needs suite.secret (checked in crossFieldIssues).
  // With apps:, install is per app (apps[i].install).
  install: installSchema.optional(),
  // The credential gateway (中控, SPEC §11); absent = not served.
  gateway: gatewaySchema.optional(),
});

/**
 * Checks that span several fields, run on the raw (interpolated) input whether or not the schema passed,
 * so that every problem is reported in one go.
 */
export function crossFieldIssues(input: unknown): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const root = (input ?? {}) as { targets?: unknown; receiver?: { dataPath?: unknown; commandPath?: unknown } };
  if (Array.isArray(root.targets)) {
    const seen = new Map<string, number>();
    root.targets.forEach((raw: unknown, i) => {
      const t = (raw ?? {}) as { name?: unknown; format?: unknown; secret?: unknown };
      if (typeof t.name === 'string') {
        const first = seen.get(t.name);
        if (first !== undefined) issues.push({ path: `targets[${i}].name`, message: `duplicates targets[${first}].name "${t.name}"` });
        else seen.set(t.name, i);
      }
      const format = t.format ?? 'json';
      if (typeof t.secret === 'string') {
        if ((format === 'feishu' || format === 'dingtalk') && t.secret.startsWith('whsec_')) {
          issues.push({ path: `targets[${i}].secret`, message: `is a Standard Webhooks secret, but ${format} expects the bot's own signing secret` });
        }
        if (format === 'json' && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(t.secret)) {
          issues.push({ path: `targets[${i}].secret`, message: 'must be a Standard Webhooks secret: `whsec_` followed by base64 (24–64 random bytes)' });
        }
      }
    });
  }
  const data = root.receiver?.dataPath ?? '/api/v1/wecom/callback';
  const command = root.receiver?.commandPath ?? '/api/v1/wecom/command';
  if (data === command) issues.push({ path: 'receiver.commandPath', message: 'must differ from receiver.dataPath' });
  const install = (input as { install?: { installPath?: unknown; callbackPath?: unknown } } | null)?.install;
  if (install !== undefined && install !== null && (input as { apps?: unknown }).apps === undefined) {
    if (!(input as { suite?: { secret?: unknown } }).suite?.secret) {
      issues.push({ path: 'install', message: 'needs suite.secret (the install route fetches a pre-auth code with the suite token)' });
    }
    const own = { installPath: install.installPath ?? '/wecom/install', callbackPath: install.callbackPath ?? '/wecom/install/callback' };
    for (const [name, value] of Object.entries(own)) {
      if (value === data || value === command) issues.push({ path: `install.${name}`, message: 'must differ from receiver.dataPath and receiver.commandPath' });
    }
    if (own.installPath === own.callbackPath) issues.push({ path: 'install.callbackPath', message: 'must differ from install.installPath' });
  }
  return issues;
}

/** The configuration file as written (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** What the schema itself yields (before `apps` is resolved from `suite:` or `apps:`). */
export type ParsedConfig = z.output<typeof configSchema>;
/** The `suite:` section, resolved. */
export type SuiteConfig = NonNullable<ParsedConfig['suite']>;
/** The website install flow's settings (`install:` / `apps[i].install`), defaults applied. */
export type InstallConfig = z.output<typeof installSchema>;
/** One app of the deployment, resolved: {@link AppConfig} plus its website install flow, when it has one. */
export type DaemonAppConfig = AppConfig & { readonly install?: InstallConfig };

/**
 * The validated configuration with every default applied. `apps` is every app (from `apps:`, or the
 * `suite:` shorthand as one `suite` app); `suite` is the first app in the `suite:` shape, for code that
 * still serves one suite; `install` is the first app's.
 */
export type Config = Omit<ParsedConfig, 'suite' | 'apps'> & {
  readonly suite: SuiteConfig;
  readonly apps: readonly DaemonAppConfig[];
};
