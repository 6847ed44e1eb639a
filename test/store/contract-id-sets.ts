import type { Test } from 'tap';
import type { IdSets } from '../../src/store/store.js';
import type { ContractContext } from './contract-context.js';

/** The `IdSets` part of the store contract (see `contract.ts`): reconciliation snapshots. */
export function idSetsContract(t: Test, c: ContractContext): void {
  const open = (t: Test): Promise<IdSets> => c.open(t);

  t.test('add, has, remove and count', async (t) => {
    const store = await open(t);
    t.equal(await store.countIds('snap:a'), 0, 'an absent set is empty');
    t.equal(await store.addIds('snap:a', ['u1', 'u2', 'u3']), 3, 'three new ids');
    t.equal(await store.addIds('snap:a', ['u2', 'u4']), 1, 'only the new one counts');
    t.same(await store.hasIds('snap:a', ['u1', 'zz', 'u4']), [true, false, true], 'membership in order');
    t.same(await store.hasIds('snap:b', ['u1']), [false], 'sets are independent');
    t.equal(await store.removeIds('snap:a', ['u1', 'nope']), 1, 'only present ids count as removed');
    t.equal(await store.countIds('snap:a'), 3);
    t.same(await store.hasIds('snap:a', []), [], 'an empty batch');
    t.equal(await store.addIds('snap:a', []), 0);
  });

  t.test('scanIds pages in UTF-8 byte order, resumable after any id', async (t) => {
    const store = await open(t);
    const ids = ['b', 'a', 'B', 'a:1', '张三', 'wo_x', 'Z', '10', '9', 'éa'];
    await store.addIds('s', ids);
    const sorted = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: string[] = await store.scanIds('s', after, 3);
      if (page.length === 0) break;
      seen.push(...page);
      after = page[page.length - 1] as string;
    }
    t.same(seen, sorted, 'every id once, byte order');
    t.same(await store.scanIds('s', 'a', 2), ['a:1', 'b'], 'strictly after');
    t.same(await store.scanIds('absent', null, 10), []);
  });

  t.test('moveIds replaces the target atomically and empties the source', async (t) => {
    const store = await open(t);
    await store.addIds('snap', ['old1', 'old2', 'keep']);
    await store.addIds('run', ['keep', 'new1']);
    await store.moveIds('run', 'snap');
    t.same(await store.scanIds('snap', null, 10), ['keep', 'new1'], 'the target holds the source only');
    t.equal(await store.countIds('run'), 0, 'the source is empty');
    await store.moveIds('run', 'snap');
    t.equal(await store.countIds('snap'), 0, 'moving an empty source empties the target');
  });

  t.test('deleteIds', async (t) => {
    const store = await open(t);
    await store.addIds('x', ['1', '2']);
    t.equal(await store.deleteIds('x'), 2);
    t.equal(await store.deleteIds('x'), 0);
    t.equal(await store.countIds('x'), 0);
  });

  t.test('10,000 ids in one batch; bad arguments are TypeErrors', async (t) => {
    const store = await open(t);
    const many = Array.from({ length: 10_000 }, (_, i) => `id${String(i).padStart(5, '0')}`);
    t.equal(await store.addIds('big', many), 10_000);
    t.equal(await store.countIds('big'), 10_000);
    t.same(await store.scanIds('big', 'id09997', 10), ['id09998', 'id09999']);
    await t.rejects(store.addIds('big', [...many, 'one-more']), TypeError, 'more than 10,000 ids');
    await t.rejects(store.addIds('', ['a']), TypeError, 'an empty set name');
    await t.rejects(store.addIds('s', ['']), TypeError, 'an empty id');
    await t.rejects(store.scanIds('s', null, 0), TypeError, 'a zero limit');
    await t.rejects(store.moveIds('s', 's'), TypeError, 'a move onto itself');
  });
}
