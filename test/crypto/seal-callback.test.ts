import t from 'tap';
import { decryptMessage } from '../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { verifySignature } from '../../src/crypto/signature.js';
import { A1_VERIFY, A2_POST, A4_JSON_POST, B1_VERIFY, SET_A, SUITE_ID, SUITE_TICKET_PLAINTEXT } from '../fixtures/vectors.js';

const randomOf = (encodingAESKey: string, encrypt: string): Buffer => decryptMessage(parseEncodingAESKey(encodingAESKey), encrypt).random;

t.test('sealCallback reproduces the official A2 XML request byte for byte', async (t) => {
  const sealed = sealCallback({
    ...SET_A, plaintext: A2_POST.plaintext, timestamp: A2_POST.timestamp, nonce: A2_POST.nonce,
    random: Buffer.from(A2_POST.random ?? '', 'latin1'), agentId: '218',
  });
  t.equal(sealed.body, A2_POST.body, 'the body is byte-equal');
  t.equal(sealed.encrypt, A2_POST.encrypt, 'the ciphertext is byte-equal');
  t.same(sealed.query, { msg_signature: A2_POST.msgSignature, timestamp: A2_POST.timestamp, nonce: A2_POST.nonce }, 'the query matches');
});

t.test('sealCallback reproduces the official A4 JSON request byte for byte', async (t) => {
  const sealed = sealCallback({
    ...SET_A, plaintext: A4_JSON_POST.plaintext, timestamp: A4_JSON_POST.timestamp, nonce: A4_JSON_POST.nonce,
    random: randomOf(SET_A.encodingAESKey, A4_JSON_POST.encrypt), agentId: '218', format: 'json',
  });
  t.equal(sealed.body, A4_JSON_POST.body, 'the body is byte-equal');
  t.equal(sealed.query.msg_signature, A4_JSON_POST.msgSignature, 'the signature matches');
});

t.test('sealEchostr reproduces the official A1 and B1 verification queries', async (t) => {
  for (const vector of [A1_VERIFY, B1_VERIFY]) {
    const sealed = sealEchostr({
      token: vector.token, encodingAESKey: vector.encodingAESKey, receiveId: vector.receiveId, echo: vector.plaintext,
      timestamp: vector.timestamp, nonce: vector.nonce, random: Buffer.from(vector.random ?? '', 'latin1'),
    });
    t.same(sealed, {
      msg_signature: vector.msgSignature, timestamp: vector.timestamp, nonce: vector.nonce, echostr: vector.encrypt,
    }, `${vector.receiveId} matches`);
  }
});

t.test('a suite command callback omits AgentID and addresses the suite by default', async (t) => {
  const sealed = sealCallback({ ...SET_A, receiveId: SUITE_ID, plaintext: SUITE_TICKET_PLAINTEXT });
  t.match(sealed.body, /^<xml><ToUserName><!\[CDATA\[ww4asffe99e54c0fxxxx\]\]><\/ToUserName><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/, 'the envelope has no AgentID');
  const json = JSON.parse(sealCallback({ ...SET_A, receiveId: '', plaintext: '{}', toUserName: 'corp', format: 'json' }).body) as object;
  t.same(Object.keys(json), ['tousername', 'encrypt'], 'the JSON envelope has no agentid');
});

t.test('defaults produce a fresh, verifiable, decryptable callback', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const sealed = sealCallback({ ...SET_A, plaintext: 'hello' });
  const timestamp = Number(sealed.query.timestamp);
  t.ok(timestamp >= before && timestamp <= before + 1, 'the timestamp is the current unix second');
  t.match(sealed.query.nonce, /^[1-9]\d{8,9}$/, 'the nonce is 9 or 10 digits');
  t.equal(verifySignature(sealed.query.msg_signature, SET_A.token, sealed.query.timestamp, sealed.query.nonce, sealed.encrypt), true, 'the signature verifies');
  const decrypted = decryptMessage(parseEncodingAESKey(SET_A.encodingAESKey), sealed.encrypt);
  t.same({ message: decrypted.message, receiveId: decrypted.receiveId }, { message: 'hello', receiveId: SET_A.receiveId }, 'it decrypts back');
  t.not(sealCallback({ ...SET_A, plaintext: 'hello' }).encrypt, sealed.encrypt, 'each call draws a new random prefix');
});

t.test('an outer ToUserName containing "]]>" stays inside its CDATA', async (t) => {
  const { body } = sealCallback({ ...SET_A, plaintext: 'x', toUserName: 'a]]>b' });
  t.ok(body.startsWith('<xml><ToUserName><![CDATA[a]]]]><![CDATA[>b]]></ToUserName>'), 'the terminator is split');
});

t.test('a malformed key or random is a TypeError', async (t) => {
  t.throws(() => sealCallback({ ...SET_A, encodingAESKey: 'short', plaintext: 'x' }), TypeError, 'a short key is rejected');
  t.throws(() => sealEchostr({ ...SET_A, echo: 'x', random: Buffer.alloc(15) }), TypeError, 'a 15-byte random is rejected');
});
