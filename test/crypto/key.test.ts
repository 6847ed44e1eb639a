import t from 'tap';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { MP_VECTOR, SET_A, SET_B } from '../fixtures/vectors.js';

t.test('every official EncodingAESKey decodes to 32 bytes, though none is canonical base64', async (t) => {
  for (const encodingAESKey of [SET_A.encodingAESKey, SET_B.encodingAESKey, MP_VECTOR.encodingAESKey]) {
    const key = parseEncodingAESKey(encodingAESKey);
    t.equal(key.length, 32, `${encodingAESKey.slice(0, 4)}… decodes to 32 bytes`);
    t.not(key.toString('base64'), `${encodingAESKey}=`, `${encodingAESKey.slice(0, 4)}… has non-zero spare bits`);
  }
});

t.test('the key is base64Decode(encodingAESKey + "=")', async (t) => {
  t.same(parseEncodingAESKey(SET_A.encodingAESKey), Buffer.from(`${SET_A.encodingAESKey}=`, 'base64'), 'the bytes match');
});

t.test('a key of the wrong length is a TypeError naming the length, not the key', async (t) => {
  for (const encodingAESKey of [SET_A.encodingAESKey.slice(0, 42), `${SET_A.encodingAESKey}A`, `${SET_A.encodingAESKey}=`, '', 'abcdefghijkl']) {
    t.throws(() => parseEncodingAESKey(encodingAESKey), {
      name: 'TypeError',
      message: `Expected \`encodingAESKey\` to be exactly 43 base64 characters, got ${encodingAESKey.length} characters`,
    }, `${encodingAESKey.length} characters are rejected`);
  }
});

t.test('a key with characters outside the standard alphabet is a TypeError without the key', async (t) => {
  for (const bad of ['-', '_', ' ', '=', '中']) {
    const encodingAESKey = `${bad}${SET_A.encodingAESKey.slice(1)}`;
    const error = t.throws(() => parseEncodingAESKey(encodingAESKey), TypeError, `${JSON.stringify(bad)} is rejected`);
    t.notMatch(String((error as Error | undefined)?.message), SET_A.encodingAESKey.slice(1, 20), 'the message does not contain the key');
  }
});

t.test('a key that is not a string is a TypeError', async (t) => {
  t.throws(() => parseEncodingAESKey(undefined as unknown as string), TypeError, 'undefined is rejected');
  t.throws(() => parseEncodingAESKey(42 as unknown as string), TypeError, 'a number is rejected');
});
