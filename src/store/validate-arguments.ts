import { expected } from '../expected.js';
import type { Namespace } from './namespaces.js';
import type {
  AttemptOutcome, AttemptRecord, CallbackCompletion, CallbackDeferral, ClaimOptions, DeliveryClaimOptions, DeliveryState,
  ListCallbacksQuery, ListDeliveriesQuery, NewCallback, RateLimit, ReplaySelection,
} from './records.js';

/**
 * Argument checks shared by every store (the guard runs them before an implementation sees a call), so
 * SQLite and Redis refuse exactly the same mistakes with exactly the same `TypeError`.
 */

const ENDPOINTS: readonly string[] = ['data', 'command', 'install', 'sync'];
const CALLBACK_STATES: readonly string[] = ['pending', 'done', 'failed'];
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/** Rows a list returns when the query gives no `limit`. */
export const DEFAULT_LIST_LIMIT = 100;

/** A non-empty string. */
export function checkName(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw expected(name, 'a non-empty string', value);
}

/** A finite number. */
export function checkTime(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw expected(name, 'a finite number', value);
}

/** A positive finite number. */
export function checkPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw expected(name, 'a positive number', value);
}

/** A positive integer. */
export function checkCount(name: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 1) throw expected(name, 'a positive integer', value);
}

/** An array of non-empty strings. */
export function checkIds(name: string, value: unknown): asserts value is readonly string[] {
  if (!Array.isArray(value)) throw expected(name, 'an array of ids', value);
  value.forEach((id, i) => checkName(`${name}[${i}]`, id));
}

/** Every field of a new callback (the receiver's write). */
export function checkNewCallback(callback: NewCallback): void {
  if (callback === null || typeof callback !== 'object') throw expected('callback', 'an object', callback);
  const { id, endpoint, suiteId, receiveId, receivedAt, plaintext, fields, type, corpId } = callback;
  checkName('callback.id', id);
  if (!ENDPOINTS.includes(endpoint)) throw expected('callback.endpoint', `one of ${ENDPOINTS.join(', ')}`, endpoint);
  checkName('callback.suiteId', suiteId);
  // Empty is a real receiveid: third-party apps of an individual entity (个人主体) are sealed with ''.
  if (typeof receiveId !== 'string') throw expected('callback.receiveId', 'a string', receiveId);
  checkTime('callback.receivedAt', receivedAt);
  if (typeof plaintext !== 'string') throw expected('callback.plaintext', 'a string', plaintext);
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw expected('callback.fields', 'an object', fields);
  checkName('callback.type', type);
  if (corpId !== null && typeof corpId !== 'string') throw expected('callback.corpId', 'a string or null', corpId);
}

/** A list `limit`, defaulted. */
export function checkLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  checkCount('limit', limit);
  return limit;
}

/** A `listCallbacks` query; resolves its limit. */
export function checkCallbacksQuery(query: ListCallbacksQuery): number {
  if (query === null || typeof query !== 'object') throw expected('query', 'an object', query);
  if (query.state !== undefined && !CALLBACK_STATES.includes(query.state)) throw expected('query.state', `one of ${CALLBACK_STATES.join(', ')}`, query.state);
  if (query.type !== undefined) checkName('query.type', query.type);
  if (query.corpId !== undefined) checkName('query.corpId', query.corpId);
  if (query.suiteId !== undefined) checkName('query.suiteId', query.suiteId);
  checkRange('query', query);
  return checkLimit(query.limit);
}

/** A `listDeliveries` query; resolves its limit. */
export function checkDeliveriesQuery(query: ListDeliveriesQuery): number {
  if (query === null || typeof query !== 'object') throw expected('query', 'an object', query);
  checkDeliveryState('query.state', query.state);
  if (query.target !== undefined) checkName('query.target', query.target);
  if (query.eventId !== undefined) checkName('query.eventId', query.eventId);
  checkRange('query', query);
  return checkLimit(query.limit);
}

/** A replay selection: ids, or a filter. */
export function checkReplaySelection(selection: ReplaySelection): void {
  if (selection === null || typeof selection !== 'object') throw expected('selection', 'an object', selection);
  if ('ids' in selection) return checkIds('selection.ids', selection.ids);
  checkDeliveryState('selection.state', selection.state);
  if (selection.target !== undefined) checkName('selection.target', selection.target);
  checkRange('selection', selection);
}

/** The options of a claim. */
export function checkClaim(claim: ClaimOptions): void {
  if (claim === null || typeof claim !== 'object') throw expected('claim', 'an object', claim);
  checkName('owner', claim.owner);
  checkCount('limit', claim.limit);
  checkPositive('leaseMs', claim.leaseMs);
  checkTime('now', claim.now);
}

/** The options of a delivery claim. */
export function checkDeliveryClaim(claim: DeliveryClaimOptions): void {
  checkClaim(claim);
  checkName('target', claim.target);
}

