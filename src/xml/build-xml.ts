import type { CallbackFields, FieldValue } from './fields.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DIGITS = /^[0-9]+$/;

/**
 * Serializes fields the way WeCom writes callbacks: `<xml><A><![CDATA[x]]></A><Ts>123</Ts></xml>`.
 * Pure-digit strings are written bare, every other string as CDATA (a `]]>` inside is split across
 * two sections), arrays as repeated elements, objects as nested elements, and a `#text` key (mixed
 * content from the parser) as the element's own text. {@link parseMessage} reads the result back to
 * the same fields, except that a one-element array under a name other than `Item` comes back as its
 * single value, an empty array or object disappears or becomes `''`, and `\r\n` reads back as `\n`
 * (XML line-end normalization).
 *
 * @throws TypeError when a field name is not a valid XML element name.
 */
export function buildXml(fields: CallbackFields): string {
  return `<xml>${children(fields)}</xml>`;
}

function children(fields: { readonly [name: string]: FieldValue }): string {
  let out = '';
  const text = fields['#text'];
  if (typeof text === 'string' && Object.hasOwn(fields, '#text')) out += textOf(text);
  for (const [name, value] of Object.entries(fields)) {
    if (name === '#text') continue;
    if (!NAME.test(name)) {
      throw new TypeError(`Expected \`fields\` names to be XML element names, got \`${name}\` (string)`);
    }
    out += element(name, value);
  }
  return out;
}

function element(name: string, value: FieldValue): string {
  if (typeof value === 'string') return `<${name}>${textOf(value)}</${name}>`;
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  return `<${name}>${children(value)}</${name}>`;
}

function textOf(value: string): string {
  if (DIGITS.test(value)) return value;
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
