import type { Writable } from 'node:stream';
import { ConfigError, WecomRelayError } from '../../src/errors.js';
import type { LoadedConfig, StoreConfig } from '../config.js';
import { ListenError } from '../listen-error.js';

/** What every command gets from the entry point: the environment and where to write, read once at the edge. */
export interface CommandContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Loads the configuration named by `--config` / the environment / the default names. The loader (zod,
 * yaml) is imported on first use, so `--help` and commands without a config start fast.
 */
export async function loadCommandConfig(context: CommandContext, file: string | undefined): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config.js');
  return loadConfig({ ...(file ? { file } : {}), env: context.env, cwd: context.cwd });
}

/**
 * Loads only the store URL (and the target names) of the configuration: the inspect commands need no
 * secrets, so `events list` works where `WECOM_TOKEN` is not set.
 */
export async function loadCommandStoreConfig(context: CommandContext, file: string | undefined): Promise<StoreConfig> {
  const { loadStoreConfig } = await import('../config.js');
  return loadStoreConfig({ ...(file ? { file } : {}), env: context.env, cwd: context.cwd });
}

/** Thrown by a command to end the process with a message and an exit code, without a stack trace. */
export class CommandExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Maps an error escaping a command to the message and exit code a user should see. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CommandExit) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ListenError) return { message: `wecom-relay: ${error.message}`, exitCode: EXIT.failure };
  if (error instanceof ConfigError) return { message: `wecom-relay: ${error.message}`, exitCode: EXIT.usage };
  if (error instanceof WecomRelayError) return { message: `wecom-relay: ${error.code}: ${error.message}`, exitCode: EXIT.failure };
  // Bad arguments (a malformed time, a bad option value) surface as TypeErrors: a usage error, no stack.
  if (error instanceof TypeError && error.message.startsWith('Expected ')) return { message: `wecom-relay: ${error.message}`, exitCode: EXIT.usage };
  return { message: `wecom-relay: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, exitCode: EXIT.failure };
}

/** Writes one line. */
export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
