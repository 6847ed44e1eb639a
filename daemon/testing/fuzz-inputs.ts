import fc from 'fast-check';
import { encryptMessage } from '../../src/crypto/cipher.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { computeSignature } from '../../src/crypto/signature.js';
import type { CallbackFields } from '../../src/xml/fields.js';
import { buildXml } from '../../src/xml/build-xml.js';

/**
 * fast-check arbitraries for fuzzing the crypto, the XML readers and the receiver core. Keys and clock
 * are fixed so a seed reproduces a case exactly. One source for both runs of docs/reliability.md: the
 * tap sample (`test/reliability/fuzz-sample.test.ts`, {@link SAMPLE_SCALE}) imports this file, and the
 * 100,000-input run (`scripts/fuzz.js`, {@link FULL_SCALE}) imports its build,
 * `dist/daemon/testing/fuzz-inputs.js`.
 *
 * Development only: nothing in the relay imports it, and it needs `fast-check`, a devDependency.
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

/** How large and how hostile the generated texts are: {@link SAMPLE_SCALE} or {@link FULL_SCALE}. */
export interface FuzzScale {
  /** Deepest nesting of the generated deep-JSON texts (and, with `bombs`, of the nested `<a>` elements). */
  readonly maxNesting: number;
  /**
   * Add XML bombs to the XML-like texts (elements nested up to `maxNesting`, DTDs declaring nested
   * entities), and let every whole-body and whole-plaintext replacement draw from every text family.
   */
  readonly bombs: boolean;
}

/** The tap sample run in `npm test`: a few thousand inputs, each quick. */
export const SAMPLE_SCALE: FuzzScale = Object.freeze({ maxNesting: 2000, bombs: false });

/** The big run of `scripts/fuzz.js`: deeper nesting and XML bombs. */
export const FULL_SCALE: FuzzScale = Object.freeze({ maxNesting: 5000, bombs: true });

/** Every generator, at one {@link FuzzScale}. */
export interface FuzzInputs {
  /** XML-like text: real structure with hostile pieces mixed in (DTD fragments, bad references, unbalanced tags). */
  readonly xmlish: fc.Arbitrary<string>;
  /** JSON-like text, including deep and hostile shapes. */
  readonly jsonish: fc.Arbitrary<string>;
  /** Any text: XML-like, JSON-like, arbitrary, binary and grapheme strings. */
  readonly anyText: fc.Arbitrary<string>;
  /** Valid callbacks with arbitrary (round-trippable) fields: each must be acked and stored exactly. */
  readonly validCallback: fc.Arbitrary<FuzzRequest>;
  /** A valid callback with one mutation: anything but 5xx is acceptable, and 200 only if it was stored. */
  readonly mutatedCallback: fc.Arbitrary<FuzzRequest>;
  /** Validly signed and encrypted, but the plaintext is hostile: XML-ish, JSON-ish or raw; any receiveid. */
  readonly hostilePlaintext: fc.Arbitrary<FuzzRequest>;
  /** URL-verification GETs: valid ones must echo exactly; mutated ones must be 4xx. */
  readonly verification: fc.Arbitrary<FuzzRequest>;
  /** Every request kind, weighted towards the hostile ones. */
  readonly anyRequest: fc.Arbitrary<FuzzRequest>;
  /**
   * Inputs for `decryptMessage`/`verifySignature`/`pkcs7Unpad32`: arbitrary strings, random block-aligned
   * bytes and real ciphertexts with one flipped bit (as base64), or a valid `{message, receiveId}` that
   * must round-trip.
   */
  readonly cryptoInput: fc.Arbitrary<string | { readonly valid: true; readonly message: string; readonly receiveId: string }>;
}

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

type Mutation = (base: { query: Record<string, string>; body: string; encrypt: string }) => { method?: string; query: Record<string, string | undefined>; body: string };

/**
 * Builds every generator at `scale`. The same scale and seed give the same inputs, so a case found by
 * either run reproduces from its seed.
 */
