import PQueue from 'p-queue';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import type { AttemptOutcome, DeliveryRecord, RateLimit, Store } from '../../src/store/store.js';
import { Batcher } from '../batcher.js';
import { ClaimLoop } from '../claim-loop.js';
import { idleWithin } from '../idle-within.js';
import { classifyResponse, type DeliveryVerdict } from './classify-response.js';
import { responseExcerpt, targetSecrets } from './response-excerpt.js';
import { formatFor, type OutgoingRequest } from './formats/index.js';
import { isBlocked, type Sender } from './http-sender.js';
import { nextRetryDelayMs } from './retry-policy.js';
import { SharedRateSlots } from './shared-rate-slots.js';
import type { TargetConfig } from './target.js';
import { isTargetDisabled, setTargetDisabled } from './target-state.js';

/** A send must be able to finish, and its outcome be recorded, this long before its lease ends. */
export const LEASE_MARGIN_MS = 1000;

/**
 * The lease a target's deliveries are claimed under: `daemon.leaseMs`, or longer when the target's
 * timeout needs it. Renewed every third of it, a held lease has at least two thirds left, and a send
 * starts only with `timeoutMs + LEASE_MARGIN_MS` left, so two thirds must cover that (plus a second for
 * the renewal's own round trip); otherwise every send would be handed back unsent.
 */
export function deliveryLeaseMs(leaseFloorMs: number, timeoutMs: number): number {
  return Math.max(leaseFloorMs, Math.ceil(((timeoutMs + LEASE_MARGIN_MS) * 3) / 2) + 1_000);
}

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
  readonly clock: Clock;
  /** Lease on claimed deliveries, renewed every third of it while held; see {@link deliveryLeaseMs}. */
  readonly leaseMs: number;
  /** How often an idle worker looks for due deliveries (it is also woken by `wake()`). */
  readonly pollIntervalMs: number;
  readonly observer?: DeliveryObserver;
  /** Jitter source for the retry ladder. */
  readonly random?: () => number;
}

/**
 * Delivers one target's deliveries: claims from the store only as many as its p-queue can start soon
 * (bounded memory whatever the backlog) under leases the {@link ClaimLoop} renews, paces them with a
 * strict sliding window locally and shared rate slots in the store (so several daemons together respect
 * the target's limit), sends, judges the response per format, and persists every outcome. Slots and
 * outcomes go to the store in batches (one round trip for many sends). A rate-limit answer pauses the
 * whole target without using up the event's retry budget; deliveries waiting locally are handed back.
 */
export class TargetWorker {
  readonly target: TargetConfig;
  private readonly options: TargetWorkerOptions;
  private readonly queue: PQueue;
  /** Claimed deliveries not yet started, so a pause or a stop can hand them back. */
  private readonly waiting = new Map<string, DeliveryRecord>();
  private readonly loop: ClaimLoop<DeliveryRecord>;
  private readonly slots: SharedRateSlots;
  private readonly outcomes: Batcher<{ readonly id: string; readonly owner: string; readonly outcome: AttemptOutcome }, boolean>;
  /** What a response excerpt must not keep (`response-excerpt.ts`). */
  private readonly secrets: readonly string[];
  private pausedUntil = 0;
  private running = false;
  /**
   * Set the moment a response says the target is gone (before its outcome and the disabled flag are
   * written): nothing more is sent, and what waits locally is handed back, until a claim finds the
   * target enabled in the store again (`wecom-relay targets enable`).
   */
  private disabledHere = false;
  /** The write of the disabled flag this worker started, while it runs. */
  private disabling: Promise<void> | undefined;
  /** Disables decided here so far, so a store read that started before one does not undo it. */
  private disables = 0;

