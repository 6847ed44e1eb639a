import PQueue from 'p-queue';
import type { Logger } from '../../src/logger.js';
import type { DeliveryRecord, RateLimit, Store } from '../../src/store/store.js';
import { classifyResponse, type DeliveryVerdict } from './classify-response.js';
import { formatFor, type OutgoingRequest } from './formats/index.js';
import { isBlocked, type Sender } from './http-sender.js';
import { nextRetryDelayMs } from './retry-policy.js';
import type { TargetConfig } from './target.js';
import { isTargetDisabled, setTargetDisabled } from './target-state.js';
import { idleWithin } from '../idle-within.js';
import { Waker } from '../waker.js';

/** A send must be able to finish, and its outcome be recorded, this long before its lease ends. */
const LEASE_MARGIN_MS = 1000;

/**
 * The slot every send takes in the store, shared by all daemons: the target's limit ("`count` per rolling
 * `intervalMs`") kept as one send every `intervalMs / count`, plus a margin. A plain rolling window lets a
 * window's sends leave in a burst (up to concurrency × daemons at once) and the next window's burst leave
 * exactly one interval later, so whenever the first was slower on the way, the target counts both bursts
 * in one interval: up to twice its limit. Even spacing keeps it at the limit; the margin (10 %, at least
 * 100 ms per interval) absorbs the jitter between taking a slot and the request reaching the target
 * (event-loop stalls, connection set-up), so sends n and n+count arrive more than one interval apart.
 * Limits above one send per millisecond become the same rate over a 1 ms window.
 */
export function sharedPacing(limit: RateLimit): RateLimit {
  // Above one send per ms, the same rate over a 1 ms window: the store then counts a handful of slots
  // per send instead of a whole interval's worth.
  if (limit.count > limit.intervalMs) return { count: Math.ceil(limit.count / limit.intervalMs), intervalMs: 1 };
  const margin = Math.max(100, Math.ceil(limit.intervalMs / 10));
  return { count: 1, intervalMs: Math.ceil((limit.intervalMs + margin) / limit.count) };
}

/** What a worker reports, for metrics. */
export interface DeliveryObserver {
  attempted(target: string, verdict: DeliveryVerdict['kind'], durationMs: number): void;
  deliveredEvent?(delivery: DeliveryRecord): void;
}

/** Inputs of a {@link TargetWorker}. */
export interface TargetWorkerOptions {
  readonly target: TargetConfig;
  readonly store: Store;
  readonly send: Sender;
  readonly owner: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Lease on claimed deliveries; must exceed the time one can wait in the local queue plus the timeout. */
  readonly leaseMs: number;
  /** How often an idle worker looks for due deliveries (it is also woken by `wake()`). */
  readonly pollIntervalMs: number;
  readonly observer?: DeliveryObserver;
  /** Jitter source for the retry ladder. */
  readonly random?: () => number;
}

/**
 * Delivers one target's deliveries: claims from the store only as many as its p-queue can start soon
 * (bounded memory whatever the backlog), paces them with a strict sliding window locally and a shared
 * rate slot in the store (so several daemons together respect the target's limit), sends, judges the
 * response per format, and persists every outcome. A rate-limit answer pauses the whole target without
 * using up the event's retry budget; deliveries waiting locally are handed back to the store.
 */
export class TargetWorker {
  readonly target: TargetConfig;
  private readonly options: TargetWorkerOptions;
  private readonly queue: PQueue;
  /** Claimed deliveries not yet started, so a pause or a stop can hand them back. */
  private readonly waiting = new Map<string, DeliveryRecord>();
  private pausedUntil = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waker = new Waker();

  constructor(options: TargetWorkerOptions) {
    this.options = options;
    this.target = options.target;
    this.queue = new PQueue({
      concurrency: options.target.concurrency,
      intervalCap: options.target.rateLimit.count,
      interval: options.target.rateLimit.intervalMs,
      strict: true,
    });
  }

  /** Deliveries claimed and not finished (waiting + in flight). */
  get inFlight(): number {
    return this.waiting.size + this.queue.pending;
  }

  /** How many to hold at most: what can start within about one rate window. */
  private get capacity(): number {
    return Math.max(1, Math.min(this.target.concurrency + this.target.rateLimit.count, 256));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    this.waker.wake();
  }

