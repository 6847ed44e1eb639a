import type { Command } from 'commander';
import { CommandExit, EXIT, writeLine, type CommandContext } from './command-context.js';

/** `wecom-relay mock-api [--port N]`: the mock WeCom server API on its own, for offline development. */
export function registerMockApiCommand(program: Command, context: CommandContext): void {
  program
    .command('mock-api')
    .description('serve the mock WeCom server API (suite tokens, permanent codes, contacts, install page) for offline development')
    .option('--port <n>', 'port to listen on (0 = any free port)', '9400')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--suite-id <id>', 'the suite id the mock accepts', 'ww917724cb573d8629')
    .option('--suite-secret <secret>', 'the suite secret the mock accepts (default: $WECOM_SUITE_SECRET, else "mock-secret")')
    .option('--accept-any-ticket', 'accept any suite_ticket in get_suite_token (not only ones it issued)')
    .action(async (opts: { port: string; host: string; suiteId: string; suiteSecret?: string; acceptAnyTicket?: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CommandExit(EXIT.usage, `wecom-relay: --port must be 0–65535, got ${opts.port}`);
      const { startMockWecomApi } = await import('../mock-api/start-mock-wecom-api.js');
      const mock = await startMockWecomApi({
        host: opts.host,
        port,
        suiteId: opts.suiteId,
        suiteSecret: opts.suiteSecret ?? context.env.WECOM_SUITE_SECRET ?? 'mock-secret',
        acceptAnyTicket: opts.acceptAnyTicket === true,
      });
      writeLine(context.stdout, `mock WeCom API listening on ${mock.url} (set wecomApi.baseUrl to it)`);
      writeLine(context.stdout, `  POST ${mock.url}/__mock/suite_ticket   issue a suite_ticket to send in a suite_ticket callback`);
      writeLine(context.stdout, `  POST ${mock.url}/__mock/auth_code      issue an auth code for a create_auth callback`);
      writeLine(context.stdout, `  POST ${mock.url}/__mock/inject         inject a failure, e.g. {"path":"externalcontact/get","errcode":-1,"times":2}`);
      writeLine(context.stdout, `  GET  ${mock.url}/__mock/calls          the calls it answered (no token values)`);
      writeLine(context.stdout, `  POST ${mock.url}/__mock/corp_data      change a corp's data without a callback, e.g. {"corpId":"…","addUsers":[{"userid":"u1"}]}`);
      writeLine(context.stdout, `  POST ${mock.url}/__mock/large_corp     generate a corp, e.g. {"corpId":"wwbig","members":100000,"pairs":50000}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await mock.close();
    });
}
