import type { Command } from 'commander';
import { sealCallback } from '../../src/crypto/seal-callback.js';
import { SAMPLE_KINDS, sampleCallback } from '../../src/events/samples.js';
import type { Endpoint } from '../../src/events/envelope.js';
import { CommandExit, EXIT, loadCommandConfig, writeLine, type CommandContext } from './command-context.js';

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

/** `wecom-relay trigger <kind> [--to URL]`. */
export function registerTriggerCommand(program: Command, context: CommandContext): void {
  program
    .command('trigger <kind>')
    .description(`send one encrypted, signed sample callback to a receiver (kinds: ${SAMPLE_KINDS.slice(0, 6).join(', ')}, … — "list" shows all)`)
    .option('-c, --config <file>', 'configuration file (suite id, token, key, receiver paths)')
    .option('--to <url>', 'receiver base URL (default: http://127.0.0.1:<receiver.port>)')
    .option('--corp <corpId>', 'the authorizing corp to put in the sample', 'wxf8b4f85f3a794e77')
    .option('--mock-api <url>', 'take a valid suite_ticket / auth code from this mock WeCom API')
    .option('--json', 'print the result as JSON')
    .action(async (kind: string, opts: { config?: string; to?: string; corp: string; mockApi?: string; json?: boolean }) => {
      if (kind === 'list') {
        for (const k of SAMPLE_KINDS) writeLine(context.stdout, k);
        return;
      }
      if (!SAMPLE_KINDS.includes(kind)) {
        throw new CommandExit(EXIT.usage, `wecom-relay: unknown kind "${kind}"; one of:\n  ${SAMPLE_KINDS.join(', ')}`);
      }
      const { config } = await loadCommandConfig(context, opts.config);
      const result = await triggerCallback({
        kind,
        to: opts.to ?? `http://127.0.0.1:${config.receiver.port}`,
        suiteId: config.suite.id,
        token: config.suite.token,
        encodingAESKey: config.suite.encodingAESKey,
        corpId: opts.corp,
        dataPath: config.receiver.dataPath,
        commandPath: config.receiver.commandPath,
        ...(opts.mockApi ? { mockApi: opts.mockApi } : {}),
      });
      if (opts.json) writeLine(context.stdout, JSON.stringify(result));
      else writeLine(context.stdout, `${result.kind} → POST ${result.url}: ${result.status} ${result.body}`);
      if (result.status !== 200) throw new CommandExit(EXIT.failure, '');
    });
}
