import { createDecipheriv } from 'node:crypto';
import t from 'tap';
import { decryptMessage, encryptMessage } from '../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { computeSignature, verifySignature } from '../../src/crypto/signature.js';
import {
  A2_POST, A3_JSON_POST, ALL_VECTORS, B2_POST, B3_JSON_POST, MALFORMED_JSON_PLAINTEXT, SIGNED_VECTORS, SUITE_FULL_PAD,
  type CipherVector,
} from '../fixtures/vectors.js';

/** Decrypts without removing any padding, to read the pad byte WeCom wrote. */
function rawPlaintext(vector: CipherVector): Buffer {
  const key = parseEncodingAESKey(vector.encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(vector.encrypt, 'base64'), decipher.final()]);
}

for (const [name, vector] of Object.entries(ALL_VECTORS)) {
  t.test(`${name} decrypts to its expected plaintext and receiveid`, async (t) => {
    const decrypted = decryptMessage(parseEncodingAESKey(vector.encodingAESKey), vector.encrypt);
    t.equal(decrypted.message, vector.plaintext, 'the plaintext matches byte for byte');
    t.equal(decrypted.receiveId, vector.receiveId, 'the receiveid matches exactly');
    t.equal(decrypted.random.length, 16, 'the random prefix is 16 bytes');
    if (vector.random !== undefined) {
      t.equal(decrypted.random.toString('latin1'), vector.random, 'the random prefix is the one the reference states');
    }
  });

  t.test(`${name} re-encrypted with its random reproduces the official ciphertext`, async (t) => {
    const key = parseEncodingAESKey(vector.encodingAESKey);
    const random = vector.random === undefined ? decryptMessage(key, vector.encrypt).random : Buffer.from(vector.random, 'latin1');
    t.equal(encryptMessage(key, vector.plaintext, vector.receiveId, random), vector.encrypt, 'the ciphertext is byte-equal');
  });

  if (vector.pad !== undefined) {
    const pad = vector.pad;
    t.test(`${name} carries a pad of ${pad}, which the 32-byte unpad removes`, async (t) => {
      const raw = rawPlaintext(vector);
      t.equal(raw.at(-1), pad, `the last decrypted byte is ${pad}`);
      t.equal(raw.length % 32, 0, 'the padded plaintext is a multiple of 32 bytes');
      const content = 20 + Buffer.byteLength(vector.plaintext) + Buffer.byteLength(vector.receiveId);
      t.equal(raw.length - pad, content, 'exactly the pad is stripped');
    });
  }
}

for (const [name, vector] of Object.entries(SIGNED_VECTORS)) {
  t.test(`${name} carries a valid msg_signature`, async (t) => {
    const { token, timestamp, nonce, encrypt, msgSignature } = vector;
    t.equal(computeSignature(token, timestamp, nonce, encrypt), msgSignature, 'the computed signature equals the official one');
    t.equal(verifySignature(msgSignature, token, timestamp, nonce, encrypt), true, 'verifySignature accepts it');
  });

  if (vector.body !== undefined) {
    const body = vector.body;
    t.test(`${name} has its Encrypt inside its body`, async (t) => {
      t.ok(body.includes(vector.encrypt), 'the body carries the ciphertext verbatim');
    });
  }
}

t.test('pads above 16 (A2: 30, B2: 22) and a whole 32-byte block decrypt, where Node\'s 16-byte padding fails', async (t) => {
  for (const vector of [A2_POST, B2_POST, SUITE_FULL_PAD]) {
    const key = parseEncodingAESKey(vector.encodingAESKey);
    t.equal(decryptMessage(key, vector.encrypt).message, vector.plaintext, `pad ${vector.pad} decrypts`);
    const autoPadding = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    t.throws(() => Buffer.concat([autoPadding.update(vector.encrypt, 'base64'), autoPadding.final()]), `Node's default padding rejects pad ${vector.pad}`);
  }
});

t.test('the A3 and B3 JSON samples decrypt to their malformed JSON plaintext', async (t) => {
  for (const vector of [A3_JSON_POST, B3_JSON_POST]) {
    const { message } = decryptMessage(parseEncodingAESKey(vector.encodingAESKey), vector.encrypt);
    t.equal(message, MALFORMED_JSON_PLAINTEXT, 'the plaintext is the sample\'s, typo included');
    t.throws(() => JSON.parse(message) as unknown, SyntaxError, 'it is not valid JSON');
  }
});

t.test('B3 seals a receiveid that differs from its outer ToUserName', async (t) => {
  const outer = JSON.parse(B3_JSON_POST.body ?? '{}') as { ToUserName?: string };
  const { receiveId } = decryptMessage(parseEncodingAESKey(B3_JSON_POST.encodingAESKey), B3_JSON_POST.encrypt);
  t.not(receiveId, outer.ToUserName, 'the signed receiveid is not the unsigned ToUserName');
  t.equal(receiveId, 'ww1436e0e65a779aee', 'the signed receiveid is set B\'s corpid');
});
