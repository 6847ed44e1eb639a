import type {
  CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, ListCallbacksQuery, NewCallback, PutCallbackResult,
} from './records.js';

/**
 * The inbox: verified, decrypted callbacks, written by the receiver and worked off by the daemon. Work is
 * claimed under a lease (`owner` + `leaseUntil` on the caller's clock): a callback whose lease expired is
 * claimable again, so a killed process loses nothing and re-does at most what it held.
 */
export interface Inbox {
  /**
   * Durably records a callback. Resolves only once the write is durable (fsync'd / acknowledged), so the
   * receiver may ack WeCom afterwards; rejects when the store cannot take the write. Idempotent on `id`:
   * a second put of the same id resolves `{ inserted: false }` and changes nothing.
   */
  putCallback(callback: NewCallback): Promise<PutCallbackResult>;
  /** One stored callback, or undefined. */
  getCallback(id: string): Promise<CallbackRecord | undefined>;
  /** Newest first; `limit` defaults to 100. */
  listCallbacks(query?: ListCallbacksQuery): Promise<CallbackRecord[]>;
  /**
   * Claims up to `limit` callbacks in state `pending` whose `nextAttemptAt <= now` and whose lease (if
   * any) has expired, oldest first, leasing them to `owner` until `now + leaseMs`. Each claim counts an attempt.
   */
  claimCallbacks(claim: ClaimOptions): Promise<CallbackRecord[]>;
  /**
   * Finishes a claimed callback in one atomic step: stores the normalized (and enriched) event, marks the
   * callback `done`, sets its `type` to `event.type`, fills a missing `corpId` from `event.source.corpId`,
   * and creates one pending delivery per target (`eventId:target`; an existing delivery for the same pair
   * is left as it is). Ignored (resolves false) when `owner` no longer holds the lease.
   */
  completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean>;
  /** Puts a claimed callback back to `pending` until `nextAttemptAt`, recording `error`. */
  deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean>;
  /** Marks a claimed callback `failed` (kept, listed, replayable) with `error`; `processedAt` = `now`. */
  failCallback(id: string, owner: string, error: string, now: number): Promise<boolean>;
  /** Puts callbacks (any state) back to `pending` now, attempts 0, lease dropped, e.g. to re-process them. */
  requeueCallbacks(ids: readonly string[], now: number): Promise<number>;
  /**
   * Extends the lease of callbacks still held by `owner` to `leaseUntil`; resolves the ids renewed (an id
   * whose lease was lost — expired by `now`, taken by another owner, finished — is left out).
   */
  renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number, now: number): Promise<string[]>;
}
