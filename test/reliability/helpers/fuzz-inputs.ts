import fc from 'fast-check';
import { encryptMessage } from '../../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../../src/crypto/key.js';
import { sealCallback, sealEchostr } from '../../../src/crypto/seal-callback.js';
import { computeSignature } from '../../../src/crypto/signature.js';
import type { CallbackFields } from '../../../src/xml/fields.js';
import { buildXml } from '../../../src/xml/build-xml.js';

/**
 * fast-check arbitraries for fuzzing the receiver core. Keys and clock are fixed so a seed reproduces a
 * case exactly. `scripts/fuzz.js` builds the same kinds of input for its 100,000-input run.
 */

export const FUZZ_SUITE = 'ww917724cb573d8629';
export const FUZZ_KEYS = { token: 'fuzzToken0123456789', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' } as const;
export const FUZZ_KEY = parseEncodingAESKey(FUZZ_KEYS.encodingAESKey);
/** The receiver's clock during fuzzing (2025-06-15), in ms. */
export const FUZZ_NOW = 1_750_000_000_000;
const TIMESTAMP = String(Math.floor(FUZZ_NOW / 1000));

/** One request to the receiver core. `expect` says what a correct receiver must answer, when that is known. */
export interface FuzzRequest {
  readonly method: string;
  readonly endpoint: 'data' | 'command';
  readonly query: string;
  readonly body: string;
  /** `store`: a valid callback, must be 200 and stored with exactly `plaintext`; `echo`: a valid GET. */
  readonly expect?: { readonly kind: 'store'; readonly plaintext: string; readonly fields: CallbackFields } | { readonly kind: 'echo'; readonly echo: string };
}

/** Characters XML 1.0 cannot carry, and `\r` (read back as `\n`): excluded where a round trip is asserted. */
const NOT_XML_SAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\r\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/).filter((n) => n !== 'Item');
const safeValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[0-9]{1,20}$/),
  fc.constantFrom('', ' ', '  padded  ', ']]>', 'a]]>b]]>', '<xml>', '&amp;', '&#x41;', '\n', '\t', '中文 ✓ 👍', '<![CDATA[x]]>'),
).filter((s) => !NOT_XML_SAFE.test(s));

/** Flat callback fields whose values survive buildXml → parse exactly. */
export const safeFields: fc.Arbitrary<CallbackFields> = fc.dictionary(fieldName, safeValue, { maxKeys: 8 })
  .map((fields) => ({ SuiteId: FUZZ_SUITE, InfoType: 'fuzz', ...fields }));

const xmlNode: fc.Arbitrary<string> = fc.letrec<{ node: string; element: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ maxLength: 12 }).map((s) => `<![CDATA[${s}]]>`),
    fc.constantFrom('<!-- c -->', '<?pi x?>', '&amp;', '&lt;', '&#x41;', '&#0;', '&#xD800;', '&unknown;', '<!DOCTYPE x>', '<!ENTITY a "b">',
      ']]>', '<', '>', '&', '<a', '</a>', '<a/>', '<Item/>', '\u0000', '\uFEFF', '<![CDATA[', '<!-- ', '<?', '<!x>'),
    tie('element'),
  ),
  element: fc.tuple(
    fc.constantFrom('xml', 'Encrypt', 'ToUserName', 'AgentID', 'a', 'Item', '__proto__', 'constructor', 'toString', 'x:y', 'b c'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.constantFrom('', ' a="1"', " b='<'", ' c="&amp;"', ' d'),
  ).map(([name, kids, attributes]) => `<${name}${attributes}>${kids.join('')}</${name}>`),
})).node;

/** XML-like text: real structure with hostile pieces mixed in (DTD fragments, bad references, unbalanced tags). */
export const xmlish: fc.Arbitrary<string> = fc.oneof(
  xmlNode,
  fc.array(xmlNode, { maxLength: 4 }).map((parts) => `<xml>${parts.join('')}</xml>`),
  fc.tuple(fc.constantFrom('', '\uFEFF', '  \n', '<?xml version="1.0"?>'), xmlNode).map(([prefix, node]) => prefix + node),
);

