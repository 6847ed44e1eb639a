import type { Command } from 'commander';
import type { CallbackRecord, CallbackState, DeliveryRecord, DeliveryState, Store } from '../../src/store/store.js';
import { setTargetDisabled, setTargetEnabled } from '../delivery/target-state.js';
import { CommandExit, EXIT, loadCommandConfig, writeLine, type CommandContext } from './command-context.js';
import { REPLY_NAMESPACE, type StoredReply } from '../../src/receiver/reply-to-callback.js';
import { isSecretField } from '../../src/events/normalize.js';
import { maskCallback } from './mask-secrets.js';
import { parseTime, renderTable } from './table.js';

interface StoreOpts { config?: string; store?: string }

async function openStore(context: CommandContext, opts: StoreOpts): Promise<Store> {
  const { createStore } = await import('../../src/store/create-store.js');
  if (opts.store) return createStore(opts.store);
  return createStore((await loadCommandConfig(context, opts.config)).config.store);
}

async function withStore<T>(context: CommandContext, opts: StoreOpts, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(context, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function storeOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'configuration file (for its store URL)')
    .option('--store <url>', 'store URL, overriding the configuration (sqlite:… or redis://…)');
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

function limitOf(value: string | undefined): number {
  const n = Number(value ?? '50');
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new CommandExit(EXIT.usage, `wecom-relay: --limit must be an integer 1–100000, got ${value}`);
  return n;
}

function printCallbacks(context: CommandContext, rows: CallbackRecord[], json: boolean): void {
  if (json) {
    for (const row of rows) writeLine(context.stdout, JSON.stringify(maskCallback(row)));
    return;
  }
  writeLine(context.stdout, renderTable(['ID', 'RECEIVED', 'ENDPOINT', 'TYPE', 'CORP', 'STATE'],
    rows.map((r) => [r.id, iso(r.receivedAt), r.endpoint, r.type, r.corpId ?? '', r.state])));
}

function maskReply(reply: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(reply, (key, value: unknown) => (key !== '' && isSecretField(key) ? '[redacted]' : value))) as Record<string, unknown>;
}

function deliveryJson(d: DeliveryRecord): Record<string, unknown> {
  const { event, ...rest } = d;
  return { ...rest, eventType: event.type };
}

