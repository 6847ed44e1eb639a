#!/usr/bin/env node
// The big fuzz run (docs/reliability.md): ≥ 100,000 generated inputs through the crypto (decryptMessage,
// pkcs7Unpad32, verifySignature), the XML readers (parseXml, parseEnvelope, parseMessage, plus a
// buildXml → parseMessage round trip) and the receiver core (createCallbackHandler on an in-memory
// store). Counts crashes (a throw that is not a WecomRelayError), 5xx answers, hangs (no answer within
// --hang-ms: an async answer that has not come, or a call that took longer) and wrong answers (a valid input refused,
// an ack without a stored callback, a round trip that changed a value). Exits 1 if any count is non-zero.
//
//   npm run build && node scripts/fuzz.js [--runs 40000] [--seed 20261122] [--hang-ms 2000]
//
// --runs is per target (three targets: the default is 120,000 inputs). Same seed, same inputs.
import fc from 'fast-check';
import {
  buildXml, computeSignature, createCallbackHandler, decryptMessage, encryptMessage, parseEncodingAESKey, parseEnvelope,
  parseMessage, parseXml, pkcs7Unpad32, sealCallback, sealEchostr, createStore, verifySignature, WecomRelayError,
} from '../dist/src/index.js';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} expects a non-negative integer`);
    process.exit(2);
  }
  return value;
}

const RUNS = option('runs', 40_000);
const SEED = option('seed', 20_261_122);
const HANG_MS = option('hang-ms', 2000);
const BATCH = 1000;

const SUITE = 'ww917724cb573d8629';
const KEYS = { token: 'fuzzToken0123456789', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const KEY = parseEncodingAESKey(KEYS.encodingAESKey);
const NOW = 1_750_000_000_000;
const TIMESTAMP = String(Math.floor(NOW / 1000));

// ── Generators (the same families as test/reliability/helpers/fuzz-inputs.ts) ─────────────────────────

const NOT_XML_SAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\r\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const fieldName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/).filter((n) => n !== 'Item');
const safeValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[0-9]{1,20}$/),
  fc.constantFrom('', ' ', '  padded  ', ']]>', 'a]]>b]]>', '<xml>', '&amp;', '&#x41;', '\n', '\t', '中文 ✓ 👍', '<![CDATA[x]]>'),
).filter((s) => !NOT_XML_SAFE.test(s));
const safeFields = fc.dictionary(fieldName, safeValue, { maxKeys: 8 }).map((fields) => ({ SuiteId: SUITE, InfoType: 'fuzz', ...fields }));

const xmlNode = fc.letrec((tie) => ({
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
const xmlish = fc.oneof(
  xmlNode,
  fc.array(xmlNode, { maxLength: 4 }).map((parts) => `<xml>${parts.join('')}</xml>`),
  fc.tuple(fc.constantFrom('', '\uFEFF', '  \n', '<?xml version="1.0"?>'), xmlNode).map(([prefix, node]) => prefix + node),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'<a>'.repeat(n)}${'</a>'.repeat(n)}`),
  fc.integer({ min: 1, max: 50 }).map((n) => `<!DOCTYPE l [<!ENTITY l "l">${'<!ENTITY m "&l;&l;">'.repeat(n)}]><xml>&m;</xml>`),
);
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 3 }).map((j) => `{"encrypt":${j},"tousername":${j}}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => `{"encrypt":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.constantFrom('{"__proto__":{"polluted":1},"encrypt":"x"}', '{"constructor":{"prototype":{"x":1}}}', '{"encrypt":12345678901234567890}', '{'),
);
const anyText = fc.oneof(xmlish, jsonish, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 50 }));

const sealedBase = fc.record({
  fields: safeFields,
  random: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  nonce: fc.stringMatching(/^[0-9]{9,10}$/),
  format: fc.constantFrom('xml', 'xml', 'json'),
});

function queryOf(params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return query.toString();
}

