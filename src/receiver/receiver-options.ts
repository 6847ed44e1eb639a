import type { WecomEvent } from '../events/types.js';
import { expected } from '../expected.js';
import { createStderrLogger, type Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { ReplyHook } from './passive-reply.js';
import { resolveInstallOptions, type InstallOptions, type ResolvedInstallOptions } from './install-options.js';
import type { ReceiverMetrics } from './receiver-metrics.js';
import { callbackPath, resolveReceiverApps, routesOf, type ReceiverApp, type ResolvedReceiverApp } from './receiver-apps.js';

/** Options of {@link wecomCallback} and {@link createCallbackHandler}. */
export interface ReceiverOptions {
  /**
   * Several WeCom apps (SPEC §10) — suites, customized-app templates, the contact-edit authorization —
   * each with its own Token, key and paths; instead of `suiteId`/`token`/`encodingAESKey` (which mean one
   * `suite` app on `dataPath`/`commandPath`). Apps may share a path: the app is the one whose Token
   * verifies `msg_signature` (every candidate checked in constant time), whose key decrypts and whose
   * receiveid policy accepts. The stored callback's `suiteId` is that app's id.
   */
  readonly apps?: readonly ReceiverApp[];
  /** The suite id (`ww…`), or several when one URL serves several suites. Command POSTs carry it as receiveid. Required without `apps`. */
  readonly suiteId?: string | readonly string[];
  /** The callback Token from the suite's 回调配置. Required without `apps`. */
  readonly token?: string;
  /** The 43-character EncodingAESKey from the suite's 回调配置. Required without `apps`. */
  readonly encodingAESKey?: string;
  /**
   * The provider's own corpid: WeCom encrypts URL-verification GETs with it (both URLs). When unset, a GET
   * is accepted with any receiveid (its signature still has to match the token). With `apps`, set it per app.
   */
  readonly providerCorpId?: string;
  /**
   * A store URL (`sqlite:./data/wecom-relay.db`, `redis://…`), a {@link Store} object, or a function
   * resolving one. A URL is opened by the adapters ({@link wecomCallback}, `startReceiver`), which load the
   * store module only then; the core {@link createCallbackHandler} takes a Store or a function only.
   */
  readonly store: string | Store | StoreFactory;
  /**
   * Path of the data callback (数据回调URL). With `apps`, set per app.
   * @default '/api/v1/wecom/callback'
   */
  readonly dataPath?: string;
  /**
   * Path of the command callback (指令回调URL). With `apps`, set per app.
   * @default '/api/v1/wecom/command'
   */
  readonly commandPath?: string;
  /**
   * Reject callbacks whose `timestamp` is further than this from now (replay protection). 0 turns the
   * check off (needed for the official test vectors, which are from 2014).
   * @default 3600
   */
  readonly maxClockSkewSeconds?: number;
  /**
   * Accept an empty receiveid (third-party apps of an individual entity, 个人主体).
   * @default false
   */
  readonly allowEmptyReceiveId?: boolean;
  /**
   * Further receiveids accepted on every route (e.g. corpids of corps authorized before the relay ran).
   * @default []
   */
  readonly allowReceiveIds?: readonly string[];
  /**
   * Called in-process after the callback is durably stored (never before, never for duplicates), with the
   * normalized event (not enriched, secrets removed: the receiver normalizes only when a hook is set).
   * Errors are logged, never change the answer to WeCom.
   */
  readonly onEvent?: (event: WecomEvent) => void | Promise<void>;
  /**
   * Passive replies (被动回复, SPEC §14): called after the durable write of a data-URL message or event
   * callback (never for the command URL, never for a retry: a retry gets the stored reply again) with the
   * normalized event (normalized here only because a hook is set). Its {@link PassiveReply} is encrypted,
   * signed and sent instead of `success`. Late (past `replyTimeoutMs`), throwing, empty or invalid →
   * `success` and a log line; never a 5xx.
   */
  readonly reply?: ReplyHook;
  /**
   * How long the ack waits for `reply`; WeCom drops the connection after 5 s.
   * @default 3000 (at most 4500)
   */
  readonly replyTimeoutMs?: number;
  /**
   * The timer `replyTimeoutMs` races against: resolves after `ms` unless `signal` aborts first. Injected by tests.
   * @default node:timers/promises setTimeout
   */
  readonly replyTimer?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Where to log; pino-compatible.
   * @default warnings and errors to stderr, one line each ({@link createStderrLogger})
   */
  readonly logger?: Logger;
  /** Counters; defaults to none. */
  readonly metrics?: ReceiverMetrics;
  /** Clock, in epoch ms. Injected by tests. */
  readonly now?: () => number;
  /**
   * Largest body accepted, in bytes (WeCom callbacks are a few KiB).
   * @default 1048576
   */
  readonly maxBodyBytes?: number;
  /**
   * Also serve the website install flow (`/wecom/install` → WeCom's install page → `/wecom/install/callback`):
   * installs started on the provider's own site get no `create_auth` push, only a browser redirect carrying
   * the auth_code. See {@link InstallOptions}. Absent = the two routes are not served.
   */
  readonly install?: InstallOptions;
  /**
   * Several apps' website install flows (SPEC §10, `apps[i].install`): each with its own `suiteId` (an app
   * of `apps` that is not `contact_edit`) and its own two paths. Served beside `install`; give either or both.
   */
  readonly installs?: readonly InstallOptions[];
}

/** Opens (or returns) the store the receiver writes to; called once, and again after a failure. */
export type StoreFactory = () => Promise<Store>;

/** {@link ReceiverOptions} after validation, with every default applied. */
export interface ResolvedReceiverOptions {
  /** Every app served (the single-suite options as one `suite` app). */
  readonly apps: readonly ResolvedReceiverApp[];
  /** Every app's ids. The fields below up to `commandPath` are the first app's. */
  readonly suiteIds: readonly string[];
  readonly token: string;
  readonly encodingAESKey: string;
  readonly providerCorpId: string | null;
  readonly store: string | Store | StoreFactory;
  /** The first app's data path; `''` when it has none. */
  readonly dataPath: string;
  readonly commandPath: string;
  readonly maxClockSkewSeconds: number;
  readonly allowEmptyReceiveId: boolean;
  readonly allowReceiveIds: readonly string[];
  readonly onEvent: ((event: WecomEvent) => void | Promise<void>) | null;
  readonly reply: ReplyHook | null;
  readonly replyTimeoutMs: number;
  readonly replyTimer: ((ms: number, signal: AbortSignal) => Promise<void>) | null;
  readonly logger: Logger;
  readonly metrics: ReceiverMetrics | null;
  readonly now: () => number;
  readonly maxBodyBytes: number;
  readonly install: ResolvedInstallOptions | null;
  /** `install` (when set) then every `installs` entry, resolved. */
  readonly installs: readonly ResolvedInstallOptions[];
}

/** The defaults, in one place. */
export const RECEIVER_DEFAULTS = Object.freeze({
  dataPath: '/api/v1/wecom/callback',
  commandPath: '/api/v1/wecom/command',
  maxClockSkewSeconds: 3600,
  allowEmptyReceiveId: false,
  maxBodyBytes: 1024 * 1024,
  replyTimeoutMs: 3000,
});

/** WeCom waits 5 s for the answer; the reply must leave well before. */
const MAX_REPLY_TIMEOUT_MS = 4500;

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw expected(name, 'a non-empty string', value);
  return value;
}