/** JSON-like text, including deep and hostile shapes. */
export const jsonish: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 3 }).map((j) => `{"encrypt":${j},"tousername":${j}}`),
  fc.integer({ min: 1, max: 2000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 2000 }).map((n) => `{"encrypt":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.constantFrom('{"__proto__":{"polluted":1},"encrypt":"x"}', '{"constructor":{"prototype":{"x":1}}}', '{"encrypt":12345678901234567890}', '{'),
);

const sealedBase = fc.record({
  fields: safeFields,
  random: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  nonce: fc.stringMatching(/^[0-9]{9,10}$/),
  format: fc.constantFrom<'xml' | 'json'>('xml', 'xml', 'json'),
});

function queryOf(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return query.toString();
}

/** Valid callbacks with arbitrary (round-trippable) fields: each must be acked and stored exactly. */
export const validCallback: fc.Arbitrary<FuzzRequest> = sealedBase.map(({ fields, random, nonce, format }) => {
  const plaintext = buildXml(fields);
  const sealed = sealCallback({ ...FUZZ_KEYS, receiveId: FUZZ_SUITE, plaintext, random: Buffer.from(random), nonce, timestamp: TIMESTAMP, format });
  return { method: 'POST', endpoint: 'command', query: queryOf(sealed.query), body: sealed.body, expect: { kind: 'store', plaintext, fields } };
});

type Mutation = (base: { query: Record<string, string>; body: string; encrypt: string }) => { method?: string; query: Record<string, string | undefined>; body: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([i, s]): Mutation => (b) => {
    const at = b.body.length === 0 ? 0 : i % b.body.length;
    return { query: b.query, body: b.body.slice(0, at) + s + b.body.slice(at + 1) };
  }),
  fc.nat().map((i): Mutation => (b) => ({ query: b.query, body: b.body.slice(0, i % (b.body.length + 1)) })),
  fc.tuple(fc.constantFrom('msg_signature', 'timestamp', 'nonce'), fc.option(fc.string({ maxLength: 50 }))).map(([key, value]): Mutation => (b) =>
    ({ query: { ...b.query, [key]: value ?? undefined }, body: b.body })),
  fc.oneof(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9+/]{0,120}={0,2}$/)).map((encrypt): Mutation => (b) => ({
    // A valid signature over a hostile ciphertext reaches base64, length and padding checks.
    query: { ...b.query, msg_signature: computeSignature(FUZZ_KEYS.token, b.query['timestamp']!, b.query['nonce']!, encrypt) },
    body: b.body.replace(b.encrypt, encrypt),
  })),
  fc.oneof(xmlish, jsonish, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 })).map((body): Mutation => (b) => ({ query: b.query, body })),
  fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', '').map((method): Mutation => (b) => ({ method, query: b.query, body: b.body })),
  fc.string({ maxLength: 200 }).map((raw): Mutation => () => ({ query: {}, body: raw })),
);

/** A valid callback with one mutation: anything but 5xx is acceptable, and 200 only if it was stored. */
export const mutatedCallback: fc.Arbitrary<FuzzRequest> = fc.tuple(sealedBase, mutation, fc.constantFrom<'data' | 'command'>('command', 'data')).map(([base, mutate, endpoint]) => {
  const plaintext = buildXml(base.fields);
  const sealed = sealCallback({ ...FUZZ_KEYS, receiveId: FUZZ_SUITE, plaintext, random: Buffer.from(base.random), nonce: base.nonce, timestamp: TIMESTAMP, format: base.format });
  const out = mutate({ query: { ...sealed.query }, body: sealed.body, encrypt: sealed.encrypt });
  return { method: out.method ?? 'POST', endpoint, query: queryOf(out.query), body: out.body };
});

/** Validly signed and encrypted, but the plaintext is hostile: XML-ish, JSON-ish or raw; any receiveid. */
export const hostilePlaintext: fc.Arbitrary<FuzzRequest> = fc.tuple(
  fc.oneof(xmlish, jsonish, fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 })),
  fc.oneof(fc.constant(FUZZ_SUITE), fc.string({ maxLength: 20 }), fc.constant('')),
  fc.stringMatching(/^[0-9]{9,10}$/),
  fc.constantFrom<'data' | 'command'>('command', 'data'),
).map(([plaintext, receiveId, nonce, endpoint]) => {
  const encrypt = encryptMessage(FUZZ_KEY, plaintext, receiveId, Buffer.alloc(16, 7));
  const query = { msg_signature: computeSignature(FUZZ_KEYS.token, TIMESTAMP, nonce, encrypt), timestamp: TIMESTAMP, nonce };
  return { method: 'POST', endpoint, query: queryOf(query), body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
});

/** URL-verification GETs: valid ones must echo exactly; mutated ones must be 4xx. */
export const verification: fc.Arbitrary<FuzzRequest> = fc.tuple(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.stringMatching(/^[0-9]{9,10}$/),
  fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(' ', '+', '%2B', '=='))),
).map(([echo, nonce, tamper]) => {
  const e = sealEchostr({ ...FUZZ_KEYS, receiveId: FUZZ_SUITE, echo, nonce, timestamp: TIMESTAMP });
  const echostr = tamper === null ? e.echostr : e.echostr.slice(0, 10) + tamper + e.echostr.slice(10);
  return {
    method: 'GET', endpoint: 'data', body: '',
    query: queryOf({ msg_signature: e.msg_signature, timestamp: e.timestamp, nonce: e.nonce, echostr }),
    ...(tamper === null ? { expect: { kind: 'echo' as const, echo } } : {}),
  };
});

/** Every kind, weighted towards the hostile ones. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { arbitrary: mutatedCallback, weight: 5 },
  { arbitrary: hostilePlaintext, weight: 3 },
  { arbitrary: verification, weight: 1 },
  { arbitrary: validCallback, weight: 1 },
);
