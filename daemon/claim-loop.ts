import { backoffMs } from '../src/backoff.js';
import type { Clock } from '../src/clock.js';
import type { Logger } from '../src/logger.js';
import { Waker } from './waker.js';

/** Claim failures back off from the poll interval, doubling up to this. */
const MAX_CLAIM_BACKOFF_MS = 30_000;
/** Doublings before the claim backoff stops growing (it hits the cap first with the default poll). */
const MAX_CLAIM_BACKOFF_STEP = 8;

/** Inputs of a {@link ClaimLoop}: the store calls and the work it hands claimed items to. */
export interface ClaimLoopOptions<T extends { readonly id: string; readonly leaseUntil: number | null }> {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Fields added to every log line (e.g. `{ target }`). */
  readonly logFields?: Readonly<Record<string, unknown>>;
  /** What is claimed, for log messages: `callbacks`, `deliveries`. */
  readonly noun: string;
  /** Lease taken on every claim, and renewed every third of it while an item is held. */
  readonly leaseMs: number;
  /** How long an idle loop waits before it looks again (it is also woken by {@link ClaimLoop.wake}). */
  readonly pollIntervalMs: number;
  /**
   * How many items to claim now. 0 means "no room": the loop waits until an item is
   * {@link ClaimLoop.release}d (or a poll interval passes) and asks again.
   */
  readonly room: () => number;
  /** Milliseconds to hold off before claiming (a paused or disabled target); 0 to claim now. */
  readonly holdOff?: () => number | Promise<number>;
  /** Claims up to `limit` items under a lease of `leaseMs` from `now`. */
  readonly claim: (limit: number, leaseMs: number, now: number) => Promise<T[]>;
  /** Extends the lease of `ids` to `leaseUntil`; resolves the ids still held (the contract's `renew*Leases`). */
  readonly renew: (ids: readonly string[], leaseUntil: number, now: number) => Promise<string[]>;
  /** Takes over one claimed item (starts its work; not awaited). The work must end with {@link ClaimLoop.release}. */
  readonly dispatch: (item: T) => void;
}

/**
 * The one claim loop of the daemon, shared by the callback consumer and every target worker: claim as
 * many items as there is room for, hand each to `dispatch`, sleep when there is nothing due (woken early
 * by {@link wake}), back off exponentially when the store fails. While an item is held, a heartbeat at a
 * third of the lease renews the leases of everything held in one store call, so a lease can be short
 * (a killed daemon's work is claimable again soon) however long the work takes. An item whose renewal
 * was refused has been lost to another owner: {@link holds} turns false and its work must not finish it.
 *
 * Time is the injected {@link Clock}'s: the loop itself starts no real timer.
 */
export class ClaimLoop<T extends { readonly id: string; readonly leaseUntil: number | null }> {
  private readonly options: ClaimLoopOptions<T>;
  private readonly waker: Waker;
  /** Held items: id → the lease end this process last secured. */
  private readonly held = new Map<string, number>();
  private readonly lost = new Set<string>();
  private running = false;
  private waitingForRoom = false;
  private claiming: Promise<void> | undefined;
  private heartbeat: Promise<void> | undefined;
  private heartbeatStop: AbortController | undefined;

  constructor(options: ClaimLoopOptions<T>) {
    if (!Number.isFinite(options.leaseMs) || options.leaseMs <= 0) {
      throw new TypeError(`Expected \`leaseMs\` to be a positive number, got \`${String(options.leaseMs)}\` (${typeof options.leaseMs})`);
    }
    this.options = options;
    this.waker = new Waker(options.clock);
  }

  /** Items claimed and not yet released. */
  get size(): number {
    return this.held.size;
  }

  /** Starts claiming and renewing; returns at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeatStop = new AbortController();
    this.claiming = this.claimLoop();
    this.heartbeat = this.heartbeatLoop(this.heartbeatStop.signal);
  }

  /** Looks for work now instead of at the next poll. */
  wake(): void {
    this.waker.wake();
  }

