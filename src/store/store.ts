import type { Endpoint, EventEnvelope } from '../events/envelope.js';
import type { CallbackFields } from '../xml/fields.js';

/**
 * The durable state of the relay, shared by the receiver (which only ever calls {@link Store.putCallback})
 * and the daemon. Two implementations satisfy the same contract tests: SQLite (one machine; receiver and
 * daemon may be separate processes sharing the file) and Redis (any number of machines).
 *
 * Times are epoch milliseconds. Every method that claims work takes an `owner` (a per-process id) and a
 * lease: work whose lease has expired is claimable again, so a killed process loses nothing and
 * re-does at most what it held.
 */
export interface Store {
  /** `sqlite` or `redis`. */
  readonly kind: StoreKind;

  // ── Inbox: verified, decrypted callbacks ──────────────────────────────────────────────────────────

  /**
   * Durably records a callback. Resolves only once the write is durable (fsync'd / acknowledged), so the
   * receiver may ack WeCom afterwards; rejects when the store cannot take the write. Idempotent on `id`:
   * a second put of the same id resolves `{ inserted: false }` and changes nothing.
   */
  putCallback(callback: NewCallback): Promise<PutCallbackResult>;
  /** One stored callback, or undefined. */
  getCallback(id: string): Promise<CallbackRecord | undefined>;
  /** Newest first. */
  listCallbacks(query?: ListCallbacksQuery): Promise<CallbackRecord[]>;
  /**
   * Claims up to `limit` callbacks in state `pending` whose `nextAttemptAt <= now` and whose lease (if
   * any) has expired, oldest first, leasing them to `owner` until `now + leaseMs`.
   */
  claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]>;
  /**
   * Finishes a claimed callback in one atomic step: stores the normalized (and enriched) event, marks the
   * callback `done`, fills a missing `corpId` from `event.source.corpId`, and creates one pending delivery per target (`eventId:target`; an existing delivery
   * for the same pair is left as it is). Ignored (resolves false) when `owner` no longer holds the lease.
   */
  completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean>;
  /** Puts a claimed callback back to `pending` until `nextAttemptAt`, recording `error`. */
  deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean>;
  /** Marks a claimed callback `failed` (kept, listed, replayable) with `error`. */
  failCallback(id: string, owner: string, error: string, now: number): Promise<boolean>;
  /** Puts callbacks (any state) back to `pending` now, e.g. to re-process and re-fan-out them. */
  requeueCallbacks(ids: readonly string[], now: number): Promise<number>;
  /**
   * Extends the lease of callbacks still held by `owner` to `leaseUntil`; resolves the ids renewed
   * (an id whose lease was lost is left out).
   */
  renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]>;

  // ── Deliveries: one per (event, target) ───────────────────────────────────────────────────────────

  /**
   * Claims up to `limit` deliveries of `target` in state `pending`, due (`nextAttemptAt <= now`) and not
   * leased, oldest due first, with the event they carry.
   */
  claimDeliveries(claim: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]>;
  /** Records the outcome of one attempt of a claimed delivery. Ignored (false) without the lease. */
  recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Gives a claimed delivery back untouched (no attempt counted), e.g. on shutdown. */
  releaseDelivery(id: string, owner: string): Promise<boolean>;
  /** Extends the lease of deliveries still held by `owner` to `leaseUntil`; resolves the ids renewed. */
  renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]>;
  /** recordAttempt for many claimed deliveries in one round trip; one boolean per entry, in order. */
  recordAttempts(batch: ReadonlyArray<{ readonly id: string; readonly owner: string; readonly outcome: AttemptOutcome }>): Promise<boolean[]>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Newest first. */
  listDeliveries(query?: ListDeliveriesQuery): Promise<DeliveryRecord[]>;
  /**
   * Makes deliveries pending and due now with a fresh retry budget (attempts back to 0, `replays` + 1).
   * Selects by ids, or by target/status/time range. Returns how many were re-queued.
   */
  replayDeliveries(selection: ReplaySelection, now: number): Promise<number>;

  // ── Small keyed state: credentials, caches, target state, install states ──────────────────────────

  /** A value in namespace `ns`, or undefined when absent or expired. */
  getKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined>;
  /**
   * Writes a value. With `ifNewer`, writes only when there is no live value or `version` is greater than
   * the stored one (newer-wins; e.g. a suite_ticket's TimeStamp). Resolves whether it wrote.
   */
  putKv<T = unknown>(ns: string, key: string, value: T, options?: PutKvOptions): Promise<boolean>;
  /**
   * Deletes a value. With `ifValue`, deletes only when the stored value is deep-equal to it (invalidate a
   * token only if it is still the failing value). Resolves whether it deleted.
   */
  deleteKv(ns: string, key: string, options?: { readonly ifValue?: unknown }): Promise<boolean>;
  /** Every live key/value in a namespace. */
  listKv<T = unknown>(ns: string, now?: number): Promise<Array<KvRecord<T> & { readonly key: string }>>;

  /**
   * Takes a value and deletes it in one step (one-use tokens such as install `state`s). Resolves undefined
   * when absent or expired; two concurrent takes never both get the value.
   */
  takeKv<T = unknown>(ns: string, key: string, now?: number): Promise<KvRecord<T> | undefined>;

  // ── Coordination ──────────────────────────────────────────────────────────────────────────────────

  /** Acquires an exclusive lock for `ttlMs`; resolves a token to release it with, or undefined if held. */
  acquireLock(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases a lock only if `token` still holds it. */
  releaseLock(key: string, token: string): Promise<boolean>;
  /**
   * Shared rate limit: records one send to `key` if fewer than `limit.count` were recorded in the rolling
   * window `(now - limit.intervalMs, now]`, so every process sharing the store together respects it.
   * Otherwise resolves how long to wait before a slot frees up.
   */
  takeRateSlot(key: string, limit: RateLimit, now: number): Promise<RateSlot>;
  /**
   * Up to `wanted` slots in one round trip: `granted` (0..wanted) recorded now; when fewer than wanted,
   * `retryInMs` until the next slot frees.
   */
  takeRateSlots(key: string, limit: RateLimit, wanted: number, now: number): Promise<{ readonly granted: number; readonly retryInMs: number }>;

  // ── Operations ────────────────────────────────────────────────────────────────────────────────────

  /** Counts for metrics and `/readyz`. */
  stats(now: number): Promise<StoreStats>;
  /** Deletes delivered deliveries (and callbacks whose deliveries are all delivered) older than `before`. */
  prune(before: number): Promise<number>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Calls `listener` (in this process only) after a callback is put or deliveries are created, so a daemon
   * in the same process wakes at once instead of waiting for its next poll. Returns an unsubscribe.
   */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'redis';

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
  /** The normalized event type (for listing and filtering). */
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
  readonly now: number;
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
