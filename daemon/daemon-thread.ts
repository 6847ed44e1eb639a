import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Logger as PinoLogger } from 'pino';
import { ERROR_CATALOG, WecomRelayError, type ErrorCode } from '../src/errors.js';
import { createStore } from '../src/store/create-store.js';
import type { Store } from '../src/store/store.js';
import type { TokenProvider } from '../src/wecom-api/token-provider.js';
import { TokenProviders } from '../src/wecom-api/token-providers.js';
import { RelayMetrics } from './admin/metrics.js';
import { configSecrets } from './commands/config-secrets.js';
import type { Config } from './config-schema.js';
import { createLogger } from './logger.js';
import { RelayDaemon } from './relay-daemon.js';

/**
 * The daemon half of `wecom-relay start`, run in a `worker_threads` Worker so that its synchronous
 * SQLite commits (better-sqlite3) and its CPU work never hold up the receiver's event loop
 * (docs/performance.md, "Receiver beside the daemon"). The thread opens its own store connection on the
 * same SQLite file or Redis, logs to the same stdout, and keeps its own metrics, which the main thread's
 * `/metrics` shows through {@link startDaemonThread}'s mirror. Everything crosses the port as plain
 * messages ({@link ToDaemonThread}, {@link FromDaemonThread}).
 */

/** What the main thread hands the thread at start (`workerData`); structured-cloneable. */
export interface DaemonThreadData {
  /** Marks a Worker started by `startDaemonThread`, so importing this file elsewhere runs nothing. */
  readonly kind: 'wecom-relay-daemon-thread';
  readonly config: Config;
  /** The main logger's level, so both threads log alike. */
  readonly logLevel: string;
}

/** Messages the main thread sends. */
export type ToDaemonThread =
  /** The receiver's store reported a change (a callback was put): wake the daemon's loops, with the listener's arguments. */
  | { readonly type: 'change'; readonly args: readonly unknown[] }
  /** A question for a reply with the same `id`. */
  | { readonly type: 'request'; readonly id: number; readonly what: 'metrics' | 'readiness' }
  /** Stop claiming, drain in-flight work within `timeoutMs`, close the store, then answer `stopped`. */
  | { readonly type: 'stop'; readonly timeoutMs: number };

/** Messages the thread sends. */
export type FromDaemonThread =
  | { readonly type: 'started'; readonly owner: string }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: SerializedError }
  | { readonly type: 'stopped' };

/** An error as it crosses the port: the stable code when there is one, and the message. */
export interface SerializedError {
  readonly message: string;
  readonly code?: string;
}

/** Turns an error into what crosses the port. */
export function serializeError(error: unknown): SerializedError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}

/** The error back on the other side: a {@link WecomRelayError} when its code is one, else a plain Error. */
export function deserializeError(error: SerializedError): Error {
  if (error.code !== undefined && error.code in ERROR_CATALOG) return new WecomRelayError(error.code as ErrorCode, { message: error.message });
  return new Error(error.message);
}

/**
 * The `/readyz` credential facts: the suite_ticket's age and the corps by state, or `'unmanaged'` when
 * the daemon manages no credentials (no suite secret). With several apps ({@link TokenProviders}) the
 * top-level facts are the first managed app's ticket and every app's corps, and `apps` has each app's own
 * (keyed by name, with its kind). The same in one process and in the thread.
 */
export async function credentialFacts(tokens: TokenProvider | TokenProviders | null, now: number): Promise<Record<string, unknown>> {
  if (!tokens) return { credentials: 'unmanaged' };
  if (!(tokens instanceof TokenProviders)) return { credentials: await appFacts(tokens, now) };
  const entries = tokens.entries();
  if (entries.length === 0) return { credentials: 'unmanaged' };
  const apps: Record<string, unknown> = {};
  const total = { active: 0, revoked: 0, gone: 0 };
  for (const { app, tokens: provider } of entries) {
    const facts = await appFacts(provider, now);
    apps[app.name] = { kind: app.kind, ...facts };
    for (const state of ['active', 'revoked', 'gone'] as const) total[state] += facts.corps[state];
  }
  const first = apps[entries[0]!.app.name] as { suiteTicket: unknown };
  return { credentials: { suiteTicket: first.suiteTicket, corps: total, apps } };
}

