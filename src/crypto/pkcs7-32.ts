import { WecomRelayError } from '../errors.js';

/** WeCom pads to a multiple of 32 bytes, not the AES block size of 16 (doc 91144). */
const BLOCK_SIZE = 32;

/**
 * Appends PKCS#7 padding to a multiple of 32 bytes. The pad value is 1..32: data that is already a
 * multiple of 32 gains a whole block of 32 × `0x20`.
 *
 * @param data - The plaintext to pad.
 * @returns A new buffer whose length is a multiple of 32.
 */
export function pkcs7Pad32(data: Buffer): Buffer {
  const padLength = BLOCK_SIZE - (data.length % BLOCK_SIZE);
  return Buffer.concat([data, Buffer.alloc(padLength, padLength)]);
}

/**
 * Strips 32-byte PKCS#7 padding. Unlike `@wecom/crypto`, which returns the data unchanged on a bad pad,
 * every malformed pad is rejected.
 *
 * @param data - Decrypted data ending in padding.
 * @returns A view of `data` without the padding (no copy).
 * @throws WecomRelayError `ERR_WECOM_BAD_PADDING` when the last byte is 0 or greater than 32, is
 *   greater than the data length, or the pad bytes are not all equal.
 */
export function pkcs7Unpad32(data: Buffer): Buffer {
  const padLength = data.length === 0 ? 0 : (data[data.length - 1] ?? 0);
  if (padLength < 1 || padLength > BLOCK_SIZE || padLength > data.length) {
    throw new WecomRelayError('ERR_WECOM_BAD_PADDING');
  }
  // Check every pad byte without an early exit, so the time taken does not say which byte differs.
  let mismatch = 0;
  for (let index = data.length - padLength; index < data.length; index++) {
    mismatch |= (data[index] ?? 0) ^ padLength;
  }
  if (mismatch !== 0) {
    throw new WecomRelayError('ERR_WECOM_BAD_PADDING');
  }
  return data.subarray(0, data.length - padLength);
}
