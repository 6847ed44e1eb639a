import type { Command } from 'commander';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import type { SyncDifference, SyncProgress } from '../sync/sync-types.js';
import { CommandExit, EXIT, loadCommandConfig, writeLine, type CommandContext } from './command-context.js';

interface SyncOpts { config?: string; store?: string; app?: string; corp?: string; all?: boolean; scope?: string; dryRun?: boolean; json?: boolean }

const SCOPE_NAMES = ['contacts', 'external_contacts', 'groupchats', 'tags'];

/**
 * `wecom-relay sync [--app NAME] [--corp ID | --all] [--scope S,…] [--dry-run] [--json]` (SPEC §12):
 * reconciles now — lists the ID-list APIs of each selected (app, corp, scope), compares with the stored
 * snapshot and puts the differences in the inbox as reconciled events (a running daemon delivers them).
 * Progress: one rewritten line per corp and scope on a terminal (pages, ids, elapsed), one JSON object a
 * line with `--json`, one summary line per scope otherwise. `--dry-run` prints the differences and emits
 * and saves nothing. Exit 1 when a scope failed, 2 for bad usage.
 */
export function registerSyncCommand(program: Command, context: CommandContext): void {
  program
    .command('sync')
    .description('reconcile now: compare WeCom\'s id lists with the snapshots and emit what callbacks missed (SPEC §12)')
    .option('-c, --config <file>', 'configuration file')
    .option('--store <url>', 'store URL, overriding the configuration')
    .option('--app <name>', 'only this app')
    .option('--corp <id>', 'only this corp')
    .option('--all', 'every active corp (the default)')
    .option('--scope <list>', `comma-separated scopes (${SCOPE_NAMES.join(', ')}); default all the app kind may call`)
    .option('--dry-run', 'print the differences; emit and save nothing')
    .option('--json', 'JSON lines: progress, differences, one result per scope')
    .action(async (opts: SyncOpts) => {
      if (opts.corp !== undefined && opts.all) throw new CommandExit(EXIT.usage, 'wecom-relay: --corp and --all exclude each other');
      const scopes = opts.scope?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknown = scopes?.filter((s) => !SCOPE_NAMES.includes(s)) ?? [];
      if (unknown.length > 0 || scopes?.length === 0) throw new CommandExit(EXIT.usage, `wecom-relay: --scope: unknown scope ${unknown.join(', ') || '(none)'} (scopes: ${SCOPE_NAMES.join(', ')})`);
      const { config } = await loadCommandConfig(context, opts.config);
      if (opts.app !== undefined && !config.apps.some((app) => app.name === opts.app)) {
        throw new CommandExit(EXIT.usage, `wecom-relay: --app: no app named ${opts.app} (apps: ${config.apps.map((app) => app.name).join(', ')})`);
      }
      const [{ createStore }, { WecomApiClient }, { SuiteApi }, { TokenProviders }, { IdListApi }, { syncCorps }] = await Promise.all([
        import('../../src/store/create-store.js'), import('../../src/wecom-api/client.js'), import('../../src/wecom-api/suite-api.js'),
        import('../../src/wecom-api/token-providers.js'), import('../../src/wecom-api/id-list-api.js'), import('../sync/sync-corps.js'),
      ]);
      const store = await createStore(opts.store ?? config.store);
      const client = new WecomApiClient({
        baseUrl: config.wecomApi.baseUrl, timeoutMs: config.wecomApi.timeoutMs,
        ...(config.wecomApi.corpRateLimit ? { corpRateLimit: config.wecomApi.corpRateLimit } : {}),
      });
      const providers = new TokenProviders({ apps: config.apps, store, api: new SuiteApi(client) });
      const out = context.stdout as NodeJS.WritableStream & { isTTY?: boolean };
      const tty = out.isTTY === true && opts.json !== true;
      const json = (value: Record<string, unknown>): void => writeLine(context.stdout, JSON.stringify(value));
      const lastJson = new Map<string, number>();
      const onProgress = (p: SyncProgress): void => {
        const label = `${p.app} ${p.corpId} ${p.scope}`;
        if (opts.json) {
          const key = label;
          const now = Date.now();
          if (p.phase !== 'done' && now - (lastJson.get(key) ?? 0) < 1000) return;
          lastJson.set(key, now);
          json({ type: 'progress', ...p });
        } else if (tty) {
          context.stdout.write(`\r\u001b[2K${label}  ${p.phase}  pages ${p.pages}  ids ${p.ids}  ${(p.elapsedMs / 1000).toFixed(1)}s${p.phase === 'done' ? '\n' : ''}`);
        }
      };
      const onDifference = opts.dryRun ? (d: SyncDifference): void => {
        if (opts.json) json({ type: 'difference', ...d });
        else writeLine(context.stdout, `${d.change === 'created' ? '+' : '-'} ${d.corpId} ${d.scope} ${d.id}`);
      } : undefined;
      let failed = 0;
      let corps = 0;
      try {
        await syncCorps({
          store, api: new IdListApi(client), providers, apps: config.apps, clock: systemClock, logger: silentLogger,
          leaseMs: config.sync.leaseSeconds * 1000, listIdPageSize: config.sync.listIdPageSize,
        }, {
          ...(opts.app === undefined ? {} : { app: opts.app }),
          ...(opts.corp === undefined ? {} : { corpId: opts.corp }),
          ...(scopes ? { scopes: scopes as Array<'contacts'> } : config.sync.scopes ? { scopes: config.sync.scopes as Array<'contacts'> } : {}),
          dryRun: opts.dryRun === true,
          onProgress,
          ...(onDifference ? { onDifference } : {}),
          onCorp: (result) => {
            corps += 1;
            for (const r of result.results) {
              if (r.status === 'failed') failed += 1;
              if (opts.json) {
                json({ type: 'scope', appId: result.appId, corpId: result.corpId, dryRun: opts.dryRun === true, ...r });
              } else if (r.status === 'completed') {
                if (!tty) writeLine(context.stdout, `${result.appId} ${result.corpId} ${r.scope}: ${r.baseline ? 'baseline' : 'completed'}, total ${r.total}, +${r.added} -${r.removed}, ${r.pages} pages, ${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s${r.resumed ? ' (resumed)' : ''}`);
              } else if (r.status === 'failed') {
                writeLine(context.stdout, `${result.appId} ${result.corpId} ${r.scope}: FAILED${r.errcode === null ? '' : ` errcode ${r.errcode}`}: ${r.message} (snapshot kept)`);
              } else {
                writeLine(context.stdout, `${result.appId} ${result.corpId} ${r.scope}: busy (another process is syncing it)`);
              }
            }
            for (const scope of result.skipped) if (!opts.json) writeLine(context.stdout, `${result.appId} ${result.corpId} ${scope}: skipped (the app kind may not call it)`);
            if (opts.json) json({ type: 'corp', appId: result.appId, corpId: result.corpId, skipped: result.skipped, reportIds: result.reportIds });
          },
        });
      } finally {
        client.close();
        await store.close();
      }
      if (corps === 0 && !opts.json) writeLine(context.stdout, 'no active corp to sync');
      if (failed > 0) throw new CommandExit(EXIT.failure, `wecom-relay: ${failed} scope(s) failed`);
    });
}
