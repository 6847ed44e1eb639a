import t from 'tap';
import { classifyResponse, type DeliveryResponse, type DeliveryVerdict } from '../../daemon/delivery/classify-response.js';
import type { TargetFormat } from '../../daemon/delivery/target.js';

const now = new Date('2026-01-01T00:00:00.000Z');

const http = (status: number, body = '', headers: Record<string, string | string[] | undefined> = {}): DeliveryResponse => ({
  status,
  headers,
  body,
});
const json = (value: unknown): string => JSON.stringify(value);

/** What a case expects: the verdict kind plus the fields that matter for it. */
type Expected =
  | { kind: 'delivered' }
  | { kind: 'rate_limited'; pauseMs: number }
  | { kind: 'retry' }
  | { kind: 'dead'; disableTarget: boolean };

const CASES: [why: string, format: TargetFormat, response: DeliveryResponse, expected: Expected][] = [
  // Success.
  ['json 200 is delivered', 'json', http(200, ''), { kind: 'delivered' }],
  ['json 204 is delivered', 'json', http(204), { kind: 'delivered' }],
  ['json 202 with any body is delivered', 'json', http(202, 'queued'), { kind: 'delivered' }],
  ['slack 200 ok is delivered', 'slack', http(200, 'ok'), { kind: 'delivered' }],
  ['wecom-bot errcode 0 is delivered', 'wecom-bot', http(200, json({ errcode: 0, errmsg: 'ok' })), { kind: 'delivered' }],
  ['dingtalk errcode 0 is delivered', 'dingtalk', http(200, json({ errcode: 0, errmsg: 'ok' })), { kind: 'delivered' }],
  ['feishu code 0 is delivered', 'feishu', http(200, json({ code: 0, msg: 'success', data: {} })), { kind: 'delivered' }],
  ['feishu legacy StatusCode 0 is delivered', 'feishu', http(200, json({ Extra: null, StatusCode: 0, StatusMessage: 'success' })), { kind: 'delivered' }],
  // 2xx that is not success for the chat bots.
  ['wecom-bot 200 with an unparseable body retries', 'wecom-bot', http(200, '<html>proxy</html>'), { kind: 'retry' }],
  ['wecom-bot 200 with no errcode retries', 'wecom-bot', http(200, json({ errmsg: 'ok' })), { kind: 'retry' }],
  ['dingtalk 200 with an empty body retries', 'dingtalk', http(200, ''), { kind: 'retry' }],
  ['feishu 200 with no code retries', 'feishu', http(200, json({ msg: 'success' })), { kind: 'retry' }],
  ['feishu 200 with a JSON array retries', 'feishu', http(200, '[0]'), { kind: 'retry' }],
  ['wecom-bot 200 with errcode as a string "0" is delivered', 'wecom-bot', http(200, json({ errcode: '0' })), { kind: 'delivered' }],
  // Rate limited.
  ['429 without Retry-After pauses 60 s', 'json', http(429), { kind: 'rate_limited', pauseMs: 60_000 }],
  ['429 with Retry-After seconds pauses that long', 'slack', http(429, 'rate_limited', { 'retry-after': '30' }), { kind: 'rate_limited', pauseMs: 30_000 }],
  ['429 with an HTTP-date Retry-After', 'json', http(429, '', { 'Retry-After': 'Thu, 01 Jan 2026 00:00:10 GMT' }), { kind: 'rate_limited', pauseMs: 10_000 }],
  ['429 with a repeated Retry-After uses the first', 'json', http(429, '', { 'retry-after': ['5', '99'] }), { kind: 'rate_limited', pauseMs: 5_000 }],
  ['429 with a garbage Retry-After pauses 60 s', 'json', http(429, '', { 'retry-after': 'later' }), { kind: 'rate_limited', pauseMs: 60_000 }],
  ['503 with Retry-After is rate limited', 'json', http(503, '', { 'retry-after': '120' }), { kind: 'rate_limited', pauseMs: 120_000 }],
  ['wecom-bot 45009 pauses 60 s', 'wecom-bot', http(200, json({ errcode: 45009, errmsg: 'api freq out of limit' })), { kind: 'rate_limited', pauseMs: 60_000 }],
  ['feishu 11232 pauses 5 s', 'feishu', http(200, json({ code: 11232, msg: 'frequency limited' })), { kind: 'rate_limited', pauseMs: 5_000 }],
  ['dingtalk 130101 pauses 10 min', 'dingtalk', http(200, json({ errcode: 130101, errmsg: 'send too fast' })), { kind: 'rate_limited', pauseMs: 600_000 }],
  ['dingtalk 410100 pauses 10 min', 'dingtalk', http(200, json({ errcode: 410100, errmsg: 'send too fast' })), { kind: 'rate_limited', pauseMs: 600_000 }],
  ['a longer Retry-After wins over a rate-limit code default', 'wecom-bot', http(200, json({ errcode: 45009 }), { 'retry-after': '90' }), { kind: 'rate_limited', pauseMs: 90_000 }],
  // Retry on the ladder.
  ['408 retries', 'json', http(408), { kind: 'retry' }],
  ['425 retries', 'json', http(425), { kind: 'retry' }],
  ['500 retries', 'json', http(500, 'oops'), { kind: 'retry' }],
  ['502 retries', 'slack', http(502), { kind: 'retry' }],
  ['503 without Retry-After retries', 'json', http(503), { kind: 'retry' }],
  ['504 retries', 'feishu', http(504), { kind: 'retry' }],
  ['slack 500 rollup_error retries', 'slack', http(500, 'rollup_error'), { kind: 'retry' }],
  ['a timeout retries', 'json', { error: 'timeout', message: 'timed out after 10000 ms' }, { kind: 'retry' }],
  ['a network error retries', 'dingtalk', { error: 'network', message: 'ECONNREFUSED' }, { kind: 'retry' }],
  ['wecom-bot errcode -1 retries', 'wecom-bot', http(200, json({ errcode: -1, errmsg: 'system busy' })), { kind: 'retry' }],
  ['dingtalk errcode -1 retries', 'dingtalk', http(200, json({ errcode: -1, errmsg: '系统繁忙' })), { kind: 'retry' }],
  ['a 1xx status retries', 'json', http(101), { kind: 'retry' }],
  // Dead.
  ['json 400 is dead', 'json', http(400, 'bad'), { kind: 'dead', disableTarget: false }],
  ['json 401 is dead', 'json', http(401), { kind: 'dead', disableTarget: false }],
  ['json 404 is dead', 'json', http(404), { kind: 'dead', disableTarget: false }],
  ['json 413 is dead', 'json', http(413), { kind: 'dead', disableTarget: false }],
  ['410 disables the target', 'json', http(410), { kind: 'dead', disableTarget: true }],
  ['slack 410 channel_is_archived disables', 'slack', http(410, 'channel_is_archived'), { kind: 'dead', disableTarget: true }],
  ['wecom-bot 410 disables even with a code body', 'wecom-bot', http(410, json({ errcode: 40008 })), { kind: 'dead', disableTarget: true }],
  ['json 301 is dead: redirect not followed', 'json', http(301, '', { location: 'https://elsewhere' }), { kind: 'dead', disableTarget: false }],
  ['slack 302 is dead', 'slack', http(302), { kind: 'dead', disableTarget: false }],
  ['slack 404 no_service disables', 'slack', http(404, 'no_service'), { kind: 'dead', disableTarget: true }],
  ['slack 404 channel_not_found disables', 'slack', http(404, 'channel_not_found'), { kind: 'dead', disableTarget: true }],
  ['slack 403 invalid_token disables', 'slack', http(403, 'invalid_token'), { kind: 'dead', disableTarget: true }],
  ['slack 403 action_prohibited disables', 'slack', http(403, 'action_prohibited'), { kind: 'dead', disableTarget: true }],
  ['slack 400 invalid_payload is dead without disabling (our bug)', 'slack', http(400, 'invalid_payload'), { kind: 'dead', disableTarget: false }],
  ['slack 400 no_text is dead without disabling', 'slack', http(400, 'no_text'), { kind: 'dead', disableTarget: false }],
  ['a 404 no_service token on a json target does not disable', 'json', http(404, 'no_service'), { kind: 'dead', disableTarget: false }],
  ['wecom-bot 93000 disables', 'wecom-bot', http(200, json({ errcode: 93000, errmsg: 'invalid webhook url' })), { kind: 'dead', disableTarget: true }],
  ['wecom-bot 40008 is dead', 'wecom-bot', http(200, json({ errcode: 40008, errmsg: 'invalid message type' })), { kind: 'dead', disableTarget: false }],
  ['wecom-bot 44004 is dead', 'wecom-bot', http(200, json({ errcode: 44004, errmsg: 'empty content' })), { kind: 'dead', disableTarget: false }],
  ['wecom-bot 45002 is dead', 'wecom-bot', http(200, json({ errcode: 45002, errmsg: 'content too large' })), { kind: 'dead', disableTarget: false }],
  ['dingtalk 310000 disables', 'dingtalk', http(200, json({ errcode: 310000, errmsg: 'sign not match' })), { kind: 'dead', disableTarget: true }],
  ['dingtalk 300005 disables', 'dingtalk', http(200, json({ errcode: 300005, errmsg: 'token is not exist' })), { kind: 'dead', disableTarget: true }],
  ['dingtalk 400101 disables', 'dingtalk', http(200, json({ errcode: 400101 })), { kind: 'dead', disableTarget: true }],
  ['dingtalk 400102 disables', 'dingtalk', http(200, json({ errcode: 400102, errmsg: 'robot stopped' })), { kind: 'dead', disableTarget: true }],
  ['dingtalk 40035 is dead', 'dingtalk', http(200, json({ errcode: 40035, errmsg: 'missing parameter' })), { kind: 'dead', disableTarget: false }],
  ['feishu 19021 disables', 'feishu', http(200, json({ code: 19021, msg: 'sign match fail' })), { kind: 'dead', disableTarget: true }],
  ['feishu 19022 disables', 'feishu', http(200, json({ code: 19022, msg: 'Ip Not Allowed' })), { kind: 'dead', disableTarget: true }],
  ['feishu 19024 disables', 'feishu', http(200, json({ code: 19024, msg: 'Key Words Not Found' })), { kind: 'dead', disableTarget: true }],
  ['feishu 9499 is dead', 'feishu', http(200, json({ code: 9499, msg: 'Bad Request' })), { kind: 'dead', disableTarget: false }],
  ['feishu 400 + 9499 is dead', 'feishu', http(400, json({ code: 9499, msg: 'Bad Request' })), { kind: 'dead', disableTarget: false }],
  ['feishu 400 + 19021 disables like a 200 would', 'feishu', http(400, json({ code: 19021 })), { kind: 'dead', disableTarget: true }],
  ['feishu legacy StatusCode 19021 disables', 'feishu', http(200, json({ StatusCode: 19021, StatusMessage: 'sign fail' })), { kind: 'dead', disableTarget: true }],
  ['wecom-bot 400 + 45009 is rate limited, not dead', 'wecom-bot', http(400, json({ errcode: 45009 })), { kind: 'rate_limited', pauseMs: 60_000 }],
  ['wecom-bot 400 without a code body is dead', 'wecom-bot', http(400, 'Bad Request'), { kind: 'dead', disableTarget: false }],
];

