import type { Endpoint, EventEnvelope } from '../events/envelope.js';
import type { CallbackFields } from '../xml/fields.js';
import type { CallbackRecord, CallbackState, DeliveryRecord, DeliveryState, KvRecord, NewCallback } from './records.js';

/** A Redis hash as read by HGETALL: an absent field stands for null. */
export type Hash = Readonly<Record<string, string>>;

/** A hash from the flat `[field, value, …]` array a Lua script returns (or from ioredis's HGETALL object). */
export function toHash(reply: unknown): Hash {
  if (!Array.isArray(reply)) return (reply ?? {}) as Hash;
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) hash[String(reply[i])] = String(reply[i + 1]);
  return hash;
}

/** Whether a hash read back has any field (HGETALL of a missing key is empty). */
export function exists(hash: Hash): boolean {
  return Object.keys(hash).length > 0;
}

/** The field/value pairs of a new callback's hash (pending, due at receivedAt). `seq` is added by Lua. */
export function callbackFields(callback: NewCallback): string[] {
  const pairs = [
    'id', callback.id,
    'endpoint', callback.endpoint,
    'suiteId', callback.suiteId,
    'receiveId', callback.receiveId,
    'receivedAt', String(callback.receivedAt),
    'plaintext', callback.plaintext,
    'fields', JSON.stringify(callback.fields),
    'type', callback.type,
    'state', 'pending',
    'attempts', '0',
    'nextAttemptAt', String(callback.receivedAt),
  ];
  if (callback.corpId !== null) pairs.push('corpId', callback.corpId);
  return pairs;
}

/** The callback a hash holds. */
export function toCallbackRecord(h: Hash): CallbackRecord {
  return {
    id: text(h, 'id'),
    endpoint: text(h, 'endpoint') as Endpoint,
    suiteId: text(h, 'suiteId'),
    receiveId: text(h, 'receiveId'),
    receivedAt: num(h, 'receivedAt'),
    plaintext: text(h, 'plaintext'),
    fields: JSON.parse(text(h, 'fields')) as CallbackFields,
    type: text(h, 'type'),
    corpId: h['corpId'] ?? null,
    state: text(h, 'state') as CallbackState,
    attempts: num(h, 'attempts'),
    nextAttemptAt: num(h, 'nextAttemptAt'),
    leaseOwner: h['leaseOwner'] ?? null,
    leaseUntil: numOrNull(h, 'leaseUntil'),
    lastError: h['lastError'] ?? null,
    event: h['event'] === undefined ? null : (JSON.parse(h['event']) as EventEnvelope),
    processedAt: numOrNull(h, 'processedAt'),
  };
}

/** The delivery a hash holds, carrying the event JSON read from its callback. */
export function toDeliveryRecord(h: Hash, eventJson: string): DeliveryRecord {
  return {
    id: text(h, 'id'),
    eventId: text(h, 'eventId'),
    target: text(h, 'target'),
    eventType: text(h, 'eventType'),
    state: text(h, 'state') as DeliveryState,
    attempts: num(h, 'attempts'),
    replays: num(h, 'replays'),
    nextAttemptAt: num(h, 'nextAttemptAt'),
    leaseOwner: h['leaseOwner'] ?? null,
    leaseUntil: numOrNull(h, 'leaseUntil'),
    lastStatus: numOrNull(h, 'lastStatus'),
    lastResponse: h['lastResponse'] ?? null,
    lastError: h['lastError'] ?? null,
    createdAt: num(h, 'createdAt'),
    updatedAt: num(h, 'updatedAt'),
    deliveredAt: numOrNull(h, 'deliveredAt'),
    event: JSON.parse(eventJson) as EventEnvelope,
  };
}

/** The kv record a hash holds. */
export function toKvRecord(h: Hash): KvRecord<unknown> {
  return {
    value: JSON.parse(text(h, 'value')) as unknown,
    version: num(h, 'version'),
    updatedAt: num(h, 'updatedAt'),
    expiresAt: numOrNull(h, 'expiresAt'),
  };
}

/** Whether a kv hash is still live at `now` (Redis expiry is only garbage collection; `now` decides). */
export function isLive(h: Hash, now: number): boolean {
  const expiresAt = numOrNull(h, 'expiresAt');
  return expiresAt === null || expiresAt > now;
}

function text(h: Hash, field: string): string {
  const value = h[field];
  if (value === undefined) throw new Error(`the stored record has no ${field}`);
  return value;
}

function num(h: Hash, field: string): number {
  return Number(text(h, field));
}

function numOrNull(h: Hash, field: string): number | null {
  const value = h[field];
  return value === undefined ? null : Number(value);
}
