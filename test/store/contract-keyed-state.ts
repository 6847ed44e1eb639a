import type { Test } from 'tap';
import { defineNamespace } from '../../src/store/namespaces.js';
import type { KeyedState } from '../../src/store/store.js';
import { number, object } from '../../src/store/value-shape.js';
import type { ContractContext } from './contract-context.js';

/** The `KeyedState` part of the store contract (see `contract.ts`). */
export function keyedStateContract(t: Test, c: ContractContext): void {
  const { T0, open: openStore, ns } = c;
  const open = (t: Test): Promise<KeyedState> => openStore(t);
  /** Test namespaces (any JSON value). */
  const N = {
    cache: ns('cache'),
    corps: ns('corps'),
    empty: ns('empty'),
    install: ns('install'),
    other: ns('other'),
    ticket: ns('ticket'),
    tokens: ns('tokens'),
  };

  t.test('putKv and getKv round-trip values with versions', async (t) => {
    const store = await open(t);
    const value = { token: 'abc', expiresIn: 7200, nested: [1, { a: null }] };
    t.equal(await store.putKv(N.tokens, 'suite', value, { now: T0, version: 7 }), true, 'a put writes');
    t.same(await store.getKv(N.tokens, 'suite', T0), { value, version: 7, updatedAt: T0, expiresAt: null }, 'value, version and times');
    t.equal(await store.getKv(N.tokens, 'missing', T0), undefined, 'an absent key is undefined');
    t.equal(await store.getKv(N.other, 'suite', T0), undefined, 'namespaces are separate');
    await store.putKv(N.tokens, 'defaulted', 'v', { now: T0 + 5 });
    t.match(await store.getKv(N.tokens, 'defaulted', T0 + 5), { value: 'v', version: T0 + 5 }, 'the version defaults to now');
    await store.putKv(N.tokens, 'suite', 'replaced', { now: T0 + 1, version: 1 });
    t.match(await store.getKv(N.tokens, 'suite', T0 + 1), { value: 'replaced', version: 1 }, 'a plain put overwrites whatever the version');
  });

  t.test('putKv ifNewer is newer-wins', async (t) => {
    const store = await open(t);
    t.equal(await store.putKv(N.ticket, 's', 'v10', { version: 10, ifNewer: true, now: T0 }), true, 'writes when absent');
    t.equal(await store.putKv(N.ticket, 's', 'v9', { version: 9, ifNewer: true, now: T0 }), false, 'an older version does not overwrite');
    t.equal(await store.putKv(N.ticket, 's', 'v10b', { version: 10, ifNewer: true, now: T0 }), false, 'nor does an equal one');
    t.match(await store.getKv(N.ticket, 's', T0), { value: 'v10', version: 10 }, 'the stored value is unchanged');
    t.equal(await store.putKv(N.ticket, 's', 'v11', { version: 11, ifNewer: true, now: T0 }), true, 'a newer version overwrites');
    t.match(await store.getKv(N.ticket, 's', T0), { value: 'v11', version: 11 }, 'newer stored');
  });

  t.test('kv values expire after ttlMs', async (t) => {
    const store = await open(t);
    await store.putKv(N.cache, 'k', { n: 1 }, { ttlMs: 1000, now: T0, version: 5 });
    t.match(await store.getKv(N.cache, 'k', T0 + 999), { value: { n: 1 }, expiresAt: T0 + 1000 }, 'live before expiry');
    t.equal(await store.getKv(N.cache, 'k', T0 + 1000), undefined, 'gone at expiry');
    t.same(await store.listKv(N.cache, T0 + 1000), [], 'not listed once expired');
    t.equal(await store.putKv(N.cache, 'k', { n: 2 }, { version: 1, ifNewer: true, now: T0 + 1000 }), true, 'an expired value counts as absent for ifNewer');
    t.match(await store.getKv(N.cache, 'k', T0 + 1000), { value: { n: 2 }, version: 1, expiresAt: null }, 'replaced, without a ttl');
  });

  t.test('listKv lists the live values of a namespace', async (t) => {
    const store = await open(t);
    await store.putKv(N.corps, 'b', 2, { now: T0 });
    await store.putKv(N.corps, 'a', 1, { now: T0 });
    await store.putKv(N.corps, 'gone', 0, { now: T0, ttlMs: 10 });
    await store.putKv(N.other, 'c', 3, { now: T0 });
    const listed = await store.listKv(N.corps, T0 + 10);
    t.same(listed.map((r) => [r.key, r.value]).sort(), [['a', 1], ['b', 2]], 'live values of that namespace only');
    t.same(await store.listKv(N.empty, T0), [], 'an empty namespace lists nothing');
  });

  t.test('deleteKv ifValue deletes only the expected value', async (t) => {
    const store = await open(t);
    await store.putKv(N.tokens, 'corp', { token: 't1', at: 1 }, { now: T0 });
    t.equal(await store.deleteKv(N.tokens, 'corp', { ifValue: { token: 't0', at: 1 } }), false, 'a different value is kept');
    t.ok(await store.getKv(N.tokens, 'corp', T0), 'still there');
    t.equal(await store.deleteKv(N.tokens, 'corp', { ifValue: { at: 1, token: 't1' } }), true, 'a deep-equal value (any key order) is deleted');
    t.equal(await store.getKv(N.tokens, 'corp', T0), undefined, 'gone');
    await store.putKv(N.tokens, 'corp', 'x', { now: T0 });
    t.equal(await store.deleteKv(N.tokens, 'corp'), true, 'an unconditional delete');
    t.equal(await store.deleteKv(N.tokens, 'corp'), false, 'nothing left to delete');
  });

  t.test('takeKv takes a value once', async (t) => {
    const store = await open(t);
    await store.putKv(N.install, 'state1', { redirect: '/ok' }, { now: T0, ttlMs: 600_000 });
    const takes = await Promise.all([store.takeKv(N.install, 'state1', T0 + 1), store.takeKv(N.install, 'state1', T0 + 1)]);
    t.equal(takes.filter((r) => r !== undefined).length, 1, 'two concurrent takes: exactly one gets the value');
    t.same(takes.find((r) => r !== undefined)?.value, { redirect: '/ok' }, 'the value');
    t.equal(await store.takeKv(N.install, 'state1', T0 + 2), undefined, 'a later take gets nothing');
    await store.putKv(N.install, 'state2', 'v', { now: T0, ttlMs: 10 });
    t.equal(await store.takeKv(N.install, 'state2', T0 + 10), undefined, 'an expired value cannot be taken');
  });

  t.test('values are checked against their namespace when written and when read', async (t) => {
    const store = await open(t);
    const counter = defineNamespace('counter', object<{ readonly n: number }>({ n: number }));
    t.equal(await store.putKv(counter, 'k', { n: 1 }, { now: T0 }), true, 'a value of the shape is written');
    t.same((await store.getKv(counter, 'k', T0))?.value, { n: 1 }, 'and read back typed');
    await t.rejects(store.putKv(counter, 'k', { n: 'one' } as unknown as { n: number }, { now: T0 }), TypeError, 'a value of another shape is refused');
    // Written under the same name by something that does not know the shape (another version, a corrupt write).
    await store.putKv(ns('counter'), 'bad', { n: 'one' }, { now: T0 });
    await t.rejects(store.getKv(counter, 'bad', T0), { code: 'ERR_STORE_UNAVAILABLE', cause: TypeError }, 'a stored value of the wrong shape is an error, not a cast');
    await t.rejects(store.listKv(counter, T0), { code: 'ERR_STORE_UNAVAILABLE' }, 'listing it too');
    await t.rejects(store.takeKv(counter, 'bad', T0), { code: 'ERR_STORE_UNAVAILABLE' }, 'and taking it');
  });

  t.test('deleteKv with an ifValue that is present but undefined deletes nothing', async (t) => {
    const store = await open(t);
    await store.putKv(N.tokens, 'corp', 'still-good', { now: T0 });
    t.equal(await store.deleteKv(N.tokens, 'corp', { ifValue: undefined }), false, 'not deleted');
    t.match(await store.getKv(N.tokens, 'corp', T0), { value: 'still-good' }, 'the value is kept');
  });
}