  constructor(options: TargetWorkerOptions) {
    this.options = options;
    this.target = options.target;
    this.secrets = targetSecrets(options.target);
    const { store, owner, target, clock } = options;
    this.queue = new PQueue({
      concurrency: target.concurrency,
      intervalCap: target.rateLimit.count,
      interval: target.rateLimit.intervalMs,
      strict: true,
    });
    this.slots = new SharedRateSlots({ store, key: `target:${target.name}`, limit: sharedPacing(target.rateLimit), clock });
    this.outcomes = new Batcher({ flush: (batch) => store.recordAttempts(batch) });
    this.loop = new ClaimLoop<DeliveryRecord>({
      clock,
      logger: options.logger,
      logFields: { target: target.name },
      noun: 'deliveries',
      leaseMs: options.leaseMs,
      pollIntervalMs: options.pollIntervalMs,
      holdOff: async () => {
        const wait = this.pausedUntil - clock.now();
        if (wait > 0) return wait;
        if (this.queue.isPaused) this.queue.start();
        await this.disabling?.catch(() => undefined);
        const disables = this.disables;
        if (await isTargetDisabled(store, target.name)) return options.pollIntervalMs * 4;
        if (this.disabledHere) {
          // Disabled here again while the store was read: look again before claiming.
          if (disables !== this.disables) return options.pollIntervalMs;
          this.disabledHere = false;
        }
        return 0;
      },
      room: () => {
        const free = this.capacity - this.inFlight;
        // Claim in batches: when busy, wait until half the capacity is free, so each claim (a store
        // transaction) brings back many deliveries instead of one per finished send.
        return free <= 0 || (this.inFlight > 0 && free < Math.ceil(this.capacity / 2)) ? 0 : free;
      },
      claim: (limit, leaseMs, now) => store.claimDeliveries({ target: target.name, owner, limit, leaseMs, now }),
      renew: (ids, leaseUntil, now) => store.renewDeliveryLeases(ids, owner, leaseUntil, now),
      dispatch: (delivery) => {
        this.waiting.set(delivery.id, delivery);
        void this.queue.add(() => this.attempt(delivery))
          .catch((err: unknown) => {
            options.logger.error({ target: target.name, deliveryId: delivery.id, err }, 'delivery task failed unexpectedly');
          })
          .finally(() => this.loop.release(delivery.id));
      },
    });
  }

  /** Deliveries claimed and not finished (waiting + in flight). */
  get inFlight(): number {
    return this.loop.size;
  }

