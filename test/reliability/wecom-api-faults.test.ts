import t, { type Test } from 'tap';
import type { DeliveryRecord } from '../../src/store/store.js';
import type { MockCall } from '../../daemon/mock-api/mock-types.js';
import { CORP_ID, SUITE_ID, startTestRelay, type TestRelay } from '../e2e/helpers/test-relay.js';
import { startFaultyTarget } from './helpers/faulty-target.js';
import { appCorpKey } from '../../src/store/app-corp-key.js';
import { namespaces } from '../../src/store/namespaces.js';

/**
 * WeCom API faults while enriching, end to end (receiver → store → daemon → mock WeCom API → target). The
 * enrichment bound is 3 s here (`enrich.maxDelaySeconds`), so "bounded" is checked against 3 s plus
 * slack. Each test gets its own relay and an authorized corp, so injected rules cannot leak across.
 */

const MAX_DELAY_SECONDS = 3;
/** Timer and processing slack on top of the enrichment bound, generous for a loaded machine. */
const SLACK_MS = 2000;

async function installed(t: Test, wecomApiTimeoutMs = 2000): Promise<TestRelay> {
  const target = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    enrich: { enabled: true, maxDelaySeconds: MAX_DELAY_SECONDS },
    wecomApi: { timeoutMs: wecomApiTimeoutMs },
    targets: [{ name: 'hooks', url: `${target.url}/hooks`, format: 'json', timeoutMs: 2000, retrySchedule: [0, 1, 1], rateLimit: { count: 100, intervalMs: 1000 } }],
  });
  t.ok((await relay.install()).ok, 'the suite_ticket and create_auth are processed and the corp is authorized');
  relay.mock.clearCalls();
  return relay;
}

/** Sends one customer event, waits until it is delivered or dead, and returns its delivery. */
async function deliverOne(t: Test, relay: TestRelay, seq: number): Promise<DeliveryRecord | undefined> {
  const sent = await relay.send('add_external_contact', { seq });
  t.equal(sent.answer.status, 200, 'the callback is acked (the receiver never waits for WeCom)');
  const ledger = await relay.settle([sent.eventId], MAX_DELAY_SECONDS * 1000 + 10_000);
  t.equal(ledger.lost, 0, `the event is accounted for${ledger.problems.length ? `: ${ledger.problems.join('; ')}` : ''}`);
  const delivery = ledger.deliveries.get(sent.eventId)?.[0];
  t.equal(delivery?.state, 'delivered', 'and delivered');
  return delivery;
}

function answers(calls: readonly MockCall[], path: string): Array<number | undefined> {
  return calls.filter((c) => c.path === path).map((c) => c.errcode);
}

/** The event was released for delivery (its delivery created) no later than the enrichment bound allows. */
function withinBound(t: Test, delivery: DeliveryRecord | undefined): void {
  const held = (delivery?.createdAt ?? Infinity) - (delivery?.event.receivedAt ? Date.parse(delivery.event.receivedAt) : 0);
  t.ok(held <= MAX_DELAY_SECONDS * 1000 + SLACK_MS, `held back ${held} ms by enrichment: within the ${MAX_DELAY_SECONDS} s bound (+${SLACK_MS} ms slack)`);
}

/**
 * A failure that lasts the whole bound ends in one processing pass that runs to the bound and forwards:
 * deferring once more would hold the event past enrich.maxDelaySeconds (by the whole deferral).
 */
async function forwardedAtTheBound(t: Test, relay: TestRelay, delivery: DeliveryRecord | undefined): Promise<void> {
  const callback = delivery ? await relay.store.getCallback(delivery.eventId) : undefined;
  t.equal(callback?.attempts, 1, 'one processing pass ran to the bound and forwarded (no deferral past the bound)');
}

t.test('-1 (system busy) twice: retried in place, the event is enriched with no error', async (t) => {
  const relay = await installed(t);
  relay.mock.inject({ path: 'externalcontact/get', errcode: -1, times: 2 });
  const delivery = await deliverOne(t, relay, 1);
  t.same(answers(relay.mock.calls, 'externalcontact/get'), [-1, -1, 0], 'WeCom answered -1, -1, then the contact');
  t.ok(delivery?.event.enrichment?.['externalContact'], 'the event carries the contact');
  t.equal(delivery?.event.enrichmentError, null, 'and no enrichmentError');
});

