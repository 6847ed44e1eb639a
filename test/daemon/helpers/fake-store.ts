import type { EventEnvelope } from '../../../src/events/envelope.js';
import type {
  AttemptOutcome, CallbackCompletion, CallbackDeferral, CallbackRecord, ClaimOptions, DeliveryRecord, KvRecord, RateLimit, Store,
} from '../../../src/store/store.js';
import { makeEvent } from '../../helpers/delivery-fixtures.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An in-memory stand-in for the parts of the {@link Store} the daemon's loops use (inbox, delivery
 * queue, rate slots, target state), with the contract's lease rules: a claim leases to `now + leaseMs`,
 * work is claimable again once its lease ran out, and only the lease holder may finish or renew it.
 * Every call is counted in `calls`, and `fail` makes the named method reject (store down).
 */
export class FakeStore {
  readonly kind = 'sqlite' as const;
  readonly callbacks = new Map<string, Mutable<CallbackRecord>>();
  readonly deliveries = new Map<string, Mutable<DeliveryRecord>>();
  readonly kv = new Map<string, unknown>();
  readonly calls: Record<string, number> = {};
  readonly fail = new Set<string>();
  /** Slots granted per call of takeRateSlots at most (unlimited by default). */
  slotsPerCall = Number.POSITIVE_INFINITY;
  private listeners = new Set<(change?: unknown) => void>();

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    if (this.fail.has(name)) throw new Error(`${name} failed (fake store down)`);
  }

  /** Adds a pending callback. */
  addCallback(id: string, overrides: Partial<CallbackRecord> = {}): void {
    this.callbacks.set(id, {
      id, endpoint: 'command', suiteId: 'ww917724cb573d8629', receiveId: 'ww917724cb573d8629', receivedAt: 0,
      plaintext: '<xml></xml>', fields: {}, type: 'suite.ticket', corpId: null, state: 'pending', attempts: 0,
      nextAttemptAt: 0, leaseOwner: null, leaseUntil: null, lastError: null, event: null, processedAt: null, ...overrides,
    } as Mutable<CallbackRecord>);
  }

  /** Adds a pending delivery of `event` to `target`. */
  addDelivery(eventId: string, target: string, event: EventEnvelope = makeEvent({ id: eventId })): void {
    const id = `${eventId}:${target}`;
    this.deliveries.set(id, {
      id, eventId, target, eventType: event.type, state: 'pending', attempts: 0, replays: 0, nextAttemptAt: 0,
      leaseOwner: null, leaseUntil: null, lastStatus: null, lastResponse: null, lastError: null, createdAt: 0,
      updatedAt: 0, deliveredAt: null, event,
    });
  }

  /** Simulates another daemon taking over: the lease now belongs to `owner`. */
  steal(id: string, owner: string): void {
    const record = this.callbacks.get(id) ?? this.deliveries.get(id);
    if (record) record.leaseOwner = owner;
  }

  async claimCallbacks({ owner, limit, leaseMs, now }: ClaimOptions): Promise<CallbackRecord[]> {
    this.count('claimCallbacks');
    return this.claim([...this.callbacks.values()], owner, limit, leaseMs, now).map((c) => {
      c.attempts += 1;
      return { ...c };
    });
  }

  async renewCallbackLeases(ids: readonly string[], owner: string, leaseUntil: number): Promise<string[]> {
    this.count('renewCallbackLeases');
    return this.renew(this.callbacks, ids, owner, leaseUntil);
  }

  async completeCallback(id: string, owner: string, completion: CallbackCompletion): Promise<boolean> {
    this.count('completeCallback');
    const c = this.held(this.callbacks, id, owner);
    if (!c) return false;
    Object.assign(c, { state: 'done', event: completion.event, processedAt: completion.now, leaseOwner: null, leaseUntil: null });
    for (const target of completion.targets) {
      if (!this.deliveries.has(`${id}:${target}`)) this.addDelivery(id, target, completion.event);
    }
    return true;
  }

  async deferCallback(id: string, owner: string, deferral: CallbackDeferral): Promise<boolean> {
    this.count('deferCallback');
    const c = this.held(this.callbacks, id, owner);
    if (!c) return false;
    Object.assign(c, { nextAttemptAt: deferral.nextAttemptAt, lastError: deferral.error, leaseOwner: null, leaseUntil: null });
    return true;
  }

  async failCallback(id: string, owner: string, error: string, now: number): Promise<boolean> {
    this.count('failCallback');
    const c = this.held(this.callbacks, id, owner);
    if (!c) return false;
    Object.assign(c, { state: 'failed', lastError: error, processedAt: now, leaseOwner: null, leaseUntil: null });
    return true;
  }

  async claimDeliveries({ target, owner, limit, leaseMs, now }: ClaimOptions & { readonly target: string }): Promise<DeliveryRecord[]> {
    this.count('claimDeliveries');
    const mine = [...this.deliveries.values()].filter((d) => d.target === target);
    return this.claim(mine, owner, limit, leaseMs, now).map((d) => ({ ...d }));
  }

  async renewDeliveryLeases(ids: readonly string[], owner: string, leaseUntil: number): Promise<string[]> {
    this.count('renewDeliveryLeases');
    return this.renew(this.deliveries, ids, owner, leaseUntil);
  }

  async recordAttempt(id: string, owner: string, outcome: AttemptOutcome): Promise<boolean> {
    this.count('recordAttempt');
    return this.applyAttempt(id, owner, outcome);
  }

  async recordAttempts(batch: ReadonlyArray<{ readonly id: string; readonly owner: string; readonly outcome: AttemptOutcome }>): Promise<boolean[]> {
    this.count('recordAttempts');
    return batch.map((b) => this.applyAttempt(b.id, b.owner, b.outcome));
  }

  async releaseDelivery(id: string, owner: string): Promise<boolean> {
    this.count('releaseDelivery');
    const d = this.held(this.deliveries, id, owner);
    if (!d) return false;
    Object.assign(d, { leaseOwner: null, leaseUntil: null });
    return true;
  }

  async takeRateSlots(_key: string, _limit: RateLimit, wanted: number): Promise<{ granted: number; retryInMs: number }> {
    this.count('takeRateSlots');
    const granted = Math.min(wanted, this.slotsPerCall);
    return { granted, retryInMs: granted < wanted ? 100 : 0 };
  }

  /** Id sets (reconciliation snapshots): what the consumer's snapshot step writes. */
  readonly idSets = new Map<string, Set<string>>();

  async addIds(set: string, ids: readonly string[]): Promise<number> {
    const target = this.idSets.get(set) ?? new Set<string>();
    this.idSets.set(set, target);
    const before = target.size;
    for (const id of ids) target.add(id);
    return target.size - before;
  }

  async removeIds(set: string, ids: readonly string[]): Promise<number> {
    const target = this.idSets.get(set);
    return target === undefined ? 0 : ids.filter((id) => target.delete(id)).length;
  }

  async getKv<T>(ns: string, key: string): Promise<KvRecord<T> | undefined> {
    this.count('getKv');
    const value = this.kv.get(`${ns}:${key}`);
    return value === undefined ? undefined : { value: value as T, version: 0, updatedAt: 0, expiresAt: null };
  }

  async putKv<T>(ns: string, key: string, value: T): Promise<boolean> {
    this.count('putKv');
    this.kv.set(`${ns}:${key}`, value);
    return true;
  }

  async prune(): Promise<number> {
    this.count('prune');
    return 0;
  }

  onChange(listener: (change?: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls the change listeners as the store does after a write. */
  emitChange(change?: unknown): void {
    for (const listener of this.listeners) listener(change);
  }

  async close(): Promise<void> {}

  /** This fake as a {@link Store} (the methods the loops do not use are absent). */
  asStore(): Store {
    return this as unknown as Store;
  }

  private claim<T extends Mutable<CallbackRecord> | Mutable<DeliveryRecord>>(records: T[], owner: string, limit: number, leaseMs: number, now: number): T[] {
    const due = records
      .filter((r) => r.state === 'pending' && r.nextAttemptAt <= now && (r.leaseUntil === null || r.leaseUntil <= now))
      .slice(0, limit);
    for (const r of due) Object.assign(r, { leaseOwner: owner, leaseUntil: now + leaseMs });
    return due;
  }

  private renew<T extends { leaseOwner: string | null; leaseUntil: number | null; state: string }>(records: Map<string, T>, ids: readonly string[], owner: string, leaseUntil: number): string[] {
    return ids.filter((id) => {
      const r = this.held(records, id, owner);
      if (r) r.leaseUntil = leaseUntil;
      return r !== undefined;
    });
  }

  private held<T extends { leaseOwner: string | null; state: string }>(records: Map<string, T>, id: string, owner: string): T | undefined {
    const r = records.get(id);
    return r && r.state === 'pending' && r.leaseOwner === owner ? r : undefined;
  }

  private applyAttempt(id: string, owner: string, outcome: AttemptOutcome): boolean {
    const d = this.held(this.deliveries, id, owner);
    if (!d) return false;
    Object.assign(d, {
      state: outcome.state, attempts: d.attempts + (outcome.countAttempt ? 1 : 0), nextAttemptAt: outcome.nextAttemptAt ?? outcome.now,
      lastStatus: outcome.status ?? null, lastError: outcome.error ?? null, updatedAt: outcome.now,
      deliveredAt: outcome.state === 'delivered' ? outcome.now : d.deliveredAt, leaseOwner: null, leaseUntil: null,
    });
    return true;
  }
}
