import type { Command } from 'commander';
import type { Config } from '../config-schema.js';
import type { RelayMode } from '../run-relay.js';
import { configSecrets } from './config-secrets.js';
import { loadCommandConfig, type CommandContext } from './command-context.js';

const DESCRIPTIONS: Record<RelayMode, string> = {
  start: 'run the receiver and the daemon in one process (the single-machine deployment)',
  serve: 'run the receiver only: verify, decrypt, store and ack callbacks',
  daemon: 'run the daemon only: credentials, enrichment and delivery (several may share one Redis store)',
};

/**
 * `serve`'s admin listener when `admin.port` is not set: one below `start`/`daemon`'s 9464, so a `serve`
 * and a `daemon` on one host (the split deployment) do not collide with the defaults.
 */
export const SERVE_ADMIN_PORT = 9463;

/** The configuration a mode runs with: `serve` takes {@link SERVE_ADMIN_PORT} unless `admin.port` is set. */
export function configForMode(config: Config, raw: unknown, mode: RelayMode): Config {
  const explicit = (raw as { admin?: { port?: unknown } } | null)?.admin?.port !== undefined;
  return mode === 'serve' && !explicit ? { ...config, admin: { ...config.admin, port: SERVE_ADMIN_PORT } } : config;
}

/** Resolves when SIGTERM or SIGINT arrives. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // The daemon's timers are unref'd and signal listeners hold nothing open: without this, `daemon`
    // with the admin server off would exit 0 right after "daemon started".
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const on = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** `start`, `serve` and `daemon`: run until SIGTERM/SIGINT, then stop intake, drain within the bound, exit 0. */
export function registerRunCommands(program: Command, context: CommandContext): void {
  for (const mode of ['start', 'serve', 'daemon'] as const) {
    program
      .command(mode)
      .description(DESCRIPTIONS[mode])
      .option('-c, --config <file>', 'configuration file (JSON or YAML); default: $WECOM_RELAY_CONFIG or ./wecom-relay.config.{yaml,yml,json}')
      .action(async (opts: { config?: string }) => {
        const loaded = await loadCommandConfig(context, opts.config);
        const config = configForMode(loaded.config, loaded.raw, mode);
        const [{ createLogger, resolveLogFormat }, { runRelay }, { configWarnings }, { describeStoreSetting }] = await Promise.all([import('../logger.js'), import('../run-relay.js'), import('../config.js'), import('../../src/store/create-store.js')]);
        const format = resolveLogFormat(config.log.format, (context.stdout as { isTTY?: boolean }).isTTY === true);
        const logger = createLogger({ level: config.log.level, format, secrets: configSecrets(config) });
        logger.info({ mode, config: loaded.file, store: describeStoreSetting(config.store) }, 'wecom-relay starting');
        if (mode !== 'serve') for (const w of configWarnings(config)) logger.warn({ path: w.path }, `${w.path}: ${w.message}`);
        // `start`: the daemon runs in a worker thread, so its store commits never stall the receiver.
        const relay = await runRelay({ config, mode, logger, daemonThread: mode === 'start' });
        const signal = await untilSignal();
        logger.info({ signal }, 'shutting down: stopping intake, draining in-flight work');
        await relay.stop();
        logger.info({}, 'stopped');
        logger.flush();
      });
  }
}
