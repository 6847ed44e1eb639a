import t from 'tap';
import { checkReply } from '../../src/receiver/passive-reply.js';
import { toNewCallback } from '../../src/receiver/to-new-callback.js';
import { eventId } from '../../src/events/event-id.js';
import { normalize } from '../../src/events/normalize.js';
import { buildReplyXml } from '../../src/xml/build-reply-xml.js';
import { parseMessage } from '../../src/xml/message.js';

const TEXT = 'message.text';
const CARD = 'app.template_card_event';

t.test('checkReply accepts each reply type in its documented shape', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['text', { type: 'text', content: 'hi' }, TEXT],
    ['image', { type: 'image', mediaId: 'm' }, TEXT],
    ['voice', { type: 'voice', mediaId: 'm' }, TEXT],
    ['video with title', { type: 'video', mediaId: 'm', title: 'x' }, TEXT],
    ['news of one', { type: 'news', articles: [{ title: 'a' }] }, TEXT],
    ['news of eight', { type: 'news', articles: Array.from({ length: 8 }, (_, i) => ({ title: `a${i}`, url: 'https://x' })) }, TEXT],
    ['update_button on a card click', { type: 'update_button', replaceName: 'done' }, CARD],
    ['update_template_card on a card click', { type: 'update_template_card', card: { CardType: 'text_notice', MainTitle: { Title: 't' }, List: [1, true, 'x'] } }, CARD],
  ];
  for (const [name, value, type] of cases) t.equal(checkReply(value, type).kind, 'reply', name);
});

t.test('checkReply keeps only the known keys of a reply', async (t) => {
  t.same(checkReply({ type: 'text', content: 'hi', extra: 'dropped' }, TEXT), { kind: 'reply', reply: { type: 'text', content: 'hi' } }, 'extra keys dropped');
});

t.test('checkReply answers none for undefined and null', async (t) => {
  t.same(checkReply(undefined, TEXT), { kind: 'none' }, 'undefined');
  t.same(checkReply(null, TEXT), { kind: 'none' }, 'null');
});

t.test('checkReply refuses what WeCom would not take, saying why, and never throws', async (t) => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['a string', 'hello', TEXT, /is a string, not an object/],
    ['an array', [], TEXT, /is a array/],
    ['an unknown type', { type: 'markdown', content: 'x' }, TEXT, /unknown reply type "markdown"/],
    ['empty text', { type: 'text', content: '' }, TEXT, /`content` must be a non-empty string/],
    ['numeric text', { type: 'text', content: 42 }, TEXT, /`content`/],
    ['image without mediaId', { type: 'image' }, TEXT, /`mediaId`/],
    ['video with a numeric title', { type: 'video', mediaId: 'm', title: 1 }, TEXT, /`title`/],
    ['news without articles', { type: 'news', articles: [] }, TEXT, /1 to 8/],
    ['news of nine', { type: 'news', articles: Array.from({ length: 9 }, () => ({ title: 'a' })) }, TEXT, /1 to 8/],
    ['an article without title', { type: 'news', articles: [{ url: 'x' }] }, TEXT, /articles\[0\]\.title/],
    ['update_button on a text message', { type: 'update_button', replaceName: 'x' }, TEXT, /template_card_event callbacks only, not message.text/],
    ['update_template_card without CardType', { type: 'update_template_card', card: {} }, CARD, /`CardType`/],
    ['a card with a bad element name', { type: 'update_template_card', card: { CardType: 'x', 'a b': 'y' } }, CARD, /not an XML element name/],
    ['a card with a function', { type: 'update_template_card', card: { CardType: 'x', f: () => 1 } }, CARD, /not a string, number/],
  ];
  for (const [name, value, type, problem] of cases) {
    const checked = checkReply(value, type);
    t.equal(checked.kind, 'invalid', `${name}: invalid`);
    t.match(checked.kind === 'invalid' ? checked.problem : '', problem, `${name}: says why`);
  }
});

t.test('buildReplyXml writes CDATA that survives ]]> and reads back exactly', async (t) => {
  const content = ']]>start ]]> mid ]]]]> 😀\u{1F468}\u200D\u{1F469} end]]>';
  const xml = buildReplyXml({ type: 'text', content }, { toUserName: 'u]]>', fromUserName: 'corp', createTime: 1700000000 });
  t.notMatch(xml.replace(/\]\]\]\]><!\[CDATA\[>/g, ''), /\]\]>[^<]/, 'every ]]> inside content is split across sections');
  const fields = parseMessage(xml);
  t.same(fields, { ToUserName: 'u]]>', FromUserName: 'corp', CreateTime: '1700000000', MsgType: 'text', Content: content }, 'the same fields back');
});

t.test('toNewCallback is the one mapping to a store row: stable id, the type normalize gives, the corp', async (t) => {
  const fields = { ToUserName: 'wwcorp', FromUserName: 'u', MsgType: 'text', Content: 'x', MsgId: '1', CreateTime: '1700000000' };
  const row = toNewCallback({ endpoint: 'data', suiteId: 'wwsuite', receiveId: 'wwcorp', receivedAt: 1, plaintext: '<xml/>', fields });
  t.equal(row.id, eventId('wwsuite', 'wwcorp', '<xml/>'), 'the event id');
  t.equal(row.type, normalize(row).type, 'the type normalize would give');
  t.equal(row.corpId, normalize(row).source.corpId, 'the corp normalize would give');
  t.equal(row.corpId, 'wwcorp', 'a data-URL message is about its ToUserName');
});
