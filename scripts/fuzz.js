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
  FULL_SCALE, FUZZ_KEY, FUZZ_KEYS, FUZZ_NOW, FUZZ_SUITE, fuzzInputs, safeFields,
} from '../dist/daemon/testing/fuzz-inputs.js';
import {
  buildXml, createCallbackHandler, decryptMessage, encryptMessage, parseEnvelope, parseMessage, parseXml, pkcs7Unpad32,
  createStore, verifySignature, WecomRelayError,
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

// The generators are the tap sample's, built (daemon/testing/fuzz-inputs.ts), at the big run's scale.
const { anyText, anyRequest, cryptoInput } = fuzzInputs(FULL_SCALE);
const TIMESTAMP = String(Math.floor(FUZZ_NOW / 1000));

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
          const encrypted = encryptMessage(FUZZ_KEY, input.message, input.receiveId);
          const expectExact = Buffer.from(input.message, 'utf8').toString('utf8') === input.message && Buffer.from(input.receiveId, 'utf8').toString('utf8') === input.receiveId;
          const out = decryptMessage(FUZZ_KEY, encrypted);
          if (expectExact && (out.message !== input.message || out.receiveId !== input.receiveId)) throw wrong('a valid ciphertext did not round-trip');
          return;
        }
        try {
          decryptMessage(FUZZ_KEY, input);
        } finally {
          verifySignature(input, FUZZ_KEYS.token, TIMESTAMP, '1', input);
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
  const handler = createCallbackHandler({ suiteId: FUZZ_SUITE, ...FUZZ_KEYS, store, now: () => FUZZ_NOW });
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
