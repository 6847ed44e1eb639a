import type { EventEnvelope } from '../../../src/events/envelope.js';
import type { TargetConfig } from '../target.js';

/**
 * One HTTP POST, fully rendered: the delivery layer sends exactly these bytes and headers. `body` is the
 * exact string that was signed (Standard Webhooks / Feishu); it must never be re-serialized.
 */
export interface OutgoingRequest {
  /** Where to POST; for DingTalk this already carries the `timestamp` and `sign` query parameters. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  /** UTF-8 JSON text. */
  readonly body: string;
}

/** What a formatter may depend on besides the event and the target; injected so formatting stays pure. */
export interface FormatContext {
  /** The attempt's time: signature timestamps (`webhook-timestamp`, Feishu, DingTalk) are taken from it. */
  readonly now: Date;
  /**
   * The Standard Webhooks message id (`webhook-id`). Defaults to the event id, which is what receivers
   * dedupe on; only a deliberate re-send (a manual replay that must not be deduped) passes another.
   */
  readonly messageId?: string;
}

/**
 * Renders one event for one target. Pure: no I/O, no clock, no randomness; the same inputs give the same
 * request. Throws `TypeError` only for a target the config layer should have rejected (e.g. a json
 * `secret` that is not a Standard Webhooks secret).
 */
export type Formatter = (event: EventEnvelope, target: TargetConfig, context: FormatContext) => OutgoingRequest;
