import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WecomRelayError, type ErrorCode } from '../errors.js';
import type { CallbackFields, FieldValue } from './fields.js';

/** Bounds and error mapping for {@link parseXml}. */
export interface ParseXmlOptions {
  /**
   * Largest accepted input, in UTF-8 bytes. Larger inputs are rejected before any parsing.
   * @default 1048576 (1 MiB, the receiver's body cap)
   */
  readonly maxBytes?: number;
  /**
   * Deepest accepted element nesting, counting the root element as 1. WeCom callbacks nest at most 4
   * deep (`<xml><ExtAttr><Item><Text><Value>`), so the default leaves ample room.
   * @default 16
   */
  readonly maxDepth?: number;
  /**
   * The code raised for input that is not well-formed XML. The outer envelope uses the default; the
   * decrypted message uses `ERR_WECOM_MALFORMED_MESSAGE`.
   * @default 'ERR_WECOM_MALFORMED_BODY'
   */
  readonly malformedCode?: ErrorCode;
}

/** The default size bound of {@link parseXml}: 1 MiB. */
export const DEFAULT_XML_MAX_BYTES = 1024 * 1024;
/** The default nesting bound of {@link parseXml}. */
export const DEFAULT_XML_MAX_DEPTH = 16;

const TEXT = '#text';
const CDATA = '#cdata';

// The one parser configuration. Every value stays a string (ids exceed 2^53), attributes are ignored,
// CDATA arrives as its own node so its content is kept byte for byte, and no entity machinery runs:
// DTDs are refused before parsing, and the five predefined entities are decoded by hand below.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // Element names such as `toString` are kept as they are: the output objects are built below with
  // own data properties only, so no name reaches a prototype.
  onDangerousProperty: (name: string) => name,
});

/**
 * Parses one XML document with the project's hardened settings and returns the children of its root
 * element as {@link CallbackFields}: every leaf a string, CDATA content exact, other text trimmed,
 * empty elements `''`, repeated elements arrays, and `Item` always an array (WeCom's list element).
 *
 * Before parsing it rejects, with `ERR_WECOM_XML_UNSAFE`, any DTD markup (`<!DOCTYPE`, `<!ENTITY`, …,
 * case-insensitive, outside CDATA and comments), inputs over `maxBytes` and nesting over `maxDepth`.
 * Input that is not well-formed XML raises `malformedCode`. A leading BOM and whitespace are ignored.
 * It never throws anything but a {@link WecomRelayError}.
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): CallbackFields {
  const maxBytes = positiveInteger(options.maxBytes, DEFAULT_XML_MAX_BYTES, 'maxBytes');
  const maxDepth = positiveInteger(options.maxDepth, DEFAULT_XML_MAX_DEPTH, 'maxDepth');
  const malformed = options.malformedCode ?? 'ERR_WECOM_MALFORMED_BODY';
  if (typeof text !== 'string') throw new WecomRelayError(malformed, { message: 'the XML input is not a string' });
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new WecomRelayError('ERR_WECOM_XML_UNSAFE', { message: `the XML exceeds ${maxBytes} bytes` });
  }
  const source = stripBom(text).trimStart();
  checkMarkup(source, maxDepth, malformed);
  let parsed: unknown;
  try {
    const valid = XMLValidator.validate(source);
    if (valid !== true) {
      const { code, line } = valid.err;
      throw new WecomRelayError(malformed, { message: `the XML is not well-formed (${code}, line ${line})` });
    }
    parsed = parser.parse(source);
  } catch (error) {
    if (error instanceof WecomRelayError) throw error;
    throw new WecomRelayError(malformed, { message: 'the XML could not be parsed', cause: error });
  }
  return rootFields(parsed, malformed);
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const DTD_KEYWORD = /^(?:doctype|entity|element|attlist|notation)/i;

/**
 * One linear scan over the markup, before the parser sees anything: refuses DTD declarations and
 * counts element nesting. CDATA sections, comments and processing instructions are skipped, so text
 * such as a chat message quoting `<!DOCTYPE html>` inside CDATA is data, not markup. Unterminated
 * constructs end the scan; the validator then reports them as malformed.
 */
