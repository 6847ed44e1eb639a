import type { Endpoint } from '../events/envelope.js';

/**
 * Counters the receiver reports to. The daemon's admin server backs them with prom-client; the default
 * implementation does nothing. Labels never carry secrets.
 */
export interface ReceiverMetrics {
  /** A request reached a WeCom route. */
  received(endpoint: Endpoint, method: string): void;
  /** A callback was written to the store for the first time. */
  stored(endpoint: Endpoint): void;
  /** A callback was already stored (a WeCom retry or a replay) and was acked without a second write. */
  duplicate(endpoint: Endpoint): void;
  /** A request was rejected with an error code. */
  rejected(endpoint: Endpoint, code: string): void;
}

/** Metrics that record nothing. */
export const noopReceiverMetrics: ReceiverMetrics = Object.freeze({
  received() {},
  stored() {},
  duplicate() {},
  rejected() {},
});