  /** Stops claiming, hands back what has not started, and waits up to `timeoutMs` for in-flight sends. */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.queue.clear();
    await this.releaseWaiting();
    await idleWithin(this.queue, timeoutMs);
  }

  private async run(): Promise<void> {
    const { store, owner, logger, now } = this.options;
    let failures = 0;
    while (this.running) {
      try {
        const wait = this.pausedUntil - now();
        if (wait > 0) {
          await this.waker.sleep(wait);
          continue;
        }
        if (this.queue.isPaused) this.queue.start();
        if (await isTargetDisabled(store, this.target.name)) {
          await this.waker.sleep(this.options.pollIntervalMs * 4);
          continue;
        }
        const free = this.capacity - this.inFlight;
        // Claim in batches: when busy, wait until half the capacity is free, so each claim (a store
        // transaction) brings back many deliveries instead of one per finished send.
        if (free <= 0 || (this.inFlight > 0 && free < Math.ceil(this.capacity / 2))) {
          await Promise.race([new Promise<void>((resolve) => this.queue.once('next', () => resolve())), this.waker.sleep(this.options.pollIntervalMs)]);
          continue;
        }
        const claimed = await store.claimDeliveries({ target: this.target.name, owner, limit: free, leaseMs: this.options.leaseMs, now: now() });
        failures = 0;
        for (const delivery of claimed) {
          this.waiting.set(delivery.id, delivery);
          void this.queue.add(() => this.attempt(delivery)).catch((err: unknown) => {
            logger.error({ target: this.target.name, deliveryId: delivery.id, err }, 'delivery task failed unexpectedly');
          });
        }
        if (claimed.length === 0) await this.waker.sleep(this.options.pollIntervalMs);
      } catch (err) {
        // Infrastructure trouble (store down): back off exponentially instead of spinning.
        failures += 1;
        const backoff = Math.min(30_000, this.options.pollIntervalMs * 2 ** Math.min(failures, 8));
        logger.error({ target: this.target.name, err, retryInMs: backoff }, 'claiming deliveries failed');
        await this.waker.sleep(backoff);
      }
    }
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    if (!this.waiting.delete(delivery.id)) return; // handed back by a pause or stop
    const { store, owner, now, send, logger, observer } = this.options;
    const target = this.target;
    // Shared pacing: every daemon on this store takes a slot before sending.
    for (;;) {
      // With several daemons sharing the limit, a slot can take longer to come than the lease lasts. Never
      // start a send the lease may not cover: once it ends another daemon may claim the delivery, and both
      // would send. Handed back, it keeps its place in the queue (nothing is counted).
      if (delivery.leaseUntil !== null && now() + target.timeoutMs + LEASE_MARGIN_MS > delivery.leaseUntil) {
        await store.releaseDelivery(delivery.id, owner);
        return;
      }
      const slot = await store.takeRateSlot(`target:${target.name}`, sharedPacing(target.rateLimit), now());
      if (slot.ok) break;
      if (!this.running) {
        await store.releaseDelivery(delivery.id, owner);
        return;
      }
      await this.sleepPromise(Math.max(5, slot.retryInMs));
    }
    const started = now();
    let request: OutgoingRequest;
    try {
      request = formatFor(target.format)(delivery.event, target, { now: new Date(started) });
    } catch (err) {
      // A formatter bug must not bounce this delivery between lease expiries forever: keep it, dead, replayable.
      logger.error({ target: target.name, deliveryId: delivery.id, err }, 'formatting the event failed: dead');
      await store.recordAttempt(delivery.id, owner, { state: 'dead', countAttempt: true, error: `format failed: ${(err as Error).message}`, now: started });
      return;
    }
    const result = await send(request, target.timeoutMs);
    const finished = now();
    // A target address refused by the SSRF guard is permanent: nothing was sent, and retrying would meet the same refusal.
    const verdict: DeliveryVerdict = isBlocked(result)
      ? { kind: 'dead', reason: result.message, disableTarget: false }
      : classifyResponse(target.format, result, new Date(finished));
    const observe = (outcome: DeliveryVerdict['kind']) => observer?.attempted(target.name, outcome, finished - started);
    const status = 'status' in result ? result.status : null;
    const response = 'body' in result ? result.body.slice(0, 2000) : null;
    const base = { status, response, now: finished };
    switch (verdict.kind) {
      case 'delivered':
        observe('delivered');
        logger.debug({ target: target.name, deliveryId: delivery.id, status, ms: finished - started }, 'delivered');
        await store.recordAttempt(delivery.id, owner, { ...base, state: 'delivered', countAttempt: true, error: null });
        observer?.deliveredEvent?.(delivery);
        return;
      case 'rate_limited':
        observe('rate_limited');
        this.pause(verdict.pauseMs, verdict.reason);
        await store.recordAttempt(delivery.id, owner, {
          ...base, state: 'pending', countAttempt: false, nextAttemptAt: finished + verdict.pauseMs, error: verdict.reason,
        });
        return;
      case 'retry': {
        const delay = nextRetryDelayMs(delivery.attempts + 1, target.retrySchedule, this.options.random);
        observe(delay === null ? 'dead' : 'retry');
        if (delay === null) {
          logger.warn({ target: target.name, deliveryId: delivery.id, reason: verdict.reason }, 'delivery exhausted its retries: dead');
          await store.recordAttempt(delivery.id, owner, { ...base, state: 'dead', countAttempt: true, error: `retries exhausted: ${verdict.reason}` });
          return;
        }
        logger.info({ target: target.name, deliveryId: delivery.id, status, ms: finished - started, attempt: delivery.attempts + 1, retryInMs: delay, reason: verdict.reason }, 'delivery failed: will retry');
        await store.recordAttempt(delivery.id, owner, {
          ...base, state: 'pending', countAttempt: true, nextAttemptAt: finished + delay, error: verdict.reason,
        });
        return;
      }
      case 'dead':
        observe('dead');
        logger.warn({ target: target.name, deliveryId: delivery.id, status, reason: verdict.reason }, 'delivery failed permanently: dead');
        await store.recordAttempt(delivery.id, owner, { ...base, state: 'dead', countAttempt: true, error: verdict.reason });
        if (verdict.disableTarget) {
          await setTargetDisabled(store, target.name, verdict.reason, finished);
          logger.error({ alert: 'target_disabled', target: target.name, reason: verdict.reason }, 'target disabled: re-enable it with `wecom-relay targets enable`');
        }
        return;
    }
  }

  /** Pauses the target: nothing starts until `pauseMs` has passed; waiting deliveries go back to the store. */
  private pause(pauseMs: number, reason: string): void {
    const until = this.options.now() + pauseMs;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.queue.pause();
    this.queue.clear();
    this.options.logger.warn({ target: this.target.name, pauseMs, reason }, 'target rate-limited us: pausing it');
    void this.releaseWaiting();
  }

  private async releaseWaiting(): Promise<void> {
    const handedBack = [...this.waiting.keys()];
    this.waiting.clear();
    await Promise.all(handedBack.map((id) => this.options.store.releaseDelivery(id, this.options.owner).catch(() => false)));
  }

  private sleepPromise(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}
