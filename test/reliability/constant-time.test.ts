import * as crypto from 'node:crypto';
import t from 'tap';
import type { RelayMetrics } from '../../daemon/admin/metrics.js';
import { silentLogger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';

/**
 * Every place a secret-derived value is compared with attacker input goes through `timingSafeEqual`:
 * the callback signature (msg_signature) and the admin bearer token. (The other secrets are never
 * compared: tokens and codes are sent to WeCom, install `state`s are looked up as one-use store keys.)
 * Checked by importing each module with a counting `timingSafeEqual`.
 */

function countingCrypto(): { module: typeof crypto; calls: () => number } {
  let calls = 0;
  const module = {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls += 1;
      return crypto.timingSafeEqual(a, b);
    },
  };
  return { module, calls: () => calls };
}

t.test('verifySignature compares msg_signature with timingSafeEqual', async (t) => {
  const counter = countingCrypto();
  const { verifySignature, computeSignature } = await t.mockImport<typeof import('../../src/crypto/signature.js')>('../../src/crypto/signature.js', { 'node:crypto': counter.module });
  const right = computeSignature('token', '1700000000', '42', 'ENCRYPTED');
  t.equal(verifySignature(right, 'token', '1700000000', '42', 'ENCRYPTED'), true, 'the right signature verifies');
  const wrong = `${right.slice(0, -1)}${right.endsWith('0') ? '1' : '0'}`;
  t.equal(verifySignature(wrong, 'token', '1700000000', '42', 'ENCRYPTED'), false, 'one wrong hex digit does not');
  t.equal(counter.calls(), 2, 'both went through timingSafeEqual');
  t.equal(verifySignature('short', 'token', '1700000000', '42', 'ENCRYPTED'), false, 'a wrong-length signature is refused (its length is public: 40 hex digits)');
});

t.test('the admin server compares the bearer token with timingSafeEqual', async (t) => {
  const counter = countingCrypto();
  const { startAdminServer } = await t.mockImport<typeof import('../../daemon/admin/admin-server.js')>('../../daemon/admin/admin-server.js', { 'node:crypto': counter.module });
  const token = 'adm_0123456789abcdefghijklmnop';
  const metrics = { registry: { metrics: async () => '', contentType: 'text/plain' } } as unknown as RelayMetrics;
  const store = { ping: async () => undefined } as unknown as Store;
  const admin = await startAdminServer({ host: '127.0.0.1', port: 0, token, metrics, store, logger: silentLogger });
  t.teardown(() => admin.close());
  const wrong = await fetch(`${admin.url}/healthz`, { headers: { authorization: `Bearer ${token.replace('a', 'b')}` } });
  t.equal(wrong.status, 401, 'a same-length wrong token is refused');
  const right = await fetch(`${admin.url}/healthz`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(right.status, 200, 'the right token is accepted');
  t.equal(counter.calls(), 2, 'both went through timingSafeEqual');
});