const mutation = fc.oneof(
  fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([i, s]) => (b) => {
    const at = b.body.length === 0 ? 0 : i % b.body.length;
    return { query: b.query, body: b.body.slice(0, at) + s + b.body.slice(at + 1) };
  }),
  fc.nat().map((i) => (b) => ({ query: b.query, body: b.body.slice(0, i % (b.body.length + 1)) })),
  fc.tuple(fc.constantFrom('msg_signature', 'timestamp', 'nonce'), fc.option(fc.string({ maxLength: 50 }))).map(([key, value]) => (b) =>
    ({ query: { ...b.query, [key]: value ?? undefined }, body: b.body })),
  fc.oneof(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9+/]{0,120}={0,2}$/)).map((encrypt) => (b) => ({
    query: { ...b.query, msg_signature: computeSignature(KEYS.token, b.query.timestamp, b.query.nonce, encrypt) },
    body: b.body.replace(b.encrypt, encrypt),
  })),
  anyText.map((body) => (b) => ({ query: b.query, body })),
  fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', '').map((method) => (b) => ({ method, query: b.query, body: b.body })),
  fc.string({ maxLength: 200 }).map((raw) => () => ({ query: {}, body: raw })),
);

const validCallback = sealedBase.map(({ fields, random, nonce, format }) => {
  const plaintext = buildXml(fields);
  const sealed = sealCallback({ ...KEYS, receiveId: SUITE, plaintext, random: Buffer.from(random), nonce, timestamp: TIMESTAMP, format });
  return { method: 'POST', endpoint: 'command', query: queryOf(sealed.query), body: sealed.body, expect: { kind: 'store', plaintext } };
});
const mutatedCallback = fc.tuple(sealedBase, mutation, fc.constantFrom('command', 'data')).map(([base, mutate, endpoint]) => {
  const plaintext = buildXml(base.fields);
  const sealed = sealCallback({ ...KEYS, receiveId: SUITE, plaintext, random: Buffer.from(base.random), nonce: base.nonce, timestamp: TIMESTAMP, format: base.format });
  const out = mutate({ query: { ...sealed.query }, body: sealed.body, encrypt: sealed.encrypt });
  return { method: out.method ?? 'POST', endpoint, query: queryOf(out.query), body: out.body };
});
const hostilePlaintext = fc.tuple(anyText, fc.oneof(fc.constant(SUITE), fc.string({ maxLength: 20 }), fc.constant('')), fc.stringMatching(/^[0-9]{9,10}$/), fc.constantFrom('command', 'data'))
  .map(([plaintext, receiveId, nonce, endpoint]) => {
    const encrypt = encryptMessage(KEY, plaintext, receiveId, Buffer.alloc(16, 7));
    return {
      method: 'POST', endpoint,
      query: queryOf({ msg_signature: computeSignature(KEYS.token, TIMESTAMP, nonce, encrypt), timestamp: TIMESTAMP, nonce }),
      body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    };
  });
const verification = fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.stringMatching(/^[0-9]{9,10}$/), fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(' ', '+', '%2B', '=='))))
  .map(([echo, nonce, tamper]) => {
    const e = sealEchostr({ ...KEYS, receiveId: SUITE, echo, nonce, timestamp: TIMESTAMP });
    const echostr = tamper === null ? e.echostr : e.echostr.slice(0, 10) + tamper + e.echostr.slice(10);
    return { method: 'GET', endpoint: 'data', body: '', query: queryOf({ msg_signature: e.msg_signature, timestamp: e.timestamp, nonce: e.nonce, echostr }), ...(tamper === null ? { expect: { kind: 'echo', echo } } : {}) };
  });
const anyRequest = fc.oneof(
  { arbitrary: mutatedCallback, weight: 5 },
  { arbitrary: hostilePlaintext, weight: 3 },
  { arbitrary: verification, weight: 1 },
  { arbitrary: validCallback, weight: 1 },
);