  /** How many to hold at most: what can start within about one rate window. */
  private get capacity(): number {
    return Math.max(1, Math.min(this.target.concurrency + this.target.rateLimit.count, 256));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop.start();
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Stops claiming, hands back what has not started, and waits up to `timeoutMs` for in-flight sends. */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    await this.loop.stop();
    this.queue.clear();
    this.slots.close();
    await this.releaseWaiting();
    await idleWithin(this.queue, timeoutMs, this.options.clock);
    await this.outcomes.settled();
    await this.loop.close();
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    if (!this.waiting.delete(delivery.id)) return; // handed back by a pause or stop
    const { store, owner, clock, send, logger, observer } = this.options;
    const target = this.target;
    const handBack = async () => {
      if (this.loop.holds(delivery.id)) await store.releaseDelivery(delivery.id, owner).catch(() => false);
    };
    // Shared pacing: every daemon on this store takes a slot before sending.
    let slot: boolean;
    try {
      slot = this.running && await this.slots.take();
    } catch (err) {
      await handBack();
      throw err;
    }
    if (!slot) {
      await handBack();
      return;
    }
    // Never start a send the lease may not cover: once it ends another daemon may claim the delivery,
    // and both would send. Renewed leases always cover it unless renewals failed (store trouble) or
    // the lease was lost; handed back, the delivery keeps its place in the queue (nothing is counted).
    const leaseUntil = this.loop.leaseUntil(delivery.id);
    if (!this.loop.holds(delivery.id) || leaseUntil === undefined || clock.now() + target.timeoutMs + LEASE_MARGIN_MS > leaseUntil) {
      logger.warn({ target: target.name, deliveryId: delivery.id }, 'lease too short or lost before sending: not sent');
      await handBack();
      return;
    }
    // The target answered "gone" to another send meanwhile: keep this one for when it is re-enabled.
    if (this.disabledHere) {
      await handBack();
      return;
    }
    const started = clock.now();
    let request: OutgoingRequest;
    try {
      request = formatFor(target.format)(delivery.event, target, { now: new Date(started) });
    } catch (err) {
      // A formatter bug must not bounce this delivery between lease expiries forever: keep it, dead, replayable.
      logger.error({ target: target.name, deliveryId: delivery.id, err }, 'formatting the event failed: dead');
      await this.record(delivery, { state: 'dead', countAttempt: true, error: `format failed: ${(err as Error).message}`, now: started });
      return;
    }
    const result = await send(request, target.timeoutMs);
    const finished = clock.now();
    // A target address refused by the SSRF guard is permanent: nothing was sent, and retrying would meet the same refusal.
    const verdict: DeliveryVerdict = isBlocked(result)
      ? { kind: 'dead', reason: result.message, disableTarget: false }
      : classifyResponse(target.format, result, new Date(finished));
    const observe = (outcome: DeliveryVerdict['kind']) => observer?.attempted(target.name, outcome, finished - started);
    const status = 'status' in result ? result.status : null;
    const response = 'body' in result ? responseExcerpt(result.body, this.secrets) : null;
    const base = { status, response, durationMs: finished - started, now: finished };
    switch (verdict.kind) {
      case 'delivered':
        observe('delivered');
        logger.debug({ target: target.name, deliveryId: delivery.id, status, ms: finished - started }, 'delivered');
        if (await this.record(delivery, { ...base, state: 'delivered', countAttempt: true, error: null })) observer?.deliveredEvent?.(delivery);
        return;
      case 'rate_limited':
        observe('rate_limited');
        this.pause(verdict.pauseMs, verdict.reason);
        await this.record(delivery, {
          ...base, state: 'pending', countAttempt: false, nextAttemptAt: finished + verdict.pauseMs, error: verdict.reason,
        });
        return;
      case 'retry': {
        const delay = nextRetryDelayMs(delivery.attempts + 1, target.retrySchedule, this.options.random);
        observe(delay === null ? 'dead' : 'retry');
        if (delay === null) {
          logger.warn({ target: target.name, deliveryId: delivery.id, reason: verdict.reason }, 'delivery exhausted its retries: dead');
          await this.record(delivery, { ...base, state: 'dead', countAttempt: true, error: `retries exhausted: ${verdict.reason}` });
          return;
        }
        logger.info({ target: target.name, deliveryId: delivery.id, status, ms: finished - started, attempt: delivery.attempts + 1, retryInMs: delay, reason: verdict.reason }, 'delivery failed: will retry');
        await this.record(delivery, {
          ...base, state: 'pending', countAttempt: true, nextAttemptAt: finished + delay, error: verdict.reason,
        });
        return;
      }
      case 'dead': {
        observe('dead');
        logger.warn({ target: target.name, deliveryId: delivery.id, status, reason: verdict.reason }, 'delivery failed permanently: dead');
        if (verdict.disableTarget) {
          // At once, not after the writes below: sends that would start meanwhile are held back.
          this.disabledHere = true;
          this.disables += 1;
          void this.releaseWaiting();
        }
        const recorded = this.record(delivery, { ...base, state: 'dead', countAttempt: true, error: verdict.reason });
        if (verdict.disableTarget) {
          const disabling = recorded.then(() => setTargetDisabled(store, target.name, verdict.reason, finished));
          this.disabling = disabling;
          try {
            await disabling;
          } finally {
            if (this.disabling === disabling) this.disabling = undefined;
          }
          logger.error({ alert: 'target_disabled', target: target.name, reason: verdict.reason }, 'target disabled: re-enable it with `wecom-relay targets enable`');
        } else {
          await recorded;
        }
        return;
      }
    }
  }

  /**
   * Records an attempt's outcome (batched with the other sends' outcomes). An outcome for a delivery
   * whose lease was lost is not sent: the store would ignore it, and the new owner decides. Resolves
   * whether the store took it.
   */
  private async record(delivery: DeliveryRecord, outcome: AttemptOutcome): Promise<boolean> {
    if (!this.loop.holds(delivery.id)) {
      this.options.logger.warn({ target: this.target.name, deliveryId: delivery.id, state: outcome.state }, 'lease lost before the outcome was recorded: left to the new owner');
      return false;
    }
    const taken = await this.outcomes.push({ id: delivery.id, owner: this.options.owner, outcome });
    if (!taken) this.options.logger.warn({ target: this.target.name, deliveryId: delivery.id }, 'the store refused the outcome: the lease was lost');
    return taken;
  }

  /** Pauses the target: nothing starts until `pauseMs` has passed; waiting deliveries go back to the store. */
  private pause(pauseMs: number, reason: string): void {
    const until = this.options.clock.now() + pauseMs;
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
    await Promise.all(handedBack.map(async (id) => {
      await this.options.store.releaseDelivery(id, this.options.owner).catch(() => false);
      this.loop.release(id);
    }));
  }
}