export function fuzzInputs(scale: FuzzScale = SAMPLE_SCALE): FuzzInputs {
  const nesting = fc.integer({ min: 1, max: scale.maxNesting });
  const xmlish = fc.oneof(
    xmlNode,
    fc.array(xmlNode, { maxLength: 4 }).map((parts) => `<xml>${parts.join('')}</xml>`),
    fc.tuple(fc.constantFrom('', '\uFEFF', '  \n', '<?xml version="1.0"?>'), xmlNode).map(([prefix, node]) => prefix + node),
    ...(scale.bombs
      ? [
        nesting.map((n) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`),
        fc.integer({ min: 1, max: 50 }).map((n) => `<!DOCTYPE l [<!ENTITY l "l">${'<!ENTITY m "&l;&l;">'.repeat(n)}]><xml>&m;</xml>`),
      ]
      : []),
  );
  const jsonish = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.json({ maxDepth: 3 }).map((j) => `{"encrypt":${j},"tousername":${j}}`),
    nesting.map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    nesting.map((n) => `{"encrypt":${'['.repeat(n)}${']'.repeat(n)}}`),
    fc.constantFrom('{"__proto__":{"polluted":1},"encrypt":"x"}', '{"constructor":{"prototype":{"x":1}}}', '{"encrypt":12345678901234567890}', '{'),
  );
  const anyText = fc.oneof(xmlish, jsonish, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 50 }));
  // The sample run keeps its narrower replacement texts, so its seed still gives the inputs (and the
  // status counts) docs/reliability.md reports.
  const bodyText = scale.bombs ? anyText : fc.oneof(xmlish, jsonish, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }));
  const plaintextText = scale.bombs ? anyText : fc.oneof(xmlish, jsonish, fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }));

  const validCallback: fc.Arbitrary<FuzzRequest> = sealedBase.map(({ fields, random, nonce, format }) => {
    const plaintext = buildXml(fields);
    const sealed = sealCallback({ ...FUZZ_KEYS, receiveId: FUZZ_SUITE, plaintext, random: Buffer.from(random), nonce, timestamp: TIMESTAMP, format });
    return { method: 'POST', endpoint: 'command', query: queryOf(sealed.query), body: sealed.body, expect: { kind: 'store', plaintext, fields } };
  });

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
    bodyText.map((body): Mutation => (b) => ({ query: b.query, body })),
    fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', '').map((method): Mutation => (b) => ({ method, query: b.query, body: b.body })),
    fc.string({ maxLength: 200 }).map((raw): Mutation => () => ({ query: {}, body: raw })),
  );

  const mutatedCallback: fc.Arbitrary<FuzzRequest> = fc.tuple(sealedBase, mutation, fc.constantFrom<'data' | 'command'>('command', 'data')).map(([base, mutate, endpoint]) => {
    const plaintext = buildXml(base.fields);
    const sealed = sealCallback({ ...FUZZ_KEYS, receiveId: FUZZ_SUITE, plaintext, random: Buffer.from(base.random), nonce: base.nonce, timestamp: TIMESTAMP, format: base.format });
    const out = mutate({ query: { ...sealed.query }, body: sealed.body, encrypt: sealed.encrypt });
    return { method: out.method ?? 'POST', endpoint, query: queryOf(out.query), body: out.body };
  });

  const hostilePlaintext: fc.Arbitrary<FuzzRequest> = fc.tuple(
    plaintextText,
    fc.oneof(fc.constant(FUZZ_SUITE), fc.string({ maxLength: 20 }), fc.constant('')),
    fc.stringMatching(/^[0-9]{9,10}$/),
    fc.constantFrom<'data' | 'command'>('command', 'data'),
  ).map(([plaintext, receiveId, nonce, endpoint]) => {
    const encrypt = encryptMessage(FUZZ_KEY, plaintext, receiveId, Buffer.alloc(16, 7));
    const query = { msg_signature: computeSignature(FUZZ_KEYS.token, TIMESTAMP, nonce, encrypt), timestamp: TIMESTAMP, nonce };
    return { method: 'POST', endpoint, query: queryOf(query), body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
  });

  const verification: fc.Arbitrary<FuzzRequest> = fc.tuple(
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

  const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
    { arbitrary: mutatedCallback, weight: 5 },
    { arbitrary: hostilePlaintext, weight: 3 },
    { arbitrary: verification, weight: 1 },
    { arbitrary: validCallback, weight: 1 },
  );

  const cryptoInput: FuzzInputs['cryptoInput'] = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.base64String({ maxLength: 400 }),
    fc.integer({ min: 0, max: 12 }).chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })).map((b) => Buffer.from(b).toString('base64')),
    fc.tuple(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 7 }))
      .map(([message, receiveId, at, bit]) => {
        const bytes = Buffer.from(encryptMessage(FUZZ_KEY, message, receiveId), 'base64');
        bytes[at % bytes.length]! ^= 1 << bit;
        return bytes.toString('base64');
      }),
    fc.tuple(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 20 })).map(([message, receiveId]) => ({ valid: true as const, message, receiveId })),
  );

  return { xmlish, jsonish, anyText, validCallback, mutatedCallback, hostilePlaintext, verification, anyRequest, cryptoInput };
}
