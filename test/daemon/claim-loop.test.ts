import t, { type Test } from 'tap';
import { ClaimLoop, type ClaimLoopOptions } from '../../daemon/claim-loop.js';
import type { Logger } from '../../src/logger.js';
import { advance, clockOf, mockClockOf, settle } from './helpers/mock-clock.js';

interface Item {
  readonly id: string;
  readonly leaseUntil: number | null;
}

interface Harness {
  readonly loop: ClaimLoop<Item>;
  /** Items waiting in the fake queue. */
  readonly backlog: string[];
  readonly dispatched: string[];
  /** Each claim call: [limit, now]. */
  readonly claims: Array<[number, number]>;
  /** Each renew call: [ids, leaseUntil, now]. */
  readonly renewals: Array<[readonly string[], number, number]>;
  readonly logs: Array<{ level: string; msg: string; obj: Record<string, unknown> }>;
  /** Ids the fake store no longer lets this owner renew. */
  readonly stolen: Set<string>;
  failClaims: number;
  failRenewals: boolean;
  room: number;
}

function harness(t: Test, overrides: Partial<ClaimLoopOptions<Item>> = {}): Harness {
  mockClockOf(t).travel(1_000_000);
  const clock = clockOf(mockClockOf(t));
  const logs: Harness['logs'] = [];
  const log = (level: string) => (obj: object, msg?: string) => logs.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const h: Harness = {
    backlog: [], dispatched: [], claims: [], renewals: [], logs, stolen: new Set(), failClaims: 0, failRenewals: false, room: 4,
  } as unknown as Harness;
  const loop: ClaimLoop<Item> = new ClaimLoop<Item>({
    clock, logger, noun: 'items', leaseMs: 15_000, pollIntervalMs: 500,
    room: (): number => h.room - loop.size,
    claim: async (limit, leaseMs, now) => {
      h.claims.push([limit, now]);
      if (h.failClaims > 0) {
        h.failClaims -= 1;
        throw new Error('store down');
      }
      return h.backlog.splice(0, limit).map((id) => ({ id, leaseUntil: now + leaseMs }));
    },
    renew: async (ids, leaseUntil, now) => {
      h.renewals.push([ids, leaseUntil, now]);
      if (h.failRenewals) throw new Error('store down');
      return ids.filter((id) => !h.stolen.has(id));
    },
    dispatch: (item) => h.dispatched.push(item.id),
    ...overrides,
  });
  Object.assign(h, { loop });
  t.teardown(() => loop.close());
  return h;
}

t.test('claims as many items as there is room for and hands each to dispatch', async (t) => {
  const h = harness(t);
  h.backlog.push('a', 'b', 'c', 'd', 'e', 'f');
  h.loop.start();
  await settle();
  t.same(h.dispatched, ['a', 'b', 'c', 'd'], 'the first four are dispatched (room 4)');
  t.equal(h.claims[0]?.[0], 4, 'the claim asked for the room there was');
  t.equal(h.loop.size, 4, 'four are held');
  t.equal(h.loop.leaseUntil('a'), 1_000_000 + 15_000, 'the lease end is the one the claim returned');
});

t.test('a released item makes room: the loop claims again without waiting for the poll', async (t) => {
  const h = harness(t);
  h.backlog.push('a', 'b', 'c', 'd', 'e');
  h.loop.start();
  await settle();
  t.equal(h.claims.length, 1, 'one claim so far');
  h.loop.release('a');
  await settle();
  t.same(h.dispatched, ['a', 'b', 'c', 'd', 'e'], 'e is dispatched once a was released');
  t.equal(h.claims.length, 2, 'exactly one more claim');
  t.notOk(h.loop.holds('a'), 'a released item is no longer held');
});

t.test('a release that leaves no room does not wake the loop: no hold-off check and no claim per release', async (t) => {
  let holdOffs = 0;
  const h: Harness = harness(t, {
    holdOff: () => {
      holdOffs += 1;
      return 0;
    },
    // Like a target worker: claim again only once half the room is free.
    room: () => (h.loop.size <= 2 ? 4 - h.loop.size : 0),
  });
  h.backlog.push('a', 'b', 'c', 'd', 'e', 'f');
  h.loop.start();
  await settle();
  t.same(h.dispatched, ['a', 'b', 'c', 'd'], 'four claimed');
  const checks = holdOffs;
  h.loop.release('a');
  await settle();
  t.equal(holdOffs, checks, 'a release leaving no room did not wake the loop');
  t.equal(h.claims.length, 1, 'nor claim');
  h.loop.release('b');
  await settle();
  t.same(h.dispatched, ['a', 'b', 'c', 'd', 'e', 'f'], 'the release that made room woke it: two more claimed');
  t.equal(h.claims.length, 2, 'in one claim');
});