t.test('45009 (frequency ban) once: not hammered, the event is deferred, then enriched', async (t) => {
  const relay = await installed(t);
  relay.mock.inject({ path: 'externalcontact/get', errcode: 45009 });
  const delivery = await deliverOne(t, relay, 2);
  t.same(answers(relay.mock.calls, 'externalcontact/get'), [45009, 0], 'one 45009, no in-place retry, then success on the deferred pass');
  t.ok(delivery?.event.enrichment?.['externalContact'], 'the event carries the contact');
  t.equal(delivery?.event.enrichmentError, null, 'and no enrichmentError');
  withinBound(t, delivery);
});

t.test('45033 (concurrency limit) that never clears: forwarded with an enrichmentError within the bound', async (t) => {
  const relay = await installed(t);
  relay.mock.inject({ path: 'externalcontact/get', errcode: 45033, times: 1000 });
  const delivery = await deliverOne(t, relay, 3);
  const seen = answers(relay.mock.calls, 'externalcontact/get');
  t.ok(seen.length >= 2 && seen.every((e) => e === 45033), `WeCom answered 45033 every time (${seen.length} calls)`);
  t.equal(delivery?.event.enrichment, null, 'the event is forwarded without enrichment');
  t.match(delivery?.event.enrichmentError, { code: /^(wecom_api|timeout)$/ }, 'with an enrichmentError saying why');
  withinBound(t, delivery);
  await forwardedAtTheBound(t, relay, delivery);
});

t.test('42001 mid-flight (the corp token expired): refreshed once and retried, transparent to the event', async (t) => {
  const relay = await installed(t);
  relay.mock.expireToken('corp', CORP_ID);
  const delivery = await deliverOne(t, relay, 4);
  const paths = relay.mock.calls.map((c) => `${c.path}:${c.errcode}`);
  t.same(paths, ['externalcontact/get:42001', 'service/get_corp_token:0', 'externalcontact/get:0'], 'expired token → one refresh → the retried call succeeds');
  t.ok(delivery?.event.enrichment?.['externalContact'], 'the event carries the contact');
  t.equal(delivery?.event.enrichmentError, null, 'and no enrichmentError');
});

t.test('42009 mid-flight (suite and corp tokens expired): both refreshed, transparent to the event', async (t) => {
  const relay = await installed(t);
  relay.mock.expireToken('suite', SUITE_ID);
  relay.mock.expireToken('corp', CORP_ID);
  const delivery = await deliverOne(t, relay, 5);
  const paths = relay.mock.calls.map((c) => `${c.path}:${c.errcode}`);
  t.ok(paths.includes('service/get_corp_token:42009'), `the stale suite token was refused with 42009 (${paths.join(', ')})`);
  t.ok(paths.includes('service/get_suite_token:0'), 'and a new suite token fetched with the stored suite_ticket');
  t.equal(paths.at(-1), 'externalcontact/get:0', 'and the enrichment call finally succeeded');
  t.ok(delivery?.event.enrichment?.['externalContact'], 'the event carries the contact');
  t.equal(delivery?.event.enrichmentError, null, 'and no enrichmentError');
});

t.test('40084 (the corp is gone): the corp is marked gone and events are forwarded with not_authorized', async (t) => {
  const relay = await installed(t);
  relay.mock.revokeCorp(CORP_ID);
  relay.mock.expireToken('corp', CORP_ID);
  const first = await deliverOne(t, relay, 6);
  t.match(first?.event.enrichmentError, { code: 'not_authorized' }, 'the first event is forwarded with not_authorized');
  t.ok(relay.mock.calls.some((c) => c.errcode === 40084), 'WeCom answered 40084 to the permanent code');
  const corp = await relay.store.getKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID));
  t.equal(corp?.value.state, 'gone', 'the corp is marked gone');
  t.notOk(corp?.value.permanentCode, 'and its permanent code is deleted');
  relay.mock.clearCalls();
  const second = await deliverOne(t, relay, 7);
  t.match(second?.event.enrichmentError, { code: 'not_authorized' }, 'later events are forwarded with not_authorized too');
  t.equal(relay.mock.calls.length, 0, 'without calling WeCom for a gone corp again');
});

t.test('a WeCom API that hangs: each call is cut at wecomApi.timeoutMs and the event is forwarded within the bound', async (t) => {
  const relay = await installed(t, 300);
  relay.mock.inject({ path: 'externalcontact/get', hang: true, times: 1000 });
  const delivery = await deliverOne(t, relay, 8);
  t.ok(answers(relay.mock.calls, 'externalcontact/get').length >= 1, 'the call was made and hung');
  t.equal(delivery?.event.enrichment, null, 'the event is forwarded without enrichment');
  t.match(delivery?.event.enrichmentError, { code: /^(timeout|network)$/ }, 'with a timeout/network enrichmentError');
  withinBound(t, delivery);
  await forwardedAtTheBound(t, relay, delivery);
});
