import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import fc from 'fast-check';
import t from 'tap';
import { decryptMessage, encryptMessage } from '../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { computeSignature, verifySignature } from '../../src/crypto/signature.js';

/** Fixed seeds: a failure prints its counterexample and reproduces on every run. */
const SEED = 0x5eed_2024;
const RUNS = 1_000;

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const encodingAESKey = fc.string({ unit: fc.constantFrom(...BASE64_ALPHABET), minLength: 43, maxLength: 43 });
const cjk = fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code));
const emoji = fc.integer({ min: 0x1f300, max: 0x1faff }).map((code) => String.fromCodePoint(code));
/** ASCII, CJK (3 bytes), emoji (4 bytes, surrogate pairs) and any well-formed grapheme, 0..300 units long. */
const message = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc.string({ unit: cjk, maxLength: 120 }),
  fc.string({ unit: emoji, maxLength: 80 }),
  fc.string({ unit: fc.oneof(fc.constantFrom('a', '<', '\n'), cjk, emoji), maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);
const receiveId = fc.oneof(fc.constant(''), fc.stringMatching(/^w[wx][0-9a-f]{16}$/), fc.string({ unit: 'grapheme', maxLength: 40 }));
const random = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes));
const sample = fc.record({ encodingAESKey, message, receiveId, random });

/** The PKCS#7 pad WeCom adds to this sample. */
const padOf = (value: { message: string; receiveId: string }): number =>
  32 - ((20 + Buffer.byteLength(value.message) + Buffer.byteLength(value.receiveId)) % 32);

t.test('what we encrypt, @wecom/crypto decrypts, and our ciphertext equals its ciphertext', async (t) => {
  const pads = new Set<number>();
  t.doesNotThrow(() => fc.assert(fc.property(sample, (value) => {
    pads.add(padOf(value));
    const ours = encryptMessage(parseEncodingAESKey(value.encodingAESKey), value.message, value.receiveId, value.random);
    const theirs = decrypt(value.encodingAESKey, ours);
    return ours === encrypt(value.encodingAESKey, value.message, value.receiveId, value.random)
      && theirs.message === value.message && theirs.id === value.receiveId && theirs.random.equals(value.random);
  }), { seed: SEED, numRuns: RUNS }), `${RUNS} random samples agree`);
  t.equal(pads.size, 32, 'the samples span every pad size from 1 to 32');
});

t.test('what @wecom/crypto encrypts, we decrypt', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(sample, (value) => {
    const theirs = encrypt(value.encodingAESKey, value.message, value.receiveId, value.random);
    const ours = decryptMessage(parseEncodingAESKey(value.encodingAESKey), theirs);
    return ours.message === value.message && ours.receiveId === value.receiveId && ours.random.equals(value.random);
  }), { seed: SEED + 1, numRuns: RUNS }), `${RUNS} random samples agree`);
});

t.test('our signature equals @wecom/crypto\'s and verifies', async (t) => {
  const digits = fc.stringMatching(/^\d{1,12}$/);
  const base64 = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64'));
  const text = fc.string({ unit: 'grapheme', maxLength: 60 });
  const inputs = fc.tuple(fc.oneof(fc.string({ maxLength: 43 }), text), fc.oneof(digits, text), fc.oneof(digits, text), fc.oneof(base64, text));
  t.doesNotThrow(() => fc.assert(fc.property(inputs, ([token, timestamp, nonce, ciphertext]) => {
    const expected = getSignature(token, timestamp, nonce, ciphertext);
    return computeSignature(token, timestamp, nonce, ciphertext) === expected
      && verifySignature(expected, token, timestamp, nonce, ciphertext);
  }), { seed: SEED + 2, numRuns: RUNS }), `${RUNS} random signatures agree`);
});
