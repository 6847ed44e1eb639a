import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WecomRelayError } from '../errors.js';
import { pkcs7Pad32, pkcs7Unpad32 } from './pkcs7-32.js';

/** What one WeCom ciphertext carries once decrypted (doc 91144). */
export interface DecryptedMessage {
  /** The message: XML or JSON for callbacks, the echo string for URL verification. */
  readonly message: string;
  /**
   * The receiveid WeCom sealed in: a suite id, a corpid, or `''` for individual-entity apps. Compare it
   * exactly; encrypted corpids are case-sensitive.
   */
  readonly receiveId: string;
  /** The 16 random bytes that lead the plaintext; re-encrypting with them reproduces the ciphertext. */
  readonly random: Buffer;
}

/** Canonical standard base64: no whitespace, no url-safe characters, `=` only as final padding. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** random(16) | msg_len(4). */
const HEADER_LENGTH = 20;
const RANDOM_LENGTH = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decrypts a WeCom `Encrypt` field or `echostr`: AES-256-CBC with IV = key[0..16], 32-byte PKCS#7
 * padding, plaintext `random(16) | msg_len(4, big-endian) | msg | receiveid`.
 *
 * The receiveid is returned, not checked: which values to accept is the receiver's policy.
 *
 * @param key - The 32-byte key from `parseEncodingAESKey` (./key.ts).
 * @param encrypt - The base64 ciphertext, already URL-decoded.
 * @returns The message, the receiveid and the random prefix.
 * @throws WecomRelayError (status 400) and nothing else for any `encrypt` string:
 *   `ERR_WECOM_BAD_BASE64` when it is not canonical standard base64;
 *   `ERR_WECOM_BAD_LENGTH` when the ciphertext is not a multiple of 16 bytes of at least 32, or the
 *   embedded length does not fit; `ERR_WECOM_BAD_PADDING` when the padding is invalid;
 *   `ERR_WECOM_MALFORMED_MESSAGE` when the message or receiveid is not valid UTF-8.
 * @throws TypeError when `key` is not a 32-byte Buffer (a developer mistake).
 */
export function decryptMessage(key: Buffer, encrypt: string): DecryptedMessage {
  assertKey(key);
  const ciphertext = decodeBase64(encrypt);
  if (ciphertext.length < 32 || ciphertext.length % 16 !== 0) {
    throw new WecomRelayError('ERR_WECOM_BAD_LENGTH', {
      message: `the ciphertext is ${ciphertext.length} bytes; expected a multiple of 16 of at least 32`,
    });
  }
  const plaintext = pkcs7Unpad32(decryptBlocks(key, ciphertext));
  if (plaintext.length < HEADER_LENGTH) {
    throw new WecomRelayError('ERR_WECOM_BAD_LENGTH', { message: 'the decrypted plaintext is shorter than its 20-byte header' });
  }
  const messageLength = plaintext.readUInt32BE(RANDOM_LENGTH);
  if (messageLength > plaintext.length - HEADER_LENGTH) {
    throw new WecomRelayError('ERR_WECOM_BAD_LENGTH', { message: 'the embedded message length exceeds the decrypted plaintext' });
  }
  const messageEnd = HEADER_LENGTH + messageLength;
  return {
    message: decodeUtf8(plaintext.subarray(HEADER_LENGTH, messageEnd)),
    receiveId: decodeUtf8(plaintext.subarray(messageEnd)),
    random: Buffer.from(plaintext.subarray(0, RANDOM_LENGTH)),
  };
}

/**
 * Encrypts a message the way WeCom does; the inverse of {@link decryptMessage}.
 *
 * @param key - The 32-byte key from `parseEncodingAESKey` (./key.ts).
 * @param message - The message to seal (its UTF-8 byte length goes into msg_len).
 * @param receiveId - The receiveid to seal in; may be `''`.
 * @param random - The 16-byte random prefix; defaults to 16 bytes from `crypto.randomBytes`. Pass it to
 *   reproduce a known ciphertext.
 * @returns The base64 ciphertext.
 * @throws TypeError when `key` is not 32 bytes or `random` is not 16 bytes.
 */
export function encryptMessage(key: Buffer, message: string, receiveId: string, random: Buffer = randomBytes(RANDOM_LENGTH)): string {
  assertKey(key);
  if (!Buffer.isBuffer(random) || random.length !== RANDOM_LENGTH) {
    throw new TypeError(`Expected \`random\` to be a 16-byte Buffer, got ${Buffer.isBuffer(random) ? `${random.length} bytes` : typeof random}`);
  }
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plaintext = pkcs7Pad32(Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new TypeError(`Expected \`key\` to be a 32-byte Buffer, got ${Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key}`);
  }
}

function decodeBase64(encrypt: string): Buffer {
  // Node's decoder skips foreign characters silently, so the strict shape is checked first, then
  // the round trip rejects non-zero spare bits (`QR==` decodes like `QQ==`).
  if (typeof encrypt !== 'string' || !BASE64.test(encrypt)) {
    throw new WecomRelayError('ERR_WECOM_BAD_BASE64');
  }
  const decoded = Buffer.from(encrypt, 'base64');
  if (decoded.toString('base64') !== encrypt) {
    throw new WecomRelayError('ERR_WECOM_BAD_BASE64', { message: 'Encrypt / echostr is not canonical base64' });
  }
  return decoded;
}

function decryptBlocks(key: Buffer, ciphertext: Buffer): Buffer {
  try {
    const aes = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    // WeCom's padding is 32-byte PKCS#7; Node's 16-byte auto padding would reject pads above 16.
    aes.setAutoPadding(false);
    return Buffer.concat([aes.update(ciphertext), aes.final()]);
  } catch (error) {
    // Unreachable after the length check; mapped so no OpenSSL error can ever escape as a 500.
    throw new WecomRelayError('ERR_WECOM_BAD_LENGTH', { message: 'AES-256-CBC rejected the ciphertext', cause: error });
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new WecomRelayError('ERR_WECOM_MALFORMED_MESSAGE', { message: 'the decrypted message or receiveid is not valid UTF-8', cause: error });
  }
}
