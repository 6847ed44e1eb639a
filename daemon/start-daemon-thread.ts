import { storeUrlOf, type StoreSetting } from '../src/store/create-store.js';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { Logger } from '../src/logger.js';
import type { Store } from '../src/store/store.js';
import type { Config } from './config-schema.js';
import { deserializeError, type DaemonThreadData, type FromDaemonThread, type ToDaemonThread } from './daemon-thread.js';

/** Inputs of {@link startDaemonThread}. */
export interface StartDaemonThreadOptions {
  readonly config: Config;
  /** The main thread's logger; the thread logs at the same level to the same stdout. */
  readonly logger: Logger & { readonly level: string };
  /** The receiver's store: each of its changes is forwarded to wake the thread's loops. */
  readonly store: Store;
  /** The main thread's registry: the thread's metrics are shown through it (summed per series). */
  readonly registry: Registry;
  /** How long a question to the thread (metrics, readiness) may take. @default 5000 */
  readonly requestTimeoutMs?: number;
}

/** The daemon, running in its own thread. */
export interface DaemonThread {
  /** The daemon's lease owner id (host:pid:random), as the thread reported it. */
  readonly owner: string;
  /** The `/readyz` credential facts, from the thread; rejects when the thread is gone. */
  readiness(): Promise<Record<string, unknown>>;
  /** Drains the daemon within `timeoutMs`, then ends the thread (terminated if it does not end by itself). */
  stop(timeoutMs: number): Promise<void>;
}

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

/** How long past the drain bound the thread may take to end (close its store, flush its log) before it is terminated. */
const EXIT_GRACE_MS = 2_000;

/** `./daemon-thread.js` next to this file; its `.ts` source when this runs from source (tests under tap). */
function entryUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './daemon-thread.ts' : './daemon-thread.js', import.meta.url);
}

/**
 * Starts the daemon half of `wecom-relay start` in a `worker_threads` Worker, so the receiver keeps its
 * event loop to itself (docs/performance.md). The thread opens its own connection to `config.store`
 * (the same SQLite file in WAL mode, or Redis); every change on the receiver's `store` is posted to it
 * so a put wakes the consumer at once, as in one thread; `/metrics` on `registry` includes the thread's
 * counters and histograms (delivery attempts, processed callbacks, enrichment calls, token refreshes).
 * Resolves when the daemon has started; rejects with the thread's error when it could not.
 *
 * A thread that dies later is logged, and {@link DaemonThread.readiness} rejects from then on (so
 * `/readyz` answers 503); the receiver keeps storing callbacks for a daemon to process.
 */
export async function startDaemonThread(options: StartDaemonThreadOptions): Promise<DaemonThread> {
  const { config, logger, store, registry } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const data: DaemonThreadData = { kind: 'wecom-relay-daemon-thread', config, logLevel: logger.level };
  const worker = new Worker(entryUrl(), { workerData: data, name: 'wecom-relay daemon' });
  const exited = once(worker, 'exit').then(() => undefined);
  let gone: Error | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  const post = (message: ToDaemonThread) => worker.postMessage(message);

  const failAll = (error: Error) => {
    gone ??= error;
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(error);
    }
  };

  const started = new Promise<string>((resolve, reject) => {
    worker.on('message', (message: FromDaemonThread) => {
      if (message.type === 'started') resolve(message.owner);
      else if (message.type === 'failed') reject(deserializeError(message.error));
      else if (message.type === 'reply') {
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        clearTimeout(p.timer);
        if (message.ok) p.resolve(message.value);
        else p.reject(deserializeError(message.error));
      }
    });
    worker.on('error', (error) => {
      logger.error({ err: error }, 'daemon thread failed');
      failAll(error);
      reject(error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the daemon thread exited (code ${code})`);
      failAll(error);
      reject(error);
    });
  });

  const request = (what: 'metrics' | 'readiness'): Promise<unknown> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the daemon thread did not answer "${what}" within ${requestTimeoutMs} ms`));
      }, requestTimeoutMs);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      post({ type: 'request', id, what });
    });
  };

  let owner: string;
  try {
    owner = await started;
  } catch (error) {
    await worker.terminate().catch(() => undefined);
    throw error;
  }

  // A put by the receiver wakes the thread's loops; the listener's arguments go along (cloned).
  const unsubscribe = store.onChange((...args: unknown[]) => {
    if (gone) return;
    try {
      post({ type: 'change', args });
    } catch {
      post({ type: 'change', args: [] });
    }
  });
  const restoreMetrics = await mirrorThreadMetrics(registry, async () => (await request('metrics')) as MetricJson[], logger);
  logger.info({ owner, threadId: worker.threadId }, 'daemon thread started');

  let stopping: Promise<void> | undefined;
  return {
    owner,
    readiness: async () => (await request('readiness')) as Record<string, unknown>,
    stop(timeoutMs) {
      stopping ??= (async () => {
        unsubscribe();
        // The thread drains, closes its store, answers `stopped` and ends by itself; past the bound it is ended.
        if (!gone) post({ type: 'stop', timeoutMs });
        const ended = await Promise.race([exited.then(() => true), delay(timeoutMs + EXIT_GRACE_MS).then(() => false)]);
        if (!ended) {
          logger.warn({ owner }, 'daemon thread did not end after draining: terminating it');
          await worker.terminate();
        }
        restoreMetrics();
      })();
      return stopping;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Shows the thread's metrics through the main registry: each metric the thread has is replaced, in
 * `registry`, by a view that sums the main thread's series and the thread's (prom-client's cluster
 * aggregation, `sum` for counters and histograms). One question to the thread serves one scrape;
 * when the thread does not answer, the view shows the main thread's series alone. Returns a function
 * that puts the original metrics back.
 */
async function mirrorThreadMetrics(registry: Registry, fetch: () => Promise<MetricJson[]>, logger: Logger): Promise<() => void> {
  let inFlight: Promise<Map<string, MetricJson> | null> | undefined;
  const threadMetrics = () => {
    inFlight ??= fetch()
      .then((list) => new Map(list.map((m) => [m.name, m])))
      .catch((err: unknown) => {
        logger.warn({ err }, 'daemon thread metrics unavailable');
        return null;
      })
      .finally(() => { inFlight = undefined; });
    return inFlight;
  };
  const first = await threadMetrics();
  const replaced: Array<{ name: string; original: NonNullable<ReturnType<Registry['getSingleMetric']>> }> = [];
  for (const name of first?.keys() ?? []) {
    const original = registry.getSingleMetric(name);
    if (!original) continue;
    registry.removeSingleMetric(name);
    replaced.push({ name, original });
    registry.registerMetric({
      name,
      help: (original as unknown as { help: string }).help,
      type: (original as unknown as { type: string }).type,
      aggregator: (original as unknown as { aggregator: string }).aggregator,
      get: async () => {
        const [own, theirs] = await Promise.all([original.get() as Promise<MetricJson>, threadMetrics()]);
        const other = theirs?.get(name);
        if (!other) return own;
        return AggregatorRegistry.aggregate([[own], [other]]).getSingleMetric(name)!.get();
      },
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return () => {
    for (const { name, original } of replaced) {
      registry.removeSingleMetric(name);
      registry.registerMetric(original);
    }
  };
}

/** Whether a thread can open the store `url` names as a second connection: not an in-memory SQLite database. */
export function threadSharesStore(setting: string | StoreSetting): boolean {
  return !/^(sqlite|file)::memory:$/i.test(storeUrlOf(setting).trim());
}
