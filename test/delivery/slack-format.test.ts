import t from 'tap';
import { escapeSlack } from '../../daemon/delivery/formats/escape-slack.js';
import { formatSlack } from '../../daemon/delivery/formats/slack.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

interface SlackBody {
  text: string;
  blocks: [{ type: 'section'; text: { type: string; text: string } }, { type: 'context'; elements: { type: string; text: string }[] }];
  unfurl_links: boolean;
  unfurl_media: boolean;
}

const slack = (event: EventEnvelope, locale: 'zh-CN' | 'en' = 'en') => {
  const request = formatSlack(event, makeTarget({ format: 'slack', locale, url: 'https://hooks.slack.com/services/T/B/x' }), { now: new Date() });
  return { request, body: JSON.parse(request.body) as SlackBody };
};

t.test('a Slack message has text, a mrkdwn section and a context block, with unfurling off', async (t) => {
  const { request, body } = slack(makeEvent());
  t.equal(request.url, 'https://hooks.slack.com/services/T/B/x', 'the webhook URL is used as is');
  t.equal(request.headers['content-type'], 'application/json; charset=utf-8', 'JSON content type');
  t.equal(body.text, 'External contact added: zhangsan added external contact woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'text is the one-line summary');
  t.notMatch(body.text, '\n', 'text is one line');
  t.equal(body.blocks[0].type, 'section', 'the first block is a section');
  t.equal(body.blocks[0].text.type, 'mrkdwn', 'the section is mrkdwn');
  t.match(body.blocks[0].text.text, /^\*External contact added\*\nzhangsan added external contact/, 'the section has a bold title then the details');
  t.equal(body.blocks[1].type, 'context', 'the second block is a context');
  const context = body.blocks[1].elements.map((element) => element.text);
  t.same(context, [
    'Type: external_contact.added',
    'Corp: wxf8b4f85f3a794e77',
    'Time: 2014-06-24 11:48:33 UTC',
    'Event ID: evt_3f1c9a7b2e',
  ], 'the context block has type, corp, time and event id');
  t.equal(body.unfurl_links, false, 'links do not unfurl');
  t.equal(body.unfurl_media, false, 'media does not unfurl');
});

t.test('zh-CN labels the context in Chinese', async (t) => {
  const { body } = slack(makeEvent(), 'zh-CN');
  t.match(body.text, '添加客户: 成员 zhangsan 添加了客户', 'the text is in Chinese');
  t.equal(body.blocks[1].elements[0]?.text, '类型: external_contact.added', 'the type label is Chinese');
});

t.test('&, < and > are escaped everywhere', async (t) => {
  const event = makeEvent({
    type: 'message.text',
    data: { fromUserName: 'a&b', content: '<!channel> ping & <https://evil.example|click> > done' },
  });
  const { body } = slack(event);
  const section = body.blocks[0].text.text;
  t.match(section, '&lt;!channel&gt; ping &amp; &lt;https://evil.example|click&gt; &gt; done', 'the content is escaped');
  t.match(body.text, 'a&amp;b sent a text message', 'the one-line text is escaped');
  for (const text of [body.text, section, ...body.blocks[1].elements.map((element) => element.text)]) {
    t.notMatch(text, /<|>|&(?!amp;|lt;|gt;)/, `no raw control character in ${JSON.stringify(text.slice(0, 40))}`);
  }
});

t.test('escapeSlack bounds the length without cutting an entity or a surrogate pair', async (t) => {
  t.equal(escapeSlack('a<b', 10), 'a&lt;b', 'short text is only escaped');
  t.equal(escapeSlack('abc', 3), 'abc', 'text of exactly the limit is kept whole');
  t.equal(escapeSlack('&&&&', 10), '&amp;…', 'a cut falls between entities, leaving room for the ellipsis');
  t.equal(escapeSlack('&&&&', 11), '&amp;&amp;…', 'two entities and the ellipsis fit in 11');
  t.equal(escapeSlack('😀😀😀', 4), '😀…', 'a cut never splits a surrogate pair');
  const long = slack(makeEvent({ type: 'message.text', data: { fromUserName: 'u', content: '<&>'.repeat(5000) } }));
  const section = long.body.blocks[0].text.text;
  t.ok(section.length <= 3000, `the section stays within Slack's 3000 characters (${section.length})`);
  t.match(section, /(&lt;|&amp;|&gt;)…$/, 'it ends with a whole entity and an ellipsis');
});
