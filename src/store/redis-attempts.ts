import type { Redis } from 'ioredis';
import { byDeliveryThenSeq } from './attempt-log.js';
import type { RedisKeys } from './redis-keys.js';
import { runScript } from './redis-scripts.js';
import type { DeliveryAttempt } from './records.js';

/**
 * Reads the attempts logs of the Redis store (lists `dla:<deliveryId>` of JSON entries, appended by the
 * `recordAttempt` script and deleted with their delivery by the prune).
 */
export class RedisAttempts {
  readonly #client: Redis;
  readonly #keys: RedisKeys;

  constructor(client: Redis, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  /** See `Store.listAttempts`. */
  async list(deliveryId: string): Promise<DeliveryAttempt[]> {
    const entries = await this.#client.lrange(this.#keys.full(this.#keys.attempts(deliveryId)), 0, -1);
    return entries.map((json) => toAttempt(deliveryId, json));
  }

  /** See `Store.listEventAttempts`: one script reads the event's delivery ids and their logs. */
  async listForEvent(eventId: string): Promise<DeliveryAttempt[]> {
    const rows = await runScript(this.#client, 'readEventAttempts', [this.#keys.prefix, eventId]) as Array<[string, string[]]>;
    return rows.flatMap(([id, entries]) => entries.map((json) => toAttempt(id, json))).sort(byDeliveryThenSeq);
  }
}

function toAttempt(deliveryId: string, json: string): DeliveryAttempt {
  const e = JSON.parse(json) as Omit<DeliveryAttempt, 'deliveryId'>;
  return {
    deliveryId, seq: e.seq, replay: e.replay, at: e.at, state: e.state, counted: e.counted,
    status: e.status ?? null, durationMs: e.durationMs ?? null, response: e.response ?? null, error: e.error ?? null,
  };
}
