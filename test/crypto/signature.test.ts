import t from 'tap';
import { computeSignature, verifySignature } from '../../src/crypto/signature.js';
import { A1_VERIFY, A2_POST } from '../fixtures/vectors.js';

const { token, timestamp, nonce, encrypt, msgSignature } = A2_POST;

t.test('the signature is the SHA-1 of the sorted, concatenated inputs', async (t) => {
  t.equal(computeSignature(token, timestamp, nonce, encrypt), msgSignature, 'A2 signs to its official msg_signature');
  t.equal(computeSignature(nonce, encrypt, token, timestamp), msgSignature, 'argument order does not matter');
  t.match(computeSignature('', '', '', ''), /^[0-9a-f]{40}$/, 'the digest is 40 lower-case hex characters');
});

t.test('a GET signs the URL-decoded echostr', async (t) => {
  t.equal(computeSignature(A1_VERIFY.token, A1_VERIFY.timestamp, A1_VERIFY.nonce, A1_VERIFY.encrypt), A1_VERIFY.msgSignature, 'A1 matches');
});

t.test('verifySignature accepts the official signature', async (t) => {
  t.equal(verifySignature(msgSignature, token, timestamp, nonce, encrypt), true, 'A2 verifies');
});

t.test('verifySignature rejects any change to a signed input', async (t) => {
  t.equal(verifySignature(msgSignature, 'wrong-token', timestamp, nonce, encrypt), false, 'a wrong token fails');
  t.equal(verifySignature(msgSignature, token, '1409659814', nonce, encrypt), false, 'another timestamp fails');
  t.equal(verifySignature(msgSignature, token, timestamp, '1372623150', encrypt), false, 'another nonce fails');
  t.equal(verifySignature(msgSignature, token, timestamp, nonce, `${encrypt.slice(1)}A`), false, 'another ciphertext fails');
});

t.test('verifySignature compares exactly and never throws on a malformed signature', async (t) => {
  t.equal(verifySignature(msgSignature.toUpperCase(), token, timestamp, nonce, encrypt), false, 'upper-case hex is a mismatch');
  t.equal(verifySignature(msgSignature.slice(0, 39), token, timestamp, nonce, encrypt), false, 'a short signature is false');
  t.equal(verifySignature(`${msgSignature}0`, token, timestamp, nonce, encrypt), false, 'a long signature is false');
  t.equal(verifySignature('', token, timestamp, nonce, encrypt), false, 'an empty signature is false');
  t.equal(verifySignature(`${msgSignature.slice(0, 39)}é`, token, timestamp, nonce, encrypt), false, '40 characters but 41 bytes is false');
});
