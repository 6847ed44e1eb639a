import t from 'tap';
import { pkcs7Pad32, pkcs7Unpad32 } from '../../src/crypto/pkcs7-32.js';

const badPadding = { name: 'WecomRelayError', code: 'ERR_WECOM_BAD_PADDING', status: 400 };

t.test('padding reaches a multiple of 32 with a pad value of 1..32', async (t) => {
  for (let length = 0; length <= 96; length++) {
    const padded = pkcs7Pad32(Buffer.alloc(length, 0x61));
    const pad = 32 - (length % 32);
    t.equal(padded.length, length + pad, `${length} bytes pad to ${length + pad}`);
    t.ok(padded.subarray(length).every((byte) => byte === pad), `${length} bytes end in ${pad} × ${pad}`);
    t.same(pkcs7Unpad32(padded), Buffer.alloc(length, 0x61), `${length} bytes round-trip`);
  }
});

t.test('a last byte of 0 or above 32 is ERR_WECOM_BAD_PADDING', async (t) => {
  for (const pad of [0, 33, 255]) {
    t.throws(() => pkcs7Unpad32(Buffer.alloc(64, pad)), badPadding, `pad byte ${pad} is rejected`);
  }
});

t.test('a pad longer than the data is ERR_WECOM_BAD_PADDING', async (t) => {
  t.throws(() => pkcs7Unpad32(Buffer.alloc(5, 6)), badPadding, 'pad 6 on 5 bytes is rejected');
  t.throws(() => pkcs7Unpad32(Buffer.alloc(0)), badPadding, 'empty data is rejected');
});

t.test('pad bytes that are not all equal are ERR_WECOM_BAD_PADDING', async (t) => {
  const data = Buffer.alloc(64, 4);
  data[60] = 3;
  t.throws(() => pkcs7Unpad32(data), badPadding, 'the first of four pad bytes differs');
  const full = Buffer.alloc(64, 32);
  full[32] = 31;
  t.throws(() => pkcs7Unpad32(full), badPadding, 'the first byte of a full 32-byte pad differs');
});

t.test('unpadding a full 32-byte pad removes a whole block', async (t) => {
  t.equal(pkcs7Unpad32(Buffer.alloc(64, 32)).length, 32, '64 bytes of 0x20 leave 32');
});
