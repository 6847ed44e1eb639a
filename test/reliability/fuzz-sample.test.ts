import fc from 'fast-check';
import t from 'tap';
import { FUZZ_KEY, FUZZ_KEYS, FUZZ_NOW, FUZZ_SUITE, fuzzInputs, SAMPLE_SCALE, type FuzzRequest } from '../../daemon/testing/fuzz-inputs.js';
import { encryptMessage } from '../../src/crypto/cipher.js';
import { computeSignature } from '../../src/crypto/signature.js';
import { WecomRelayError } from '../../src/errors.js';
import { createCallbackHandler, type CallbackResult } from '../../src/receiver/handle-callback.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { parseEnvelope } from '../../src/xml/envelope.js';
import { parseMessage } from '../../src/xml/message.js';
import { parseXml } from '../../src/xml/parser.js';

/**
 * Property-based fuzzing of the receiver core (`createCallbackHandler`) with a fixed seed, as part of
 * `npm test`: a few thousand generated requests, none of which may crash it, get a 5xx, hang, or be
 * acked without being stored. The 100,000-input run is `node scripts/fuzz.js` (docs/reliability.md).
 */

const { anyRequest, validCallback } = fuzzInputs(SAMPLE_SCALE);
const SEED = 20_261_122;
const RUNS = 3000;
const PER_INPUT_MS = 2000;
/** The only statuses bad input may get. 503 is for a store that fails, which an in-memory one does not. */
const ALLOWED = new Set([200, 400, 401, 403, 405, 413]);

const store = new SqliteStore(':memory:');
t.teardown(() => store.close());
const handler = createCallbackHandler({ suiteId: FUZZ_SUITE, ...FUZZ_KEYS, store, now: () => FUZZ_NOW });

async function handle(request: FuzzRequest): Promise<CallbackResult> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no answer within ${PER_INPUT_MS} ms`)), PER_INPUT_MS);
  });
  try {
    return await Promise.race([
      handler.handle({ method: request.method, endpoint: request.endpoint, query: request.query, readBody: async (limit) => {
        if (Buffer.byteLength(request.body) > limit) throw new WecomRelayError('ERR_WECOM_BODY_TOO_LARGE');
        return request.body;
      } }),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

t.test(`${RUNS} generated requests: no crash, no 5xx, no hang, and 200 only for what was stored`, async (t) => {
  const statuses = new Map<number, number>();
  await fc.assert(fc.asyncProperty(anyRequest, async (request) => {
    const result = await handle(request);
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    if (!ALLOWED.has(result.status)) throw new Error(`status ${result.status}: ${result.body}`);
    if (result.status !== 200 && !(result.error instanceof WecomRelayError)) throw new Error('a rejection without a stable error code');
    if (request.method === 'POST' && result.status === 200) {
      const stored = result.eventId === undefined ? undefined : await store.getCallback(result.eventId);
      if (!stored) throw new Error('acked but not stored');
    }
    if (request.expect?.kind === 'store' && result.status !== 200) throw new Error(`a valid callback was refused: ${result.body}`);
    if (request.expect?.kind === 'echo' && (result.status !== 200 || result.body !== request.expect.echo)) throw new Error(`a valid verification did not echo: ${result.status} ${result.body}`);
  }), { seed: SEED, numRuns: RUNS });
  t.pass(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  t.ok((statuses.get(200) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400), 'the inputs reached both the accept and the reject paths');
});

t.test('valid callbacks with arbitrary fields are stored with their exact plaintext and fields read back losslessly', async (t) => {
  await fc.assert(fc.asyncProperty(validCallback, async (request) => {
    const result = await handle(request);
    if (result.status !== 200 || result.eventId === undefined) throw new Error(`refused: ${result.body}`);
    const stored = await store.getCallback(result.eventId);
    if (request.expect?.kind !== 'store') throw new Error('a valid callback carries its expectation');
    if (stored?.plaintext !== request.expect.plaintext) throw new Error('stored plaintext differs from what was sealed');
    if (JSON.stringify(stored.fields) !== JSON.stringify(request.expect.fields)) {
      throw new Error(`fields did not round-trip: ${JSON.stringify(stored.fields)} vs ${JSON.stringify(request.expect.fields)}`);
    }
  }), { seed: SEED + 1, numRuns: 500 });
  t.pass('500 callbacks stored exactly');
});

/** XML bombs and deep nesting: outer body, inner (decrypted) message, and the parser alone. */
const BILLION_LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><xml><Encrypt>&lol9;</Encrypt></xml>';
const UNSAFE: Array<[string, string]> = [
  ['billion laughs (nested entity expansion)', BILLION_LAUGHS],
  ['XXE: external entity to a local file', '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>'],
  ['XXE: external parameter entity over HTTP', '<!DOCTYPE foo [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]><xml/>'],
  ['a lower-case doctype after a BOM and a comment', '\uFEFF<!-- hi --><!doctype x [<!entity a "b">]><xml/>'],
  ['100,000 nested elements', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`],
  ['100,000 unclosed elements', '<a>'.repeat(100_000)],
  ['17 levels (one past the bound)', `${'<a>'.repeat(17)}x${'</a>'.repeat(17)}`],
  ['a body past 1 MiB', `<xml><Encrypt>${'A'.repeat(1024 * 1024)}</Encrypt></xml>`],
];

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof WecomRelayError ? error.code : `crash: ${String(error)}`;
  }
}

