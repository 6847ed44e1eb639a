import t from 'tap';
import fc from 'fast-check';
import { fitBody } from '../../daemon/delivery/formats/fit-body.js';
import { ELLIPSIS, truncateUtf8 } from '../../daemon/delivery/formats/truncate-utf8.js';

t.test('truncateUtf8 keeps text that fits and cuts on code point boundaries', async (t) => {
  t.equal(truncateUtf8('hello', 5), 'hello', 'text of exactly the limit is unchanged');
  t.equal(truncateUtf8('hello world', 8), 'hello…', 'ASCII is cut with a 3-byte ellipsis');
  t.equal(truncateUtf8('中文字符', 9), '中文…', '3-byte characters are never split');
  t.equal(truncateUtf8('中文字符', 8), '中…', 'a partial character is dropped rather than split');
  t.equal(truncateUtf8('😀😀', 7), '😀…', '4-byte characters are never split');
  t.equal(truncateUtf8('abcdef', 4, ''), 'abcd', 'an empty marker cuts exactly');
  t.equal(truncateUtf8('abcdef', 2), '', 'a marker that does not fit is itself cut (to nothing here)');
  t.equal(truncateUtf8('abcdef', 4, '[cut]'), '[cut', 'a long marker is cut to the budget');
  t.throws(() => truncateUtf8('x', -1), TypeError, 'a negative budget is a developer mistake');
});

t.test('truncateUtf8 never exceeds the budget and always yields valid UTF-8 (property)', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.nat({ max: 600 }), (text, max) => {
      const out = truncateUtf8(text, max);
      const bytes = Buffer.from(out, 'utf8');
      const prefix = out.endsWith(ELLIPSIS) && out !== text ? out.slice(0, -ELLIPSIS.length) : out;
      return bytes.length <= max && bytes.toString('utf8') === out && text.startsWith(prefix);
    }),
    { numRuns: 500 },
  );
  t.pass('500 random strings and budgets hold the invariants');
});

t.test('fitBody shrinks only the variable text until the JSON body fits', async (t) => {
  const render = (text: string) => JSON.stringify({ fixed: 'header', text });
  const small = fitBody(render, 'short', 1000, '…');
  t.equal(small, render('short'), 'a body that fits is unchanged');
  const escaped = '"\u0001'.repeat(5000); // 2 chars of text, 8 bytes once JSON-escaped
  const body = fitBody(render, escaped, 1000, '…');
  t.ok(Buffer.byteLength(body) <= 1000, `the escaped body fits (${Buffer.byteLength(body)} bytes)`);
  t.ok(Buffer.byteLength(body) > 900, 'most of the budget is used');
  t.match((JSON.parse(body) as { text: string }).text, /…$/, 'the text ends with the marker');
  t.equal(fitBody(render, 'x'.repeat(100), 10, '…'), render(''), 'when even the frame is too big the text is emptied');
});
