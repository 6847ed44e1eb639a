#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT, type CommandContext } from './commands/command-context.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerCorpsCommand } from './commands/corps-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerDoctorCommand } from './commands/doctor-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerInspectCommands } from './commands/inspect-commands.js';
import { registerMockApiCommand } from './commands/mock-api-command.js';
import { registerRunCommands } from './commands/run-commands.js';
import { registerSyncCommand } from './commands/sync-command.js';
import { registerTriggerCommand } from './commands/trigger-command.js';

/** Builds the `wecom-relay` program (exported so tests can run it in-process). */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('wecom-relay')
    .description('WeCom (企业微信) third-party suite callback relay: receive, verify, store, enrich and forward')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
    })
    .exitOverride();
  registerInitCommand(program, context);
  registerRunCommands(program, context);
  registerDemoCommand(program, context);
  registerTriggerCommand(program, context);
  registerMockApiCommand(program, context);
  registerInspectCommands(program, context);
  registerCorpsCommand(program, context);
  registerSyncCommand(program, context);
  registerDoctorCommand(program, context);
  registerConfigCommands(program, context);
  return program;
}

/** Runs the CLI; resolves the exit code. */
export async function main(argv: readonly string[], context: CommandContext): Promise<number> {
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { message, exitCode } = describeFailure(error);
    context.stderr.write(`${message}\n`);
    return exitCode;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * A reader that closed the pipe (`wecom-relay events list --json | head -1`) ends the command quietly:
 * nobody is left to read the rest, so there is nothing to report and no stack trace to print.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
}

if (invokedDirectly()) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((error: unknown) => {
      process.stderr.write(`wecom-relay: ${String(error)}\n`);
      process.exitCode = EXIT.failure;
    });
}
