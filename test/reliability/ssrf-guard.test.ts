import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { createHttpSender } from '../../daemon/delivery/http-sender.js';
import { blockedReason, createSsrfGuard, parseCidr, SSRF_BLOCKED_CODE } from '../../daemon/delivery/ssrf-guard.js';
import { ConfigError } from '../../src/errors.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { listen } from '../helpers/listen.js';
import { SUITE_ID, startTestRelay } from '../e2e/helpers/test-relay.js';
import { startFaultyTarget } from './helpers/faulty-target.js';

/** The opt-in SSRF guard for target URLs (config `security.blockPrivateTargets`). */

const BLOCKED = [
  '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
  '100.100.100.200', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '198.18.0.1', '192.0.2.10',
  '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fd00:ec2::254', 'fc00::1', 'ff02::1', '2001:db8::1', '2001::1',
  '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '::127.0.0.1', '::0.0.1.5',
  '64:ff9b::a9fe:a9fe', '64:ff9b::7f00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1', 'not-an-address', '',
];
const ALLOWED = [
  '8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.63.255.255', '100.128.0.1',
  '2606:4700:4700::1111', '2400:cb00::1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1',
];

t.test('private, loopback, link-local, ULA, metadata and special ranges are refused; public unicast passes', async (t) => {
  for (const address of BLOCKED) t.type(blockedReason(address), 'string', `${address || '(empty)'} is refused`);
  for (const address of ALLOWED) t.equal(blockedReason(address), null, `${address} passes`);
  t.match(blockedReason('169.254.169.254'), /169\.254\.0\.0\/16 \(link-local \(cloud metadata/, 'the reason names the range');
  t.match(blockedReason('::ffff:127.0.0.1'), /embeds 127\.0\.0\.1, in 127\.0\.0\.0\/8 \(loopback\)/, 'a mapped address is judged by the IPv4 it embeds');
});

t.test('allowPrivateRanges lets chosen ranges through, also in their IPv4-mapped form, and nothing else', async (t) => {
  const allow = ['127.0.0.1/32', '10.20.0.0/16', '::1'].map(parseCidr);
  t.equal(blockedReason('127.0.0.1', allow), null, '127.0.0.1 allowed');
  t.equal(blockedReason('::ffff:127.0.0.1', allow), null, 'and its mapped form');
  t.equal(blockedReason('::1', allow), null, '::1 allowed (a bare address is one address)');
  t.equal(blockedReason('10.20.9.9', allow), null, 'inside 10.20.0.0/16 allowed');
  t.type(blockedReason('127.0.0.2', allow), 'string', '127.0.0.2 still refused');
  t.type(blockedReason('10.21.0.1', allow), 'string', '10.21.0.1 still refused');
  t.type(blockedReason('169.254.169.254', allow), 'string', 'metadata still refused');
  for (const bad of ['10.0.0.0/33', '::/129', 'abc', '1.2.3.4/x', '1.2.3.4/8/9', '10.0.0/8', '']) {
    t.throws(() => parseCidr(bad), TypeError, `\`${bad}\` is not a CIDR range`);
  }
});

t.test('the guarded lookup checks every address the name resolves to, and hands the checked one to the connection', async (t) => {
  const table: Record<string, LookupAddress[]> = {
    'public.test': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }],
    'split.test': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  };
  const guard = createSsrfGuard({ resolve: async (name) => table[name] ?? [] });
  const lookup = (name: string, options: { all?: boolean; family?: number }) => new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) => {
    guard.lookup(name, options, (error, address, family) => resolve({ error, address, ...(family === undefined ? {} : { family }) }));
  });
  t.match(await lookup('public.test', {}), { error: null, address: '93.184.216.34', family: 4 }, 'a public name resolves to its first address');
  t.match(await lookup('public.test', { all: true }), { error: null, address: table['public.test'] }, 'all: true gets every address');
  t.match(await lookup('public.test', { family: 6 }), { error: null, address: '2606:2800:220:1::1' }, 'a family filter is honoured');
  const split = await lookup('split.test', { all: true });
  t.equal(split.error?.code, SSRF_BLOCKED_CODE, 'a name with one public and one loopback address is refused whole');
  t.match(split.error?.message, /127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(loopback\) \(resolved from split\.test\)/, 'naming the address and the name');
  t.equal((await lookup('metadata.test', {})).error?.code, SSRF_BLOCKED_CODE, 'a name pointing at the metadata service is refused');
  t.equal((await lookup('nowhere.test', {})).error?.code, 'ENOTFOUND', 'a name without addresses fails like DNS would');
});

