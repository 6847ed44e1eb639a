/**
 * The 43 base64 characters WeCom shows as "EncodingAESKey" (doc 91144). WeCom generates the last
 * character freely, so its two low bits are usually non-zero: every official sample key is
 * non-canonical base64 (`…B2C`, `…hUt`, `…EFG`). We therefore check the alphabet and the decoded
 * length, never that the key re-encodes to itself.
 */
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/**
 * Decodes a WeCom EncodingAESKey into the 32-byte AES-256 key (`base64Decode(encodingAESKey + '=')`).
 * The IV WeCom uses is the first 16 bytes of this key.
 *
 * @param encodingAESKey - The 43-character key from the WeCom console.
 * @returns The 32-byte key.
 * @throws TypeError when the key is not 43 characters of the standard base64 alphabet. The message
 *   gives the length only, never the key itself.
 */
export function parseEncodingAESKey(encodingAESKey: string): Buffer {
  if (typeof encodingAESKey !== 'string') {
    throw new TypeError(`Expected \`encodingAESKey\` to be exactly 43 base64 characters, got ${describe(encodingAESKey)}`);
  }
  if (!ENCODING_AES_KEY.test(encodingAESKey)) {
    const detail = encodingAESKey.length === 43 ? 'characters outside the base64 alphabet' : `${encodingAESKey.length} characters`;
    throw new TypeError(`Expected \`encodingAESKey\` to be exactly 43 base64 characters, got ${detail}`);
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  // Unreachable for 43 alphabet characters (43 × 6 bits = 32 bytes + 2 spare bits); kept as the invariant.
  if (key.length !== 32) {
    throw new TypeError(`Expected \`encodingAESKey\` to decode to 32 bytes, got ${key.length} bytes`);
  }
  return key;
}

function describe(value: unknown): string {
  return value === null ? 'null' : `${typeof value}`;
}
