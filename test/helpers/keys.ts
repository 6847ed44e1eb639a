import { randomBytes } from 'node:crypto';

/** A fresh EncodingAESKey (43 base64 characters) and token, generated per test: no key is shared or committed. */
export function generateSuiteKeys(): { token: string; encodingAESKey: string } {
  return {
    token: randomBytes(12).toString('hex'),
    encodingAESKey: randomBytes(32).toString('base64').slice(0, 43),
  };
}
