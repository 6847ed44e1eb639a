import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import type { Logger } from '../../src/logger.js';
import { createStderrLogger } from '../../src/logger.js';
import { wecomCallback } from '../../src/receiver/express.js';
import { startReceiver } from '../../src/receiver/standalone.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const run = promisify(execFile);
/** The built library entry, as an app imports it (`npm test` builds first). */
const ENTRY = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
const SUITE = 'ww917724cb573d8629';

/**
 * Runs `body` in a fresh Node process after importing the built library, and resolves what it printed
 * as JSON plus its stderr. Both store drivers are CommonJS, so loading one puts it in `require.cache`.
 */
async function inFreshNode(body: string, env: Record<string, string> = {}): Promise<{ out: Record<string, unknown>; stderr: string }> {
  const script = `
    import { createRequire } from 'node:module';
    const lib = await import(${JSON.stringify(ENTRY)});
    const drivers = () => Object.keys(createRequire(import.meta.url).cache)
      .filter((file) => /[\\\\/]node_modules[\\\\/](better-sqlite3|ioredis)[\\\\/]/.test(file))
      .map((file) => file.match(/node_modules[\\\\/](better-sqlite3|ioredis)/)[1])
      .filter((name, i, all) => all.indexOf(name) === i);
    const out = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, timeout: 60_000 });
  return { out: JSON.parse(stdout) as Record<string, unknown>, stderr };
}

/** A Store object of the app's own: just enough for the receiver (no driver behind it). */
const OWN_STORE = `
  const rows = new Map();
  const store = {
    kind: 'memory',
    async putCallback(c) { if (rows.has(c.id)) return { inserted: false }; rows.set(c.id, c); return { inserted: true }; },
    async getCallback(id) { return rows.get(id); },
    async getKv() { return undefined; }, async putKv() { return true; }, async deleteKv() { return false; },
    async takeKv() { return undefined; }, async close() {},
  };`;

t.test('importing the library and passing it a Store object loads neither better-sqlite3 nor ioredis', async (t) => {
  const keys = generateSuiteKeys();
  const { out } = await inFreshNode(`
    ${OWN_STORE}
    const keys = ${JSON.stringify(keys)};
    const afterImport = drivers();
    const middleware = lib.wecomCallback({ suiteId: '${SUITE}', ...keys, store, maxClockSkewSeconds: 0 });
    await middleware.ready();
    const plaintext = lib.buildXml({ SuiteId: '${SUITE}', InfoType: 'suite_ticket', TimeStamp: '1700000000', SuiteTicket: 'x' });
    const sealed = lib.sealCallback({ ...keys, receiveId: '${SUITE}', plaintext });
    const result = await middleware.handler.handle({
      method: 'POST', endpoint: 'command', query: new URLSearchParams(sealed.query).toString(), readBody: async () => sealed.body,
    });
    return { afterImport, afterCallback: drivers(), status: result.status, body: result.body, type: rows.values().next().value?.type };
  `);
  t.same(out.afterImport, [], 'importing the entry loads no store driver');
  t.equal(out.status, 200, 'the callback is acked');
  t.equal(out.type, 'suite.ticket', 'stored, with its type, in the app\'s store');
  t.same(out.afterCallback, [], 'nor does handling a callback with the app\'s own store');
});

t.test('the check above sees a driver when one is loaded: a sqlite: URL loads better-sqlite3 only then', async (t) => {
  const keys = generateSuiteKeys();
  const { out } = await inFreshNode(`
    const before = drivers();
    const middleware = lib.wecomCallback({ suiteId: '${SUITE}', ...${JSON.stringify(keys)}, store: 'sqlite::memory:' });
    await middleware.ready();
    const after = drivers();
    await middleware.close();
    return { before, after };
  `);
  t.same(out.before, [], 'not at import');
  t.same(out.after, ['better-sqlite3'], 'loaded when the URL is opened, and ioredis still not');
});

t.test('by default the library logs warnings and errors to stderr: a throwing onEvent is one line, without secrets', async (t) => {
  const keys = generateSuiteKeys();
  const { stderr } = await inFreshNode(`
    ${OWN_STORE}
    const keys = ${JSON.stringify(keys)};
    let threw;
    const done = new Promise((resolve) => { threw = resolve; });
    const middleware = lib.wecomCallback({ suiteId: '${SUITE}', ...keys, store, maxClockSkewSeconds: 0,
      onEvent: () => { setImmediate(threw); throw new Error('boom in the app'); } });
    const plaintext = lib.buildXml({ SuiteId: '${SUITE}', InfoType: 'suite_ticket', TimeStamp: '1700000000', SuiteTicket: 'TICKET-SECRET' });
    const sealed = lib.sealCallback({ ...keys, receiveId: '${SUITE}', plaintext });
    await middleware.handler.handle({ method: 'POST', endpoint: 'command', query: new URLSearchParams(sealed.query).toString(), readBody: async () => sealed.body });
    await done;
    return {};
  `);
  const lines = stderr.split('\n').filter((line) => line !== '');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /^wecom-relay ERROR onEvent hook threw .*boom in the app/, 'level, message and the error');
  t.notMatch(stderr, keys.token, 'no token');
  t.notMatch(stderr, keys.encodingAESKey, 'no key');
  t.notMatch(stderr, 'TICKET-SECRET', 'no callback content');
});

t.test('createStderrLogger writes warn and error as one line each, drops debug and info, and redacts secrets', async (t) => {
  const lines: string[] = [];
  const logger = createStderrLogger((line) => lines.push(line));
  logger.debug({ a: 1 }, 'debug');
  logger.info({ a: 1 }, 'info');
  logger.warn({ eventId: 'evt_1', token: 'tok-secret', nested: { suiteSecret: 's3cret' } }, 'two\nlines');
  logger.error({ err: Object.assign(new Error('disk full'), { code: 'ERR_STORE_UNAVAILABLE' }) }, 'failed');
  t.equal(lines.length, 2, 'debug and info dropped');
  t.equal(lines[0], 'wecom-relay WARN two lines {"eventId":"evt_1","token":"[redacted]","nested":{"suiteSecret":"[redacted]"}}\n', 'one line, secrets redacted');
  t.equal(lines[1], 'wecom-relay ERROR failed {"err":"Error ERR_STORE_UNAVAILABLE: disk full"}\n', 'errors by name, code and message');
});

t.test('a store that cannot be opened is reported when the middleware is created: ready() rejects naming it, logged at once', async (t) => {
  const lines: Array<[string, string, unknown]> = [];
  const logger: Logger = { debug() {}, info() {}, warn: (o, m) => { lines.push(['warn', m ?? '', o]); }, error: (o, m) => { lines.push(['error', m ?? '', o]); } };
  const middleware = wecomCallback({ suiteId: SUITE, ...generateSuiteKeys(), store: 'sqlite:/proc/nope/x.db', logger });
  t.teardown(() => middleware.close());
  await t.rejects(middleware.ready(), { code: 'ERR_STORE_UNAVAILABLE', message: /the store sqlite:\/proc\/nope\/x\.db could not be opened/ }, 'ready() rejects, naming the store');
  t.equal(lines.length, 1, 'logged once, without any callback');
  t.match(lines[0], ['error', /store could not be opened/], 'as an error');
  await t.rejects(startReceiver({ suiteId: SUITE, ...generateSuiteKeys(), store: 'sqlite:/proc/nope/x.db', port: 0, host: '127.0.0.1', logger }),
    { code: 'ERR_STORE_UNAVAILABLE', message: /\/proc\/nope\/x\.db/ }, 'startReceiver rejects before listening');
});

t.test('startReceiver takes the reply options: a hook past a short replyTimeoutMs on the real timer gets success', async (t) => {
  const { createStore } = await import('../../src/store/create-store.js');
  const store = await createStore(`sqlite:${t.testdir()}/relay.db`);
  t.teardown(() => store.close());
  const keys = generateSuiteKeys();
  const warned: string[] = [];
  const receiver = await startReceiver({
    suiteId: SUITE, ...keys, store, port: 0, host: '127.0.0.1', maxClockSkewSeconds: 0, replyTimeoutMs: 1,
    reply: () => new Promise<never>(() => {}),
    logger: { debug() {}, info() {}, error() {}, warn: (_o, m) => { warned.push(m ?? ''); } },
  });
  t.teardown(() => receiver.close());
  const { sealCallback } = await import('../../src/crypto/seal-callback.js');
  const { buildXml } = await import('../../src/xml/build-xml.js');
  const plaintext = buildXml({ ToUserName: 'wwcorp1', FromUserName: 'lisi', CreateTime: '1700000000', MsgType: 'text', Content: 'hi', MsgId: '1', AgentID: '1' });
  const sealed = sealCallback({ ...keys, receiveId: 'wwcorp1', plaintext });
  const res = await fetch(`${receiver.url}/api/v1/wecom/callback?${new URLSearchParams(sealed.query)}`, { method: 'POST', body: sealed.body });
  t.equal(await res.text(), 'success', 'success');
  t.match(warned, [/did not answer within replyTimeoutMs/], 'logged');
});

t.test('wecomCallback refuses a store URL of an unknown scheme at construction, before opening anything', async (t) => {
  t.throws(() => wecomCallback({ suiteId: SUITE, ...generateSuiteKeys(), store: 'mysql://db/x' }), { name: 'TypeError', message: /`store` to be a URL starting with sqlite:/ }, 'TypeError');
});
