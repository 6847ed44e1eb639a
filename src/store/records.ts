import type { Endpoint, EventEnvelope } from '../events/envelope.js';
import type { CallbackFields } from '../xml/fields.js';

/**
 * The records the store holds and the arguments of its methods, shared by the four parts of the store
 * (`inbox.ts`, `delivery-queue.ts`, `keyed-state.ts`, `coordination.ts`) and both implementations.
 * Times are epoch milliseconds.
 */

/** What the receiver writes. */
export interface NewCallback {
  /** The event id: `evt_` + stable hash of (suite id, receiveid, plaintext). */
  readonly id: string;
  readonly endpoint: Endpoint;
  readonly suiteId: string;
  /** The authenticated receiveid from inside the ciphertext. */
  readonly receiveId: string;
  readonly receivedAt: number;
  /** The decrypted message, byte for byte. */
  readonly plaintext: string;
  readonly fields: CallbackFields;
  /**
   * The event type known at ingest (for listing and filtering); `completeCallback` replaces it with the
   * normalized event's type.
   */
  readonly type: string;
  /** The corp the callback is about, when known. */
  readonly corpId: string | null;
}

export interface PutCallbackResult {
  /** False when a callback with this id was already stored (a WeCom retry or a replayed request). */
  readonly inserted: boolean;
}

export type CallbackState = 'pending' | 'done' | 'failed';

export interface CallbackRecord extends NewCallback {
  readonly state: CallbackState;
  /** Processing attempts so far. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  readonly lastError: string | null;
  /** The normalized, enriched event, once processed. */
  readonly event: EventEnvelope | null;
  readonly processedAt: number | null;
}

export interface ListCallbacksQuery {
  readonly limit?: number;
  readonly state?: CallbackState;
  /** Glob on the event type, e.g. `external_contact.*`. */
  readonly type?: string;
  readonly corpId?: string;
  /** Only callbacks of this app (its id: the stored `suiteId`, SPEC §10). */
  readonly suiteId?: string;
  /** receivedAt >= since */
  readonly since?: number;
  /** receivedAt < until */
  readonly until?: number;
}

export interface ClaimOptions {
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
  readonly now: number;
}

export interface CallbackCompletion {
  readonly event: EventEnvelope;
  /** Names of the targets that get a delivery. */
  readonly targets: readonly string[];
  readonly now: number;
}

export interface CallbackDeferral {
  readonly nextAttemptAt: number;
  readonly error: string;
  readonly now: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface DeliveryRecord {
  /** `eventId:target`. */
  readonly id: string;
  readonly eventId: string;
  readonly target: string;
  readonly eventType: string;
  readonly state: DeliveryState;
  /** Attempts counted against the retry budget (rate-limit pauses are not counted). */
  readonly attempts: number;
  readonly replays: number;
  readonly nextAttemptAt: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  /** HTTP status of the last attempt, or null (network error, never attempted). */
  readonly lastStatus: number | null;
  /** The first bytes of the last response body. */
  readonly lastResponse: string | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt: number | null;
  /** The event this delivery carries. */
  readonly event: EventEnvelope;
}

/** The result of one attempt, decided by the delivery worker. */
export interface AttemptOutcome {
  readonly state: DeliveryState;
  /** Whether this attempt uses up one step of the retry budget (false for rate-limit pauses). */
  readonly countAttempt: boolean;
  /** For `pending`: when to try next. */
  readonly nextAttemptAt?: number;
  readonly status?: number | null;
  readonly response?: string | null;
  readonly error?: string | null;
  /** How long the send took (ms), when known; kept in the attempts log. */
  readonly durationMs?: number | null;
  readonly now: number;
}

/**
 * One entry of a delivery's attempts log (`listAttempts`): every outcome `recordAttempt(s)` took, in
 * order, the last `attemptsPerDelivery` of each delivery kept; deleted with the delivery.
 */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  /** 1, 2, 3 … per delivery, never reset (a replay continues the count; rate-limit pauses count here too). */
  readonly seq: number;
  /** The delivery's `replays` when the attempt was made: 0 before any replay, 1 after the first … */
  readonly replay: number;
  /** When the outcome was recorded (the outcome's `now`). */
  readonly at: number;
  /** The delivery's state after this attempt. */
  readonly state: DeliveryState;
  /** Whether it used up a step of the retry budget (false for a rate-limit pause). */
  readonly counted: boolean;
  /** HTTP status, or null (network error, refused before sending, format failure). */
  readonly status: number | null;
  readonly durationMs: number | null;
  /** The first bytes of the response body (at most {@link MAX_ATTEMPT_EXCERPT_BYTES} of UTF-8), or null. */
  readonly response: string | null;
  /** The worker's reason (errcode and message for the chat formats), or null. */
  readonly error: string | null;
}

export interface ListDeliveriesQuery {
  readonly limit?: number;
  readonly state?: DeliveryState;
  readonly target?: string;
  readonly eventId?: string;
  /** createdAt >= since */
  readonly since?: number;
  /** createdAt < until */
  readonly until?: number;
}

export type ReplaySelection =
  | { readonly ids: readonly string[] }
  | { readonly target?: string; readonly state?: DeliveryState; readonly since?: number; readonly until?: number };

export interface KvRecord<T> {
  readonly value: T;
  readonly version: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
}

export interface PutKvOptions {
  /** Monotonic version for newer-wins writes; defaults to `now`. */
  readonly version?: number;
  /** Time to live; absent = forever. */
  readonly ttlMs?: number;
  /** Write only if no live value exists or `version` is greater than the stored version. */
  readonly ifNewer?: boolean;
  readonly now?: number;
}

export interface RateLimit {
  readonly count: number;
  readonly intervalMs: number;
}

export type RateSlot = { readonly ok: true } | { readonly ok: false; readonly retryInMs: number };

/** What `takeRateSlots` granted. */
export interface RateSlots {
  /** Slots recorded now, `0..wanted`. */
  readonly granted: number;
  /** When fewer than wanted were granted: ms until the next slot frees (at least 1); otherwise 0. */
  readonly retryInMs: number;
}

/** The options of a delivery claim: a {@link ClaimOptions} for one target's queue. */
export interface DeliveryClaimOptions extends ClaimOptions {
  readonly target: string;
}

/** One entry of a `recordAttempts` batch. */
export interface AttemptRecord {
  readonly id: string;
  readonly owner: string;
  readonly outcome: AttemptOutcome;
}

/** The `ifValue` option of `deleteKv`. */
export interface DeleteKvOptions<T> {
  /** Delete only while the stored value is deep-equal to this one (key order does not matter). */
  readonly ifValue?: T;
}

/** One bucket of `Store.activity`: callbacks received, deliveries delivered and deliveries gone dead in it. */
export interface ActivityBucket { readonly start: number; readonly received: number; readonly delivered: number; readonly dead: number }

export interface StoreStats {
  readonly callbacks: { readonly pending: number; readonly failed: number; readonly done: number; readonly oldestPendingAt: number | null };
  readonly deliveries: Record<string, TargetDeliveryStats>;
}

export interface TargetDeliveryStats {
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
  readonly oldestPendingAt: number | null;
}
