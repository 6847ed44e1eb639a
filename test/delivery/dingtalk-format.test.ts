import t from 'tap';
import { createHmac } from 'node:crypto';
import { DINGTALK_MAX_BODY_BYTES, formatDingtalk } from '../../daemon/delivery/formats/dingtalk.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { TargetConfig } from '../../daemon/delivery/target.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const URL_ = 'https://oapi.dingtalk.com/robot/send?access_token=ab%2Bcd_TOKEN';
const SECRET = 'SECb6c6ad4a8b5e2f1c1c0b4e1a9d8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f';

const dingtalk = (event: EventEnvelope, overrides: Partial<TargetConfig> = {}, now = new Date('2026-03-01T10:07:11.789Z')) => {
  const request = formatDingtalk(event, makeTarget({ format: 'dingtalk', url: URL_, ...overrides }), { now });
  return { request, body: JSON.parse(request.body) as { msgtype: string; markdown: { title: string; text: string } } };
};

t.test('a DingTalk markdown message', async (t) => {
  const { request, body } = dingtalk(makeEvent());
  t.equal(request.url, URL_, 'without a secret the URL is unchanged');
  t.equal(body.msgtype, 'markdown', 'msgtype is markdown');
  t.equal(body.markdown.title, '添加客户', 'the notification title is the summary title');
  t.match(body.markdown.text, /^### 添加客户\n\n成员 zhangsan 添加了客户 woAJ2GCAAAXtWyujaWJHDDGi0mACH71w\n\n/, 'a heading, then the summary after a blank line');
  t.match(body.markdown.text, '> 企业：wxf8b4f85f3a794e77', 'the corp is in the quoted footer');
  t.match(body.markdown.text, '> 类型：external_contact.added　ID：evt_3f1c9a7b2e', 'type and id in the footer');
  const en = dingtalk(makeEvent(), { locale: 'en' });
  t.equal(en.body.markdown.title, 'External contact added', 'en title');
});

t.test('the signed URL matches an independent computation of the documented formula', async (t) => {
  const now = new Date('2026-03-01T10:07:11.789Z');
  const { request, body } = dingtalk(makeEvent(), { secret: SECRET }, now);
  const timestamp = String(now.getTime());
  // DingTalk: string_to_sign = timestamp + "\n" + secret, HMAC-SHA256 with the SECRET as key, base64, urlencode.
  const digest = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(Buffer.from(`${timestamp}\n${SECRET}`, 'utf8')).digest('base64');
  const expected = `${URL_}&timestamp=${timestamp}&sign=${encodeURIComponent(digest)}`;
  t.equal(request.url, expected, 'access_token kept byte for byte, then timestamp (ms) and the url-encoded sign');
  t.equal(timestamp, '1772359631789', 'the timestamp is in milliseconds');
  const url = new URL(request.url);
  t.equal(url.searchParams.get('sign'), digest, 'the sign decodes back to the base64 digest');
  t.equal(url.searchParams.get('access_token'), 'ab+cd_TOKEN', 'the access token is unchanged');
  t.notOk('sign' in body || 'timestamp' in body, 'nothing is added to the body');
  t.notMatch(request.url, SECRET, 'the secret itself is not in the URL');
});

t.test('stale timestamp/sign parameters are replaced and fragments kept', async (t) => {
  const now = new Date('2026-03-01T10:07:11.789Z');
  const stale = 'https://oapi.dingtalk.com/robot/send?timestamp=1&access_token=TOK&sign=old#frag';
  const { request } = dingtalk(makeEvent(), { secret: SECRET, url: stale }, now);
  t.match(request.url, /^https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=TOK&timestamp=1772359631789&sign=[^&#]+#frag$/, 'one timestamp, one sign, fragment last');
  const bare = dingtalk(makeEvent(), { secret: SECRET, url: 'https://oapi.dingtalk.com/robot/send' }, now);
  t.match(bare.request.url, /^https:\/\/oapi\.dingtalk\.com\/robot\/send\?timestamp=1772359631789&sign=/, 'a URL without a query gets one');
});

t.test('markup is inert and the body is bounded', async (t) => {
  const event = makeEvent({ type: 'message.text', data: { fromUserName: 'u', content: `<font color=red>x</font>${'钉钉机器人'.repeat(100_000)}` } });
  const { request, body } = dingtalk(event);
  t.notMatch(body.markdown.text, '<font', 'no HTML-like tag passes through');
  t.ok(Buffer.byteLength(request.body, 'utf8') <= DINGTALK_MAX_BODY_BYTES, 'the body is within the size bound');
});
