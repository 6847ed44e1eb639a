import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { sealCallback, sealEchostr } from '../../src/crypto/seal-callback.js';
import { SAMPLE_KINDS, sampleCallback } from '../../src/events/samples.js';
import type { Endpoint } from '../../src/events/envelope.js';
import { CommandExit, EXIT, writeLine, type CommandContext } from './command-context.js';

/** What a trigger needs to seal a callback like WeCom does. */
export interface TriggerOptions {
  readonly kind: string;
  /** Receiver base URL, e.g. `http://127.0.0.1:8080`. */
  readonly to: string;
  readonly suiteId: string;
  readonly token: string;
  readonly encodingAESKey: string;
  readonly corpId: string;
  readonly dataPath: string;
  readonly commandPath: string;
  /** A mock WeCom API to take a valid suite_ticket / auth code from, so the daemon's exchange works. */
  readonly mockApi?: string;
  readonly seq?: number;
  readonly now?: Date;
}

/** The answer of one triggered callback. */
export interface TriggerResult {
  readonly kind: string;
  readonly endpoint: Endpoint;
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

async function fromMock(mockApi: string, what: 'suite_ticket' | 'auth_code', corpId: string): Promise<Record<string, string>> {
  const response = await fetch(`${mockApi.replace(/\/+$/, '')}/__mock/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ corpId }),
  });
  if (!response.ok) throw new CommandExit(EXIT.failure, `wecom-relay: the mock API at ${mockApi} answered ${response.status} to /__mock/${what}`);
  return (await response.json()) as Record<string, string>;
}

/**
 * Seals one sample callback of `kind` (encrypted with the suite's key, signed with its token, receiveid as
 * WeCom would set it) and POSTs it to the receiver, like `stripe trigger`.
 */
export async function triggerCallback(options: TriggerOptions): Promise<TriggerResult> {
  if (!SAMPLE_KINDS.includes(options.kind)) {
    throw new CommandExit(EXIT.usage, `wecom-relay: unknown kind "${options.kind}"; one of:\n  ${SAMPLE_KINDS.join(', ')}`);
  }
  const sample = sampleCallback(options.kind, { suiteId: options.suiteId, corpId: options.corpId, now: options.now ?? new Date(), seq: options.seq ?? 0 });
  let fields = sample.fields;
  if (options.mockApi && options.kind === 'suite_ticket') {
    const issued = await fromMock(options.mockApi, 'suite_ticket', options.corpId);
    fields = { ...fields, SuiteTicket: String(issued.ticket), TimeStamp: String(issued.timestamp ?? fields.TimeStamp) };
  }
  if (options.mockApi && (options.kind === 'create_auth' || options.kind === 'reset_permanent_code')) {
    const issued = await fromMock(options.mockApi, 'auth_code', options.corpId);
    fields = { ...fields, AuthCode: String(issued.authCode) };
  }
  const { buildXml } = await import('../../src/xml/build-xml.js');
  const plaintext = fields === sample.fields ? sample.plaintext : buildXml(fields);
  const endpoint = sample.endpoint;
  // WeCom seals command callbacks for the suite id, data callbacks for the authorizing corp.
  const receiveId = endpoint === 'data' ? options.corpId : options.suiteId;
  const sealed = sealCallback({ token: options.token, encodingAESKey: options.encodingAESKey, receiveId, plaintext });
  const path = endpoint === 'data' ? options.dataPath : options.commandPath;
  const url = `${options.to.replace(/\/+$/, '')}${path}?${new URLSearchParams(sealed.query).toString()}`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body });
  return { kind: options.kind, endpoint, url: url.split('?')[0]!, status: response.status, body: await response.text() };
}

/** What a URL-verification GET needs. */
export interface VerifyOptions {
  /** Receiver base URL. */
  readonly to: string;
  readonly path: string;
  readonly token: string;
  readonly encodingAESKey: string;
  /** The receiveid sealed in the echostr: the provider's corp id, as WeCom's console does. */
  readonly receiveId: string;
}

/** The answer to one URL-verification GET, and whether it echoed the plaintext back. */
export interface VerifyResult {
  readonly url: string;
  readonly status: number;
  readonly body: string;
  readonly ok: boolean;
}

/**
 * Sends the GET the WeCom console sends when a callback URL is saved (`msg_signature`, `timestamp`,
 * `nonce`, encrypted `echostr`) and checks the receiver answers with the decrypted echo, byte for byte.
 */
export async function verifyCallbackUrl(options: VerifyOptions): Promise<VerifyResult> {
  const echo = randomBytes(8).toString('hex');
  const sealed = sealEchostr({ token: options.token, encodingAESKey: options.encodingAESKey, receiveId: options.receiveId, echo });
  const base = `${options.to.replace(/\/+$/, '')}${options.path}`;
  const response = await fetch(`${base}?${new URLSearchParams({ ...sealed }).toString()}`);
  const body = await response.text();
  return { url: base, status: response.status, body, ok: response.status === 200 && body === echo };
}

interface TriggerFlags {
  config?: string;
  to?: string;
  corp: string;
  mockApi?: string;
  json?: boolean;
  token?: string;
  key?: string;
  suiteId?: string;
  dataPath?: string;
  commandPath?: string;
  receiveId?: string;
  endpoint?: string;
}

/** The suite credentials and receiver paths: from `--token`/`--key` (no file needed) or the configuration. */
async function credentials(context: CommandContext, opts: TriggerFlags): Promise<{ suiteId: string; token: string; encodingAESKey: string; providerCorpId?: string; port: number; dataPath: string; commandPath: string }> {
  if ((opts.token === undefined) !== (opts.key === undefined)) throw new CommandExit(EXIT.usage, 'wecom-relay: --token and --key go together (or use --config)');
  if (opts.token !== undefined && opts.key !== undefined) {
    const { parseEncodingAESKey } = await import('../../src/crypto/key.js');
    try {
      parseEncodingAESKey(opts.key);
    } catch (error) {
      throw new CommandExit(EXIT.usage, `wecom-relay: --key: ${(error as Error).message}`);
    }
    return {
      suiteId: opts.suiteId ?? 'ww917724cb573d8629', token: opts.token, encodingAESKey: opts.key, port: 8080,
      dataPath: opts.dataPath ?? '/api/v1/wecom/callback', commandPath: opts.commandPath ?? '/api/v1/wecom/command',
    };
  }
  // Only what a trigger uses: the suite's callback credentials and the receiver; suite.secret may be unset.
  const { loadConfigSections } = await import('../config.js');
  const { config } = loadConfigSections({ ...(opts.config ? { file: opts.config } : {}), env: context.env, cwd: context.cwd }, ['suite', 'receiver'], ['suite.secret']);
  return {
    suiteId: opts.suiteId ?? config.suite.id, token: config.suite.token, encodingAESKey: config.suite.encodingAESKey,
    ...(config.suite.providerCorpId ? { providerCorpId: config.suite.providerCorpId } : {}),
    port: config.receiver.port, dataPath: opts.dataPath ?? config.receiver.dataPath, commandPath: opts.commandPath ?? config.receiver.commandPath,
  };
}

/** `wecom-relay trigger <kind> [--to URL]`, `trigger list`, `trigger verify`. */
export function registerTriggerCommand(program: Command, context: CommandContext): void {
  program
    .command('trigger <kind>')
    .description(`send one encrypted, signed sample callback to a receiver (kinds: ${SAMPLE_KINDS.slice(0, 6).join(', ')}, … — "list" shows all; "verify" sends the console's URL-verification GET)`)
    .option('-c, --config <file>', 'configuration file (suite id, token, key, receiver paths)')
    .option('--token <token>', 'the callback Token (instead of a configuration file; with --key)')
    .option('--key <encodingAESKey>', 'the 43-character EncodingAESKey (with --token)')
    .option('--suite-id <id>', 'the suite id (default: suite.id, else ww917724cb573d8629)')
    .option('--data-path <path>', 'the data callback path (default: receiver.dataPath)')
    .option('--command-path <path>', 'the command callback path (default: receiver.commandPath)')
    .option('--to <url>', 'receiver base URL (default: http://127.0.0.1:<receiver.port>)')
    .option('--corp <corpId>', 'the authorizing corp to put in the sample', 'wxf8b4f85f3a794e77')
    .option('--mock-api <url>', 'take a valid suite_ticket / auth code from this mock WeCom API')
    .option('--endpoint <which>', 'verify: data, command or both', 'both')
    .option('--receive-id <id>', 'verify: the receiveid to seal (default: suite.providerCorpId, else the suite id)')
    .option('--json', 'print the result as JSON')
    .action(async (kind: string, opts: TriggerFlags) => {
      if (kind === 'list') {
        for (const k of SAMPLE_KINDS) writeLine(context.stdout, k);
        return;
      }
      if (kind !== 'verify' && !SAMPLE_KINDS.includes(kind)) {
        throw new CommandExit(EXIT.usage, `wecom-relay: unknown kind "${kind}"; one of:\n  verify, ${SAMPLE_KINDS.join(', ')}`);
      }
      const creds = await credentials(context, opts);
      const to = opts.to ?? `http://127.0.0.1:${creds.port}`;
      if (kind === 'verify') {
        if (!['data', 'command', 'both'].includes(opts.endpoint ?? 'both')) throw new CommandExit(EXIT.usage, 'wecom-relay: --endpoint must be data, command or both');
        const paths = opts.endpoint === 'data' ? [creds.dataPath] : opts.endpoint === 'command' ? [creds.commandPath] : [creds.dataPath, creds.commandPath];
        const receiveId = opts.receiveId ?? creds.providerCorpId ?? creds.suiteId;
        const results: VerifyResult[] = [];
        for (const path of paths) results.push(await verifyCallbackUrl({ to, path, token: creds.token, encodingAESKey: creds.encodingAESKey, receiveId }));
        for (const r of results) {
          if (opts.json) writeLine(context.stdout, JSON.stringify(r));
          else writeLine(context.stdout, `verify → GET ${r.url}: ${r.status} ${r.ok ? 'echo matches (the WeCom console would accept this URL)' : `unexpected answer: ${r.body.slice(0, 200)}`}`);
        }
        if (!results.every((r) => r.ok)) throw new CommandExit(EXIT.failure, '');
        return;
      }
      const result = await triggerCallback({
        kind, to, suiteId: creds.suiteId, token: creds.token, encodingAESKey: creds.encodingAESKey, corpId: opts.corp,
        dataPath: creds.dataPath, commandPath: creds.commandPath,
        ...(opts.mockApi ? { mockApi: opts.mockApi } : {}),
      });
      if (opts.json) writeLine(context.stdout, JSON.stringify(result));
      else writeLine(context.stdout, `${result.kind} → POST ${result.url}: ${result.status} ${result.body}`);
      if (result.status !== 200) throw new CommandExit(EXIT.failure, '');
    });
}
