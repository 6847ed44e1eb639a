import { WecomRelayError, type ErrorCode } from '../errors.js';
import type { CallbackFields, FieldValue } from './fields.js';
import { DEFAULT_XML_MAX_DEPTH, parseXml, setField, type ParseXmlOptions } from './parser.js';

/** Bounds for {@link parseMessage}: both apply to XML; `maxDepth` also bounds JSON nesting. */
export type ParseMessageOptions = Pick<ParseXmlOptions, 'maxBytes' | 'maxDepth'>;

/**
 * Parses a decrypted callback message into {@link CallbackFields}. XML (the usual format) goes through
 * the hardened {@link parseXml}; a message starting with `{` is JSON (WeCom's JSON-format callbacks),
 * read with every number kept as its exact source text (MsgId exceeds 2^53) and every leaf a string.
 *
 * Errors: not parseable (or JSON nested deeper than `maxDepth`) → `ERR_WECOM_MALFORMED_MESSAGE`; XML
 * with DTD markup or over the depth/size bound → `ERR_WECOM_XML_UNSAFE`. It never throws anything but
 * a {@link WecomRelayError}.
 */
export function parseMessage(plaintext: string, options: ParseMessageOptions = {}): CallbackFields {
  const code: ErrorCode = 'ERR_WECOM_MALFORMED_MESSAGE';
  if (typeof plaintext !== 'string') throw new WecomRelayError(code, { message: 'the message is not a string' });
  const text = plaintext.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) return parseJsonFields(text, code, options.maxDepth);
  return parseXml(text, { ...options, malformedCode: code });
}

/**
 * Parses a JSON object losslessly into {@link CallbackFields}: numbers keep their source text,
 * booleans become `'true'`/`'false'`, `null` becomes `''`, arrays and objects are kept as such. The
 * top level must be an object. Anything else (including nesting deeper than `maxDepth`) raises `code`.
 */
export function parseJsonFields(text: string, code: ErrorCode, maxDepth: number = DEFAULT_XML_MAX_DEPTH): CallbackFields {
  let value: unknown;
  try {
    value = JSON.parse(quoteNumbers(text));
  } catch (error) {
    throw new WecomRelayError(code, { message: 'the JSON could not be parsed', cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WecomRelayError(code, { message: 'the JSON is not an object' });
  }
  const fields = toFieldValue(value, 1, maxDepth, code);
  return fields as CallbackFields;
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Node 20's JSON.parse offers no access to a number's source text, so every number token outside a
 * string literal is wrapped in quotes first: `"MsgId":4561255354251345929` → `"MsgId":"4561255354251345929"`.
 * Linear in the input; malformed input stays malformed for JSON.parse to reject.
 */
function quoteNumbers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i += 1;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else {
          i += 1;
          if (d === 0x22) break;
        }
      }
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      JSON_NUMBER.lastIndex = i;
      const match = JSON_NUMBER.exec(text);
      if (match === null) {
        i += 1;
        continue;
      }
      out += `${text.slice(copied, i)}"${match[0]}"`;
      i += match[0].length;
      copied = i;
    } else {
      i += 1;
    }
  }
  return out + text.slice(copied);
}

function toFieldValue(value: unknown, depth: number, maxDepth: number, code: ErrorCode): FieldValue {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (depth > maxDepth) throw new WecomRelayError(code, { message: `the JSON nests deeper than ${maxDepth} levels` });
  if (Array.isArray(value)) return value.map((item) => toFieldValue(item, depth + 1, maxDepth, code));
  const out: Record<string, FieldValue> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    setField(out, key, toFieldValue(item, depth + 1, maxDepth, code));
  }
  return out;
}
