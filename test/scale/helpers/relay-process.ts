import type { RunningCli } from '../../helpers/spawn-cli.js';
import { spawnCli } from '../../helpers/spawn-cli.js';
import type { Teardown } from '../../e2e/helpers/recording-target.js';

/** A spawned `wecom-relay serve` or `daemon` that has started. */
export interface RelayProcess {
  readonly cli: RunningCli;
  /** The receiver's base URL (`serve` only; '' for a daemon). */
  readonly url: string;
  /** Log lines at level error (pino 50) or above so far. */
  errorLines(): Array<Record<string, unknown>>;
  /** Log lines whose `msg` is `msg`. */
  linesWith(msg: string): Array<Record<string, unknown>>;
}

/** pino's numeric level of `error`. */
const ERROR_LEVEL = 50;

/**
 * Spawns the built CLI (`wecom-relay <mode> --config <file>`) and resolves once it logged that it runs
 * (`receiver listening` / `daemon started`). `t.teardown` stops it: SIGTERM, then SIGKILL after 8 s.
 */
export async function startRelayProcess(t: Teardown, mode: 'serve' | 'daemon', configPath: string): Promise<RelayProcess> {
  const cli = spawnCli([mode, '--config', configPath]);
  t.teardown(async () => {
    const killer = setTimeout(() => cli.child.kill('SIGKILL'), 8000);
    await cli.stop('SIGTERM');
    clearTimeout(killer);
  });
  const started = await cli.waitForLine((line) => line.msg === (mode === 'serve' ? 'receiver listening' : 'daemon started'), 30_000);
  return {
    cli,
    url: mode === 'serve' ? String(started.url) : '',
    errorLines: () => cli.lines.filter((line) => typeof line.level === 'number' && line.level >= ERROR_LEVEL),
    linesWith: (msg) => cli.lines.filter((line) => line.msg === msg),
  };
}