/** The single-suite options (`suiteId`, `token`, `encodingAESKey`, paths) as one `suite` app. */
function singleSuite(options: ReceiverOptions): ResolvedReceiverApp {
  const suiteIds = typeof options.suiteId === 'string' ? [options.suiteId] : options.suiteId;
  if (!Array.isArray(suiteIds) || suiteIds.length === 0 || !suiteIds.every((s) => typeof s === 'string' && s.length > 0)) {
    throw expected('suiteId', 'a non-empty string or array of strings (or pass `apps`)', options.suiteId);
  }
  if (typeof options.token !== 'string' || options.token.length === 0) {
    throw new TypeError(`Expected \`token\` to be a non-empty string, got ${typeof options.token === 'string' ? 'an empty string' : typeof options.token}`);
  }
  if (typeof options.encodingAESKey !== 'string' || !/^[A-Za-z0-9+/]{43}$/.test(options.encodingAESKey)) {
    const got = typeof options.encodingAESKey === 'string' ? `${options.encodingAESKey.length} characters` : typeof options.encodingAESKey;
    throw new TypeError(`Expected \`encodingAESKey\` to be exactly 43 base64 characters, got ${got}`);
  }
  const providerCorpId = options.providerCorpId === undefined || options.providerCorpId === '' ? null : nonEmptyString('providerCorpId', options.providerCorpId);
  const dataPath = callbackPath('dataPath', options.dataPath ?? RECEIVER_DEFAULTS.dataPath);
  const commandPath = callbackPath('commandPath', options.commandPath ?? RECEIVER_DEFAULTS.commandPath);
  if (dataPath === commandPath) throw expected('commandPath', 'different from `dataPath`', commandPath);
  const id = suiteIds[0]!;
  return { id, ids: [...suiteIds], kind: 'suite', name: id, token: options.token, encodingAESKey: options.encodingAESKey, providerCorpId, dataPath, commandPath };
}

/** `apps`, refusing the single-suite options beside it (one or the other). */
function appsOnly(options: ReceiverOptions): ResolvedReceiverApp[] {
  for (const name of ['suiteId', 'token', 'encodingAESKey', 'providerCorpId', 'dataPath', 'commandPath'] as const) {
    if (options[name] !== undefined) throw expected(name, 'absent when `apps` is given (set it per app)', options[name]);
  }
  return resolveReceiverApps(options.apps);
}

/**
 * Validates receiver options once, at construction, and applies defaults. Throws `TypeError` in the shape
 * ``Expected `x` to be …, got …`` — never echoing a secret (token and key values are described by length).
 */
