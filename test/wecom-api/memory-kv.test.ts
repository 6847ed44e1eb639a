import t from 'tap';
import { MemoryKv } from './memory-kv.js';

// The fake must honour the Store contract's kv + lock semantics, or the credential tests prove nothing.

t.test('ifNewer writes only over no live value or a lower version', async (t) => {
  const clock = { now: 1000 };
  const kv = new MemoryKv(() => clock.now);
  t.equal(await kv.putKv('ns', 'k', 'a', { version: 5, ifNewer: true }), true, 'the first write lands');
  t.equal(await kv.putKv('ns', 'k', 'b', { version: 4, ifNewer: true }), false, 'a lower version is refused');
  t.equal(await kv.putKv('ns', 'k', 'c', { version: 5, ifNewer: true }), false, 'an equal version is refused');
  t.equal((await kv.getKv('ns', 'k'))?.value, 'a', 'the value is unchanged');
  t.equal(await kv.putKv('ns', 'k', 'd', { version: 1 }), true, 'a plain write always lands');
  await kv.putKv('ns', 'k', 'e', { version: 9, ttlMs: 100 });
  clock.now += 100;
  t.equal(await kv.getKv('ns', 'k'), undefined, 'an expired value is absent');
  t.equal(await kv.putKv('ns', 'k', 'f', { version: 1, ifNewer: true }), true, 'and does not block an ifNewer write');
});

t.test('ifValue deletes only a deep-equal value', async (t) => {
  const kv = new MemoryKv();
  await kv.putKv('ns', 'k', { token: 'x', n: 1 });
  t.equal(await kv.deleteKv('ns', 'k', { ifValue: { token: 'y', n: 1 } }), false, 'a different value is kept');
  t.equal(await kv.deleteKv('ns', 'k', { ifValue: { n: 1, token: 'x' } }), true, 'an equal value is deleted');
  t.equal(await kv.deleteKv('ns', 'k'), false, 'deleting nothing resolves false');
});

t.test('values are copies and listKv lists one namespace', async (t) => {
  const kv = new MemoryKv();
  const value = { a: 1 };
  await kv.putKv('one', 'k1', value);
  value.a = 2;
  t.same((await kv.getKv('one', 'k1'))?.value, { a: 1 }, 'the stored value is a copy');
  await kv.putKv('two', 'k2', 'x');
  t.same((await kv.listKv('one')).map((r) => r.key), ['k1'], 'only the namespace asked for');
  t.equal((await kv.takeKv('two', 'k2'))?.value, 'x', 'take returns the value');
  t.equal(await kv.takeKv('two', 'k2'), undefined, 'and removes it');
});

t.test('locks are exclusive until released or expired', async (t) => {
  const clock = { now: 0 };
  const kv = new MemoryKv(() => clock.now);
  const token = await kv.acquireLock('l', 1000);
  t.type(token, 'string', 'the first acquire gets a token');
  t.equal(await kv.acquireLock('l', 1000), undefined, 'a second acquire is refused');
  t.equal(await kv.releaseLock('l', 'not-the-token'), false, 'a wrong token does not release it');
  t.equal(await kv.releaseLock('l', token ?? ''), true, 'the holder releases it');
  const again = await kv.acquireLock('l', 1000);
  t.type(again, 'string', 'then it can be taken again');
  clock.now += 1000;
  t.type(await kv.acquireLock('l', 1000), 'string', 'an expired lock can be taken');
});