async function appFacts(tokens: TokenProvider, now: number): Promise<{ suiteTicket: { ageSeconds: number } | null; corps: { active: number; revoked: number; gone: number } }> {
  const ticket = await tokens.suiteTicketStatus();
  const corps = await tokens.listCorps();
  return {
    suiteTicket: ticket ? { ageSeconds: Math.round((now - ticket.updatedAt) / 1000) } : null,
    corps: { active: corps.filter((c) => c.state === 'active').length, revoked: corps.filter((c) => c.state === 'revoked').length, gone: corps.filter((c) => c.state === 'gone').length },
  };
}

/**
 * The thread's store: its own connection, whose `onChange` listeners also hear the changes the main
 * thread forwards (a put by the receiver happens on the other connection, which this one never sees).
 * Every other member is the connection's own, bound to it.
 */
export function withForwardedChanges(store: Store): { readonly store: Store; readonly forward: (args: readonly unknown[]) => void } {
  const listeners = new Set<(...args: unknown[]) => void>();
  const onChange = (listener: (...args: unknown[]) => void): (() => void) => {
    listeners.add(listener);
    const own = (store.onChange as (l: (...args: unknown[]) => void) => () => void).call(store, listener);
    return () => {
      listeners.delete(listener);
      own();
    };
  };
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'onChange') return onChange;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store: wrapped,
    forward(args) {
      for (const listener of listeners) {
        try {
          listener(...args);
        } catch {
          // A listener cannot fail the forwarding (as with the stores' own notifications).
        }
      }
    },
  };
}

/**
 * Runs the daemon on `port` until a `stop` message: opens the store, starts a {@link RelayDaemon}, answers
 * requests, forwards changes. Posts `started` or `failed` first.
 */
export async function runDaemonThread(port: MessagePort, data: DaemonThreadData): Promise<void> {
  const { config } = data;
  const logger: PinoLogger = createLogger({ level: data.logLevel, secrets: configSecrets(config) }).child({ thread: 'daemon' });
  const post = (message: FromDaemonThread) => port.postMessage(message);
  let opened: Store;
  try {
    opened = await createStore(config.store, { logger });
  } catch (error) {
    // The main thread terminates the thread on `failed`.
    post({ type: 'failed', error: serializeError(error) });
    return;
  }
  const { store, forward } = withForwardedChanges(opened);
  const metrics = new RelayMetrics({ defaultMetrics: false });
  // The thread's own providers (its own store connection): every app's credentials.
  let daemon: RelayDaemon;
  try {
    daemon = new RelayDaemon({ config, store, logger, metrics });
    daemon.start();
  } catch (error) {
    await opened.close().catch(() => undefined);
    post({ type: 'failed', error: serializeError(error) });
    return;
  }
  const tokens = daemon.providers ?? daemon.tokens;
  let stopping = false;
  port.on('message', (message: ToDaemonThread) => {
    if (message.type === 'change') {
      forward(message.args);
    } else if (message.type === 'request') {
      const answer = message.what === 'metrics' ? metrics.registry.getMetricsAsJSON() : credentialFacts(tokens, Date.now());
      answer.then(
        (value) => post({ type: 'reply', id: message.id, ok: true, value }),
        (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: serializeError(error) }),
      );
    } else if (message.type === 'stop' && !stopping) {
      stopping = true;
      void (async () => {
        try {
          await daemon.stop(message.timeoutMs);
          await opened.close();
        } catch (err) {
          logger.error({ err }, 'daemon thread: stopping failed');
        }
        // The destination writes asynchronously: let it finish before the thread goes.
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
        post({ type: 'stopped' });
        // Not close(): that could drop the message just posted. Unref'd, the port lets the thread end.
        port.unref();
      })();
    }
  });
  post({ type: 'started', owner: daemon.owner });
}

function isDaemonThreadData(value: unknown): value is DaemonThreadData {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'wecom-relay-daemon-thread';
}

// The Worker's entry point: only inside a thread started by startDaemonThread.
if (!isMainThread && parentPort && isDaemonThreadData(workerData)) {
  void runDaemonThread(parentPort, workerData);
}
