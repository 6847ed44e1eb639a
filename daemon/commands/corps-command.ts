import type { Command } from 'commander';
import { readAppCorps } from '../../src/apps/app-corps.js';
import { CommandExit, EXIT, loadCommandConfig, writeLine, type CommandContext } from './command-context.js';
import { renderTable } from './table.js';

interface CorpsListOpts { config?: string; store?: string; app?: string; json?: boolean }

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/**
 * `wecom-relay corps list [--app NAME] [--json]` (SPEC §10): every installed corp per app — corp id, name,
 * status (active / revoked / gone), installed at, last token refresh. Reads the configuration for the apps
 * (names, ids, kinds) and the store; never prints a permanent code or a token. `--json`: one object a line.
 */
export function registerCorpsCommand(program: Command, context: CommandContext): void {
  const corps = program.command('corps').description('inspect the corps that installed each app');
  corps.command('list')
    .description('list every installed corp per app with its status')
    .option('-c, --config <file>', 'configuration file (for the apps and the store URL)')
    .option('--store <url>', 'store URL, overriding the configuration (sqlite:… or redis://…)')
    .option('--app <name>', 'only this app (its name)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: CorpsListOpts) => {
      const { config } = await loadCommandConfig(context, opts.config);
      const apps = config.apps;
      const shown = opts.app === undefined ? apps : apps.filter((app) => app.name === opts.app);
      if (shown.length === 0) {
        throw new CommandExit(EXIT.usage, `wecom-relay: --app: no app named ${opts.app} (apps: ${apps.map((app) => app.name).join(', ')})`);
      }
      const { createStore } = await import('../../src/store/create-store.js');
      const store = await createStore(opts.store ?? config.store);
      try {
        // Legacy (one-suite) records are attributed against every app, then filtered: they belong to the first suite.
        const rows = (await readAppCorps(store, apps, Date.now())).filter((row) => shown.some((app) => app.id === row.appId));
        if (opts.json) {
          for (const row of rows) writeLine(context.stdout, JSON.stringify(row));
          return;
        }
        writeLine(context.stdout, renderTable(['APP', 'KIND', 'CORP', 'NAME', 'STATUS', 'INSTALLED', 'TOKEN REFRESHED'],
          rows.map((r) => [r.app, r.appKind, r.corpId, r.corpName ?? '', r.status, iso(r.installedAt), iso(r.lastTokenRefresh)])));
      } finally {
        await store.close();
      }
    });
}