/** Ciphertexts: arbitrary strings, random block-aligned bytes, and real ciphertexts with flipped bits. */
const cryptoInput = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.base64String({ maxLength: 400 }),
  fc.integer({ min: 0, max: 12 }).chain((blocks) => fc.uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })).map((b) => Buffer.from(b).toString('base64')),
  fc.tuple(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 7 }))
    .map(([message, receiveId, at, bit]) => {
      const bytes = Buffer.from(encryptMessage(KEY, message, receiveId), 'base64');
      bytes[at % bytes.length] ^= 1 << bit;
      return bytes.toString('base64');
    }),
  fc.tuple(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 20 })).map(([m, r]) => ({ valid: true, message: m, receiveId: r })),
);

// ── Runner ────────────────────────────────────────────────────────────────────────────────────────────

function newCounts() {
  return { inputs: 0, crashes: 0, fiveXx: 0, hangs: 0, wrong: 0, slowestMs: 0, examples: [] };
}

function note(counts, kind, input, detail) {
  counts[kind] += 1;
  if (counts.examples.length < 5) counts.examples.push({ kind, detail: String(detail).slice(0, 300), input: JSON.stringify(input).slice(0, 300) });
}

/** Runs a synchronous check; a throw that is not a WecomRelayError is a crash, a slow call a hang. */
function guardSync(counts, input, fn) {
  const started = performance.now();
  try {
    fn();
  } catch (error) {
    if (!(error instanceof WecomRelayError)) note(counts, error?.wrong ? 'wrong' : 'crashes', input, error?.stack ?? error);
  } finally {
    const ms = performance.now() - started;
    counts.slowestMs = Math.max(counts.slowestMs, ms);
    if (ms > HANG_MS) note(counts, 'hangs', input, `${ms.toFixed(0)} ms`);
  }
}

function wrong(message) {
  return Object.assign(new Error(message), { wrong: true });
}

function* batches(arbitrary, seedOffset) {
  for (let done = 0, b = 0; done < RUNS; done += BATCH, b++) {
    yield fc.sample(arbitrary, { numRuns: Math.min(BATCH, RUNS - done), seed: SEED + seedOffset * 1_000_003 + b });
  }
}

function fuzzCrypto() {
  const counts = newCounts();
  for (const batch of batches(cryptoInput, 1)) {
    for (const input of batch) {
      counts.inputs += 1;
      guardSync(counts, input, () => {
        if (typeof input === 'object') {
          // A valid ciphertext must decrypt to exactly what was sealed (lone surrogates excepted: not UTF-8).
          const encrypted = encryptMessage(KEY, input.message, input.receiveId);
          const expectExact = Buffer.from(input.message, 'utf8').toString('utf8') === input.message && Buffer.from(input.receiveId, 'utf8').toString('utf8') === input.receiveId;
          const out = decryptMessage(KEY, encrypted);
          if (expectExact && (out.message !== input.message || out.receiveId !== input.receiveId)) throw wrong('a valid ciphertext did not round-trip');
          return;
        }
        try {
          decryptMessage(KEY, input);
        } finally {
          verifySignature(input, KEYS.token, TIMESTAMP, '1', input);
          const raw = Buffer.from(input, 'latin1');
          try { pkcs7Unpad32(raw); } catch (error) { if (!(error instanceof WecomRelayError)) throw error; }
        }
      });
    }
  }
  return counts;
}

function fuzzXml() {
  const counts = newCounts();
  const input = fc.oneof({ arbitrary: anyText, weight: 4 }, { arbitrary: safeFields.map((fields) => ({ fields })), weight: 1 });
  for (const batch of batches(input, 2)) {
    for (const text of batch) {
      counts.inputs += 1;
      if (typeof text === 'object') {
        guardSync(counts, text, () => {
          const back = parseMessage(buildXml(text.fields));
          if (JSON.stringify(back) !== JSON.stringify(text.fields)) throw wrong(`round trip changed the fields: ${JSON.stringify(back)}`);
        });
        continue;
      }
      guardSync(counts, text, () => parseXml(text));
      guardSync(counts, text, () => parseEnvelope(text));
      guardSync(counts, text, () => parseMessage(text));
    }
  }
  return counts;
}

