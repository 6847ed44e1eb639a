import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { SAMPLE_KINDS } from '../../src/events/samples.js';
import { storeUrlOf } from '../../src/store/create-store.js';
import { CommandExit, EXIT, writeLine, type CommandContext } from './command-context.js';
import { configSecrets } from './config-secrets.js';
import { demoSummary } from './demo-summary.js';
import { demoReconciliation } from './demo-reconcile.js';
import { triggerCallback } from './trigger-command.js';

const DEMO_SUITE = 'ww917724cb573d8629';
const DEMO_CORP = 'wxf8b4f85f3a794e77';
/** The seed's site (安装完成回调域名 zjemail.cn): the demo plays its reverse proxy, sending its install paths to the receiver. */
const DEMO_SITE = 'https://zjemail.cn';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Stay up after the run (for `wecom-relay trigger`). */
  readonly keep: boolean;
  /** Print every event as full JSON (default: one line each, the first of each family in full). */
  readonly verbose: boolean;
  /** Give up waiting for deliveries after this long. */
  readonly timeoutMs: number;
  /** Keep the SQLite file here instead of a temp dir. */
  readonly dataDir?: string;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The whole pipeline on loopback with no network and no credentials: a mock WeCom API, the receiver, the
 * daemon on a temp SQLite store and a local sink. Pushes one sealed sample of every kind through the
 * real HTTP path (suite_ticket and create_auth first, with values the mock issued, so tokens, permanent
 * code and enrichment really work) and prints each normalized event as the sink receives it.
 */