function printDeliveries(context: CommandContext, rows: DeliveryRecord[], json: boolean): void {
  if (json) {
    for (const row of rows) writeLine(context.stdout, JSON.stringify(deliveryJson(row)));
    return;
  }
  writeLine(context.stdout, renderTable(['ID', 'TARGET', 'TYPE', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT'],
    rows.map((d) => [d.id, d.target, d.eventType, d.state, String(d.attempts), d.lastStatus === null ? (d.lastError ?? '') : String(d.lastStatus), d.state === 'pending' ? iso(d.nextAttemptAt) : ''])));
}

/** `events list|show`, `deliveries list`, `replay`, `targets enable|disable`. */
export function registerInspectCommands(program: Command, context: CommandContext): void {
  const events = program.command('events').description('inspect stored callbacks and their normalized events');
  storeOptions(events.command('list').description('list stored callbacks, newest first'))
    .option('--type <glob>', 'only these event types, e.g. "external_contact.*"')
    .option('--corp <corpId>', 'only this corp')
    .option('--state <state>', 'pending | done | failed')
    .option('--since <time>', 'received at or after (ISO time, or a duration like 2h, 30m)')
    .option('--limit <n>', 'at most n rows', '50')
    .option('--json', 'one JSON object per line: the stored callback with its decrypted fields (secrets masked)')
    .action(async (opts: StoreOpts & { type?: string; corp?: string; state?: string; since?: string; limit?: string; json?: boolean }) => {
      if (opts.state && !['pending', 'done', 'failed'].includes(opts.state)) throw new CommandExit(EXIT.usage, `wecom-relay: --state must be pending, done or failed`);
      await withStore(context, opts, async (store) => {
        const rows = await store.listCallbacks({
          limit: limitOf(opts.limit),
          ...(opts.type ? { type: opts.type } : {}),
          ...(opts.corp ? { corpId: opts.corp } : {}),
          ...(opts.state ? { state: opts.state as CallbackState } : {}),
          ...(opts.since ? { since: parseTime(opts.since, Date.now()) } : {}),
        });
        printCallbacks(context, rows, opts.json === true);
      });
    });
  storeOptions(events.command('show <id>').description('show one stored callback and its event as JSON (secrets masked)'))
    .action(async (id: string, opts: StoreOpts) => {
      await withStore(context, opts, async (store) => {
        const row = await store.getCallback(id);
        if (!row) throw new CommandExit(EXIT.failure, `wecom-relay: no event ${id}`);
        const deliveries = await store.listDeliveries({ eventId: id, limit: 1000 });
        // The passive reply sent for it, if any (secret-named fields masked by the same rule as the callback's).
        const sent = (await store.getKv(REPLY_NAMESPACE, id))?.value;
        const reply = sent ? { ...maskReply(sent.reply), repliedAt: iso(sent.repliedAt) } : null;
        writeLine(context.stdout, JSON.stringify({ ...maskCallback(row), reply, deliveries: deliveries.map(deliveryJson) }, null, 2));
      });
    });

  const deliveries = program.command('deliveries').description('inspect deliveries (one per event and target)');
  storeOptions(deliveries.command('list').description('list deliveries, newest first'))
    .option('--status <state>', 'pending | delivered | dead')
    .option('--target <name>', 'only this target')
    .option('--event <id>', 'only this event')
    .option('--since <time>', 'created at or after (ISO time, or a duration like 2h)')
    .option('--limit <n>', 'at most n rows', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: StoreOpts & { status?: string; target?: string; event?: string; since?: string; limit?: string; json?: boolean }) => {
      if (opts.status && !['pending', 'delivered', 'dead'].includes(opts.status)) throw new CommandExit(EXIT.usage, 'wecom-relay: --status must be pending, delivered or dead');
      await withStore(context, opts, async (store) => {
        const rows = await store.listDeliveries({
          limit: limitOf(opts.limit),
          ...(opts.status ? { state: opts.status as DeliveryState } : {}),
          ...(opts.target ? { target: opts.target } : {}),
          ...(opts.event ? { eventId: opts.event } : {}),
          ...(opts.since ? { since: parseTime(opts.since, Date.now()) } : {}),
        });
        printDeliveries(context, rows, opts.json === true);
      });
    });

  storeOptions(program.command('replay [ids...]').description('re-queue deliveries with a fresh retry budget: by delivery id (eventId:target), or by --target and a time range'))
    .option('--target <name>', 'every delivery of this target (with --since/--until/--status)')
    .option('--status <state>', 'only deliveries in this state (default with --target: dead)')
    .option('--since <time>', 'created at or after (ISO time, or a duration like 2h)')
    .option('--until <time>', 'created before')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], opts: StoreOpts & { target?: string; status?: string; since?: string; until?: string; json?: boolean }) => {
      if (ids.length === 0 && !opts.target) throw new CommandExit(EXIT.usage, 'wecom-relay: replay needs delivery ids or --target');
      await withStore(context, opts, async (store) => {
        const now = Date.now();
        let count: number;
        if (ids.length > 0) {
          count = 0;
          for (const [i, id] of ids.entries()) {
            count += await store.replayDeliveries({ ids: [id] }, now);
            if (!opts.json) context.stderr.write(`\rreplaying ${i + 1}/${ids.length}`);
          }
          if (!opts.json) context.stderr.write('\n');
        } else {
          count = await store.replayDeliveries({
            target: opts.target!,
            state: (opts.status ?? 'dead') as DeliveryState,
            ...(opts.since ? { since: parseTime(opts.since, now) } : {}),
            ...(opts.until ? { until: parseTime(opts.until, now) } : {}),
          }, now);
        }
        if (opts.json) writeLine(context.stdout, JSON.stringify({ replayed: count }));
        else writeLine(context.stdout, `re-queued ${count} deliver${count === 1 ? 'y' : 'ies'}; a running daemon sends them now`);
        if (ids.length > 0 && count < ids.length) throw new CommandExit(EXIT.failure, `wecom-relay: ${ids.length - count} of the ids were not found`);
      });
    });

  const targets = program.command('targets').description('enable or disable a target at runtime (shared by every daemon on the store)');
  for (const action of ['enable', 'disable'] as const) {
    storeOptions(targets.command(`${action} <name>`).description(`${action} a target`))
      .action(async (name: string, opts: StoreOpts) => {
        await withStore(context, opts, async (store) => {
          if (action === 'enable') await setTargetEnabled(store, name, Date.now());
          else await setTargetDisabled(store, name, 'disabled by an operator', Date.now());
          writeLine(context.stdout, `target ${name} ${action}d`);
        });
      });
  }
}
