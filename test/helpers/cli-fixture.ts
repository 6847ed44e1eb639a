import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startMockWecomApi, type StartedMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import { startRecordingTarget, type RecordedRequest, type RecordingTarget, type RecordingTargetOptions, type Teardown } from '../e2e/helpers/recording-target.js';
import { generateSuiteKeys } from './keys.js';
import { runCli, spawnCli, type RunningCli } from './spawn-cli.js';

export { startRecordingTarget, type RecordedRequest, type RecordingTarget, type RecordingTargetOptions };

/** The suite the CLI tests run as (the mock's default and the samples'). */
export const SUITE_ID = 'ww917724cb573d8629';
/** The corp every sample callback is about (`trigger --corp` default, the mock's built-in corp). */
export const CORP_ID = 'wxf8b4f85f3a794e77';

/** A suite's credentials, fresh per test: nothing shared or committed. */
export interface SuiteCredentials {
  readonly id: string;
  readonly secret: string;
  readonly token: string;
  readonly encodingAESKey: string;
}

/** A fresh suite secret, callback token and EncodingAESKey. */
export function newSuite(): SuiteCredentials {
  return { id: SUITE_ID, secret: randomBytes(24).toString('hex'), ...generateSuiteKeys() };
}

/** A fresh Standard Webhooks secret (`whsec_` + base64 of 24 random bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** What {@link relayConfig} builds a configuration from. */
export interface RelayConfigOptions {
  readonly dir: string;
  readonly suite: SuiteCredentials;
  /** Leave `suite.secret` out (serve-only / no credential management). */
  readonly withoutSecret?: boolean;
  readonly providerCorpId?: string;
  readonly targets?: ReadonlyArray<Record<string, unknown>>;
  readonly wecomApiBaseUrl?: string;
  /** @default `sqlite:<dir>/relay.db` */
  readonly store?: string;
  /** @default 'info' */
  readonly logLevel?: string;
  /** @default { enabled: false } */
  readonly admin?: Record<string, unknown>;
  readonly daemon?: Record<string, unknown>;
  readonly enrich?: boolean;
}

/** The SQLite file a {@link relayConfig} uses by default. */
export function storeFile(dir: string): string {
  return join(dir, 'relay.db');
}

/** A configuration object as a user would write it: loopback, port 0 everywhere, a SQLite file in `dir`. */
export function relayConfig(options: RelayConfigOptions): Record<string, unknown> {
  const { suite } = options;
  return {
    suite: {
      id: suite.id,
      ...(options.withoutSecret ? {} : { secret: suite.secret }),
      token: suite.token,
      encodingAESKey: suite.encodingAESKey,
      ...(options.providerCorpId ? { providerCorpId: options.providerCorpId } : {}),
    },
    receiver: { host: '127.0.0.1', port: 0, maxClockSkewSeconds: 3600 },
    store: options.store ?? `sqlite:${storeFile(options.dir)}`,
    ...(options.wecomApiBaseUrl ? { wecomApi: { baseUrl: options.wecomApiBaseUrl, timeoutMs: 5000 } } : {}),
    ...(options.enrich === undefined ? {} : { enrich: options.enrich }),
    admin: options.admin ?? { enabled: false },
    daemon: { pollIntervalMs: 100, retentionDays: 0, shutdownTimeoutMs: 2000, ...options.daemon },
    log: { level: options.logLevel ?? 'info' },
    targets: options.targets ?? [],
  };
}

