import type { Command } from 'commander';
import type { CallbackRecord, CallbackState, DeliveryRecord, DeliveryState, Store } from '../../src/store/store.js';
import type { StoreConfig } from '../config.js';
import { setTargetDisabled, setTargetEnabled } from '../delivery/target-state.js';
import { CommandExit, EXIT, loadCommandStoreConfig, writeLine, type CommandContext } from './command-context.js';
import { REPLY_NAMESPACE } from '../../src/receiver/reply-to-callback.js';
import { isSecretField } from '../../src/events/normalize.js';
import { maskCallback } from './mask-secrets.js';
import { attemptJson, renderDeliveryWithAttempts } from './attempts-output.js';
import { parseTime, renderTable } from './table.js';
import { describeTargets, knownTargetNames, targetStates, type TargetSummary } from './target-summary.js';

interface StoreOpts { config?: string; store?: string }

/**
 * Opens the store the inspect commands read: `--store`, else the configuration's `store` — validated
 * alone, so these commands run without the suite's secrets in the environment.
 */
async function withStore<T>(context: CommandContext, opts: StoreOpts, fn: (store: Store, config: StoreConfig | null) => Promise<T>): Promise<T> {
  const { createStore } = await import('../../src/store/create-store.js');
  const config = opts.store && !opts.config ? null : await loadCommandStoreConfig(context, opts.config);
  const store = await createStore(opts.store ?? config!.store);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/** Whether `stream` is a terminal (a progress line with `\r` is only for one). */
function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

function storeOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'configuration file (for its store URL)')
    .option('--store <url>', 'store URL, overriding the configuration (sqlite:… or redis://…)');
}

/**
 * The app id `--app NAME` means: the configured app of that name (or id); with `--store` alone (no
 * configuration) the name is taken as the id. An unknown name is a usage error naming the known ones.
 */
