import type {
  AttemptOutcome, AttemptRecord, DeliveryAttempt, DeliveryClaimOptions, DeliveryRecord, ListDeliveriesQuery, ReplaySelection,
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
  /**
   * Records the outcome of one attempt of a claimed delivery and drops its lease. Ignored (false) without
   * the lease. A recorded outcome is also appended to the delivery's attempts log ({@link listAttempts}).
   */
  recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** {@link DeliveryQueue.recordAttempt} for many claimed deliveries in one round trip; one boolean per entry, in order. */
  recordAttempts(batch: readonly AttemptRecord[]): Promise<boolean[]>;
  /**
   * A delivery's attempts log, oldest first: one entry per outcome recorded (rate-limit pauses and
   * attempts after a replay included), the last `attemptsPerDelivery` (default 50) kept. Empty for an
   * unknown delivery, or one whose attempts were recorded by a version without the log.
   */
  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  /** The attempts logs of every delivery of an event, in one read: by delivery id, then oldest first. */
  listEventAttempts(eventId: string): Promise<DeliveryAttempt[]>;
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
