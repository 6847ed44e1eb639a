import type { Test } from 'tap';
import type { NewCallback } from '../../src/store/store.js';
import type { ContractContext } from './contract-context.js';

/**
 * The guard's part of the store contract: every store refuses the same mistakes with the same
 * `TypeError`, before anything is written.
 */
export function guardContract(t: Test, c: ContractContext): void {
  const { T0, open, callback, ns } = c;

  t.test('a malformed callback is refused field by field, and nothing is stored', async (t) => {
    const store = await open(t);
    const bad: Array<[string, Partial<Record<keyof NewCallback, unknown>>]> = [
      ['id', { id: '' }], ['endpoint', { endpoint: 'nope' }], ['suiteId', { suiteId: 7 }], ['receiveId', { receiveId: null }],
      ['receivedAt', { receivedAt: Number.NaN }], ['plaintext', { plaintext: undefined }], ['fields', { fields: 'x' }],
      ['type', { type: '' }], ['corpId', { corpId: 42 }],
    ];
    for (const [field, override] of bad) {
      await t.rejects(store.putCallback({ ...callback(`evt_${field}`), ...override } as NewCallback),
        { name: 'TypeError', message: new RegExp(`^Expected \`callback\\.${field}\``) }, `a bad ${field} is a TypeError naming it`);
    }
    await t.rejects(store.putCallback(null as unknown as NewCallback), TypeError, 'so is no callback at all');
    t.same(await store.listCallbacks(), [], 'nothing was stored');
  });

  t.test('bad arguments are TypeErrors on every method', async (t) => {
    const store = await open(t);
    await t.rejects(store.claimCallbacks({ owner: '', limit: 1, leaseMs: 1, now: T0 }), TypeError, 'an empty owner');
    await t.rejects(store.claimDeliveries({ target: '', owner: 'W', limit: 1, leaseMs: 1, now: T0 }), TypeError, 'an empty target');
    await t.rejects(store.listCallbacks({ limit: 0 }), TypeError, 'a zero limit');
    await t.rejects(store.listDeliveries({ state: 'lost' as 'dead' }), TypeError, 'an unknown state');
    await t.rejects(store.recordAttempt('d', 'W', { state: 'gone' as 'dead', countAttempt: true, now: T0 }), TypeError, 'an unknown outcome state');
    await t.rejects(store.recordAttempts([{ id: 'd', owner: 'W', outcome: { state: 'dead', countAttempt: true, now: Number.NaN } }]), TypeError,
      'a bad entry of a batch');
    await t.rejects(store.completeCallback('evt_1', 'A', { event: callback('x') as never, targets: [''], now: T0 }), TypeError, 'an empty target name');
    await t.rejects(store.requeueCallbacks('evt_1' as unknown as string[], T0), TypeError, 'ids that are not an array');
    await t.rejects(store.renewCallbackLeases(['evt_1'], 'A', Number.NaN, T0), TypeError, 'a bad leaseUntil');
    await t.rejects(store.takeRateSlot('k', { count: 0, intervalMs: 1 }, T0), TypeError, 'a zero rate count');
    await t.rejects(store.takeRateSlots('k', { count: 1, intervalMs: 1 }, 0, T0), TypeError, 'a zero wanted');
    await t.rejects(store.putKv(ns('n'), 'k', undefined), TypeError, 'an undefined kv value');
    await t.rejects(store.getKv('n' as never, 'k'), TypeError, 'a string instead of a Namespace');
    await t.rejects(store.acquireLock('k', 0, T0), TypeError, 'a zero lock ttl');
    await t.rejects(store.acquireLock('k', 1000, undefined as unknown as number), TypeError, 'a lock without now');
    await t.rejects(store.renewLock('k', '', 1000, T0), TypeError, 'an empty lock token');
    t.throws(() => store.onChange(5 as never), TypeError, 'a listener that is not a function');
  });
}
