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
  const fields = format === 'json' ? parseJsonFields(text, 'ERR_WECOM_MALFORMED_BODY') : parseXml(text);
  const encrypt = pick(fields, 'encrypt');
  if (encrypt === null) {
    throw new WecomRelayError('ERR_WECOM_MALFORMED_BODY', { message: 'the body has no Encrypt value' });
  }
  return { encrypt, toUserName: pick(fields, 'tousername'), agentId: pick(fields, 'agentid'), format };
}

/** The string value of the first key matching `lowerName` case-insensitively; null when absent, empty or not text. */
function pick(fields: CallbackFields, lowerName: string): string | null {
  for (const [key, value] of Object.entries(fields)) {
    if (key.toLowerCase() !== lowerName) continue;
    return typeof value === 'string' && value !== '' ? value : null;
  }
  return null;
}
