/**
 * The Store contract: one suite every Store implementation must pass (SQLite and Redis run the same
 * one), in six parts — the inbox, the delivery queue, keyed state, coordination, id sets and operations — each
 * using only its part's interface (`Inbox`, `DeliveryQueue`, `KeyedState`, `Coordination`, `Store`).
 * Every time-dependent call passes `now` explicitly (times are offsets from a real epoch, `Date.now()`
 * when the suite starts), so nothing waits on real time: no sleeps.
 *
 * Usage, from another test file:
 *
 *     import t from 'tap';
 *     import { storeContract } from './contract.js';
 *     await storeContract(t, 'redis', () => RedisStore.connect(url), (store) => flush(store));
 */
import type { Test } from 'tap';
import type { Store } from '../../src/store/store.js';
import { contractContext } from './contract-context.js';
import { coordinationContract } from './contract-coordination.js';
import { attemptsLogContract } from './contract-attempts-log.js';
import { deliveryQueueContract } from './contract-delivery-queue.js';
import { guardContract } from './contract-guard.js';
import { idSetsContract } from './contract-id-sets.js';
import { inboxContract } from './contract-inbox.js';
import { keyedStateContract } from './contract-keyed-state.js';
import { operationsContract } from './contract-operations.js';

/** What a test may ask of the store it opens (options every implementation takes). */
export interface ContractStoreOptions {
  readonly attemptsPerDelivery?: number;
}
/** Opens a fresh, empty store for one test, with `options` passed to the implementation. */
export type MakeStore = (options?: ContractStoreOptions) => Promise<Store>;
/** Called after a test closed its store, e.g. to delete its keys or file. */
export type CleanupStore = (store: Store) => Promise<void> | void;

/**
 * Registers the contract suite as a subtest `"<name> store contract"` of `t`. Every subtest gets its own
 * store from `makeStore` (which must return an empty one), closes it at teardown, then calls `cleanup`.
 */
export async function storeContract(t: Test, name: string, makeStore: MakeStore, cleanup?: CleanupStore): Promise<void> {
  await t.test(`${name} store contract`, async (t) => {
    const context = contractContext(Date.now(), makeStore, cleanup);
    t.test('Inbox', async (t) => inboxContract(t, context));
    t.test('DeliveryQueue', async (t) => deliveryQueueContract(t, context));
    t.test('DeliveryQueue: the attempts log', async (t) => attemptsLogContract(t, context));
    t.test('KeyedState', async (t) => keyedStateContract(t, context));
    t.test('Coordination', async (t) => coordinationContract(t, context));
    t.test('IdSets', async (t) => idSetsContract(t, context));
    t.test('operations', async (t) => operationsContract(t, context));
    t.test('the guard', async (t) => guardContract(t, context));
  });
}
