import t, { type Test } from 'tap';
import { startFaultRelay, type FaultRelay, type SealedRequest } from './helpers/fault-relay.js';
import { startFaultyTarget, type FaultyTarget, type Misbehaviour } from './helpers/faulty-target.js';

/**
 * Downstream faults, end to end: real receiver, real SQLite file, real daemon, a real HTTP target on port 0
 * that misbehaves. Every test ends with every acked event accounted for in the store: delivered, or dead
 * with its reason. Small ladders (three attempts, 1 s apart) and a 300 ms timeout keep it fast.
 */

const EVENTS = 4;
const SCHEDULE = [0, 1, 1];
const TIMEOUT_MS = 300;

interface Run {
  readonly relay: FaultRelay;
  readonly target: FaultyTarget;
  readonly sent: readonly SealedRequest[];
}

/** A relay whose one json target behaves as `behave` says, with EVENTS customer events pushed through it. */
async function run(
  t: Test,
  behave: Parameters<typeof startFaultyTarget>[1],
  target: { readonly concurrency?: number } = {},
): Promise<Run> {
  const faulty = await startFaultyTarget(t, behave);
  const relay = await startFaultRelay(t, {
    dir: t.testdir(),
    targets: [{
      name: 'hooks', url: `${faulty.url}/hooks`, format: 'json', timeoutMs: TIMEOUT_MS, retrySchedule: SCHEDULE,
      rateLimit: { count: 100, intervalMs: 1000 }, concurrency: target.concurrency ?? 4,
    }],
  });
  const sent: SealedRequest[] = [];
  for (let seq = 0; seq < EVENTS; seq++) {
    const request = await relay.send('add_external_contact', { seq });
    t.equal(request.answer.status, 200, `callback ${seq} is acked only once stored`);
    sent.push(request);
  }
  return { relay, target: faulty, sent };
}

t.test('a target answering 503 then 200: every event is delivered on its second attempt', async (t) => {
  const { relay, target, sent } = await run(t, ({ attempt }) => (attempt === 1 ? { status: 503, body: 'upstream unavailable' } : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 2, `${id}: the 503 used one attempt of the budget, the 200 the second`);
  t.ok(target.seen.filter((s) => s.attempt === 1).every((s) => s.behaviour !== 'ok'), 'every first attempt met the 503');
});

t.test('a target that always answers 500: every event is dead after the whole budget, with the response as its reason', async (t) => {
  const { relay, target, sent } = await run(t, () => ({ status: 500, body: 'boom' }));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.dead, EVENTS, 'all dead');
  for (const [id, [d]] of ledger.deliveries) {
    t.equal(d?.attempts, SCHEDULE.length, `${id}: exactly the ${SCHEDULE.length} attempts of the ladder`);
    t.match(d?.lastError, /^retries exhausted: HTTP 500: boom/, `${id}: the reason names the last answer`);
    t.equal(d?.lastStatus, 500, `${id}: the last status is recorded`);
  }
  t.equal(target.seen.length, EVENTS * SCHEDULE.length, 'the target saw the whole budget and not one request more');
});

t.test('a target hanging past the timeout on the first attempt: the attempt is cut at the timeout and retried', async (t) => {
  const { relay, target, sent } = await run(t, ({ attempt }) => (attempt === 1 ? 'hang' : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 2, `${id}: the hung attempt counted once`);
  t.equal(target.seen.length, EVENTS * 2, 'one hung and one answered request per event');
});

t.test('a target that never answers: every event is dead with a timeout reason, and the worker is not wedged', async (t) => {
  const { relay, sent } = await run(t, () => 'hang');
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.dead, EVENTS, 'all dead');
  for (const [id, [d]] of ledger.deliveries) t.match(d?.lastError, /^retries exhausted: timeout/, `${id}: dead because every attempt timed out`);
});

t.test('a target resetting the connection (RST before any response byte): retried, then delivered', async (t) => {
  const { relay, sent } = await run(t, ({ attempt }) => (attempt === 1 ? 'reset' : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 2, `${id}: the reset used one attempt`);
});

t.test('a target resetting mid-response (200 headers, half the body, RST): a half answer is not a delivery', async (t) => {
  const { relay, target, sent } = await run(t, ({ attempt }) => (attempt === 1 ? 'reset-mid-body' : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 2, `${id}: the cut-off 200 was retried, not counted as delivered`);
  t.equal(target.seen.length, EVENTS * 2, 'each event was sent again after the reset');
});

t.test('a target trickling its answer slower than the timeout: the whole-request timeout cuts it, then it is retried', async (t) => {
  // 40 bytes at one per 50 ms = 2 s, far past the 300 ms timeout, although bytes keep arriving.
  const slow: Misbehaviour = { trickle: { intervalMs: 50, bytes: 40 } };
  const { relay, sent } = await run(t, ({ attempt }) => (attempt === 1 ? slow : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 15_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 2, `${id}: the trickled attempt counted once`);
});

t.test('a 429 storm with Retry-After: 1 longer than the retry budget: the target is paused, no budget is used, all delivered', async (t) => {
  // Every event meets four 429s: one more than its whole budget of three attempts.
  const STORM = SCHEDULE.length + 1;
  const { relay, target, sent } = await run(t, ({ attempt }) => (attempt <= STORM ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : 'ok'));
  const ledger = await relay.settle(sent.map((s) => s.eventId), 30_000);
  t.equal(ledger.lost, 0, `no event lost (${ledger.problems.join('; ')})`);
  t.equal(ledger.delivered, EVENTS, 'all delivered');
  for (const [id, [d]] of ledger.deliveries) t.equal(d?.attempts, 1, `${id}: only the successful attempt counted; the 429s paused the target instead`);
  t.equal(target.seen.filter((s) => s.behaviour !== 'ok').length, EVENTS * STORM, 'the target answered the whole storm');
  const limited = target.seen.filter((s) => s.behaviour !== 'ok');
  const tooSoon = target.seen.filter((s) => limited.some((l) => s.at > l.at && s.at - l.at < 800 && s.eventId === l.eventId));
  t.same(tooSoon.map((s) => `${s.eventId}#${s.attempt}`), [], 'no event was sent again sooner than Retry-After (less scheduling slack)');
});