function appIdOf(name: string, config: StoreConfig | null): string {
  if (config === null) return name;
  const app = config.apps.find((a) => a.name === name) ?? config.apps.find((a) => a.id === name);
  if (!app) throw new CommandExit(EXIT.usage, `wecom-relay: --app: no app named ${name} (known: ${config.apps.map((a) => a.name).join(', ') || 'none'})`);
  return app.id;
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

function printDeliveries(context: CommandContext, rows: DeliveryRecord[], json: boolean, disabled: ReadonlyMap<string, string>): void {
  if (json) {
    for (const row of rows) writeLine(context.stdout, JSON.stringify({ ...deliveryJson(row), targetState: disabled.has(row.target) ? 'disabled' : 'enabled' }));
    return;
  }
  writeLine(context.stdout, renderTable(['ID', 'TARGET', 'TYPE', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT'],
    rows.map((d) => {
      const off = disabled.has(d.target);
      // A disabled target's pending deliveries wait for `targets enable`: their due time says nothing then.
      const next = d.state !== 'pending' ? '' : off ? 'when the target is enabled' : iso(d.nextAttemptAt);
      return [d.id, off ? `${d.target} (disabled)` : d.target, d.eventType, d.state, String(d.attempts), d.lastStatus === null ? (d.lastError ?? '') : String(d.lastStatus), next];
    })));
  const shown = [...new Set(rows.filter((r) => disabled.has(r.target)).map((r) => r.target))];
  for (const name of shown) writeLine(context.stdout, `target ${name} is disabled (${disabled.get(name)}): its pending deliveries wait; \`wecom-relay targets enable ${name}\` sends them`);
}

function printTargets(context: CommandContext, rows: TargetSummary[], json: boolean, now: number): void {
  if (json) {
    for (const row of rows) writeLine(context.stdout, JSON.stringify(row));
    return;
  }
  const age = (at: number | null) => {
    if (at === null) return '';
    const s = Math.max(0, Math.round((now - at) / 1000));
    return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
  };
  writeLine(context.stdout, renderTable(['NAME', 'STATE', 'PENDING', 'OLDEST PENDING', 'DELIVERED', 'DEAD', 'LAST ERROR'],
    rows.map((r) => [r.name, r.state === 'enabled' ? 'enabled' : `${r.state}${r.reason ? ` (${r.reason})` : ''}`, String(r.pending), age(r.oldestPendingAt), String(r.delivered), String(r.dead), r.lastError ? `${r.lastError} (${age(r.lastErrorAt)})` : ''])));
}

/** The event ids among `ids` (what `events list` shows) expanded to their deliveries' ids (`eventId:target`). */
async function expandEventIds(store: Store, ids: readonly string[]): Promise<{ ids: string[]; empty: string[] }> {
  const out: string[] = [];
  const empty: string[] = [];
  for (const id of ids) {
    if (id.includes(':')) {
      out.push(id);
      continue;
    }
    const deliveries = await store.listDeliveries({ eventId: id, limit: 10_000 });
    if (deliveries.length === 0) empty.push(id);
    out.push(...deliveries.map((d) => d.id));
  }
  return { ids: out, empty };
}

/** The first `limit` of `rows` whose event's callback was stored for app `appId` (its `suiteId`). */
async function ofApp(store: Store, rows: readonly DeliveryRecord[], appId: string, limit: number): Promise<DeliveryRecord[]> {
  const appOf = new Map<string, string | undefined>();
  const kept: DeliveryRecord[] = [];
  for (const row of rows) {
    if (kept.length >= limit) break;
    if (!appOf.has(row.eventId)) appOf.set(row.eventId, (await store.getCallback(row.eventId))?.suiteId);
    if (appOf.get(row.eventId) === appId) kept.push(row);
  }
  return kept;
}

/** `events list|show`, `deliveries list|show`, `replay`, `targets enable|disable`. */
export function registerInspectCommands(program: Command, context: CommandContext): void {
  const events = program.command('events').description('inspect stored callbacks and their normalized events');
  storeOptions(events.command('list').description('list stored callbacks, newest first'))
    .option('--type <glob>', 'only these event types, e.g. "external_contact.*"')
    .option('--corp <corpId>', 'only this corp')
    .option('--app <name>', 'only this app\'s callbacks (apps[i].name; its id with --store alone)')
    .option('--state <state>', 'pending | done | failed')
    .option('--since <time>', 'received at or after (ISO time, or a duration like 2h, 30m)')
    .option('--limit <n>', 'at most n rows', '50')
    .option('--json', 'one JSON object per line: the stored callback with its decrypted fields (secrets masked)')
    .action(async (opts: StoreOpts & { type?: string; corp?: string; app?: string; state?: string; since?: string; limit?: string; json?: boolean }) => {
      if (opts.state && !['pending', 'done', 'failed'].includes(opts.state)) throw new CommandExit(EXIT.usage, `wecom-relay: --state must be pending, done or failed`);
      await withStore(context, opts, async (store, config) => {
        const rows = await store.listCallbacks({
          limit: limitOf(opts.limit),
          ...(opts.type ? { type: opts.type } : {}),
          ...(opts.corp ? { corpId: opts.corp } : {}),
          ...(opts.app ? { suiteId: appIdOf(opts.app, config) } : {}),
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
        const [deliveries, attempts] = await Promise.all([store.listDeliveries({ eventId: id, limit: 1000 }), store.listEventAttempts(id)]);
        const attemptsOf = (d: DeliveryRecord) => attempts.filter((a) => a.deliveryId === d.id).map(attemptJson);
        // The passive reply sent for it, if any (secret-named fields masked by the same rule as the callback's).
        const sent = (await store.getKv(REPLY_NAMESPACE, id))?.value;
        const reply = sent ? { ...maskReply(sent.reply), repliedAt: iso(sent.repliedAt) } : null;
        writeLine(context.stdout, JSON.stringify({ ...maskCallback(row), reply, deliveries: deliveries.map((d) => ({ ...deliveryJson(d), attempts: attemptsOf(d) })) }, null, 2));
      });
    });

  const deliveries = program.command('deliveries').description('inspect deliveries (one per event and target)');
  storeOptions(deliveries.command('list').description('list deliveries, newest first'))
    .option('--status <state>', 'pending | delivered | dead')
    .option('--target <name>', 'only this target')
    .option('--event <id>', 'only this event')
    .option('--app <name>', 'only deliveries of this app\'s events (apps[i].name; its id with --store alone)')
    .option('--since <time>', 'created at or after (ISO time, or a duration like 2h)')
    .option('--limit <n>', 'at most n rows', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: StoreOpts & { status?: string; target?: string; event?: string; app?: string; since?: string; limit?: string; json?: boolean }) => {
      if (opts.status && !['pending', 'delivered', 'dead'].includes(opts.status)) throw new CommandExit(EXIT.usage, 'wecom-relay: --status must be pending, delivered or dead');
      await withStore(context, opts, async (store, config) => {
        const limit = limitOf(opts.limit);
        const appId = opts.app ? appIdOf(opts.app, config) : null;
        const listed = await store.listDeliveries({
          // With --app, the newest 100000 are read and kept when their event's callback is that app's.
          limit: appId === null ? limit : 100_000,
          ...(opts.status ? { state: opts.status as DeliveryState } : {}),
          ...(opts.target ? { target: opts.target } : {}),
          ...(opts.event ? { eventId: opts.event } : {}),
          ...(opts.since ? { since: parseTime(opts.since, Date.now()) } : {}),
        });
        const rows = appId === null ? listed : await ofApp(store, listed, appId, limit);
        printDeliveries(context, rows, opts.json === true, await targetStates(store, config));
      });
    });

  storeOptions(deliveries.command('show <id>').description('show one delivery (eventId:target) with every attempt: status, time, duration, reason, response excerpt'))
    .option('--json', 'one JSON object: the delivery with its attempts')
    .action(async (id: string, opts: StoreOpts & { json?: boolean }) => {
      await withStore(context, opts, async (store) => {
        const [delivery, attempts] = await Promise.all([store.getDelivery(id), store.listAttempts(id)]);
        if (!delivery) throw new CommandExit(EXIT.failure, `wecom-relay: no delivery ${id} (a delivery id is eventId:target, from \`deliveries list\` or \`events show\`)`);
        if (opts.json) writeLine(context.stdout, JSON.stringify({ ...deliveryJson(delivery), attempts: attempts.map(attemptJson) }, null, 2));
        else writeLine(context.stdout, renderDeliveryWithAttempts(delivery, attempts));
      });
    });

  storeOptions(program.command('replay [ids...]').description('re-queue deliveries with a fresh retry budget: by event id (all its deliveries) or delivery id (eventId:target), or by --target and a time range'))
    .option('--target <name>', 'every delivery of this target (with --since/--until/--status)')
    .option('--status <state>', 'with --target: only deliveries in this state (default: dead)')
    .option('--since <time>', 'created at or after (ISO time, or a duration like 2h)')
    .option('--until <time>', 'created before')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], opts: StoreOpts & { target?: string; status?: string; since?: string; until?: string; json?: boolean }) => {
      if (ids.length === 0 && !opts.target) throw new CommandExit(EXIT.usage, 'wecom-relay: replay needs event ids, delivery ids (eventId:target) or --target');
      if (opts.status && !['pending', 'delivered', 'dead'].includes(opts.status)) throw new CommandExit(EXIT.usage, 'wecom-relay: --status must be pending, delivered or dead');
      await withStore(context, opts, async (store) => {
        const now = Date.now();
        let count: number;
        let missing: string[] = [];
        let what: string;
        if (ids.length > 0) {
          const expanded = await expandEventIds(store, ids);
          const progress = !opts.json && isTerminal(context.stderr);
          count = 0;
          for (const [i, id] of expanded.ids.entries()) {
            const n = await store.replayDeliveries({ ids: [id] }, now);
            count += n;
            if (n === 0) missing.push(id);
            if (progress) context.stderr.write(`\rreplaying ${i + 1}/${expanded.ids.length}`);
          }
          if (progress && expanded.ids.length > 0) context.stderr.write('\n');
          missing = [...expanded.empty, ...missing];
          what = '';
        } else {
          const state = (opts.status ?? 'dead') as DeliveryState;
          count = await store.replayDeliveries({
            target: opts.target!,
            state,
            ...(opts.since ? { since: parseTime(opts.since, now) } : {}),
            ...(opts.until ? { until: parseTime(opts.until, now) } : {}),
          }, now);
          what = ` ${state} deliver${count === 1 ? 'y' : 'ies'} of target ${opts.target}${opts.status ? '' : ' (--status defaults to dead; pass --status pending or delivered for others)'}`;
        }
        if (opts.json) writeLine(context.stdout, JSON.stringify({ replayed: count, ...(missing.length > 0 ? { notFound: missing } : {}) }));
        else writeLine(context.stdout, what ? `re-queued ${count}${what}; a running daemon sends them now` : `re-queued ${count} deliver${count === 1 ? 'y' : 'ies'}; a running daemon sends them now`);
        if (missing.length > 0) {
          throw new CommandExit(EXIT.failure, `wecom-relay: not found: ${missing.join(', ')}\n` +
            '  an event id (evt_…, from `events list`) replays every delivery of that event; a delivery id is eventId:target (from `deliveries list`);\n' +
            '  an event with no deliveries matched no target, or is not processed yet (see `events show <id>`)');
        }
      });
    });

  const targets = program.command('targets').description('list targets, or enable or disable one at runtime (shared by every daemon on the store)');
  storeOptions(targets.command('list').description('every target: state, queue depth, oldest pending delivery and last error'))
    .option('--json', 'one JSON object per line')
    .action(async (opts: StoreOpts & { json?: boolean }) => {
      await withStore(context, opts, async (store, config) => {
        const now = Date.now();
        printTargets(context, await describeTargets(store, config, now), opts.json === true, now);
      });
    });
  for (const action of ['enable', 'disable'] as const) {
    storeOptions(targets.command(`${action} <name>`).description(`${action} a target`))
      .action(async (name: string, opts: StoreOpts) => {
        await withStore(context, opts, async (store, config) => {
          const known = await knownTargetNames(store, config, Date.now());
          if (!known.includes(name)) {
            throw new CommandExit(EXIT.failure, `wecom-relay: no target "${name}"${known.length > 0 ? `; known targets: ${known.join(', ')}` : ' (the configuration names none and the store has no deliveries for it)'}`);
          }
          if (action === 'enable') await setTargetEnabled(store, name, Date.now());
          else await setTargetDisabled(store, name, 'disabled by an operator', Date.now());
          writeLine(context.stdout, `target ${name} ${action}d`);
        });
      });
  }
}
