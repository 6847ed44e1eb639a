import fc from 'fast-check';
import t from 'tap';
import { WecomRelayError } from '../../src/errors.js';
import { parseEnvelope } from '../../src/xml/envelope.js';
import { parseMessage } from '../../src/xml/message.js';
import { parseXml } from '../../src/xml/parser.js';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<xml><Content>&lol9;</Content></xml>`;

t.test('CDATA content is kept exactly, whitespace included, while plain text is trimmed', async (t) => {
  const fields = parseXml('<xml><A><![CDATA[  two spaces\n]]></A>\n\t<B>\n  plain  \n</B><C>\n<![CDATA[ x ]]>\n</C></xml>');
  t.equal(fields.A, '  two spaces\n', 'CDATA whitespace survives');
  t.equal(fields.B, 'plain', 'plain text is trimmed');
  t.equal(fields.C, ' x ', 'indentation around a CDATA section is dropped, its content kept');
});

t.test('a CDATA section may hold markup-looking text, including a DOCTYPE', async (t) => {
  const fields = parseXml('<xml><Content><![CDATA[<!DOCTYPE html><b>&amp;</b>]]></Content></xml>');
  t.equal(fields.Content, '<!DOCTYPE html><b>&amp;</b>', 'CDATA is data, not markup, and is not entity-decoded');
});

t.test('every value stays a string: ids beyond 2^53 and leading zeros are exact', async (t) => {
  const fields = parseXml('<xml><MsgId>4561255354251345929</MsgId><CreateTime>1409659813</CreateTime><Code>007</Code><F>1.50</F><B>true</B></xml>');
  t.same(fields, { MsgId: '4561255354251345929', CreateTime: '1409659813', Code: '007', F: '1.50', B: 'true' }, 'no number or boolean coercion');
  t.equal(typeof fields.MsgId, 'string', 'MsgId is a string');
});

t.test('Item is always an array and any repeated element becomes an array', async (t) => {
  const fields = parseXml('<xml><One><Item>Jack</Item></One><Two><Item>Jack</Item><Item>Rose</Item></Two><R>1</R><R>2</R><S>x</S></xml>');
  t.same(fields.One, { Item: ['Jack'] }, 'a single Item is still an array');
  t.same(fields.Two, { Item: ['Jack', 'Rose'] }, 'two Items are an array');
  t.same(fields.R, ['1', '2'], 'a repeated element is an array');
  t.equal(fields.S, 'x', 'a single non-Item element is a plain value');
});

t.test('empty elements are empty strings and nested elements are objects', async (t) => {
  const fields = parseXml('<xml><E></E><F/><G><![CDATA[]]></G><N><A>1</A><B><C>2</C></B></N></xml>');
  t.same(fields, { E: '', F: '', G: '', N: { A: '1', B: { C: '2' } } }, 'empty → "", nested → objects');
});

t.test('attributes, comments, the declaration and a BOM are ignored', async (t) => {
  const fields = parseXml('\uFEFF  <?xml version="1.0" encoding="UTF-8"?>\n<xml a="1"><!-- note --><A b="2">v</A></xml>');
  t.same(fields, { A: 'v' }, 'only element content is kept');
});

t.test('the five predefined entities and character references are decoded; nothing else expands', async (t) => {
  const fields = parseXml('<xml><A>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#20320;&#x597D;</A><B>&unknown;</B></xml>');
  t.equal(fields.A, 'a & b <c> "d" \'e\' 你好', 'predefined entities and numeric references are decoded');
  t.equal(fields.B, '&unknown;', 'an undeclared entity is left as written');
});

t.test('element names that collide with Object.prototype are kept as own fields', async (t) => {
  const fields = parseXml('<xml><toString>a</toString><hasOwnProperty>b</hasOwnProperty></xml>');
  t.equal(Object.getOwnPropertyDescriptor(fields, 'toString')?.value, 'a', 'toString is an own field');
  t.equal(Object.getOwnPropertyDescriptor(fields, 'hasOwnProperty')?.value, 'b', 'hasOwnProperty is an own field');
  t.throws(() => parseXml('<xml><__proto__>x</__proto__></xml>'), { code: 'ERR_WECOM_MALFORMED_BODY' }, '__proto__ is refused, not assigned');
  t.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype is untouched');
});

t.test('a DOCTYPE (billion laughs) is rejected before parsing', async (t) => {
  t.throws(() => parseXml(BILLION_LAUGHS), { code: 'ERR_WECOM_XML_UNSAFE' }, 'billion laughs → ERR_WECOM_XML_UNSAFE');
  t.throws(() => parseXml('<!doctype xml><xml/>'), { code: 'ERR_WECOM_XML_UNSAFE' }, 'a lower-case doctype is rejected');
  t.throws(() => parseXml('<xml><!ENTITY x "y"></xml>'), { code: 'ERR_WECOM_XML_UNSAFE' }, 'a bare ENTITY declaration is rejected');
  t.throws(() => parseXml('<xml><!eNtItY x SYSTEM "file:///etc/passwd"></xml>'), { code: 'ERR_WECOM_XML_UNSAFE' }, 'mixed case is rejected');
  t.throws(() => parseMessage(BILLION_LAUGHS), { code: 'ERR_WECOM_XML_UNSAFE' }, 'the message parser rejects it with the same code');
  t.throws(() => parseEnvelope(BILLION_LAUGHS), { code: 'ERR_WECOM_XML_UNSAFE' }, 'the envelope parser rejects it with the same code');
});

t.test('nesting beyond maxDepth is rejected without recursing into it', async (t) => {
  const bomb = `<xml>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</xml>`;
  t.throws(() => parseXml(bomb), { code: 'ERR_WECOM_XML_UNSAFE' }, 'a 100 000-deep document is rejected');
  const sixteen = `${'<a>'.repeat(16)}x${'</a>'.repeat(16)}`;
  t.doesNotThrow(() => parseXml(sixteen), 'exactly 16 levels (root included) is accepted');
  t.throws(() => parseXml(`<r>${sixteen}</r>`), { code: 'ERR_WECOM_XML_UNSAFE' }, '17 levels is rejected');
  t.throws(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 }), { code: 'ERR_WECOM_XML_UNSAFE' }, 'maxDepth is configurable');
  t.doesNotThrow(() => parseXml('<a><b><c/></b></a>', { maxDepth: 3 }), 'self-closing elements at the limit are fine');
});

t.test('inputs over maxBytes are rejected, counting UTF-8 bytes', async (t) => {
  const big = `<xml><A>${'x'.repeat(1024 * 1024)}</A></xml>`;
  t.throws(() => parseXml(big), { code: 'ERR_WECOM_XML_UNSAFE' }, 'over the 1 MiB default → ERR_WECOM_XML_UNSAFE');
  t.doesNotThrow(() => parseXml('<xml><A>xx</A></xml>', { maxBytes: 20 }), '20 bytes fits a 20-byte bound');
  t.throws(() => parseXml('<xml><A>你好</A></xml>', { maxBytes: 20 }), { code: 'ERR_WECOM_XML_UNSAFE' }, '22 UTF-8 bytes exceed 20 though it is 18 characters');
});

t.test('malformed XML raises the caller-chosen code, ERR_WECOM_MALFORMED_BODY by default', async (t) => {
  for (const bad of ['', 'abc', '<xml><a></xml>', '<xml></xml><y/>', '<xml>text</xml>', '<xml><a>1 < 2</a></xml>', '<xml><!FOO></xml>', '<xml><![CDATA[x</xml>']) {
    t.throws(() => parseXml(bad), { code: 'ERR_WECOM_MALFORMED_BODY' }, `${JSON.stringify(bad)} is malformed`);
  }
  t.throws(() => parseXml('<xml><a></xml>', { malformedCode: 'ERR_WECOM_MALFORMED_MESSAGE' }), { code: 'ERR_WECOM_MALFORMED_MESSAGE' }, 'the override is used');
  const error = (() => { try { parseXml('<xml>'); } catch (e) { return e; } })();
  t.ok(error instanceof WecomRelayError, 'the error is a WecomRelayError');
  t.equal((error as WecomRelayError).status, 400, 'with HTTP status 400');
});

t.test('bad limits are developer mistakes and throw TypeError', async (t) => {
  t.throws(() => parseXml('<xml/>', { maxDepth: 0 }), TypeError, 'maxDepth 0');
  t.throws(() => parseXml('<xml/>', { maxBytes: 1.5 }), TypeError, 'a fractional maxBytes');
});

const markupish = fc.array(
  fc.oneof(
    fc.constantFrom('<', '>', '/', '</', '/>', '<xml>', '</xml>', '<Item>', '</Item>', '<A>', '</A>', '<![CDATA[', ']]>', '<!--', '-->',
      '<?xml?>', '<!DOCTYPE', '<!ENTITY', '&amp;', '&', '"', "'", '{', '}', '[', ']', ':', ',', '\uFEFF', ' ', '\n', '"Encrypt"',
      '<Encrypt>', '</Encrypt>', '4561255354251345929', '-1.5e3', 'true', 'null', '__proto__', '<__proto__>', '\\'),
    fc.string({ unit: 'binary', maxLength: 8 }),
  ),
  { maxLength: 40 },
).map((parts) => parts.join(''));

t.test('parseXml, parseEnvelope and parseMessage only ever throw WecomRelayError (property, fixed seed)', async (t) => {
  const onlyRelayErrors = (input: string): boolean => {
    for (const parse of [parseXml, parseEnvelope, parseMessage] as Array<(s: string) => unknown>) {
      try {
        parse(input);
      } catch (error) {
        if (!(error instanceof WecomRelayError)) return false;
      }
    }
    return true;
  };
  t.doesNotThrow(() => fc.assert(fc.property(fc.string({ unit: 'binary' }), onlyRelayErrors), { seed: 20260101, numRuns: 2000 }), 'arbitrary strings');
  t.doesNotThrow(() => fc.assert(fc.property(markupish, onlyRelayErrors), { seed: 424242, numRuns: 5000 }), 'markup-shaped strings');
});