/** Writes `config` as JSON into `dir` and returns the file's path. */
export function writeConfig(dir: string, config: unknown, name = 'wecom-relay.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts the mock WeCom API in this process (port 0) for `suite`; `t.teardown` closes it. */
export async function startMock(t: Teardown, suite: SuiteCredentials): Promise<StartedMockWecomApi> {
  const mock = await startMockWecomApi({ suiteId: suite.id, suiteSecret: suite.secret });
  t.teardown(() => mock.close());
  return mock;
}

/** Starts a recording target whose answer status is read from `status()` on every request. */
export function startSwitchableTarget(t: Teardown, status: () => number): Promise<RecordingTarget> {
  return startRecordingTarget(t, { respond: () => ({ status: status(), body: status() < 300 ? '{"ok":true}' : '{"error":"rejected by the test"}' }) });
}

/** The parsed JSON bodies a recording target received. */
export function bodies(target: RecordingTarget): Array<Record<string, unknown>> {
  return target.requests.filter((r) => r.complete && r.body.startsWith('{')).map((r) => JSON.parse(r.body) as Record<string, unknown>);
}

/** Resolves true once a request whose JSON body has `type` arrives (false after `timeoutMs`). */
export function waitForEventType(target: RecordingTarget, type: string, timeoutMs = 30_000, count = 1): Promise<boolean> {
  return target.waitFor(() => bodies(target).filter((b) => b.type === type).length >= count, timeoutMs);
}

/**
 * Resolves the first match of `pattern` in a running CLI's raw output (stdout and stderr), seen already or
 * yet to come; rejects when the process exits first or after `timeoutMs`.
 */
export function waitForOutput(cli: RunningCli, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = cli.output().match(pattern);
      if (match) { done(); resolve(match); return true; }
      return false;
    };
    const onClose = () => {
      // Let the last 'data' events run first.
      setImmediate(() => { if (!check()) { done(); reject(new Error(`process exited (${cli.child.exitCode}) before ${pattern} appeared:\n${cli.output()}`)); } });
    };
    const onData = () => { check(); };
    const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern}:\n${cli.output()}`)); }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      cli.child.stdout?.off('data', onData);
      cli.child.stderr?.off('data', onData);
      cli.child.off('close', onClose);
    };
    // Registered after spawnCli's own listeners, so output() already holds the chunk when this runs.
    cli.child.stdout?.on('data', onData);
    cli.child.stderr?.on('data', onData);
    cli.child.on('close', onClose);
    if (!check() && cli.child.exitCode !== null) onClose();
  });
}

/** `wecom-relay mock-api --port 0 …` as a child process, and the URL it printed. */
export async function spawnMockApi(t: Teardown, args: readonly string[]): Promise<{ cli: RunningCli; url: string }> {
  const cli = spawnCli(['mock-api', '--port', '0', ...args]);
  t.teardown(() => cli.stop('SIGKILL'));
  const match = await waitForOutput(cli, /mock WeCom API listening on (http:\/\/[^\s]+)/);
  return { cli, url: match[1]! };
}

/** Starts a long-running relay command and waits for the log lines that say it is up. */
export async function spawnRelay(t: Teardown, mode: 'start' | 'serve' | 'daemon', config: string): Promise<{ cli: RunningCli; url: string | undefined }> {
  const cli = spawnCli([mode, '--config', config]);
  t.teardown(() => cli.stop('SIGKILL'));
  let url: string | undefined;
  // Generous bounds: on a loaded machine loading the CLI alone can take many seconds.
  if (mode !== 'daemon') url = String((await cli.waitForLine((l) => l.msg === 'receiver listening', 60_000)).url);
  if (mode !== 'serve') await cli.waitForLine((l) => l.msg === 'daemon started', 60_000);
  return { cli, url };
}

/** `wecom-relay trigger <kind> --config … --to …` (plus `extra`), expecting nothing in particular. */
export function trigger(kind: string, config: string, to: string, extra: readonly string[] = []): ReturnType<typeof runCli> {
  return runCli(['trigger', kind, '--config', config, '--to', to, ...extra], { timeoutMs: 60_000 });
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Opens a relay's SQLite file read-only (it is in WAL mode, so this reads alongside running writers). */
export function openStoreReadonly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** One delivery row as stored. */
export interface DeliveryRow {
  readonly id: string;
  readonly event_id: string;
  readonly target: string;
  readonly event_type: string;
  readonly state: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly replays: number;
  readonly last_status: number | null;
}

/** Every delivery in the store, read in one short read-only connection. */
export function readDeliveries(file: string): DeliveryRow[] {
  const db = openStoreReadonly(file);
  try {
    return db.prepare('SELECT id, event_id, target, event_type, state, attempts, replays, last_status FROM deliveries ORDER BY created_at').all() as DeliveryRow[];
  } finally {
    db.close();
  }
}

/** Re-reads the store every 100 ms until `check(deliveries)` holds; false after `timeoutMs`. */
export async function untilDeliveries(file: string, check: (rows: DeliveryRow[]) => boolean, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check(readDeliveries(file))) return true;
    } catch {
      // Not created yet, or busy: try again.
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A finished CLI run's output, as the `extra` of an assertion: shown only when the assertion fails. */
export function outputOf(result: { readonly stdout: string; readonly stderr: string }): { stdout: string; stderr: string } {
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Lines of JSON output (one object per line), parsed. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