function checkMarkup(text: string, maxDepth: number, malformed: ErrorCode): void {
  let depth = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    if (text.startsWith('<![CDATA[', i)) {
      i = skipPast(text, ']]>', i + 9);
    } else if (text.startsWith('<!--', i)) {
      i = skipPast(text, '-->', i + 4);
    } else if (text.startsWith('<!', i)) {
      if (DTD_KEYWORD.test(text.slice(i + 2, i + 10))) {
        throw new WecomRelayError('ERR_WECOM_XML_UNSAFE', { message: 'the XML declares a DOCTYPE or entities' });
      }
      throw new WecomRelayError(malformed, { message: 'the XML contains an unknown <! declaration' });
    } else if (text.startsWith('<?', i)) {
      i = skipPast(text, '?>', i + 2);
    } else if (text.startsWith('</', i)) {
      depth = Math.max(0, depth - 1);
      i = text.indexOf('<', i + 2);
    } else {
      const end = startTagEnd(text, i + 1);
      if (end === -1) return;
      if (depth + 1 > maxDepth) {
        throw new WecomRelayError('ERR_WECOM_XML_UNSAFE', { message: `the XML nests deeper than ${maxDepth} elements` });
      }
      // A self-closing element (`<a/>`) sits at depth + 1 but opens nothing.
      if (text.charCodeAt(end - 1) !== 0x2f) depth += 1;
      i = text.indexOf('<', end + 1);
    }
  }
}

/** Index of the next `<` after `terminator` (found from `from`), or -1 when either is missing. */
function skipPast(text: string, terminator: string, from: number): number {
  const end = text.indexOf(terminator, from);
  return end === -1 ? -1 : text.indexOf('<', end + terminator.length);
}

/** Index of the `>` closing a start tag, skipping quoted attribute values; -1 when unterminated. */
function startTagEnd(text: string, from: number): number {
  let quote = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return j;
    } else if (c === 0x3c) {
      return -1;
    }
  }
  return -1;
}

type OrderedNode = Record<string, unknown>;

function rootFields(parsed: unknown, malformed: ErrorCode): CallbackFields {
  const roots = Array.isArray(parsed) ? parsed.filter((node) => elementName(node) !== undefined) : [];
  if (roots.length !== 1) throw new WecomRelayError(malformed, { message: 'the XML has no single root element' });
  const root = roots[0] as OrderedNode;
  const value = elementValue(root[elementName(root) as string]);
  if (value === '') return {};
  if (typeof value === 'string' || Array.isArray(value)) {
    throw new WecomRelayError(malformed, { message: 'the XML root element holds text, not fields' });
  }
  return value;
}

function elementName(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  return Object.keys(node).find((key) => key !== TEXT && key !== CDATA && key !== ':@');
}

interface TextPart {
  readonly cdata: boolean;
  readonly value: string;
}

/** Converts one element's ordered children to a FieldValue (text, or an object of child fields). */
function elementValue(children: unknown): FieldValue {
  const parts: TextPart[] = [];
  const fields = new Map<string, FieldValue[]>();
  for (const node of Array.isArray(children) ? children : []) {
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, value] of Object.entries(node as OrderedNode)) {
      if (key === ':@') continue;
      if (key === TEXT) parts.push({ cdata: false, value: decodeEntities(String(value)) });
      else if (key === CDATA) parts.push({ cdata: true, value: cdataValue(value) });
      else {
        const list = fields.get(key);
        if (list) list.push(elementValue(value));
        else fields.set(key, [elementValue(value)]);
      }
    }
  }
  const text = joinText(parts);
  if (fields.size === 0) return text;
  const out: Record<string, FieldValue> = {};
  for (const [name, values] of fields) {
    setField(out, name, values.length === 1 && name !== 'Item' ? (values[0] as FieldValue) : values);
  }
  if (text !== '') setField(out, TEXT, text);
  return out;
}

function cdataValue(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.map((node) => (typeof node === 'object' && node !== null ? String((node as OrderedNode)[TEXT] ?? '') : '')).join('');
}

/**
 * Text outside CDATA is trimmed at the element's edges and whitespace-only runs between markup are
 * dropped (indentation), while CDATA content is kept exactly, whitespace included.
 */
function joinText(parts: TextPart[]): string {
  const kept = parts.filter((part) => part.cdata || part.value.trim() !== '');
  return kept
    .map((part, index) => {
      if (part.cdata) return part.value;
      let value = part.value;
      if (index === 0) value = value.trimStart();
      if (index === kept.length - 1) value = value.trimEnd();
      return value;
    })
    .join('');
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes XML's five predefined entities and numeric character references. No DTD can reach the
 * parser, so there is nothing else to expand; unknown references are left as written.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (match, ref: string) => {
    if (ref.charCodeAt(0) !== 0x23) return Object.hasOwn(PREDEFINED, ref) ? (PREDEFINED[ref] as string) : match;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff));
    return valid ? String.fromCodePoint(code) : match;
  });
}

/**
 * Sets an own, enumerable data property even for names such as `__proto__`, which a plain
 * assignment would turn into a prototype change.
 */
export function setField(target: Record<string, FieldValue>, name: string, value: FieldValue): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}
