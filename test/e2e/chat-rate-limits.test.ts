import t from 'tap';
import { headerOf, startRecordingTarget } from './helpers/recording-target.js';
import { startTestRelay } from './helpers/test-relay.js';

/** A WeCom group robot over its limit: HTTP 200 with errcode 45009 ("api freq out of limit"). */
const BOT_THROTTLED = '{"errcode":45009,"errmsg":"api freq out of limit"}';
const BOT_OK = '{"errcode":0,"errmsg":"ok"}';

t.test('a wecom-bot answering 200 + errcode 45009 is paused and retried, not marked delivered, and the pause costs no attempt', async (t) => {
  // wecom-bot's 45009 pause is a minute (the robot is banned that long): the relay runs on a clock the
  // test moves forward past the pause instead of waiting a real minute.
  let offset = 0;
  const now = () => Date.now() + offset;
  const bot = await startRecordingTarget(t, { respond: (_r, n) => ({ body: n === 1 ? BOT_THROTTLED : BOT_OK }) });
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    now,
    enrich: false,
    targets: [{ name: 'bot', url: `${bot.url}/cgi-bin/webhook/send?key=e2e-robot-key-0001`, format: 'wecom-bot', events: ['external_contact.*'] }],
  });

  const sent = await relay.send('add_external_contact');
  t.equal(sent.status, 200, 'the receiver acks the callback');
  t.ok(await bot.waitFor((r) => r.length >= 1, 10_000), 'the bot receives the message');
  t.ok(await relay.until(() => relay.logs.some((l) => l.includes('"target":"bot"') && l.includes('pausing it')), 5_000),
    'the relay logs that it pauses the bot');

  const [delivery] = await relay.store.listDeliveries({ target: 'bot' });
  t.ok(delivery, 'the delivery exists');
  const id = delivery?.id ?? '';
  const during = await relay.store.getDelivery(id);
  t.not(during?.state, 'delivered', 'the 45009 answer is not taken as delivered');
  t.equal(during?.attempts, 0, 'the rate-limited attempt is not counted against the retry budget');

  // Another message for the bot while it is paused: it is stored and routed (which wakes the worker), but held.
  const second = await relay.send('edit_external_contact');
  t.equal(second.status, 200, 'the receiver acks a second callback during the pause');
  t.ok(await relay.until(() => relay.logs.filter((l) => l.includes('"msg":"event ready"')).length >= 2, 5_000), 'the second event is routed to the bot');
  t.equal(bot.requests.length, 1, 'nothing reaches the bot while it is paused');

  // Move the relay's clock past the 60 s pause, and wake the worker (it sleeps on a real timer for the
  // pause, as the next store change would wake it).
  offset += 61_000;
  const movedAt = Date.now();
  relay.relay.daemon?.workers.get('bot')?.wake();
  t.ok(await relay.until(() => relay.delivered.length >= 2, 10_000), 'after the pause both messages are delivered');
  t.equal(bot.requests.length, 3, 'the bot got three requests: the throttled one, its retry and the second message');
  t.same(bot.requests.slice(1).filter((r) => r.at < movedAt).map((r) => r.n), [], 'nothing was sent before the pause was over');
  t.equal(bot.requests.filter((r) => r.body === bot.requests[0]?.body).length, 2, 'the retry carries the same message');
  const after = await relay.store.getDelivery(id);
  t.equal(after?.state, 'delivered', 'the throttled delivery ends delivered');
  t.equal(after?.attempts, 1, 'its attempts count only the successful attempt');
  t.equal(after?.lastStatus, 200, 'the last response is recorded');
});