export async function runDemo(context: CommandContext, options: DemoOptions): Promise<number> {
  const out = context.stdout;
  const [{ validateConfig }, { createLogger }, { startMockWecomApi }, { runRelay }] = await Promise.all([
    import('../config.js'), import('../logger.js'), import('../mock-api/start-mock-wecom-api.js'), import('../run-relay.js'),
  ]);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wecom-relay-demo-'));
  const secret = randomBytes(24).toString('hex');
  const keys = { token: randomBytes(12).toString('hex'), encodingAESKey: randomBytes(32).toString('base64').slice(0, 43) };
  const mock = await startMockWecomApi({ suiteId: DEMO_SUITE, suiteSecret: secret });

  const received: EventEnvelope[] = [];
  const chatMessages: string[] = [];
  let onReceived: (() => void) | undefined;
  const sink = createServer((req, res) => {
    void readAll(req).then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/chat' ? 'ok' : '{"ok":true}');
      if (req.url === '/chat') {
        chatMessages.push((JSON.parse(body) as { text: string }).text);
        return;
      }
      const event = JSON.parse(body) as EventEnvelope;
      received.push(event);
      const enriched = event.enrichment ? ` enrichment: ${Object.keys(event.enrichment).join(', ')}` : '';
      const failed = event.enrichmentError ? ` enrichmentError: ${event.enrichmentError.code}` : '';
      // One line for the first event of each family (and of external_contact.added, shown in full), so the
      // summary below stays on one screen; --verbose prints every event.
      const earlier = received.slice(0, -1);
      const family = (type: string) => type.split('.')[0];
      const firstOfType = !earlier.some((e) => e.type === event.type);
      const show = !earlier.some((e) => family(e.type) === family(event.type)) || (firstOfType && event.type === 'external_contact.added');
      if (options.verbose || show) writeLine(out, `→ ${event.type.padEnd(36)} ${event.id}  corp ${event.source.corpId ?? '-'}${enriched}${failed}`);
      if (options.verbose || (firstOfType && event.type === 'external_contact.added')) writeLine(out, JSON.stringify(event, null, 2));
      if (event.type === 'external_contact.added' && typeof (event.data as { welcomeCode?: unknown }).welcomeCode === 'string' && !welcome.started) {
        // The service that gets the event answers it: the welcome message, through the relay's gateway (WeCom allows 20 s).
        welcome.started = true;
        void sendWelcome(event).then(() => onReceived?.());
      }
      onReceived?.();
    });
  });
  const gatewayKey = randomBytes(24).toString('hex');
  const welcome: { started: boolean; answer?: { errcode?: number }; error?: string; afterMs?: number } = { started: false };
  let gatewayUrl = '';
  async function sendWelcome(event: EventEnvelope): Promise<void> {
    try {
      const response = await fetch(`${gatewayUrl}/v1/apps/${DEMO_SUITE}/corps/${event.source.corpId}/cgi-bin/externalcontact/send_welcome_msg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ welcome_code: (event.data as { welcomeCode: string }).welcomeCode, text: { content: '您好，欢迎！(sent by the demo sink through the wecom-relay gateway)' } }),
      });
      welcome.answer = await response.json() as { errcode?: number };
      const arrived = mock.welcomeMessages.at(-1);
      if (arrived) welcome.afterMs = arrived.at - Date.parse(event.receivedAt);
    } catch (error) {
      welcome.error = error instanceof Error ? error.message : String(error);
    }
  }
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

  const demoInput = {
    suite: { id: DEMO_SUITE, secret: '${DEMO_SUITE_SECRET}', ...keys },
    receiver: { host: '127.0.0.1', port: 0, maxClockSkewSeconds: 3600 },
    store: `sqlite:${join(dataDir, 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50, retentionDays: 0 },
    // The demo runs its syncs itself, after the samples (demoReconciliation), so they stay apart.
    sync: { onInstall: false, intervalHours: 0 },
    log: { level: options.verbose ? 'info' : 'error' },
    targets: [
      { name: 'demo-sink', url: `${sinkUrl}/events`, format: 'json', secret: `whsec_${randomBytes(24).toString('base64')}`, rateLimit: { count: 200, intervalMs: 1000 } },
      { name: 'demo-chat', url: `${sinkUrl}/chat`, format: 'slack', locale: 'en', events: ['external_contact.*'], rateLimit: { count: 50, intervalMs: 1000 } },
    ],
    install: { publicBaseUrl: DEMO_SITE, installPageUrl: `${mock.url}/3rdapp/install`, testInstall: true },
    // The credential gateway (SPEC §11): the sink sends welcome messages through it.
    gateway: { host: '127.0.0.1', port: 0, keys: [{ name: 'demo-sink', key: '${DEMO_GATEWAY_KEY}', paths: ['externalcontact/send_welcome_msg'] }] },
  };
  const config = validateConfig(demoInput, { DEMO_SUITE_SECRET: secret, DEMO_GATEWAY_KEY: gatewayKey });
  const logger = createLogger({ level: config.log.level, secrets: configSecrets(config), destination: { write: (s: string) => { context.stderr.write(s); } } });
  const relay = await runRelay({ config, mode: 'start', logger });
  const receiverUrl = relay.receiver!.url;
  gatewayUrl = relay.gateway!.url;
  writeLine(out, `wecom-relay demo: receiver ${receiverUrl}, mock WeCom API ${mock.url}, sink ${sinkUrl}, store ${storeUrlOf(config.store)}`);
  writeLine(out, `pushing ${SAMPLE_KINDS.length} sample callbacks through the real encrypted HTTP path…`);

  const base = { to: receiverUrl, suiteId: DEMO_SUITE, ...keys, corpId: DEMO_CORP, dataPath: config.receiver.dataPath, commandPath: config.receiver.commandPath, mockApi: mock.url };
  const results: Array<{ kind: string; status: number }> = [];
  // Credentials first (the ticket lets the daemon fetch a suite token, the auth code a permanent code);
  // cancel_auth last, since it deletes the corp's permanent code and so ends its enrichment.
  const first = ['suite_ticket', 'create_auth'];
  const ordered = [...first, ...SAMPLE_KINDS.filter((k) => !first.includes(k) && k !== 'cancel_auth'), 'cancel_auth'];
  for (const kind of ordered) {
    const result = await triggerCallback({ ...base, kind });
    results.push({ kind, status: result.status });
    if (kind === 'create_auth') await waitFor(() => received.some((e) => e.type === 'auth.created'), 10_000, (f) => { onReceived = f; });
  }
  const expected = results.filter((r) => r.status === 200 && r.kind !== 'suite_ticket').length;
  const done = await waitFor(() => received.length >= expected, options.timeoutMs, (f) => { onReceived = f; });

  writeLine(out, '');
  for (const line of demoSummary(results, received)) writeLine(out, line);
  const rejected = results.filter((r) => r.status !== 200);
  writeLine(out, `\n${results.length} callbacks sent (${rejected.length} rejected), ${received.length}/${expected} events delivered to demo-sink (suite_ticket is consumed, not forwarded), ${chatMessages.length} Slack-format messages to demo-chat.`);
  if (chatMessages[0]) writeLine(out, `a chat message reads: ${chatMessages[0]}`);
  const welcomed = await waitFor(() => welcome.answer !== undefined || welcome.error !== undefined, 20_000, (f) => { onReceived = f; });
  const inTime = welcomed && welcome.answer?.errcode === 0 && welcome.afterMs !== undefined && welcome.afterMs <= 20_000;
  writeLine(out, inTime
    ? `welcome message: the sink answered external_contact.added through the gateway (${gatewayUrl}, POST …/cgi-bin/externalcontact/send_welcome_msg); it arrived at the mock WeCom API ${welcome.afterMs} ms after the callback was received (WeCom allows 20 s)`
    : `welcome message: FAILED (${welcome.error ?? (welcome.answer ? `errcode ${String(welcome.answer.errcode)}` : 'never sent')}${welcome.afterMs === undefined ? '' : `, after ${welcome.afterMs} ms`})`);

  // A website install (no create_auth push; the corp was just uninstalled by cancel_auth): install route →
  // the mock's install page → the callback route, as a browser would, then the daemon forwards auth.created.
  const install = config.install!;
  const viaWebsite = await websiteInstall(receiverUrl, install.installPath) &&
    await waitFor(() => received.some((e) => e.type === 'auth.created' && e.source.endpoint === 'install'), 10_000, (f) => { onReceived = f; });
  writeLine(out, `website install (${install.installPath} → WeCom install page → ${install.callbackPath}): ${viaWebsite ? 'auth.created delivered' : 'FAILED'}`);

  const reconciledOk = await demoReconciliation({
    config, store: relay.store, mock, corpId: DEMO_CORP, out, received,
    waitFor: (check, ms) => waitFor(check, ms, (f) => { onReceived = f; }),
  });

  if (options.keep) {
    // The demo's own configuration (its random Token and key, the ports it got), so the printed commands work.
    const file = join(dataDir, 'wecom-relay.config.json');
    const port = Number(new URL(receiverUrl).port);
    writeFileSync(file, `${JSON.stringify({ ...demoInput, suite: { ...demoInput.suite, secret: secret }, receiver: { ...demoInput.receiver, port }, gateway: { ...demoInput.gateway, keys: [{ ...demoInput.gateway.keys[0]!, key: gatewayKey }] } }, null, 2)}\n`, { mode: 0o600 });
    const cli = `node ${fileURLToPath(new URL('../cli.js', import.meta.url))}`;
    writeLine(out, `\nstaying up (Ctrl-C to stop); its configuration is in ${file}. Try:`);
    writeLine(out, `  ${cli} trigger add_external_contact --config ${file} --mock-api ${mock.url}`);
    writeLine(out, `  ${cli} events list --config ${file}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  await relay.stop();
  await mock.close();
  await new Promise<void>((resolve) => { sink.close(() => resolve()); sink.closeAllConnections(); });
  if (!options.dataDir && !options.keep) rmSync(dataDir, { recursive: true, force: true });
  if (!done || rejected.length > 0 || !viaWebsite || !inTime || !reconciledOk) {
    throw new CommandExit(EXIT.failure, `wecom-relay demo: ${rejected.length} callbacks rejected, ${received.length}/${expected} events delivered${viaWebsite ? '' : ', website install failed'}${inTime ? '' : ', the welcome message did not arrive within 20 s'}${reconciledOk ? '' : ', reconciliation incomplete'}`);
  }
  return EXIT.ok;
}

/**
 * Follows the website install's three redirects by hand (install route → WeCom's install page → callback
 * route → the app); a redirect to {@link DEMO_SITE} goes to the receiver, as the site's reverse proxy would.
 */
async function websiteInstall(receiverUrl: string, installPath: string): Promise<boolean> {
  let url = `${receiverUrl}${installPath}`;
  for (let hop = 0; hop < 3; hop++) {
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 302 || location === null) return false;
    const next = new URL(location);
    url = next.origin === DEMO_SITE ? `${receiverUrl}${next.pathname}${next.search}` : next.toString();
  }
  return url === `${receiverUrl}/`;
}

/** Resolves true once `check()` holds (re-checked whenever `subscribe`'s callback fires), false after `timeoutMs`. */
function waitFor(check: () => boolean, timeoutMs: number, subscribe: (f: (() => void) | undefined) => void): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { subscribe(undefined); resolve(false); }, timeoutMs);
    subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      subscribe(undefined);
      resolve(true);
    });
  });
}

/** `wecom-relay demo`. */
export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('run the whole pipeline offline (mock WeCom API, receiver, daemon, local sink) and print every event as it is delivered')
    .option('--keep', 'stay up afterwards, for `wecom-relay trigger`')
    .option('--verbose', 'print every event as full JSON, and the logs')
    .option('--timeout <ms>', 'give up waiting for deliveries after this long', '60000')
    .option('--data <dir>', 'keep the SQLite store in this directory')
    .action(async (opts: { keep?: boolean; verbose?: boolean; timeout: string; data?: string }) => {
      await runDemo(context, { keep: opts.keep === true, verbose: opts.verbose === true, timeoutMs: Number(opts.timeout) || 60_000, ...(opts.data ? { dataDir: opts.data } : {}) });
    });
}