async function fuzzReceiver() {
  const counts = newCounts();
  const store = await createStore('sqlite::memory:');
  const handler = createCallbackHandler({ suiteId: SUITE, ...KEYS, store, now: () => NOW });
  const allowed = new Set([200, 400, 401, 403, 405, 413]);
  for (const batch of batches(anyRequest, 3)) {
    for (const request of batch) {
      counts.inputs += 1;
      let timer;
      let timedOut = false;
      const started = performance.now();
      try {
        const result = await Promise.race([
          handler.handle({
            method: request.method, endpoint: request.endpoint, query: request.query,
            readBody: async (limit) => {
              if (Buffer.byteLength(request.body) > limit) throw new WecomRelayError('ERR_WECOM_BODY_TOO_LARGE');
              return request.body;
            },
          }),
          new Promise((resolve) => { timer = setTimeout(() => resolve('hang'), HANG_MS); }),
        ]);
        if (result === 'hang') {
          timedOut = true;
          note(counts, 'hangs', request, `no answer within ${HANG_MS} ms`);
          continue;
        }
        if (result.status >= 500) note(counts, 'fiveXx', request, `${result.status} ${result.body}`);
        else if (!allowed.has(result.status)) note(counts, 'wrong', request, `unexpected status ${result.status}`);
        else if (result.status !== 200 && !(result.error instanceof WecomRelayError)) note(counts, 'wrong', request, 'a rejection without an error code');
        if (request.method === 'POST' && result.status === 200) {
          const stored = result.eventId === undefined ? undefined : await store.getCallback(result.eventId);
          if (!stored) note(counts, 'wrong', request, 'acked but not stored');
          else if (request.expect?.kind === 'store' && stored.plaintext !== request.expect.plaintext) note(counts, 'wrong', request, 'stored plaintext differs');
        }
        if (request.expect?.kind === 'store' && result.status !== 200) note(counts, 'wrong', request, `a valid callback was refused: ${result.body}`);
        if (request.expect?.kind === 'echo' && (result.status !== 200 || result.body !== request.expect.echo)) note(counts, 'wrong', request, `a valid verification did not echo: ${result.status}`);
      } catch (error) {
        note(counts, 'crashes', request, error?.stack ?? error);
      } finally {
        clearTimeout(timer);
        const ms = performance.now() - started;
        counts.slowestMs = Math.max(counts.slowestMs, ms);
        // Answered, but only after a synchronous stretch longer than the bound: a hang all the same.
        if (ms > HANG_MS && !timedOut) note(counts, 'hangs', request, `answered after ${ms.toFixed(0)} ms`);
      }
    }
  }
  await store.close();
  return counts;
}

const started = performance.now();
const results = {};
results.crypto = fuzzCrypto();
results.xml = fuzzXml();
results.receiver = await fuzzReceiver();
const seconds = ((performance.now() - started) / 1000).toFixed(1);

let total = 0;
let bad = 0;
console.log(`wecom-relay fuzz: seed ${SEED}, ${RUNS} inputs per target, hang bound ${HANG_MS} ms, node ${process.version}`);
console.log('target     inputs   crashes  5xx  hangs  wrong  slowest');
for (const [name, c] of Object.entries(results)) {
  total += c.inputs;
  bad += c.crashes + c.fiveXx + c.hangs + c.wrong;
  console.log(`${name.padEnd(9)} ${String(c.inputs).padStart(7)} ${String(c.crashes).padStart(9)} ${String(c.fiveXx).padStart(4)} ${String(c.hangs).padStart(6)} ${String(c.wrong).padStart(6)}  ${c.slowestMs.toFixed(1)} ms`);
  for (const example of c.examples) console.log(`  ${example.kind}: ${example.detail}\n    input: ${example.input}`);
}
console.log(`total ${total} inputs in ${seconds} s: ${bad === 0 ? 'zero crashes, zero 5xx, zero hangs, zero wrong answers' : `${bad} failures`}`);
process.exit(bad === 0 ? 0 : 1);
