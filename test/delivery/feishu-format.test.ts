import t from 'tap';
import { createHmac } from 'node:crypto';
import { FEISHU_MAX_BODY_BYTES, formatFeishu } from '../../daemon/delivery/formats/feishu.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import type { TargetConfig } from '../../daemon/delivery/target.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const URL_ = 'https://open.feishu.cn/open-apis/bot/v2/hook/2c7e5c1e-token';
const SECRET = 'qnGUbEuD9LQnIgbhk1Q3Mf';

interface FeishuBody {
  timestamp?: string;
  sign?: string;
  msg_type: string;
  content: { post: Record<string, { title: string; content: { tag: string; text: string }[][] }> };
}

const feishu = (event: EventEnvelope, overrides: Partial<TargetConfig> = {}, now = new Date('2026-03-01T10:07:11.789Z')) => {
  const request = formatFeishu(event, makeTarget({ format: 'feishu', url: URL_, ...overrides }), { now });
  return { request, body: JSON.parse(request.body) as FeishuBody };
};

t.test('a Feishu post message in zh_cn', async (t) => {
  const { request, body } = feishu(makeEvent());
  t.equal(request.url, URL_, 'the hook URL is used as is');
  t.equal(body.msg_type, 'post', 'msg_type is post');
  t.same(Object.keys(body.content.post), ['zh_cn'], 'zh-CN targets get a zh_cn post');
  const post = body.content.post['zh_cn'];
  t.equal(post?.title, '添加客户', 'the title is the summary title');
  const paragraphs = post?.content.map((paragraph) => paragraph.map((element) => element.text).join('')) ?? [];
  t.equal(paragraphs[0], '成员 zhangsan 添加了客户 woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'the first paragraph is the summary');
  t.ok(paragraphs.includes('企业：wxf8b4f85f3a794e77'), 'the corp has a paragraph');
  t.ok(post?.content.every((paragraph) => paragraph.every((element) => element.tag === 'text')), 'only text elements (no markup to escape)');
  t.notOk('sign' in body || 'timestamp' in body, 'no signature fields without a secret');
});

t.test('en targets get an en_us post', async (t) => {
  const { body } = feishu(makeEvent(), { locale: 'en' });
  t.same(Object.keys(body.content.post), ['en_us'], 'en → en_us');
  t.equal(body.content.post['en_us']?.title, 'External contact added', 'English title');
});

t.test('the signature matches an independent computation of the documented formula', async (t) => {
  const now = new Date('2026-03-01T10:07:11.789Z');
  const { body } = feishu(makeEvent(), { secret: SECRET }, now);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  t.equal(body.timestamp, timestamp, 'timestamp is unix seconds, as a string');
  t.equal(body.timestamp, '1772359631', 'for 2026-03-01T10:07:11.789Z that is 1772359631');
  // Feishu: string_to_sign = timestamp + "\n" + secret, used as the HMAC-SHA256 KEY over an empty message.
  const expected = createHmac('sha256', Buffer.from(`${timestamp}\n${SECRET}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
  t.equal(body.sign, expected, 'sign = base64(HMAC-SHA256(key = "timestamp\\nsecret", message = ""))');
  const swapped = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
  t.not(body.sign, swapped, 'it is not the DingTalk arrangement (key and message swapped)');
  t.equal(Object.keys(body).slice(0, 2).join(','), 'timestamp,sign', 'timestamp and sign are top-level body fields');
});

t.test('the body stays within 20 KB for a huge event', async (t) => {
  const event = makeEvent({
    type: 'contact.tag.updated',
    data: Object.fromEntries(['addUserItems', 'delUserItems', 'addPartyItems', 'delPartyItems', 'tagId'].map((k) => [k, '"\\\u0001'.repeat(20_000)])),
  });
  const message = makeEvent({ type: 'message.text', data: { fromUserName: 'u', content: '\u0001"𠮷'.repeat(50_000) } });
  for (const candidate of [event, message]) {
    const { request } = feishu(candidate, { secret: SECRET });
    const bytes = Buffer.byteLength(request.body, 'utf8');
    t.ok(bytes <= FEISHU_MAX_BODY_BYTES, `${candidate.type}: ${bytes} bytes ≤ ${FEISHU_MAX_BODY_BYTES}`);
    t.doesNotThrow(() => JSON.parse(request.body), `${candidate.type}: the body is valid JSON`);
  }
});
