import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import { decryptMessage, encryptMessage } from '../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { verifySignature } from '../../src/crypto/signature.js';
import { WecomRelayError, type ErrorCode } from '../../src/errors.js';
import { A2_POST, SET_A } from '../fixtures/vectors.js';

const key = parseEncodingAESKey(SET_A.encodingAESKey);
const CRYPTO_CODES: readonly ErrorCode[] = ['ERR_WECOM_BAD_BASE64', 'ERR_WECOM_BAD_LENGTH', 'ERR_WECOM_BAD_PADDING', 'ERR_WECOM_MALFORMED_MESSAGE'];

/** The pattern of the error decryptMessage throws for `code`. */
const rejected = (code: ErrorCode) => ({ name: 'WecomRelayError', code, status: 400 });

/** Encrypts a crafted plaintext as is: no padding added, so the test controls every byte. */
function sealRaw(plaintext: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

/** random(16) | msg_len | msg | receiveid | pad, with msg_len and the pad bytes overridable. */
function craft(options: { message?: Buffer; receiveId?: Buffer; messageLength?: number; pad?: (padLength: number) => Buffer }): Buffer {
  const message = options.message ?? Buffer.from('hello');
  const receiveId = options.receiveId ?? Buffer.from(SET_A.receiveId);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(options.messageLength ?? message.length);
  const content = Buffer.concat([Buffer.alloc(16, 0x61), length, message, receiveId]);
  const padLength = 32 - (content.length % 32);
  return Buffer.concat([content, options.pad?.(padLength) ?? Buffer.alloc(padLength, padLength)]);
}

/** Flips bits of one ciphertext byte of A2. */
function flip(index: number, mask: number): string {
  const bytes = Buffer.from(A2_POST.encrypt, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ mask;
  return bytes.toString('base64');
}

t.test('the crafting helper itself produces a ciphertext that decrypts', async (t) => {
  t.same(decryptMessage(key, sealRaw(craft({}))).message, 'hello', 'a well-formed crafted plaintext decrypts');
});

t.test('a wrong token fails verification', async (t) => {
  const { msgSignature, timestamp, nonce, encrypt } = A2_POST;
  t.equal(verifySignature(msgSignature, `${SET_A.token}x`, timestamp, nonce, encrypt), false, 'the signature does not verify');
});

t.test('a flipped ciphertext byte is rejected with the code of what it breaks', async (t) => {
  // CBC: flipping ciphertext byte i flips plaintext byte i + 16 and garbles block ⌊i/16⌋.
  t.throws(() => decryptMessage(key, flip(0, 0x01)), rejected('ERR_WECOM_BAD_LENGTH'), 'byte 0 flips msg_len\'s top byte');
  t.throws(() => decryptMessage(key, flip(4, 0x80)), rejected('ERR_WECOM_MALFORMED_MESSAGE'), 'byte 4 turns the leading "<" into a stray 0xBC');
  const last = Buffer.from(A2_POST.encrypt, 'base64').length - 1;
  t.throws(() => decryptMessage(key, flip(last, 0x01)), rejected('ERR_WECOM_BAD_PADDING'), 'the last byte garbles the pad block');
});

t.test('every single-bit flip of A2 either decrypts to something else or throws a 400 WecomRelayError', async (t) => {
  const length = Buffer.from(A2_POST.encrypt, 'base64').length;
  let unexpected = 0;
  for (let index = 0; index < length; index++) {
    try {
      if (decryptMessage(key, flip(index, 0x01)).message === A2_POST.plaintext) unexpected++;
    } catch (error) {
      if (!(error instanceof WecomRelayError) || !CRYPTO_CODES.includes(error.code)) unexpected++;
    }
  }
  t.equal(unexpected, 0, `all ${length} flips are caught or change the message`);
});

t.test('a pad byte of 0 or 33 is ERR_WECOM_BAD_PADDING', async (t) => {
  for (const value of [0, 33]) {
    const ciphertext = sealRaw(craft({ pad: (padLength) => Buffer.alloc(padLength, value) }));
    t.throws(() => decryptMessage(key, ciphertext), rejected('ERR_WECOM_BAD_PADDING'), `pad byte ${value} is rejected`);
  }
});

t.test('pad bytes that are not all equal are ERR_WECOM_BAD_PADDING', async (t) => {
  const uneven = (padLength: number) => Buffer.concat([Buffer.alloc(padLength - 1, padLength + 1), Buffer.of(padLength)]);
  t.throws(() => decryptMessage(key, sealRaw(craft({ pad: uneven }))), rejected('ERR_WECOM_BAD_PADDING'), 'the uneven pad is rejected');
});

t.test('a length field larger than the plaintext is ERR_WECOM_BAD_LENGTH', async (t) => {
  const tooLong = 5 + SET_A.receiveId.length + 1;
  t.throws(() => decryptMessage(key, sealRaw(craft({ messageLength: tooLong }))), rejected('ERR_WECOM_BAD_LENGTH'), 'one byte too many is rejected');
  t.throws(() => decryptMessage(key, sealRaw(craft({ messageLength: 0xffff_ffff }))), rejected('ERR_WECOM_BAD_LENGTH'), '2³²−1 is rejected');
  const whole = decryptMessage(key, sealRaw(craft({ messageLength: tooLong - 1 })));
  t.same({ message: whole.message, receiveId: whole.receiveId }, { message: `hello${SET_A.receiveId}`, receiveId: '' }, 'a length that uses every byte leaves an empty receiveid');
});

t.test('a plaintext shorter than its 20-byte header is ERR_WECOM_BAD_LENGTH', async (t) => {
  t.throws(() => decryptMessage(key, sealRaw(Buffer.alloc(32, 32))), rejected('ERR_WECOM_BAD_LENGTH'), 'a lone pad block is rejected');
  t.throws(() => decryptMessage(key, sealRaw(Buffer.alloc(32, 13))), rejected('ERR_WECOM_BAD_LENGTH'), '19 bytes are rejected');
});

t.test('anything but canonical standard base64 is ERR_WECOM_BAD_BASE64', async (t) => {
  const valid = A2_POST.encrypt;
  const cases: Record<string, string> = {
    'a character outside the alphabet': `*${valid.slice(1)}`,
    'url-safe "-"': valid.replaceAll('+', '-'),
    'url-safe "_"': valid.replaceAll('/', '_'),
    'a space': `${valid.slice(0, 10)} ${valid.slice(10)}`,
    'a space where "+" was (unencoded query)': valid.replaceAll('+', ' '),
    'a trailing newline': `${valid}\n`,
    'a missing "=" padding': valid.slice(0, -1),
    'a length not a multiple of 4': `${valid}AAA`,
    'padding in the middle': `${valid.slice(0, 8)}==${valid.slice(10)}`,
    'non-zero spare bits before "="': `${valid.slice(0, -3)}R==`,
  };
  for (const [name, encrypt] of Object.entries(cases)) {
    t.throws(() => decryptMessage(key, encrypt), rejected('ERR_WECOM_BAD_BASE64'), `${name} is rejected`);
  }
});

t.test('a ciphertext that is not a multiple of 16 bytes, or under 32, is ERR_WECOM_BAD_LENGTH', async (t) => {
  for (const length of [1, 15, 16, 17, 31, 33, 47, 1000]) {
    t.throws(() => decryptMessage(key, Buffer.alloc(length).toString('base64')), rejected('ERR_WECOM_BAD_LENGTH'), `${length} bytes are rejected`);
  }
});

t.test('an empty string is ERR_WECOM_BAD_LENGTH', async (t) => {
  t.throws(() => decryptMessage(key, ''), rejected('ERR_WECOM_BAD_LENGTH'), 'the empty ciphertext is rejected');
});

t.test('invalid UTF-8 in the message or the receiveid is ERR_WECOM_MALFORMED_MESSAGE', async (t) => {
  const invalid = Buffer.of(0x68, 0xc3, 0x28);
  t.throws(() => decryptMessage(key, sealRaw(craft({ message: invalid }))), rejected('ERR_WECOM_MALFORMED_MESSAGE'), 'the message is rejected');
  t.throws(() => decryptMessage(key, sealRaw(craft({ receiveId: Buffer.of(0xed, 0xa0, 0x80) }))), rejected('ERR_WECOM_MALFORMED_MESSAGE'), 'an encoded surrogate receiveid is rejected');
  t.throws(() => decryptMessage(key, sealRaw(craft({ message: Buffer.of(0xe4, 0xbd) }))), rejected('ERR_WECOM_MALFORMED_MESSAGE'), 'a character cut by msg_len is rejected');
});

t.test('a leading byte-order mark is kept, not stripped', async (t) => {
  t.equal(decryptMessage(key, encryptMessage(key, '\uFEFFhi', '')).message, '\uFEFFhi', 'the BOM survives the round trip');
});

t.test('developer mistakes are TypeErrors', async (t) => {
  for (const encodingAESKey of [SET_A.encodingAESKey.slice(0, 42), `${SET_A.encodingAESKey}A`]) {
    t.throws(() => parseEncodingAESKey(encodingAESKey), TypeError, `a ${encodingAESKey.length}-character key is rejected`);
  }
  t.throws(() => decryptMessage(Buffer.alloc(16), A2_POST.encrypt), TypeError, 'a 16-byte key is rejected by decryptMessage');
  t.throws(() => encryptMessage(Buffer.alloc(31), 'x', ''), TypeError, 'a 31-byte key is rejected by encryptMessage');
  t.throws(() => encryptMessage(key, 'x', '', Buffer.alloc(17)), TypeError, 'a 17-byte random is rejected');
});

t.test('decryptMessage on any string returns or throws a 400 WecomRelayError, never another error', async (t) => {
  const blocks = fc.integer({ min: 0, max: 12 }).chain((count) => fc.uint8Array({ minLength: count * 16, maxLength: count * 16 }));
  const input = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.base64String({ maxLength: 200 }),
    blocks.map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.nat({ max: 255 }).map((index) => flip(index % 256, 1 << (index % 8))),
  );
  const seen = new Set<string>();
  t.doesNotThrow(() => fc.assert(fc.property(input, (encrypt) => {
    try {
      decryptMessage(key, encrypt);
      seen.add('ok');
      return true;
    } catch (error) {
      if (error instanceof WecomRelayError && error.status === 400 && CRYPTO_CODES.includes(error.code)) {
        seen.add(error.code);
        return true;
      }
      return false;
    }
  }), { seed: 0xbad_c0de, numRuns: 2_000 }), '2,000 arbitrary strings are handled');
  t.same([...seen].sort(), ['ERR_WECOM_BAD_BASE64', 'ERR_WECOM_BAD_LENGTH', 'ERR_WECOM_BAD_PADDING', 'ERR_WECOM_MALFORMED_MESSAGE', 'ok'], 'the inputs reach every outcome');
});