  /** Stops claiming (held items keep their renewed leases until {@link close}); resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    await this.claiming;
  }

  /** Stops the heartbeat too; held leases then run out unless released. */
  async close(): Promise<void> {
    await this.stop();
    this.heartbeatStop?.abort();
    await this.heartbeat;
  }

  /** Whether `id` is held and its lease was not lost: only then may this owner finish it. */
  holds(id: string): boolean {
    return this.held.has(id) && !this.lost.has(id);
  }

  /** The lease end last secured for a held item, or undefined. */
  leaseUntil(id: string): number | undefined {
    return this.held.get(id);
  }

  /**
   * The work on `id` is over (finished, deferred or handed back): stop renewing it. A loop waiting for
   * room is woken only once there is some (`room()` > 0): under load most releases leave too little room
   * for a claim, and waking for each one cost a loop turn (hold-off check, a new sleep) per item.
   */
  release(id: string): void {
    this.held.delete(id);
    this.lost.delete(id);
    if (this.waitingForRoom && this.options.room() > 0) this.waker.wake();
  }

  /** Renews every held lease now (the heartbeat calls this every third of the lease). */
  async renewHeld(): Promise<void> {
    const ids = [...this.held.keys()].filter((id) => !this.lost.has(id));
    if (ids.length === 0) return;
    const { clock, logger, logFields, leaseMs, noun } = this.options;
    const now = clock.now();
    const until = now + leaseMs;
    let renewed: string[];
    try {
      renewed = await this.options.renew(ids, until, now);
    } catch (err) {
      // The store is unreachable: keep the old leases and try again at the next beat. If it stays
      // down past a lease, the store refuses this owner's outcome anyway and another daemon re-does it.
      logger.error({ ...logFields, err, held: ids.length }, `renewing the leases of ${noun} failed`);
      return;
    }
    const kept = new Set(renewed);
    for (const id of ids) {
      if (!this.held.has(id)) continue; // released meanwhile
      if (kept.has(id)) {
        this.held.set(id, until);
      } else {
        this.lost.add(id);
        logger.warn({ ...logFields, id }, `lease lost on one of the ${noun}: another owner has it, this one will not finish it`);
      }
    }
  }

  private async claimLoop(): Promise<void> {
    const { clock, logger, logFields, leaseMs, pollIntervalMs, noun } = this.options;
    let failures = 0;
    while (this.running) {
      try {
        const wait = (await this.options.holdOff?.()) ?? 0;
        if (wait > 0) {
          await this.waker.sleep(wait);
          continue;
        }
        const room = this.options.room();
        if (room <= 0) {
          this.waitingForRoom = true;
          try {
            await this.waker.sleep(pollIntervalMs);
          } finally {
            this.waitingForRoom = false;
          }
          continue;
        }
        const now = clock.now();
        const claimed = await this.options.claim(room, leaseMs, now);
        failures = 0;
        for (const item of claimed) {
          this.held.set(item.id, item.leaseUntil ?? now + leaseMs);
          this.lost.delete(item.id);
          this.options.dispatch(item);
        }
        if (claimed.length === 0) await this.waker.sleep(pollIntervalMs);
      } catch (err) {
        // Infrastructure trouble (store down): back off exponentially instead of spinning.
        failures += 1;
        const retryInMs = backoffMs(failures, { baseMs: pollIntervalMs, maxMs: MAX_CLAIM_BACKOFF_MS, maxStep: MAX_CLAIM_BACKOFF_STEP });
        logger.error({ ...logFields, err, retryInMs }, `claiming ${noun} failed`);
        await this.waker.sleep(retryInMs);
      }
    }
  }

  private async heartbeatLoop(signal: AbortSignal): Promise<void> {
    const beat = Math.max(1, Math.floor(this.options.leaseMs / 3));
    while (!signal.aborted) {
      await this.options.clock.sleep(beat, signal);
      if (signal.aborted) return;
      await this.renewHeld();
    }
  }
}
