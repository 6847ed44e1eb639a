import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Computes WeCom's `msg_signature`: the lower-case hex SHA-1 of the token, timestamp, nonce and
 * ciphertext, sorted and concatenated (doc 91144). For URL-verification GETs `encrypt` is the
 * URL-decoded `echostr`.
 *
 * The sort is JavaScript's default (UTF-16 code units), as in the official `@wecom/crypto`; for the
 * ASCII values WeCom sends this equals the byte order the PHP, Go and Python samples use.
 *
 * @param token - The callback Token configured in the WeCom console.
 * @param timestamp - The `timestamp` query parameter, as received.
 * @param nonce - The `nonce` query parameter, as received.
 * @param encrypt - The `Encrypt` field of the body, or the `echostr` query parameter.
 * @returns 40 lower-case hex characters.
 */
export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/**
 * Checks a received `msg_signature` in constant time.
 *
 * The comparison is exact: WeCom always sends lower-case hex, so an upper-case signature is a
 * mismatch. A signature of the wrong length returns `false` without throwing.
 *
 * @param signature - The `msg_signature` query parameter, as received.
 * @param token - The callback Token configured in the WeCom console.
 * @param timestamp - The `timestamp` query parameter, as received.
 * @param nonce - The `nonce` query parameter, as received.
 * @param encrypt - The `Encrypt` field of the body, or the `echostr` query parameter.
 * @returns `true` when the signature matches.
 */
export function verifySignature(signature: string, token: string, timestamp: string, nonce: string, encrypt: string): boolean {
  const expected = Buffer.from(computeSignature(token, timestamp, nonce, encrypt), 'latin1');
  const received = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a signature is not a secret.
  return received.length === expected.length && timingSafeEqual(received, expected);
}