export function resolveReceiverOptions(options: ReceiverOptions): ResolvedReceiverOptions {
  if (options === null || typeof options !== 'object') throw expected('options', 'an object', options);
  const apps = options.apps !== undefined ? appsOnly(options) : [singleSuite(options)];
  const suiteIds = apps.flatMap((app) => app.ids);
  const first = apps[0]!;
  const providerCorpId = first.providerCorpId;
  const store = options.store;
  if (typeof store !== 'string' && typeof store !== 'function' && (store === null || typeof store !== 'object' || typeof (store as Store).putCallback !== 'function')) {
    throw expected('store', 'a store URL, a Store object or a function resolving one', store);
  }
  if (typeof store === 'string' && !/^(sqlite:|file:|redis:\/\/|rediss:\/\/)/.test(store)) {
    throw expected('store', 'a URL starting with sqlite:, file:, redis:// or rediss://', store);
  }
  const dataPath = first.dataPath ?? '';
  const commandPath = first.commandPath;
  const routes = routesOf(apps);
  const skew = options.maxClockSkewSeconds ?? RECEIVER_DEFAULTS.maxClockSkewSeconds;
  if (typeof skew !== 'number' || !Number.isInteger(skew) || skew < 0) throw expected('maxClockSkewSeconds', 'an integer >= 0', skew);
  const allowEmpty = options.allowEmptyReceiveId ?? RECEIVER_DEFAULTS.allowEmptyReceiveId;
  if (typeof allowEmpty !== 'boolean') throw expected('allowEmptyReceiveId', 'a boolean', allowEmpty);
  const allowReceiveIds = options.allowReceiveIds ?? [];
  if (!Array.isArray(allowReceiveIds) || !allowReceiveIds.every((s) => typeof s === 'string')) {
    throw expected('allowReceiveIds', 'an array of strings', allowReceiveIds);
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw expected('onEvent', 'a function', options.onEvent);
  if (options.now !== undefined && typeof options.now !== 'function') throw expected('now', 'a function', options.now);
  if (options.reply !== undefined && typeof options.reply !== 'function') throw expected('reply', 'a function', options.reply);
  const replyTimeoutMs = options.replyTimeoutMs ?? RECEIVER_DEFAULTS.replyTimeoutMs;
  if (typeof replyTimeoutMs !== 'number' || !Number.isInteger(replyTimeoutMs) || replyTimeoutMs < 1 || replyTimeoutMs > MAX_REPLY_TIMEOUT_MS) {
    throw expected('replyTimeoutMs', `an integer from 1 to ${MAX_REPLY_TIMEOUT_MS} (WeCom waits 5 s)`, replyTimeoutMs);
  }
  if (options.replyTimer !== undefined && typeof options.replyTimer !== 'function') throw expected('replyTimer', 'a function', options.replyTimer);
  const logger = options.logger ?? createStderrLogger();
  if (logger === null || typeof logger !== 'object' || !['debug', 'info', 'warn', 'error'].every((m) => typeof (logger as unknown as Record<string, unknown>)[m] === 'function')) {
    throw expected('logger', 'an object with debug, info, warn and error methods', logger);
  }
  const maxBodyBytes = options.maxBodyBytes ?? RECEIVER_DEFAULTS.maxBodyBytes;
  if (typeof maxBodyBytes !== 'number' || !Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) {
    throw expected('maxBodyBytes', 'an integer >= 1024', maxBodyBytes);
  }
  const installable = apps.filter((app) => app.kind !== 'contact_edit').flatMap((app) => app.ids);
  const install = options.install === undefined ? null : resolveInstallOptions(options.install, installable);
  if (options.installs !== undefined && !Array.isArray(options.installs)) throw expected('installs', 'an array of install options', options.installs);
  const installs = [...(install ? [install] : []), ...(options.installs ?? []).map((each) => resolveInstallOptions(each, installable))];
  const installRoutes = new Set<string>();
  const installSuites = new Set<string>();
  for (const each of installs) {
    if (installSuites.has(each.suiteId)) throw expected('installs', `one install flow per app (${each.suiteId} has two)`, each.suiteId);
    installSuites.add(each.suiteId);
    for (const name of ['installPath', 'callbackPath'] as const) {
      if (routes.has(each[name])) {
        throw expected(`install.${name}`, 'different from `dataPath` and `commandPath` (of every app)', each[name]);
      }
      if (installRoutes.has(each[name])) throw expected(`install.${name}`, 'different from every other app\'s install paths', each[name]);
      installRoutes.add(each[name]);
    }
  }
  return {
    apps,
    suiteIds,
    token: first.token,
    encodingAESKey: first.encodingAESKey,
    providerCorpId,
    store,
    dataPath,
    commandPath,
    maxClockSkewSeconds: skew,
    allowEmptyReceiveId: allowEmpty,
    allowReceiveIds: [...allowReceiveIds],
    onEvent: options.onEvent ?? null,
    reply: options.reply ?? null,
    replyTimeoutMs,
    replyTimer: options.replyTimer ?? null,
    logger,
    metrics: options.metrics ?? null,
    now: options.now ?? Date.now,
    maxBodyBytes,
    install,
    installs,
  };
}
