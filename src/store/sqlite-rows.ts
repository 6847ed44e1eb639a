import type { Endpoint, EventEnvelope } from '../events/envelope.js';
import type { CallbackFields } from '../xml/fields.js';
import type { CallbackRecord, CallbackState, DeliveryRecord, DeliveryState, KvRecord } from './records.js';

/** A `callbacks` row as better-sqlite3 returns it. */
export interface CallbackRow {
  readonly id: string;
  readonly endpoint: string;
  readonly suite_id: string;
  readonly receive_id: string;
  readonly received_at: number;
  readonly plaintext: string;
  readonly fields_json: string;
  readonly type: string;
  readonly corp_id: string | null;
  readonly state: string;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly lease_owner: string | null;
  readonly lease_until: number | null;
  readonly last_error: string | null;
  readonly event_json: string | null;
  readonly processed_at: number | null;
}

/** A `deliveries` row joined with its callback's `event_json`. */
export interface DeliveryRow {
  readonly id: string;
  readonly event_id: string;
  readonly target: string;
  readonly event_type: string;
  readonly state: string;
  readonly attempts: number;
  readonly replays: number;
  readonly next_attempt_at: number;
  readonly lease_owner: string | null;
  readonly lease_until: number | null;
  readonly last_status: number | null;
  readonly last_response: string | null;
  readonly last_error: string | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly delivered_at: number | null;
  readonly event_json: string;
}

/** A `kv` row. */
export interface KvRow {
  readonly key: string;
  readonly value_json: string;
  readonly version: number;
  readonly updated_at: number;
  readonly expires_at: number | null;
}

/** Maps a `callbacks` row to the public record. */
export function toCallbackRecord(row: CallbackRow): CallbackRecord {
  return {
    id: row.id,
    endpoint: row.endpoint as Endpoint,
    suiteId: row.suite_id,
    receiveId: row.receive_id,
    receivedAt: row.received_at,
    plaintext: row.plaintext,
    fields: JSON.parse(row.fields_json) as CallbackFields,
    type: row.type,
    corpId: row.corp_id,
    state: row.state as CallbackState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    event: row.event_json === null ? null : (JSON.parse(row.event_json) as EventEnvelope),
    processedAt: row.processed_at,
  };
}

/** Maps a `deliveries` row (joined with its event) to the public record. */
export function toDeliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    eventId: row.event_id,
    target: row.target,
    eventType: row.event_type,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    replays: row.replays,
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    lastStatus: row.last_status,
    lastResponse: row.last_response,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
    event: JSON.parse(row.event_json) as EventEnvelope,
  };
}

/** Maps a `kv` row to the public record. */
export function toKvRecord(row: KvRow): KvRecord<unknown> {
  return {
    value: JSON.parse(row.value_json) as unknown,
    version: row.version,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

/** Whether a kv row is still live at `now`. */
export function isLive(row: Pick<KvRow, 'expires_at'>, now: number): boolean {
  return row.expires_at === null || row.expires_at > now;
}