/** The subset of a verdict a case pins down (reason text is for people; it is checked separately). */
function shape(verdict: DeliveryVerdict): Expected {
  switch (verdict.kind) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'rate_limited':
      return { kind: 'rate_limited', pauseMs: verdict.pauseMs };
    case 'retry':
      return { kind: 'retry' };
    case 'dead':
      return { kind: 'dead', disableTarget: verdict.disableTarget };
  }
}

t.test('classifyResponse applies the per-format rules', async (t) => {
  for (const [why, format, response, expected] of CASES) {
    t.same(shape(classifyResponse(format, response, now)), expected, `${format}: ${why}`);
  }
});

t.test('every verdict but delivered carries a reason naming the status or error', async (t) => {
  for (const [why, format, response] of CASES) {
    const verdict = classifyResponse(format, response, now);
    if (verdict.kind === 'delivered') continue;
    const mark = 'error' in response ? response.error : `HTTP ${response.status}`;
    t.ok(verdict.reason.includes(mark), `${format}: ${why}: reason ${JSON.stringify(verdict.reason)} names ${mark}`);
  }
});

t.test('reasons record the response body, bounded and on one line', async (t) => {
  const verdict = classifyResponse('json', http(400, `line one\nline two ${'x'.repeat(5000)}`), now);
  t.equal(verdict.kind, 'dead', 'a 400 is dead');
  if (verdict.kind !== 'dead') return;
  t.match(verdict.reason, /^HTTP 400: line one line two x+…$/, 'the body excerpt is on one line and ends with an ellipsis');
  t.ok(verdict.reason.length <= 220, `the reason is bounded (${verdict.reason.length} chars)`);
  const redirect = classifyResponse('json', http(308), now);
  t.ok(redirect.kind === 'dead' && redirect.reason.includes('redirect not followed'), 'a redirect says why it is dead');
  const chat = classifyResponse('dingtalk', http(200, json({ errcode: 310000, errmsg: 'keywords not in content' })), now);
  t.ok(chat.kind === 'dead' && chat.reason.includes('keywords not in content'), 'a chat error keeps its errmsg');
});

t.test('a 2xx without a result code says so for the chat bots', async (t) => {
  const verdict = classifyResponse('feishu', http(200, 'ok'), now);
  t.ok(verdict.kind === 'retry' && verdict.reason.includes('no feishu result code'), 'the reason explains the retry');
});