/** The same XML as a validly signed and encrypted callback (what only a holder of the keys can send). */
async function sealedAs(xml: string): Promise<CallbackResult> {
  const timestamp = String(Math.floor(FUZZ_NOW / 1000));
  const encrypt = encryptMessage(FUZZ_KEY, xml, FUZZ_SUITE);
  const query = new URLSearchParams({ msg_signature: computeSignature(FUZZ_KEYS.token, timestamp, '77', encrypt), timestamp, nonce: '77' }).toString();
  return handle({ method: 'POST', endpoint: 'command', query, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
}

/** The same XML as an unsigned outer body. */
function unsigned(xml: string): Promise<CallbackResult> {
  return handle({ method: 'POST', endpoint: 'command', query: `msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(FUZZ_NOW / 1000)}&nonce=1`, body: xml });
}

t.test('XML bombs, XXE and deep nesting are rejected as ERR_WECOM_XML_UNSAFE: by the parser, as the body, and as the decrypted message', async (t) => {
  for (const [name, xml] of UNSAFE) {
    const started = performance.now();
    t.equal(codeOf(() => parseXml(xml)), 'ERR_WECOM_XML_UNSAFE', `parseXml: ${name} (${(performance.now() - started).toFixed(1)} ms)`);
    t.equal(codeOf(() => parseEnvelope(xml)), 'ERR_WECOM_XML_UNSAFE', `parseEnvelope: ${name}`);
    t.equal(codeOf(() => parseMessage(xml)), 'ERR_WECOM_XML_UNSAFE', `parseMessage: ${name}`);
    const outer = await unsigned(xml);
    // Past the body cap the receiver does not even read it: 413.
    const refusedAs = Buffer.byteLength(xml) > 1024 * 1024 ? 'ERR_WECOM_BODY_TOO_LARGE' : 'ERR_WECOM_XML_UNSAFE';
    t.equal(outer.error?.code, refusedAs, `as the body: ${name} → ${outer.status} ${refusedAs}`);
    if (xml.length > 700_000) continue; // sealed, it would pass the 1 MiB body cap (base64 adds a third)
    const inner = await sealedAs(xml);
    t.equal(inner.error?.code, 'ERR_WECOM_XML_UNSAFE', `validly sealed: ${name} → ${inner.status}`);
  }
});

t.test('entity references without a DTD are never expanded: kept as written', async (t) => {
  const xml = `<xml><Encrypt>${'&a;'.repeat(200_000)}</Encrypt><Lt>&lt;&#x41;&unknown;</Lt></xml>`;
  const fields = parseXml(xml);
  t.equal(fields['Encrypt'], '&a;'.repeat(200_000), '200,000 undeclared references stay literal text (no amplification)');
  t.equal(fields['Lt'], '<A&unknown;', 'only the five predefined entities and character references are decoded');
  t.equal((await unsigned(xml)).error?.code, 'ERR_WECOM_SIGNATURE_MISMATCH', 'as an unsigned body it fails the signature check');
});

t.test('wide documents near the 1 MiB cap are refused with a 4xx (timings in the messages; see docs/reliability.md)', async (t) => {
  const shapes: Array<[string, string]> = [
    ['60,000 sibling elements with attributes', `<xml>${'<a b="1" c=\'2\'/>'.repeat(60_000)}</xml>`],
    ['an unterminated CDATA of 500 KB', `<xml><Encrypt><![CDATA[${'x'.repeat(500_000)}`],
  ];
  for (const [name, xml] of shapes) {
    const started = performance.now();
    const outer = await unsigned(xml);
    const ms = (performance.now() - started).toFixed(0);
    t.ok(outer.status >= 400 && outer.status < 500, `as the body: ${name} → ${outer.status} ${outer.error?.code} in ${ms} ms`);
  }
});

t.test('deeply nested JSON bodies and messages are rejected with a stable code', async (t) => {
  for (const depth of [17, 1000, 100_000]) {
    const nested = `{"encrypt":"x","a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    t.match(codeOf(() => parseMessage(nested)), /^ERR_WECOM_MALFORMED_MESSAGE$/, `a message nested ${depth} deep → ERR_WECOM_MALFORMED_MESSAGE`);
    t.notMatch(codeOf(() => parseEnvelope(nested)), /^crash/, `a body nested ${depth} deep → ${codeOf(() => parseEnvelope(nested))}`);
  }
});
