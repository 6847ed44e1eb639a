import { randomInt } from 'node:crypto';
import { encryptMessage } from './cipher.js';
import { parseEncodingAESKey } from './key.js';
import { computeSignature } from './signature.js';

/** What every sealed request needs: the suite's callback credentials and the signing inputs. */
export interface SealOptions {
  /** The callback Token configured in the WeCom console. */
  readonly token: string;
  /** The 43-character EncodingAESKey configured in the WeCom console. */
  readonly encodingAESKey: string;
  /** The receiveid sealed inside the ciphertext: suite id, corpid, or `''`. */
  readonly receiveId: string;
  /**
   * The `timestamp` query parameter.
   * @default the current Unix time in seconds, as a string
   */
  readonly timestamp?: string;
  /**
   * The `nonce` query parameter.
   * @default a random 9- or 10-digit string
   */
  readonly nonce?: string;
  /**
   * The 16-byte random prefix of the plaintext; pass it to reproduce a known ciphertext.
   * @default 16 bytes from `crypto.randomBytes`
   */
  readonly random?: Buffer;
}

/** Options of {@link sealCallback}. */
export interface SealCallbackOptions extends SealOptions {
  /** The message to encrypt: a callback's XML or JSON plaintext. */
  readonly plaintext: string;
  /**
   * The outer, unsigned `ToUserName` of the envelope.
   * @default receiveId
   */
  readonly toUserName?: string;
  /**
   * The outer `AgentID`; omitted from the envelope when not given (suite command callbacks carry none).
   * @default undefined
   */
  readonly agentId?: string;
  /**
   * The envelope format: WeCom's XML, or the JSON of newer callbacks (lower-case keys).
   * @default 'xml'
   */
  readonly format?: 'xml' | 'json';
}

/** A POST callback exactly as WeCom would send it. */
export interface SealedCallback {
  /** The query string parameters of the callback URL. */
  readonly query: { readonly msg_signature: string; readonly timestamp: string; readonly nonce: string };
  /** The request body. */
  readonly body: string;
  /** The base64 ciphertext inside the body. */
  readonly encrypt: string;
}

/** Options of {@link sealEchostr}. */
export interface SealEchostrOptions extends SealOptions {
  /** The plaintext echo the receiver must answer with. */
  readonly echo: string;
}

/** The query parameters of a URL-verification GET, `echostr` not yet URL-encoded. */
export interface SealedEchostr {
  readonly msg_signature: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly echostr: string;
}

/**
 * Builds the POST callback WeCom would send for `plaintext`: encrypted, wrapped in the XML or JSON
 * envelope and signed. Used by tests, the `trigger` command and the demo.
 *
 * @param options - See {@link SealCallbackOptions}.
 * @returns The query parameters, the body and the ciphertext.
 * @throws TypeError when the key or `random` is malformed.
 */
export function sealCallback(options: SealCallbackOptions): SealedCallback {
  const { encrypt, query } = seal(options, options.plaintext);
  const toUserName = options.toUserName ?? options.receiveId;
  const body = options.format === 'json'
    ? JSON.stringify({ tousername: toUserName, encrypt, agentid: options.agentId })
    : `<xml><ToUserName>${cdata(toUserName)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt>` +
      `${options.agentId === undefined ? '' : `<AgentID>${cdata(options.agentId)}</AgentID>`}</xml>`;
  return { query, body, encrypt };
}

/**
 * Builds the query of the URL-verification GET WeCom would send to check a callback URL.
 *
 * @param options - See {@link SealEchostrOptions}.
 * @returns `msg_signature`, `timestamp`, `nonce` and `echostr` (URL-encode it when building a URL).
 * @throws TypeError when the key or `random` is malformed.
 */
export function sealEchostr(options: SealEchostrOptions): SealedEchostr {
  const { encrypt, query } = seal(options, options.echo);
  return { ...query, echostr: encrypt };
}

function seal(options: SealOptions, message: string): Pick<SealedCallback, 'encrypt' | 'query'> {
  const key = parseEncodingAESKey(options.encodingAESKey);
  const encrypt = encryptMessage(key, message, options.receiveId, options.random);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomInt(100_000_000, 10_000_000_000));
  const msg_signature = computeSignature(options.token, timestamp, nonce, encrypt);
  return { encrypt, query: { msg_signature, timestamp, nonce } };
}

/** Wraps text in CDATA; a `]]>` inside is split across two sections so the XML stays well-formed. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