/** The arguments of a completion. */
export function checkCompletion(id: string, owner: string, completion: CallbackCompletion): void {
  checkName('id', id);
  checkName('owner', owner);
  if (completion === null || typeof completion !== 'object') throw expected('completion', 'an object', completion);
  const { event, targets, now } = completion;
  if (event === null || typeof event !== 'object') throw expected('completion.event', 'an event envelope', event);
  checkName('completion.event.type', event.type);
  if (event.source === null || typeof event.source !== 'object') throw expected('completion.event.source', 'an object', event.source);
  checkIds('completion.targets', targets);
  checkTime('completion.now', now);
}

/** The arguments of a deferral. */
export function checkDeferral(id: string, owner: string, deferral: CallbackDeferral): void {
  checkName('id', id);
  checkName('owner', owner);
  if (deferral === null || typeof deferral !== 'object') throw expected('deferral', 'an object', deferral);
  checkTime('deferral.nextAttemptAt', deferral.nextAttemptAt);
  if (typeof deferral.error !== 'string') throw expected('deferral.error', 'a string', deferral.error);
  checkTime('deferral.now', deferral.now);
}

/** The outcome of one delivery attempt. */
export function checkOutcome(name: string, outcome: AttemptOutcome): void {
  if (outcome === null || typeof outcome !== 'object') throw expected(name, 'an object', outcome);
  if (!DELIVERY_STATES.includes(outcome.state)) throw expected(`${name}.state`, `one of ${DELIVERY_STATES.join(', ')}`, outcome.state);
  if (typeof outcome.countAttempt !== 'boolean') throw expected(`${name}.countAttempt`, 'a boolean', outcome.countAttempt);
  if (outcome.nextAttemptAt !== undefined) checkTime(`${name}.nextAttemptAt`, outcome.nextAttemptAt);
  if (outcome.status != null && !Number.isInteger(outcome.status)) throw expected(`${name}.status`, 'an integer or null', outcome.status);
  if (outcome.response != null && typeof outcome.response !== 'string') throw expected(`${name}.response`, 'a string or null', outcome.response);
  if (outcome.error != null && typeof outcome.error !== 'string') throw expected(`${name}.error`, 'a string or null', outcome.error);
  if (outcome.durationMs != null && !(typeof outcome.durationMs === 'number' && Number.isFinite(outcome.durationMs) && outcome.durationMs >= 0)) {
    throw expected(`${name}.durationMs`, 'a non-negative number or null', outcome.durationMs);
  }
  checkTime(`${name}.now`, outcome.now);
}

/** A `recordAttempts` batch (or, with `single`, the arguments of one `recordAttempt`, named plainly). */
export function checkAttempts(batch: readonly AttemptRecord[], single?: 'attempt'): void {
  if (!Array.isArray(batch)) throw expected('batch', 'an array', batch);
  batch.forEach((entry: AttemptRecord, i) => {
    const at = single === undefined ? `batch[${i}].` : '';
    if (entry === null || typeof entry !== 'object') throw expected(`batch[${i}]`, 'an object', entry);
    checkName(`${at}id`, entry.id);
    checkName(`${at}owner`, entry.owner);
    checkOutcome(`${at}outcome`, entry.outcome);
  });
}

/** The arguments of `failCallback`. */
export function checkFailure(id: string, owner: string, error: string, now: number): void {
  checkName('id', id);
  checkName('owner', owner);
  if (typeof error !== 'string') throw expected('error', 'a string', error);
  checkTime('now', now);
}

/** The arguments of `acquireLock`, and of `renewLock` with its token. */
export function checkLock(key: string, ttlMs: number, now: number, ...token: [string] | []): void {
  checkName('key', key);
  if (token.length > 0) checkName('token', token[0]);
  checkPositive('ttlMs', ttlMs);
  checkTime('now', now);
}

/** A {@link Namespace} object (a string namespace is a mistake the types also catch). */
export function checkNamespace(ns: Namespace<unknown>): void {
  if (ns === null || typeof ns !== 'object' || typeof ns.name !== 'string' || typeof ns.check !== 'function') {
    throw expected('ns', 'a Namespace (see namespaces.ts)', ns);
  }
}

/** A namespace and a key. */
export function checkKvKey(ns: Namespace<unknown>, key: string): void {
  checkNamespace(ns);
  if (typeof key !== 'string') throw expected('key', 'a string', key);
}

/** The arguments of a lease renewal. */
export function checkRenewal(ids: readonly string[], owner: string, leaseUntil: number, now: number): void {
  checkIds('ids', ids);
  checkName('owner', owner);
  checkTime('leaseUntil', leaseUntil);
  checkTime('now', now);
}

/** A rate limit. */
export function checkRateLimit(limit: RateLimit): void {
  if (limit === null || typeof limit !== 'object') throw expected('limit', 'an object', limit);
  checkCount('limit.count', limit.count);
  checkPositive('limit.intervalMs', limit.intervalMs);
}

function checkDeliveryState(name: string, state: unknown): void {
  if (state !== undefined && !DELIVERY_STATES.includes(state as DeliveryState)) throw expected(name, `one of ${DELIVERY_STATES.join(', ')}`, state);
}

function checkRange(name: string, range: { readonly since?: number; readonly until?: number }): void {
  if (range.since !== undefined) checkTime(`${name}.since`, range.since);
  if (range.until !== undefined) checkTime(`${name}.until`, range.until);
}
