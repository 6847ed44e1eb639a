import type { Test } from 'tap';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { defineNamespace, type Namespace } from '../../src/store/namespaces.js';
import type { CallbackRecord, DeliveryRecord, DeliveryQueue, Inbox, NewCallback, Store } from '../../src/store/store.js';

/** What every part of the contract suite shares: a time origin, a fresh store per test, and builders. */
export interface ContractContext {
  /** The suite's time origin (a real epoch, so a store that mirrors expiry into Redis `PX` behaves). */
  readonly T0: number;
  /** A fresh, empty store, closed (and cleaned up) at the end of `t`; `options` go to the implementation. */
  readonly open: (t: Test, options?: { readonly attemptsPerDelivery?: number }) => Promise<Store>;
  /** Opens a store without registering its teardown (for tests that close it themselves). */
  readonly openBare: () => Promise<{ readonly store: Store; readonly cleanup: () => Promise<void> }>;
  readonly callback: (id: string, overrides?: Partial<NewCallback>) => NewCallback;
  readonly envelope: (cb: NewCallback) => EventEnvelope;
  /** Puts, claims and completes a callback: creates its deliveries (one per target) at `now`. */
  readonly deliver: (store: Inbox, cb: NewCallback, targets: readonly string[], now?: number) => Promise<void>;
  readonly ids: (records: ReadonlyArray<CallbackRecord | DeliveryRecord>) => string[];
  /** A test namespace holding any JSON value. */
  readonly ns: (name: string) => Namespace<unknown>;
}

/** Builds the shared context of one run of the suite. */
export function contractContext(
  T0: number, makeStore: (options?: { readonly attemptsPerDelivery?: number }) => Promise<Store>, cleanup: ((store: Store) => Promise<void> | void) | undefined,
): ContractContext {
  const callback = (id: string, overrides: Partial<NewCallback> = {}): NewCallback => ({
    id,
    endpoint: 'data',
    suiteId: 'wwsuite',
    receiveId: 'wwsuite',
    receivedAt: T0,
    plaintext: `<xml><SuiteId><![CDATA[wwsuite]]></SuiteId><Id>${id}</Id></xml>`,
    fields: { SuiteId: 'wwsuite', InfoType: 'change_external_contact', MsgId: '7412589630147258369', List: { Item: ['a', 'b'] } },
    type: 'external_contact.add',
    corpId: 'wwcorp1',
    ...overrides,
  });
  const envelope = (cb: NewCallback): EventEnvelope => ({
    id: cb.id,
    type: cb.type,
    timestamp: new Date(cb.receivedAt).toISOString(),
    receivedAt: new Date(cb.receivedAt).toISOString(),
    source: { endpoint: cb.endpoint, suiteId: cb.suiteId, corpId: cb.corpId, agentId: null },
    data: { externalUserId: 'wmABC', nested: { list: [1, 2, 3] } },
    enrichment: null,
    enrichmentError: null,
    raw: cb.fields,
  });
  return {
    T0,
    open: async (t, options) => {
      const store = await makeStore(options);
      t.teardown(async () => {
        await store.close().catch(() => undefined);
        await cleanup?.(store);
      });
      return store;
    },
    openBare: async () => {
      const store = await makeStore();
      return { store, cleanup: async () => { await cleanup?.(store); } };
    },
    callback,
    envelope,
    deliver: async (store, cb, targets, now = cb.receivedAt) => {
      await store.putCallback(cb);
      const [claimed] = await store.claimCallbacks({ owner: 'setup', limit: 1, leaseMs: 1000, now: Math.max(now, cb.receivedAt) });
      if (claimed?.id !== cb.id) throw new Error(`setup: expected to claim ${cb.id}, got ${claimed?.id}`);
      if (!(await store.completeCallback(cb.id, 'setup', { event: envelope(cb), targets, now }))) throw new Error('setup: complete failed');
    },
    ids: (records) => records.map((r) => r.id),
    ns: (name) => defineNamespace<unknown>(name, (value) => value),
  };
}

/** The parts of a store the inbox and delivery parts of the suite use. */
export type WorkStore = Inbox & DeliveryQueue;
