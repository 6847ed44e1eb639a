import t, { type Test } from 'tap';
import { validateConfig } from '../../daemon/config.js';
import type { SendResult, Sender } from '../../daemon/delivery/http-sender.js';
import type { OutgoingRequest } from '../../daemon/delivery/formats/index.js';
import { deliveryLeaseMs } from '../../daemon/delivery/target-worker.js';
import { RelayDaemon } from '../../daemon/relay-daemon.js';
import type { DeliveryRecord } from '../../src/store/store.js';
import { silentLogger } from '../../src/logger.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { FakeStore } from './helpers/fake-store.js';
import { advance, clockOf, mockClockOf, settle } from './helpers/mock-clock.js';

const START = 1_800_000_000_000;
const SUITE_ID = 'ww917724cb573d8629';
const FIELDS = {
  SuiteId: SUITE_ID, AuthCorpId: 'wxf8b4f85f3a794e77', InfoType: 'change_external_contact', TimeStamp: '1403610513',
  ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w',
};

/** A sender that answers what `answer` says, or holds the request until `release()` when `hold` is set. */
function fakeSender() {
  const sent: OutgoingRequest[] = [];
  const held: Array<() => void> = [];
  const state = { status: 200, hold: false };
  const send: Sender = (request) => {
    sent.push(request);
    const result: SendResult = { status: state.status, headers: {}, body: state.status === 200 ? 'ok' : 'boom' };
    if (!state.hold) return Promise.resolve(result);
    return new Promise((resolve) => held.push(() => resolve(result)));
  };
  return { send, sent, state, releaseAll: () => { for (const r of held.splice(0)) r(); }, get holding() { return held.length; } };
}

function setup(t: Test, targets: ReadonlyArray<Record<string, unknown>> = [{ name: 'hooks', url: 'http://127.0.0.1:9/hooks', format: 'json' }]) {
  mockClockOf(t).travel(START);
  const clock = clockOf(mockClockOf(t));
  const store = new FakeStore();
  const sender = fakeSender();
  const delivered: DeliveryRecord[] = [];
  const config = validateConfig({
    suite: { id: SUITE_ID, ...generateSuiteKeys() },
    store: 'sqlite::memory:',
    enrich: false,
    admin: { enabled: false },
    daemon: { pollIntervalMs: 500, retentionDays: 0 },
    targets,
  }, {});
  const daemon = new RelayDaemon({
    config, store: store.asStore(), logger: silentLogger, clock, sender: sender.send, owner: 'daemon-a',
    onDelivered: (d) => delivered.push(d),
  });
  t.teardown(() => daemon.stop(0));
  const add = (id: string) => store.addCallback(id, { fields: FIELDS, receivedAt: START, type: 'external_contact.added' });
  return { store, sender, delivered, daemon, add, config };
}

t.test('a stored callback is processed, routed and delivered through the injected sender', async (t) => {
  const { store, sender, delivered, daemon, add } = setup(t);
  add('evt_1');
  daemon.start();
  await settle(20);
  t.equal(store.callbacks.get('evt_1')?.state, 'done', 'the callback is done');
  t.equal(store.deliveries.get('evt_1:hooks')?.state, 'delivered', 'its delivery is delivered');
  t.equal(sender.sent.length, 1, 'one request was sent');
  t.equal(sender.sent[0]?.url, 'http://127.0.0.1:9/hooks', 'to the target');
  t.same(delivered.map((d) => d.id), ['evt_1:hooks'], 'onDelivered is told');
  t.equal(store.calls['recordAttempt'] ?? 0, 0, 'outcomes go through the batched recordAttempts only');
});

t.test('a store change wakes the loops: work written by this process goes out without waiting for a poll', async (t) => {
  const { store, sender, daemon, add } = setup(t);
  daemon.start();
  await settle();
  add('evt_2');
  store.emitChange();
  await settle(20);
  t.equal(sender.sent.length, 1, 'sent without any time passing');
});

t.test('a contract change names what changed: a delivery wakes its own target only', async (t) => {
  const targets = [
    { name: 'a', url: 'http://127.0.0.1:9/a', format: 'json' },
    { name: 'b', url: 'http://127.0.0.1:9/b', format: 'json' },
  ];
  const { store, sender, daemon } = setup(t, targets);
  daemon.start();
  await settle();
  store.addDelivery('evt_3', 'a');
  store.addDelivery('evt_3', 'b');
  store.emitChange({ kind: 'delivery', target: 'a' });
  await settle(20);
  t.same(sender.sent.map((r) => r.url), ['http://127.0.0.1:9/a'], 'only target a looked at once');
  await advance(mockClockOf(t), 500, 500);
  t.equal(sender.sent.length, 2, 'b finds its delivery at its next poll');
});

t.test('a failed send is scheduled on the retry ladder', async (t) => {
  const { store, sender, daemon } = setup(t);
  sender.state.status = 503;
  store.addDelivery('evt_4', 'hooks');
  daemon.start();
  await settle(20);
  const d = store.deliveries.get('evt_4:hooks')!;
  t.equal(d.state, 'pending', 'still pending');
  t.equal(d.attempts, 1, 'one attempt counted');
  t.ok(d.nextAttemptAt >= START + 4_000 && d.nextAttemptAt <= START + 6_000, 'next attempt about 5 s later (±20 %)');
  t.equal(d.leaseOwner, null, 'the lease is released');
});

t.test('deliveries in flight keep their leases renewed; one whose lease was lost is not recorded by this daemon', async (t) => {
  const { store, sender, daemon, config } = setup(t);
  sender.state.hold = true;
  store.addDelivery('evt_5', 'hooks');
  store.addDelivery('evt_6', 'hooks');
  daemon.start();
  await settle(20);
  t.equal(sender.holding, 2, 'both sends are in flight');
  const leaseMs = deliveryLeaseMs(config.daemon.leaseMs, 10_000);
  t.equal(store.deliveries.get('evt_5:hooks')?.leaseUntil, START + leaseMs, 'claimed under the target lease');
  store.steal('evt_6:hooks', 'daemon-b');
  await advance(mockClockOf(t), Math.ceil(leaseMs / 3), 1_000);
  t.ok(store.deliveries.get('evt_5:hooks')!.leaseUntil! > START + leaseMs, 'evt_5 has its lease renewed');
  sender.releaseAll();
  await settle(20);
  t.equal(store.deliveries.get('evt_5:hooks')?.state, 'delivered', 'evt_5 is recorded delivered');
  t.equal(store.deliveries.get('evt_6:hooks')?.state, 'pending', 'evt_6 is left to daemon-b');
  t.equal(store.deliveries.get('evt_6:hooks')?.leaseOwner, 'daemon-b', 'and still leased to it');
});

t.test('stop hands back deliveries that have not started', async (t) => {
  const { store, sender, daemon } = setup(t, [{ name: 'hooks', url: 'http://127.0.0.1:9/hooks', format: 'json', concurrency: 1 }]);
  sender.state.hold = true;
  for (let i = 0; i < 3; i++) store.addDelivery(`evt_s${i}`, 'hooks');
  daemon.start();
  await settle(20);
  t.equal(sender.holding, 1, 'one send in flight (concurrency 1)');
  const stopping = daemon.stop(60_000);
  await settle(20);
  sender.releaseAll();
  await stopping;
  const states = [0, 1, 2].map((i) => store.deliveries.get(`evt_s${i}:hooks`)!);
  t.equal(states[0]?.state, 'delivered', 'the one in flight finished');
  t.same(states.slice(1).map((d) => [d.state, d.leaseOwner]), [['pending', null], ['pending', null]], 'the others were handed back');
});