t.test('an idle loop polls every poll interval and claims at once when woken', async (t) => {
  const h = harness(t);
  h.loop.start();
  await settle();
  t.equal(h.claims.length, 1, 'it looked once at start');
  await advance(mockClockOf(t), 499, 499);
  t.equal(h.claims.length, 1, 'not again before the poll interval');
  await advance(mockClockOf(t), 1, 1);
  t.equal(h.claims.length, 2, 'again after the poll interval');
  h.backlog.push('x');
  h.loop.wake();
  await settle();
  t.same(h.dispatched, ['x'], 'a wake claims new work without waiting for the next poll');
});

t.test('a heartbeat at a third of the lease renews every held item in one call', async (t) => {
  const h = harness(t);
  h.backlog.push('a', 'b', 'c');
  h.loop.start();
  await settle();
  h.loop.release('c');
  await advance(mockClockOf(t), 4_999, 4_999);
  t.equal(h.renewals.length, 0, 'no renewal before a third of the lease');
  await advance(mockClockOf(t), 1, 1);
  t.equal(h.renewals.length, 1, 'one renewal at a third of the lease');
  const [ids, leaseUntil, now] = h.renewals[0]!;
  t.same([...ids].sort(), ['a', 'b'], 'the held items, not the released one');
  t.equal(leaseUntil, now + 15_000, 'extended to a full lease from now');
  t.equal(h.loop.leaseUntil('a'), leaseUntil, 'the new lease end is kept');
  await advance(mockClockOf(t), 5_000, 5_000);
  t.equal(h.renewals.length, 2, 'and again one third later');
});

t.test('an item whose renewal is refused is lost: it is no longer held by this owner, and it is logged', async (t) => {
  const h = harness(t);
  h.backlog.push('a', 'b');
  h.loop.start();
  await settle();
  h.stolen.add('b');
  await h.loop.renewHeld();
  t.ok(h.loop.holds('a'), 'a still held');
  t.notOk(h.loop.holds('b'), 'b lost');
  t.ok(h.logs.some((l) => l.level === 'warn' && l.obj['id'] === 'b' && /lease lost/.test(l.msg)), 'the lost lease is logged');
  await h.loop.renewHeld();
  t.same(h.renewals[1]?.[0], ['a'], 'a lost item is not renewed again');
  t.equal(h.loop.size, 2, 'but it still takes room until its work releases it');
});

t.test('a failed renewal keeps the items and is tried again at the next beat', async (t) => {
  const h = harness(t);
  h.backlog.push('a');
  h.loop.start();
  await settle();
  h.failRenewals = true;
  await h.loop.renewHeld();
  t.ok(h.loop.holds('a'), 'still held');
  t.equal(h.loop.leaseUntil('a'), 1_015_000, 'the old lease end is kept');
  t.ok(h.logs.some((l) => l.level === 'error' && /renewing the leases of items failed/.test(l.msg)), 'the failure is logged');
});

t.test('claim failures back off exponentially from the poll interval, then claiming resumes', async (t) => {
  const h = harness(t);
  h.failClaims = 3;
  h.backlog.push('a');
  h.loop.start();
  await settle();
  const retries = () => h.logs.filter((l) => l.level === 'error').map((l) => l.obj['retryInMs']);
  t.same(retries(), [1_000], 'the first failure waits twice the poll interval');
  await advance(mockClockOf(t), 1_000, 1_000);
  t.same(retries(), [1_000, 2_000], 'the second waits twice as long');
  await advance(mockClockOf(t), 2_000, 2_000);
  t.same(retries(), [1_000, 2_000, 4_000], 'and the third twice as long again');
  await advance(mockClockOf(t), 4_000, 4_000);
  t.same(h.dispatched, ['a'], 'the fourth claim succeeds');
});

t.test('holdOff delays claiming by the time it answers', async (t) => {
  let pausedFor = 3_000;
  const h = harness(t, { holdOff: () => pausedFor });
  h.backlog.push('a');
  h.loop.start();
  await settle();
  t.equal(h.claims.length, 0, 'no claim while held off');
  pausedFor = 0;
  await advance(mockClockOf(t), 3_000, 3_000);
  t.same(h.dispatched, ['a'], 'claims once the hold-off passed');
});

t.test('stop ends claiming; close ends the heartbeat', async (t) => {
  const h = harness(t);
  h.backlog.push('a');
  h.loop.start();
  await settle();
  await h.loop.stop();
  h.backlog.push('b');
  await advance(mockClockOf(t), 5_000, 500);
  t.same(h.dispatched, ['a'], 'nothing claimed after stop');
  t.equal(h.renewals.length, 1, 'held items are still renewed after stop (while their work drains)');
  await h.loop.close();
  await advance(mockClockOf(t), 10_000, 1_000);
  t.equal(h.renewals.length, 1, 'no renewal after close');
});

t.test('a lease must be positive', async (t) => {
  t.throws(() => new ClaimLoop<Item>({
    clock: clockOf(mockClockOf(t)), logger: { debug() {}, info() {}, warn() {}, error() {} }, noun: 'items', leaseMs: 0, pollIntervalMs: 1,
    room: () => 1, claim: async () => [], renew: async () => [], dispatch: () => {},
  }), TypeError, 'leaseMs 0 is refused');
});