t.test('a 429 with Retry-After: 1 pauses the whole target for a second', async (t) => {
  let throttledAt = 0;
  const hooks = await startRecordingTarget(t, {
    respond: (_r, n) => {
      if (n !== 1) return {};
      throttledAt = Date.now();
      return { status: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain' }, body: 'slow down' };
    },
  });
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    enrich: false,
    // One at a time, so no request was already on the wire when the 429 came back.
    targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, format: 'json', concurrency: 1, rateLimit: { count: 100, intervalMs: 1000 } }],
  });

  const count = 5;
  const sent = await Promise.all(Array.from({ length: count }, (_, seq) => relay.send('text', { seq })));
  t.same(sent.map((s) => s.status), Array(count).fill(200), `the receiver acks all ${count} messages`);
  t.ok(await relay.until(() => relay.delivered.length >= count, 15_000), `all ${count} messages are delivered in the end`);
  const throttledId = headerOf(hooks.requests[0]!, 'webhook-id') ?? '';
  const later = hooks.requests.slice(1);
  t.ok(throttledAt > 0, 'the first request was answered 429');
  const early = later.filter((r) => r.at < throttledAt + 1000).map((r) => `${r.at - throttledAt} ms`);
  t.same(early, [], 'no request arrives within the 1 s pause after the 429');
  t.ok((later[0]?.at ?? Infinity) < throttledAt + 2500, `sending resumes soon after the pause (${(later[0]?.at ?? 0) - throttledAt} ms after the 429)`);
  t.equal(hooks.requests.length, count + 1, 'every message arrives once, plus the one retry of the throttled one');
  t.equal(new Set(hooks.requests.map((r) => headerOf(r, 'webhook-id'))).size, count, 'all messages arrive');
  const throttled = await relay.store.getDelivery(`${throttledId}:hooks`);
  t.equal(throttled?.state, 'delivered', 'the throttled message ends delivered');
  t.equal(throttled?.attempts, 1, 'the 429 did not use up an attempt');
});

t.test('a json target limited to 5 per second never gets more than 5 sends in any one-second window', async (t) => {
  const limit = { count: 5, intervalMs: 1000 };
  const hooks = await startRecordingTarget(t);
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    enrich: false,
    targets: [{ name: 'hooks', url: `${hooks.url}/hooks`, format: 'json', concurrency: 4, rateLimit: limit }],
  });
  // One message first, so the relay's HTTP client and connection are warm: a cold first request spends
  // tens of ms before it reaches the target, which would read as a burst below (see the report).
  t.equal((await relay.send('text', { seq: 1000 })).status, 200, 'the receiver acks the warm-up message');
  t.ok(await hooks.waitFor((r) => r.length >= 1 && r[0]!.complete, 10_000), 'the warm-up message arrives');

  // All at once, so the backlog is there before the pacing starts (and the receiver stores them together).
  const total = 25;
  const sent = await Promise.all(Array.from({ length: total }, (_, seq) => relay.send('text', { seq })));
  t.same(sent.filter((s) => s.status !== 200).map((s) => s.status), [], `the receiver acks all ${total} messages`);
  t.ok(await relay.until(() => relay.delivered.length >= total + 1, 20_000), `all ${total} messages are delivered`);
  t.equal(hooks.requests.length, total + 1, 'each arrives once');

  // Two views of the same limit. The relay reserves a send slot in the store (shared by every daemon)
  // before each send, and those reservations must fit the limit exactly.
  const busiestIn = (times: readonly number[], windowMs: number) =>
    Math.max(...times.map((start) => times.filter((at) => at >= start && at < start + windowMs).length));
  const slots = relay.rateSlots.filter((s) => s.key === 'target:hooks').map((s) => s.at).sort((a, b) => a - b);
  t.equal(slots.length, total + 1, 'the relay reserved one slot per send');
  t.ok(busiestIn(slots, limit.intervalMs) <= limit.count,
    `the relay reserves at most ${limit.count} sends in any ${limit.intervalMs} ms window (busiest: ${busiestIn(slots, limit.intervalMs)})`);
  // The target sees each request some ms after its reservation (other commits blocking the event loop,
  // got's work), and that lag varies: 20–140 ms on an idle machine, up to ~260 ms on a loaded one. The
  // pacing keeps a 100 ms margin per interval for it; arrivals are checked 100 ms short of a full window,
  // so only a lag difference above 200 ms between two sends a window apart could fail this, while a
  // limiter letting even one extra request through per window still shows up.
  const jitterMs = 100;
  const times = hooks.requests.map((r) => r.at).sort((a, b) => a - b);
  const tightest = Math.min(...times.slice(limit.count).map((at, i) => at - times[i]!));
  t.ok(busiestIn(times, limit.intervalMs - jitterMs) <= limit.count,
    `the target receives at most ${limit.count} in any ${limit.intervalMs - jitterMs} ms window (arrivals n and n+${limit.count} at least ${tightest} ms apart; busiest full ${limit.intervalMs} ms window: ${busiestIn(times, limit.intervalMs)})`);
  t.ok(busiestIn(times, limit.intervalMs) >= limit.count, 'the target is kept busy up to its limit');
  t.ok(times.at(-1)! - times[0]! >= (total / limit.count) * limit.intervalMs - jitterMs,
    `${total + 1} messages at ${limit.count}/s take at least ${total / limit.count} s (took ${times.at(-1)! - times[0]!} ms)`);
});