t.test('the HTTP sender: IP literals and names resolving to loopback are refused before any byte is sent; allowed ranges pass', async (t) => {
  let hits = 0;
  const server = createServer((req, res) => { hits += 1; req.resume(); res.end('{"ok":true}'); });
  const { url, close } = await listen(server);
  t.teardown(close);
  const port = new URL(url).port;
  const request = (target: string) => ({ url: target, headers: { 'content-type': 'application/json' }, body: '{}' });

  const guarded = createHttpSender({ guard: createSsrfGuard() });
  t.teardown(() => guarded.close());
  for (const target of [`http://127.0.0.1:${port}/`, `http://[::1]:${port}/`, `http://localhost:${port}/`, `http://0x7f.1:${port}/`, `http://2130706433:${port}/`]) {
    const result = await guarded(request(target), 1000);
    t.match(result, { error: 'blocked', message: /target address blocked/ }, `${target} is refused`);
  }
  t.equal(hits, 0, 'the target never saw a request');

  // A name the guard resolves itself, so the address it checked is the one the socket uses (no second lookup).
  const pinned = createHttpSender({ guard: createSsrfGuard({ allow: ['127.0.0.0/8'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] }) });
  t.teardown(() => pinned.close());
  t.match(await pinned(request(`http://hooks.internal.test:${port}/`), 1000), { status: 200 }, 'an allowed range is delivered, through the guard\'s own resolution');
  t.equal(hits, 1, 'one request arrived');

  const open = createHttpSender();
  t.teardown(() => open.close());
  t.match(await open(request(`http://127.0.0.1:${port}/`), 1000), { status: 200 }, 'without the guard (the default) loopback targets work');
});

t.test('security.blockPrivateTargets is off by default; bad ranges are config errors with their path', async (t) => {
  const base = { suite: { id: SUITE_ID, ...generateSuiteKeys() } };
  t.same(validateConfig(base, {}).security, { blockPrivateTargets: false, allowPrivateRanges: [] }, 'opt-in: off by default');
  try {
    validateConfig({ ...base, security: { blockPrivateTargets: true, allowPrivateRanges: ['10.0.0.0/8', '10.0.0.0/40'] } }, {});
    t.fail('a bad range must be refused');
  } catch (error) {
    t.type(error, ConfigError, 'refused at start-up');
    t.match((error as ConfigError).issues, [{ path: 'security.allowPrivateRanges[1]' }], 'naming the bad entry');
  }
});

t.test('end to end: with blockPrivateTargets a loopback target is never contacted and the delivery is dead with the reason', async (t) => {
  const target = await startFaultyTarget(t, () => 'ok');
  const relay = await startTestRelay(t, {
    dir: t.testdir(),
    security: { blockPrivateTargets: true },
    targets: [{ name: 'internal', url: `${target.url}/hooks`, format: 'json', retrySchedule: [0, 1, 1] }],
  });
  const sent = await relay.send('add_external_contact', { seq: 1 });
  t.equal(sent.answer.status, 200, 'the callback is acked');
  const ledger = await relay.settle([sent.eventId], 10_000);
  t.equal(ledger.lost, 0, 'the event is accounted for');
  const [delivery] = ledger.deliveries.get(sent.eventId) ?? [];
  t.equal(delivery?.state, 'dead', 'dead at once (retrying would meet the same refusal)');
  t.equal(delivery?.attempts, 1, 'after one attempt');
  t.match(delivery?.lastError, /target address blocked by security\.blockPrivateTargets: 127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(loopback\)/, 'with a clear reason');
  t.equal(target.seen.length, 0, 'the target received nothing');
});
