import { Agent, request } from 'node:http';
import t from 'tap';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { computeSignature } from '../../src/crypto/signature.js';
import { sampleCallback, SAMPLE_KINDS } from '../../src/events/samples.js';
import { startReceiver } from '../../src/receiver/standalone.js';
import { generateSuiteKeys } from '../helpers/keys.js';

/**
 * Mutation fuzzing over real HTTP: ≥ 10,000 requests built from valid callbacks by flipping, truncating,
 * duplicating and re-encoding parts. Every answer must be 200 or 4xx (never 5xx, never a hang), and the
 * server must keep answering valid callbacks afterwards.
 */

const SUITE = 'ww917724cb573d8629';
const CORP = 'wxf8b4f85f3a794e77';
const REQUESTS = 10_000;

/** mulberry32: a seeded PRNG so a failing case reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest { method: string; path: string; body: string | Buffer; headers: Record<string, string> }

function mutations(rand: () => number, keys: { token: string; encodingAESKey: string }) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const flip = (s: string) => {
    if (s.length === 0) return 'x';
    const i = int(s.length);
    return s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) ^ (1 << int(7))) || 65) + s.slice(i + 1);
  };
  const truncate = (s: string) => s.slice(0, int(s.length + 1));
  const duplicate = (s: string) => {
    const i = int(s.length + 1);
    const j = Math.min(s.length, i + int(64));
    return s.slice(0, j) + s.slice(i, j) + s.slice(j);
  };
  const reencode = (s: string) => pick([
    (x: string) => x.replace(/\+/g, '-').replace(/\//g, '_'),
    (x: string) => x.replace(/=+$/, ''),
    (x: string) => encodeURIComponent(x),
    (x: string) => Buffer.from(x).toString('base64'),
    (x: string) => x.toLowerCase(),
    (x: string) => ` ${x}\n`,
  ])(s);
  const mutate = (s: string) => pick([flip, truncate, duplicate, reencode])(s);

  return (i: number): FuzzRequest => {
    const kind = SAMPLE_KINDS[i % SAMPLE_KINDS.length]!;
    const sample = sampleCallback(kind, { suiteId: SUITE, corpId: CORP, now: new Date(), seq: i });
    const receiveId = sample.endpoint === 'data' ? CORP : SUITE;
    const sealed = sealCallback({ ...keys, receiveId, plaintext: sample.plaintext, format: rand() < 0.2 ? 'json' : 'xml' });
    const path = sample.endpoint === 'data' ? '/api/v1/wecom/callback' : '/api/v1/wecom/command';
    const query: Record<string, string> = { ...sealed.query };
    let body = sealed.body;
    let method = 'POST';
    switch (int(9)) {
      case 0: body = mutate(body); break;
      case 1: body = body.replace(sealed.encrypt, mutate(sealed.encrypt)); break;
      case 2: { const k = pick(Object.keys(query)); query[k] = mutate(query[k]!); break; }
      case 3: { const k = pick(Object.keys(query)); delete query[k]; break; }
      case 4: body = pick([
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>',
        `${'<a>'.repeat(500)}${'</a>'.repeat(500)}`,
        JSON.stringify({ encrypt: mutate(sealed.encrypt), tousername: 1, agentid: [1] }),
        '{"encrypt": {"$ne": null}}',
        '',
        '\u0000\u0001\u0002',
        body.repeat(int(3) + 2),
      ]); break;
      case 5: {
        const e = sealEchostr({ ...keys, receiveId: pick(['', SUITE, CORP, 'x'.repeat(300)]), echo: String(i) });
        method = 'GET';
        Object.assign(query, { msg_signature: e.msg_signature, timestamp: e.timestamp, nonce: e.nonce, echostr: rand() < 0.5 ? mutate(e.echostr) : e.echostr });
        break;
      }
      case 6: {
        // A valid signature over a mutated ciphertext: exercises the decrypt and padding paths, not just the signature check.
        const encrypt = mutate(sealed.encrypt);
        query.msg_signature = computeSignature(keys.token, query.timestamp!, query.nonce!, encrypt);
        body = `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
        break;
      }
      case 7: method = pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']); break;
      default: break; // a valid callback: must be 200
    }
    return {
      method,
      path: `${path}?${new URLSearchParams(query).toString()}`,
      body: method === 'GET' ? '' : body,
      headers: { 'content-type': pick(['text/xml', 'application/json', 'application/xml', 'text/plain', 'application/x-www-form-urlencoded', '']) },
    };
  };
}


function send(base: URL, agent: Agent, r: FuzzRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(r.body) };
    if (r.headers['content-type']) headers['content-type'] = r.headers['content-type'];
    const req = request({ host: base.hostname, port: base.port, method: r.method, path: r.path, agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

t.test(`${REQUESTS} mutated callbacks get only 200 or 4xx and the server keeps answering`, async (t) => {
  const keys = generateSuiteKeys();
  const receiver = await startReceiver({ suiteId: SUITE, ...keys, store: `sqlite:${t.testdir()}/fuzz.db`, host: '127.0.0.1', port: 0, maxClockSkewSeconds: 0 });
  t.teardown(() => receiver.close());
  const base = new URL(receiver.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  t.teardown(() => agent.destroy());
  const make = mutations(prng(0x5eed), keys);
  const statuses = new Map<number, number>();
  const bad: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < REQUESTS) {
      const r = make(next++);
      const status = await send(base, agent, r);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (!(status === 200 || (status >= 400 && status < 500)) && bad.length < 5) bad.push(`${status} ${r.method} ${r.path.slice(0, 120)}`);
    }
  }));
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  t.equal(total, REQUESTS, `all ${REQUESTS} requests answered`);
  t.same(bad, [], 'no answer outside 200/4xx');
  t.ok((statuses.get(200) ?? 0) > 500, `a good share of valid callbacks were accepted (${statuses.get(200)})`);
  t.ok((statuses.get(400) ?? 0) > 500, `a good share were rejected as malformed (${statuses.get(400)})`);
  t.comment(`status counts: ${JSON.stringify(Object.fromEntries(statuses))}`);
  const sample = sampleCallback('add_external_contact', { suiteId: SUITE, corpId: CORP, now: new Date(), seq: 999_999 });
  const sealed = sealCallback({ ...keys, receiveId: SUITE, plaintext: sample.plaintext });
  const res = await fetch(`${receiver.url}/api/v1/wecom/command?${new URLSearchParams(sealed.query)}`, { method: 'POST', body: sealed.body });
  t.equal(res.status, 200, 'a valid callback is still accepted afterwards');
  t.equal(await res.text(), 'success', 'and acked');
});
