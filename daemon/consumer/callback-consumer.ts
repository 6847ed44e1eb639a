import PQueue from 'p-queue';
import { backoffMs } from '../../src/backoff.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { CallbackRecord, Store } from '../../src/store/store.js';
import { ClaimLoop } from '../claim-loop.js';
import { idleWithin } from '../idle-within.js';
import { processCallback, type ProcessContext } from './process-callback.js';

/** A callback whose processing threw is deferred this many times (5 s, 10 s, 20 s, 40 s), then failed. */
const MAX_CRASHED_ATTEMPTS = 5;

/** Inputs of a {@link CallbackConsumer}. */
export interface CallbackConsumerOptions {
  readonly store: Store;
  readonly owner: string;
  readonly context: ProcessContext;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Callbacks processed at once (enrichment calls overlap). */
  readonly concurrency: number;
  /** Lease on claimed callbacks, renewed every third of it while one is processed. */
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  /** Called after each callback is finished, for metrics and the demo. */
  readonly onProcessed?: (callback: CallbackRecord, outcome: 'complete' | 'defer' | 'failed', targets: number) => void;
  /** Called after deliveries were created, so the target workers can look at once. */
  readonly onDeliveriesCreated?: (targets: readonly string[]) => void;
}

/**
 * Consumes the inbox: claims stored callbacks under a renewed lease (as many as it can process at once,
 * so memory is bounded whatever the backlog), processes each, and finishes it in one atomic store step
 * (event + deliveries) or defers it. A crash mid-way leaves the lease to run out and the callback to be
 * claimed again; a callback whose lease was lost meanwhile is left to its new owner.
 */
export class CallbackConsumer {
  private readonly options: CallbackConsumerOptions;
  private readonly queue: PQueue;
  private readonly loop: ClaimLoop<CallbackRecord>;

  constructor(options: CallbackConsumerOptions) {
    this.options = options;
    this.queue = new PQueue({ concurrency: options.concurrency });
    const { store, owner } = options;
    this.loop = new ClaimLoop<CallbackRecord>({
      clock: options.clock,
      logger: options.logger,
      noun: 'callbacks',
      leaseMs: options.leaseMs,
      pollIntervalMs: options.pollIntervalMs,
      // Up to twice the concurrency: the next callbacks are ready when one finishes.
      room: () => options.concurrency * 2 - this.loop.size,
      claim: (limit, leaseMs, now) => store.claimCallbacks({ owner, limit, leaseMs, now }),
      renew: (ids, leaseUntil, now) => store.renewCallbackLeases(ids, owner, leaseUntil, now),
      dispatch: (callback) => {
        void this.queue.add(() => this.process(callback)).finally(() => this.loop.release(callback.id));
      },
    });
  }

  /** Callbacks claimed and not finished. */
  get inFlight(): number {
    return this.loop.size;
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops claiming and waits up to `timeoutMs` for callbacks being processed (their leases renewed meanwhile). */
  async stop(timeoutMs: number): Promise<void> {
    await this.loop.stop();
    await idleWithin(this.queue, timeoutMs, this.options.clock);
    await this.loop.close();
  }

  private async process(callback: CallbackRecord): Promise<void> {
    const { store, owner, logger, clock } = this.options;
    const lost = () => {
      if (this.loop.holds(callback.id)) return false;
      logger.warn({ eventId: callback.id }, 'lease lost while processing; another daemon will finish the callback');
      return true;
    };
    try {
      const outcome = await processCallback(callback, this.options.context);
      if (lost()) return;
      const now = clock.now();
      if (outcome.kind === 'defer') {
        await store.deferCallback(callback.id, owner, { nextAttemptAt: now + outcome.delayMs, error: outcome.error, now });
        logger.info({ eventId: callback.id, retryInMs: outcome.delayMs, reason: outcome.error }, 'callback deferred');
        this.options.onProcessed?.(callback, 'defer', 0);
        return;
      }
      const done = await store.completeCallback(callback.id, owner, { event: outcome.event, targets: outcome.targets, now });
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
      if (lost()) return;
      const message = err instanceof Error ? err.message : String(err);
      const now = clock.now();
      const giveUp = callback.attempts >= MAX_CRASHED_ATTEMPTS;
      const kept = giveUp
        ? await store.failCallback(callback.id, owner, message, now).catch(() => false)
        : await store.deferCallback(callback.id, owner, {
          nextAttemptAt: now + backoffMs(callback.attempts - 1, { baseMs: 5_000 }), error: message, now,
        }).catch(() => false);
      this.options.onProcessed?.(callback, kept && giveUp ? 'failed' : 'defer', 0);
    }
  }
}
