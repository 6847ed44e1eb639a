import { WecomRelayError } from '../errors.js';
import type { CallbackFields } from './fields.js';
import { parseJsonFields } from './message.js';
import { parseXml } from './parser.js';

/** The outer, unencrypted part of a callback POST body. */
export interface CallbackEnvelope {
  /** The base64 ciphertext the signature covers, exactly as sent. */
  readonly encrypt: string;
  /** Outside the signed ciphertext, so informative only: never trust it for routing on its own. */
  readonly toUserName: string | null;
  /** Empty on command callbacks, where WeCom sends `<AgentID><![CDATA[]]></AgentID>`. */
  readonly agentId: string | null;
  /** Which body format WeCom used. */
  readonly format: 'xml' | 'json';
}

/**
 * Reads a callback POST body: XML `<xml><ToUserName/><Encrypt/><AgentID/></xml>`, or JSON with
 * `tousername/encrypt/agentid` keys (any letter case; a numeric agentid is kept as its digits). A
 * leading BOM and whitespace are ignored. A missing or empty Encrypt, or an unparseable body, raises
 * `ERR_WECOM_MALFORMED_BODY`; DTD markup or an exceeded bound raises `ERR_WECOM_XML_UNSAFE`.
 */
export function parseEnvelope(body: string): CallbackEnvelope {
  if (typeof body !== 'string') throw new WecomRelayError('ERR_WECOM_MALFORMED_BODY', { message: 'the body is not a string' });
  const text = body.replace(/^\uFEFF/, '').trimStart();
  const format = text.startsWith('{') ? 'json' : 'xml';
  // The envelope is parsed before the signature can be checked, so a sender without the Token must not be
  // able to buy seconds of CPU with a wide 1 MiB document: WeCom's envelope has 3–4 elements (Encrypt is
  // base64 in CDATA, no markup), so a body with far more markup than that is refused before parsing.
  if (format === 'xml' && countMarkup(text, MAX_ENVELOPE_MARKUP + 1) > MAX_ENVELOPE_MARKUP) {
    throw new WecomRelayError('ERR_WECOM_XML_UNSAFE', { message: `the body has more than ${MAX_ENVELOPE_MARKUP} tags: not a callback envelope` });
  }
  const fields = format === 'json' ? parseJsonFields(text, 'ERR_WECOM_MALFORMED_BODY') : parseXml(text);
  const encrypt = pick(fields, 'encrypt');
  if (encrypt === null) {
    throw new WecomRelayError('ERR_WECOM_MALFORMED_BODY', { message: 'the body has no Encrypt value' });
  }
  return { encrypt, toUserName: pick(fields, 'tousername'), agentId: pick(fields, 'agentid'), format };
}

/** Tags a callback envelope may have (it has about 8: `xml`, ToUserName, Encrypt, AgentID, open and close). */
const MAX_ENVELOPE_MARKUP = 64;

/** How many `<` the text has, counting no further than `stop`. */
function countMarkup(text: string, stop: number): number {
  let count = 0;
  for (let i = text.indexOf('<'); i !== -1 && count < stop; i = text.indexOf('<', i + 1)) count++;
  return count;
}

/** The string value of the first key matching `lowerName` case-insensitively; null when absent, empty or not text. */
function pick(fields: CallbackFields, lowerName: string): string | null {
  for (const [key, value] of Object.entries(fields)) {
    if (key.toLowerCase() !== lowerName) continue;
    return typeof value === 'string' && value !== '' ? value : null;
  }
  return null;
}
