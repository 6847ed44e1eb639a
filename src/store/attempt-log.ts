import { expected } from '../expected.js';
import type { AttemptOutcome, DeliveryAttempt } from './records.js';

/**
 * The attempts log both store implementations keep next to each delivery: what one entry holds and
 * how much of it is kept. The worker masks target secrets in the response before the store sees it
 * (`daemon/delivery/response-excerpt.ts`); here the excerpt is only bounded.
 */

/** The response excerpt of an entry is cut to this many bytes of UTF-8 (never inside a character). */
export const MAX_ATTEMPT_EXCERPT_BYTES = 512;
/** The reason of an entry is cut to this many characters. */
export const MAX_ATTEMPT_ERROR_CHARS = 1000;
/** Entries kept per delivery unless the store is opened with another `attemptsPerDelivery`. */
export const DEFAULT_ATTEMPTS_PER_DELIVERY = 50;
/** The most a store may be asked to keep per delivery (a bound on one delivery's log and one event page). */
export const MAX_ATTEMPTS_PER_DELIVERY = 10_000;

const encoder = new TextEncoder();
const window = new Uint8Array(MAX_ATTEMPT_EXCERPT_BYTES);

/** The first {@link MAX_ATTEMPT_EXCERPT_BYTES} bytes of `text` as UTF-8, cut between characters. */
export function attemptExcerpt(text: string): string {
  // Three bytes per UTF-16 unit at most: short text needs no encoding.
  if (text.length * 3 <= MAX_ATTEMPT_EXCERPT_BYTES) return text;
  const { read } = encoder.encodeInto(text, window);
  return read >= text.length ? text : text.slice(0, read);
}

/** The entry an outcome makes, before the store gives it its `seq` and `replay`. */
export type AttemptEntry = Omit<DeliveryAttempt, 'deliveryId' | 'seq' | 'replay'>;

/** The log entry of one outcome. */
export function toAttemptEntry(outcome: AttemptOutcome): AttemptEntry {
  return {
    at: outcome.now,
    state: outcome.state,
    counted: outcome.countAttempt,
    status: outcome.status ?? null,
    durationMs: outcome.durationMs == null ? null : Math.round(outcome.durationMs),
    response: outcome.response == null ? null : attemptExcerpt(outcome.response),
    error: outcome.error == null ? null : outcome.error.slice(0, MAX_ATTEMPT_ERROR_CHARS),
  };
}

/** Checks and defaults the `attemptsPerDelivery` store option. */
export function resolveAttemptsPerDelivery(value: unknown): number {
  if (value === undefined) return DEFAULT_ATTEMPTS_PER_DELIVERY;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_ATTEMPTS_PER_DELIVERY) {
    throw expected('attemptsPerDelivery', `an integer from 1 to ${MAX_ATTEMPTS_PER_DELIVERY}`, value);
  }
  return value as number;
}

/** Orders a log as `listEventAttempts` returns it: by delivery id, then `seq`. */
export function byDeliveryThenSeq(a: DeliveryAttempt, b: DeliveryAttempt): number {
  return a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : a.seq - b.seq;
}
