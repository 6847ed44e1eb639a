import type {
  AttemptOutcome, AttemptRecord, DeliveryClaimOptions, DeliveryRecord, ListDeliveriesQuery, ReplaySelection,
} from './records.js';

/**
 * The delivery queues: one delivery per (event, target), one queue per target, claimed under a lease
 * like the inbox. Deliveries are created by `Inbox.completeCallback`.
 */
export interface DeliveryQueue {
  /**
   * Claims up to `limit` deliveries of `target` in state `pending`, due (`nextAttemptAt <= now`) and not
   * leased, oldest due first, with the event they carry. No attempt is counted until one is recorded.
   */
  claimDeliveries(claim: DeliveryClaimOptions): Promise<DeliveryRecord[]>;
  /** Records the outcome of one attempt of a claimed delivery and drops its lease. Ignored (false) without the lease. */
  recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** {@link DeliveryQueue.recordAttempt} for many claimed deliveries in one round trip; one boolean per entry, in order. */
  recordAttempts(batch: readonly AttemptRecord[]): Promise<boolean[]>;
  /** Gives a claimed delivery back untouched (no attempt counted), e.g. on shutdown. */
  releaseDelivery(id: string, owner: string): Promise<boolean>;
  /** One delivery with its event, or undefined. */
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Newest first; `limit` defaults to 100. */
  listDeliveries(query?: ListDeliveriesQuery): Promise<DeliveryRecord[]>;
  /**
   * Makes deliveries pending and due now with a fresh retry budget (attempts back to 0, `replays` + 1).
   * Selects by ids, or by target/state/time range. Resolves how many were re-queued.
   */
  replayDeliveries(selection: ReplaySelection, now: number): Promise<number>;
  /**
   * Extends the lease of deliveries still held by `owner` to `leaseUntil`; resolves the ids renewed (an id
   * whose lease was lost is left out).
   */
  renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]>;
}
