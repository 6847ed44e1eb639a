import fc from 'fast-check';
import t from 'tap';
import { buildXml } from '../../src/xml/build-xml.js';
import type { CallbackFields, FieldValue } from '../../src/xml/fields.js';
import { parseMessage } from '../../src/xml/message.js';

// Plaintexts copied from shared/reference/wecom-protocol.md §3.
const A2_PLAINTEXT = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>
<FromUserName><![CDATA[mycreate]]></FromUserName>
<CreateTime>1409659813</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[hello]]></Content>
<MsgId>4561255354251345929</MsgId>
<AgentID>218</AgentID>
</xml>`;
const B2_PLAINTEXT = '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>';
const A4_PLAINTEXT = '{"ToUserName":"wx5823bf96d3bd56c7","FromUserName":"mycreate","CreateTime": 1409659813,"MsgType":"text","Content":"hello","MsgId":4561255354251345929,"AgentID": 218}';
const A3_PLAINTEXT = '{ "ToUserName": "wx5823bf96d3bd56c7", "FromUserName": :mycreate", "CreateTime": 1409659813, "MsgType": "text", "Content": "hello", "MsgId": 4561255354251345929, "AgentID": 218}';

t.test('the A2 plaintext parses to its fields, all strings', async (t) => {
  t.same(parseMessage(A2_PLAINTEXT), {
    ToUserName: 'wx5823bf96d3bd56c7', FromUserName: 'mycreate', CreateTime: '1409659813', MsgType: 'text',
    Content: 'hello', MsgId: '4561255354251345929', AgentID: '218',
  }, 'A2 fields, MsgId exact');
});

t.test('the B2 plaintext (no CDATA, multibyte content) parses to its fields', async (t) => {
  t.same(parseMessage(B2_PLAINTEXT), {
    ToUserName: 'ww1436e0e65a779aee', FromUserName: 'ChenJiaShun', CreateTime: '1476422779', MsgType: 'text',
    Content: '你好', MsgId: '1456453720', AgentID: '1000002',
  }, 'B2 fields');
});

t.test('the A4 JSON plaintext keeps MsgId and every number exact, as strings', async (t) => {
  const fields = parseMessage(A4_PLAINTEXT);
  t.equal(fields.MsgId, '4561255354251345929', 'MsgId beyond 2^53 is exact');
  t.equal(fields.CreateTime, '1409659813', 'CreateTime is a string');
  t.equal(fields.AgentID, '218', 'AgentID is a string');
  t.same(parseMessage(A4_PLAINTEXT), parseMessage(A2_PLAINTEXT), 'the JSON and XML forms of the same message give the same fields');
});

t.test("A3's malformed JSON is ERR_WECOM_MALFORMED_MESSAGE", async (t) => {
  t.throws(() => parseMessage(A3_PLAINTEXT), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'A3 → malformed message');
});

t.test('malformed XML is ERR_WECOM_MALFORMED_MESSAGE and a DOCTYPE is ERR_WECOM_XML_UNSAFE', async (t) => {
  t.throws(() => parseMessage('<xml><A>1</xml>'), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'unclosed element');
  t.throws(() => parseMessage('hello'), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'not XML or JSON');
  t.throws(() => parseMessage('<!DOCTYPE x><xml/>'), { code: 'ERR_WECOM_XML_UNSAFE' }, 'DOCTYPE');
});

t.test('JSON leaves become strings: numbers by their source text, booleans, null', async (t) => {
  const fields = parseMessage('{"a":-0,"b":1.50,"c":1e5,"d":true,"e":false,"f":null,"g":"4561255354251345929","h":"x\\"1\\"y","i":[1,{"j":2}],"k":{}}');
  t.same(fields, {
    a: '-0', b: '1.50', c: '1e5', d: 'true', e: 'false', f: '', g: '4561255354251345929', h: 'x"1"y',
    i: ['1', { j: '2' }], k: {},
  }, 'every leaf is a string and numbers inside strings are untouched');
});

t.test('JSON that is not an object, or nests too deep, is ERR_WECOM_MALFORMED_MESSAGE', async (t) => {
  t.throws(() => parseMessage('{"a":01}'), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'a leading-zero number is invalid JSON');
  t.throws(() => parseMessage(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'too deep');
  t.throws(() => parseMessage('{'), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'truncated');
});

t.test('a JSON __proto__ key stays an own field and pollutes nothing', async (t) => {
  const fields = parseMessage('{"__proto__":{"polluted":"yes"},"a":"1"}');
  t.same(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, { polluted: 'yes' }, '__proto__ is an own field');
  t.equal(Object.getPrototypeOf(fields), Object.prototype, 'the prototype is unchanged');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
});

t.test('buildXml writes WeCom-style XML: CDATA for text, bare digits, repeated and nested elements', async (t) => {
  const xml = buildXml({ ToUserName: 'ww1', TimeStamp: '1403610513', Content: 'a]]>b', L: { Item: ['Jack', 'Rose'] }, R: ['1', 'x'], E: '' });
  t.equal(
    xml,
    '<xml><ToUserName><![CDATA[ww1]]></ToUserName><TimeStamp>1403610513</TimeStamp><Content><![CDATA[a]]]]><![CDATA[>b]]></Content>'
      + '<L><Item><![CDATA[Jack]]></Item><Item><![CDATA[Rose]]></Item></L><R>1</R><R><![CDATA[x]]></R><E><![CDATA[]]></E></xml>',
    'the exact serialization',
  );
  t.equal(parseMessage(xml).Content, 'a]]>b', 'a split ]]> reads back whole');
  t.throws(() => buildXml({ 'not a name': 'x' }), TypeError, 'an invalid element name is a TypeError');
});

const NAME = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((name) => !['__proto__', 'constructor', 'prototype', 'Item'].includes(name));
const TEXT = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.stringMatching(/^[0-9]{1,20}$/), fc.constantFrom('', ' ', ' x ', ']]>', 'a]]>b', '<!DOCTYPE>', '&amp;', '\n\t'));
const { value: VALUE } = fc.letrec<{ value: FieldValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    TEXT,
    fc.array(TEXT, { minLength: 2, maxLength: 3 }),
    fc.record({ Item: fc.array(fc.oneof(TEXT, fc.dictionary(NAME, tie('value'), { minKeys: 1, maxKeys: 2 })), { minLength: 1, maxLength: 3 }) }),
    fc.dictionary(NAME, tie('value'), { minKeys: 1, maxKeys: 3 }),
  ),
}));
const FIELDS: fc.Arbitrary<CallbackFields> = fc.dictionary(NAME, VALUE, { maxKeys: 6 });

t.test('parseMessage(buildXml(fields)) gives back the fields (property, fixed seed)', async (t) => {
  t.doesNotThrow(
    () => fc.assert(fc.property(FIELDS, (fields) => {
      const back = parseMessage(buildXml(fields));
      if (JSON.stringify(back) !== JSON.stringify(fields)) throw new Error(`round trip changed ${JSON.stringify(fields)} into ${JSON.stringify(back)}`);
    }), { seed: 7, numRuns: 1000 }),
    'every generated field set survives the round trip',
  );
});
