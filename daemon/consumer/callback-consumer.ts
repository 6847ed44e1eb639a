import PQueue from 'p-queue';
import type { Logger } from '../../src/logger.js';
import { idleWithin } from '../idle-within.js';
import { Waker } from '../waker.js';
import type { CallbackRecord, Store } from '../../src/store/store.js';
import { processCallback, type ProcessContext } from './process-callback.js';

/** Inputs of a {@link CallbackConsumer}. */
export interface CallbackConsumerOptions {
  readonly store: Store;
  readonly owner: string;
  readonly context: ProcessContext;
  readonly logger: Logger;
  readonly now: () => number;
  /** Callbacks processed at once (enrichment calls overlap). */
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** Called after each callback is finished, for metrics and the demo. */
  readonly onProcessed?: (callback: CallbackRecord, outcome: 'complete' | 'defer' | 'failed', targets: number) => void;
  /** Called after deliveries were created, so the target workers can look at once. */
  readonly onDeliveriesCreated?: (targets: readonly string[]) => void;
}

/**
 * Consumes the inbox: claims stored callbacks under a lease (as many as it can process at once, so memory
 * is bounded whatever the backlog), processes each, and finishes it in one atomic store step (event +
 * deliveries) or defers it. A crash mid-way leaves the lease to expire and the callback to be claimed again.
 */
export class CallbackConsumer {
  private readonly options: CallbackConsumerOptions;
  private readonly queue: PQueue;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waker = new Waker();

  constructor(options: CallbackConsumerOptions) {
    this.options = options;
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.waker.wake();
  }

  /** Stops claiming and waits up to `timeoutMs` for callbacks being processed. */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await idleWithin(this.queue, timeoutMs);
  }

  private async run(): Promise<void> {
    const { store, owner, logger, now } = this.options;
    let failures = 0;
    while (this.running) {
      try {
        const free = this.options.concurrency * 2 - (this.queue.size + this.queue.pending);
        if (free <= 0) {
          await Promise.race([new Promise<void>((resolve) => this.queue.once('next', () => resolve())), this.waker.sleep(this.options.pollIntervalMs)]);
          continue;
        }
        const claimed = await store.claimCallbacks({ owner, limit: free, leaseMs: this.options.leaseMs, now: now() });
        failures = 0;
        for (const callback of claimed) {
          void this.queue.add(() => this.process(callback));
        }
        if (claimed.length === 0) await this.waker.sleep(this.options.pollIntervalMs);
      } catch (err) {
        failures += 1;
        const backoff = Math.min(30_000, this.options.pollIntervalMs * 2 ** Math.min(failures, 8));
        logger.error({ err, retryInMs: backoff }, 'claiming callbacks failed');
        await this.waker.sleep(backoff);
      }
    }
  }

  private async process(callback: CallbackRecord): Promise<void> {
    const { store, owner, logger, now } = this.options;
    try {
      const outcome = await processCallback(callback, this.options.context);
      if (outcome.kind === 'defer') {
        await store.deferCallback(callback.id, owner, { nextAttemptAt: now() + outcome.delayMs, error: outcome.error, now: now() });
        logger.info({ eventId: callback.id, retryInMs: outcome.delayMs, reason: outcome.error }, 'callback deferred');
        this.options.onProcessed?.(callback, 'defer', 0);
        return;
      }
      const done = await store.completeCallback(callback.id, owner, { event: outcome.event, targets: outcome.targets, now: now() });
      if (!done) {
        logger.warn({ eventId: callback.id }, 'lease lost before completion; another daemon will finish it');
        return;
      }
      logger.info({ eventId: callback.id, type: outcome.event.type, targets: outcome.targets }, 'event ready');
      this.options.onProcessed?.(callback, 'complete', outcome.targets.length);
      if (outcome.targets.length > 0) this.options.onDeliveriesCreated?.(outcome.targets);
    } catch (err) {
      // A bug or a store failure: keep the callback (failed, listed, replayable) rather than loop on it.
      logger.error({ eventId: callback.id, err }, 'processing a callback failed');
      const message = err instanceof Error ? err.message : String(err);
      const kept = callback.attempts < 5
        ? await store.deferCallback(callback.id, owner, { nextAttemptAt: now() + 5000 * callback.attempts, error: message, now: now() }).catch(() => false)
        : await store.failCallback(callback.id, owner, message, now()).catch(() => false);
      this.options.onProcessed?.(callback, kept && callback.attempts >= 5 ? 'failed' : 'defer', 0);
    }
  }
}
