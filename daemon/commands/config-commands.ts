import type { Command } from 'commander';
import YAML from 'yaml';
import type { Config } from '../config-schema.js';
import { FORMAT_DEFAULTS } from '../delivery/format-defaults.js';
import type { TargetFormat } from '../delivery/target.js';
import { configSecrets } from './config-secrets.js';
import { loadCommandConfig, writeLine, type CommandContext } from './command-context.js';

/**
 * The configuration with every default applied — a target's per-format `rateLimit`, `concurrency` and
 * `timeoutMs` included — and every secret value replaced by `***`.
 */
export function maskedConfig(config: Config): unknown {
  const withDefaults: Config = {
    ...config,
    targets: config.targets.map((t) => {
      const defaults = FORMAT_DEFAULTS[t.format as TargetFormat];
      return { ...t, rateLimit: t.rateLimit ?? defaults.rateLimit, concurrency: t.concurrency ?? defaults.concurrency, timeoutMs: t.timeoutMs ?? defaults.timeoutMs };
    }),
  };
  return maskSecrets(withDefaults);
}

function maskSecrets(config: Config): unknown {
  const secrets = configSecrets(config);
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return secrets.reduce((s, secret) => s.split(secret).join('***'), value);
    if (Array.isArray(value)) return value.map(mask);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    return value;
  };
  return mask(config);
}

/** `wecom-relay config print`: the effective configuration, defaults included, secrets masked. */
export function registerConfigCommands(program: Command, context: CommandContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('print')
    .description('print the effective configuration (defaults applied, secrets masked)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON instead of YAML')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const loaded = await loadCommandConfig(context, opts.config);
      const masked = maskedConfig(loaded.config);
      if (opts.json) writeLine(context.stdout, JSON.stringify(masked, null, 2));
      else context.stdout.write(`# ${loaded.file}\n${YAML.stringify(masked)}`);
    });
}
