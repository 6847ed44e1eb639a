import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { ConfigError } from '../../src/errors.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { SUITE_ID, startTestRelay } from '../e2e/helpers/test-relay.js';

/** The admin server (/healthz, /readyz, /metrics): loopback-only by default, an optional bearer token. */

const TOKEN = 'adm_0123456789abcdefghijklmnop';

async function get(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
  await response.arrayBuffer();
  return response.status;
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

/** Whether a TCP connection to `host:port` is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', timeout: 2000 }, (res) => { res.resume(); resolve(true); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

t.test('by default the admin server binds 127.0.0.1 only', async (t) => {
  const config = validateConfig({ suite: { id: SUITE_ID, ...generateSuiteKeys() } }, {});
  t.equal(config.admin.host, '127.0.0.1', 'the default admin host is loopback');
  t.equal(config.admin.token, undefined, 'and no token is required by default (loopback is the protection)');

  const relay = await startTestRelay(t, { dir: t.testdir(), mode: 'serve', targets: [], admin: { enabled: true, port: 0 } });
  const admin = relay.relay.admin;
  t.ok(admin, 'the admin server is up');
  const url = new URL(admin!.url);
  t.equal(url.hostname, '127.0.0.1', 'listening on loopback');
  t.equal(await get(`${admin!.url}/healthz`), 200, '/healthz answers on loopback');
  const external = externalAddress();
  if (external === undefined) {
    t.pass('this machine has no non-loopback IPv4 interface to try (skipped)');
  } else {
    t.notOk(await connects(external, Number(url.port)), `the same port on ${external} refuses the connection`);
  }
});

t.test('with admin.token: 401 without it, with a wrong one or another scheme; 200 with it, on every route', async (t) => {
  const relay = await startTestRelay(t, { dir: t.testdir(), mode: 'serve', targets: [], admin: { enabled: true, port: 0, token: TOKEN } });
  const base = relay.relay.admin!.url;
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    t.equal(await get(`${base}${path}`), 401, `${path}: no Authorization header → 401`);
    t.equal(await get(`${base}${path}`, `Bearer ${TOKEN.slice(0, -1)}x`), 401, `${path}: a wrong token of the same length → 401`);
    t.equal(await get(`${base}${path}`, `Bearer ${TOKEN}extra`), 401, `${path}: a longer token → 401`);
    t.equal(await get(`${base}${path}`, 'Bearer '), 401, `${path}: an empty token → 401`);
    t.equal(await get(`${base}${path}`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`), 401, `${path}: Basic auth → 401`);
    t.equal(await get(`${base}${path}`, TOKEN), 401, `${path}: the bare token without the Bearer scheme → 401`);
    t.equal(await get(`${base}${path}`, `Bearer ${TOKEN}`), 200, `${path}: the right token → 200`);
  }
  t.equal(await get(`${base}/nothing`), 401, 'an unknown route is 401 too (nothing is revealed before authentication)');
  t.notOk(relay.logs.some((line) => line.includes(TOKEN)), 'the token never appears in the logs');
});

t.test('an admin token shorter than 16 characters is a config error', async (t) => {
  t.throws(() => validateConfig({ suite: { id: SUITE_ID, ...generateSuiteKeys() }, admin: { token: 'short' } }, {}), ConfigError, 'refused at start-up');
  try {
    validateConfig({ suite: { id: SUITE_ID, ...generateSuiteKeys() }, admin: { token: 'short' } }, {});
  } catch (error) {
    t.match((error as ConfigError).issues, [{ path: 'admin.token' }], 'with the path of the problem');
  }
});
