import t from 'tap';
import fc from 'fast-check';
import { formatWecomBot, WECOM_MARKDOWN_MAX_BYTES } from '../../daemon/delivery/formats/wecom-bot.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const wecom = (event: EventEnvelope, locale: 'zh-CN' | 'en' = 'zh-CN') => {
  const target = makeTarget({ format: 'wecom-bot', locale, url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY' });
  const request = formatWecomBot(event, target, { now: new Date() });
  return { request, body: JSON.parse(request.body) as { msgtype: string; markdown: { content: string } } };
};

/** True when `text` survives a UTF-8 round trip and contains no replacement character. */
const isCleanUtf8 = (text: string): boolean =>
  Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\uFFFD') && !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));

t.test('a WeCom robot message is markdown with a coloured title and a comment footer', async (t) => {
  const { request, body } = wecom(makeEvent());
  t.equal(request.url, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY', 'the key stays in the URL');
  t.equal(body.msgtype, 'markdown', 'msgtype is markdown');
  t.same(Object.keys(body), ['msgtype', 'markdown'], 'nothing else in the body');
  const content = body.markdown.content;
  t.match(content, /^### <font color="info">添加客户<\/font>\n/, 'the title is an info-coloured heading');
  t.match(content, '成员 zhangsan 添加了客户 woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'the summary is there');
  t.match(content, '> <font color="comment">企业：wxf8b4f85f3a794e77</font>', 'the corp is in the footer');
  t.match(content, '> <font color="comment">类型：external_contact.added　ID：evt_3f1c9a7b2e</font>', 'type and id are in the footer');
  t.equal(content.match(/<font /g)?.length, 4, 'colour is used only on the title and the three footer lines');
});

t.test('removals get the warning colour', async (t) => {
  const { body } = wecom(makeEvent({ type: 'external_contact.deleted' }), 'en');
  t.match(body.markdown.content, '<font color="warning">External contact deleted</font>', 'deletions are warnings');
});

t.test('markup in event values is made inert', async (t) => {
  const event = makeEvent({ type: 'message.text', data: { fromUserName: 'u1', content: '<font color="warning">fake</font> <@all>' } });
  const content = wecom(event).body.markdown.content;
  t.notMatch(content, '<@all>', 'no mention can be injected');
  t.notMatch(content, '<font color="warning">fake', 'no colour can be injected');
  t.match(content, '＜@all＞', 'the text still reads the same');
});

t.test('a huge CJK event stays within 4096 bytes and valid UTF-8', async (t) => {
  const event = makeEvent({
    type: 'message.text',
    data: { fromUserName: '张三'.repeat(500), content: '企业微信第三方应用回调'.repeat(20_000) },
    enrichmentError: { code: 'timeout', message: 'x' },
  });
  for (const locale of ['zh-CN', 'en'] as const) {
    const content = wecom(event, locale).body.markdown.content;
    const bytes = Buffer.byteLength(content, 'utf8');
    t.ok(bytes <= WECOM_MARKDOWN_MAX_BYTES, `${locale}: ${bytes} bytes ≤ 4096`);
    t.ok(isCleanUtf8(content), `${locale}: the content is valid UTF-8 with no replacement character`);
    t.match(content, '企业微信第三方应用回调', `${locale}: the message content is quoted`);
    t.match(content, 'evt_3f1c9a7b2e', `${locale}: the footer is kept`);
  }
});

t.test('when the details exceed the budget they are cut with a marker, keeping the footer', async (t) => {
  // CJK Extension B characters are 4 bytes each: 1000 of them (the summary's cap) alone exceed 4096 bytes.
  const event = makeEvent({ type: 'message.text', data: { fromUserName: '张三', content: '𠮷𠀀𪚥'.repeat(10_000) } });
  for (const locale of ['zh-CN', 'en'] as const) {
    const content = wecom(event, locale).body.markdown.content;
    const bytes = Buffer.byteLength(content, 'utf8');
    t.ok(bytes <= WECOM_MARKDOWN_MAX_BYTES, `${locale}: ${bytes} bytes ≤ 4096`);
    t.ok(bytes > WECOM_MARKDOWN_MAX_BYTES - 8, `${locale}: the budget is used (${bytes} bytes)`);
    t.ok(isCleanUtf8(content), `${locale}: valid UTF-8, no split character`);
    t.match(content, locale === 'zh-CN' ? '…（已截断）\n> <font' : '… (truncated)\n> <font', `${locale}: the cut is marked before the footer`);
    t.match(content, /ID：evt_3f1c9a7b2e<\/font>$|ID: evt_3f1c9a7b2e<\/font>$/, `${locale}: the footer is intact`);
  }
});

t.test('4-byte characters are never split', async (t) => {
  const event = makeEvent({ type: 'message.text', data: { fromUserName: 'u', content: '😀𠮷'.repeat(5000) } });
  const content = wecom(event).body.markdown.content;
  t.ok(Buffer.byteLength(content, 'utf8') <= WECOM_MARKDOWN_MAX_BYTES, 'within the limit');
  t.ok(isCleanUtf8(content), 'no broken surrogate pair or replacement character');
});

t.test('any content fits and stays valid UTF-8 (property)', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 6000 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (content, name) => {
      const event = makeEvent({ type: 'message.text', data: { fromUserName: name, content }, enrichment: { externalContact: { name } } });
      const out = wecom(event).body.markdown.content;
      return Buffer.byteLength(out, 'utf8') <= WECOM_MARKDOWN_MAX_BYTES && !out.includes('\uFFFD');
    }),
    { numRuns: 200 },
  );
  t.pass('200 random events all fit in 4096 bytes without replacement characters');
});
