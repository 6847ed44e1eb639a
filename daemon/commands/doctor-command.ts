import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Command } from 'commander';
import type { AppConfig } from '../../src/apps/app.js';
import { parseEncodingAESKey } from '../../src/crypto/key.js';
import { ConfigError } from '../../src/errors.js';
import type { Config } from '../config-schema.js';
import { resolveTargets } from '../delivery/resolve-targets.js';
import { EXIT, CommandExit, loadCommandConfig, writeLine, type CommandContext } from './command-context.js';
import { namespaces } from '../../src/store/namespaces.js';

/** One finding: ok, a warning (works, but check it), or a failure (will not work). */
export interface DoctorCheck {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

/** How doctor reaches the network (injected by tests). */
export interface DoctorOptions {
  readonly timeoutMs: number;
  readonly now: () => number;
}

async function probe(url: string, timeoutMs: number): Promise<{ status: number; date: string | undefined; body: string }> {
  const { default: got } = await import('got');
  const response = await got(url, { method: 'GET', throwHttpErrors: false, followRedirect: false, retry: { limit: 0 }, timeout: { request: timeoutMs } });
  return { status: response.statusCode, date: response.headers.date, body: response.body.slice(0, 500) };
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ? `${code}` : (error as Error).message;
}

/** Whether `host:port` can be bound now (the answer is the bind's error code, or null when it is free). */
function bindError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'ERR_LISTEN'));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}

/** The listen ports `start` binds (receiver.port, admin.port): free, or in use by what. */
async function checkPorts(config: Config, add: (name: string, status: DoctorCheck['status'], detail: string) => void): Promise<void> {
  const listeners = [{ name: 'receiver.port', host: config.receiver.host, port: config.receiver.port }];
  if (config.admin.enabled) listeners.push({ name: 'admin.port', host: config.admin.host, port: config.admin.port });
  if (config.gateway) listeners.push({ name: 'gateway.port', host: config.gateway.host, port: config.gateway.port });
  for (const l of listeners) {
    if (l.port === 0) {
      add(l.name, 'ok', '0: any free port');
      continue;
    }
    const code = await bindError(l.host, l.port);
    if (code === null) add(l.name, 'ok', `${l.host}:${l.port} is free`);
    else if (code === 'EADDRINUSE') add(l.name, 'warn', `${l.port} is in use (${l.host}:${l.port}): \`start\` will fail unless that is this relay already running`);
    else add(l.name, 'fail', `${l.host}:${l.port} cannot be bound (${code})`);
  }
}

/** Runs every check against a validated configuration. Never throws: each problem is a finding. */
export async function runDoctor(config: Config, options: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: DoctorCheck['status'], detail: string) => checks.push({ name, status, detail });
  const { createStore, describeStoreSetting, parseStoreUrl, storeUrlOf } = await import('../../src/store/create-store.js');

  // Every app (SPEC §10): the `suite:` shorthand keeps its `suite.*` names; several apps are `apps.<name>.*`.
  const apps = config.apps;
  const prefixOf = (app: AppConfig) => (apps.length === 1 ? 'suite' : `apps.${app.name}`);
  for (const app of apps) {
    const prefix = prefixOf(app);
    try {
      parseEncodingAESKey(app.encodingAESKey);
      add(`${prefix}.encodingAESKey`, 'ok', '43 characters, decodes to a 32-byte AES key');
    } catch (error) {
      add(`${prefix}.encodingAESKey`, 'fail', (error as Error).message);
    }
    add(`${prefix}.token`, app.token.length >= 3 && app.token.length <= 32 ? 'ok' : 'warn',
      `${app.token.length} characters (WeCom tokens are 3–32 letters and digits)`);
    add(`${prefix}.secret`, app.secret ? 'ok' : 'warn',
      app.secret ? 'set' : 'not set: the daemon cannot fetch tokens, exchange auth codes or enrich (serve-only deployments do not need it)');
    if (!app.providerCorpId) add(`${prefix}.providerCorpId`, 'warn', 'not set: URL-verification GETs are accepted with any receiveid (their signature is still checked)');
    if (apps.length > 1) {
      add(`${prefix}.paths`, 'ok', `${app.kind}: ${app.dataPath === null ? 'no data URL' : `data ${app.dataPath}`}, command ${app.commandPath}`);
    }
  }
  const { configWarnings } = await import('../config.js');
  for (const w of configWarnings(config)) add(w.path, 'warn', w.message);
  await checkPorts(config, add);
  const { gatewayKeyFindings } = await import('../gateway/gateway-key-findings.js');
  for (const f of gatewayKeyFindings(config.gateway)) add(f.name, f.status, f.detail);

  try {
    const store = await createStore(config.store);
    try {
      await store.ping();
      const probeKey = `doctor-${process.pid}`;
      await store.putKv(namespaces.doctor, probeKey, { at: options.now() }, { ttlMs: 60_000 });
      await store.deleteKv(namespaces.doctor, probeKey);
      add('store', 'ok', `${store.kind} store answers and takes writes`);
      if (store.kind === 'sqlite') {
        const location = parseStoreUrl(storeUrlOf(config.store));
        const file = location.kind === 'sqlite' ? location.filename : ':memory:';
        if (file !== ':memory:') {
          const mode = (await stat(file)).mode & 0o777;
          add('store.fileMode', mode & 0o077 ? 'warn' : 'ok', `${file} has mode ${mode.toString(8).padStart(4, '0')}${mode & 0o077 ? ': others can read the permanent codes; chmod 600 it' : ''}`);
        }
      }
      for (const app of apps.filter((candidate) => candidate.secret)) {
        // suite_ticket is pushed every 10 min and valid 30 (doc 90628): none, or an old one, means pushes stopped.
        const ticket = await store.getKv(namespaces.suiteTicket, app.id, options.now());
        const age = ticket ? Math.round((options.now() - ticket.updatedAt) / 1000) : null;
        // None yet is normal before the app is configured in the console; an old one is not.
        add(`${prefixOf(app)}.suiteTicket`, age === null || age <= 1200 ? 'ok' : 'warn', age === null
          ? 'none stored yet: WeCom pushes one every 10 min to the command URL once the app is configured (or press 刷新ticket)'
          : `received ${age} s ago${age > 1200 ? ': pushes seem to have stopped; check the command URL in the console' : ''}`);
      }
      const stats = await store.stats(options.now());
      const dead = Object.values(stats.deliveries).reduce((n, t) => n + t.dead, 0);
      if (dead > 0) add('store.deadDeliveries', 'warn', `${dead} dead deliveries: see \`wecom-relay deliveries list --status dead\``);
    } finally {
      await store.close();
    }
  } catch (error) {
    add('store', 'fail', `${describeStoreSetting(config.store)}: ${(error as Error).message}`);
  }

  try {
    const response = await probe(`${config.wecomApi.baseUrl.replace(/\/+$/, '')}/cgi-bin/gettoken`, options.timeoutMs);
    const json = /"errcode"/.test(response.body);
    add('wecomApi.baseUrl', json ? 'ok' : 'warn', `${config.wecomApi.baseUrl} answered HTTP ${response.status}${json ? ' with a WeCom errcode' : ', but not like the WeCom API'}`);
    if (response.date) {
      const skew = Math.round((options.now() - Date.parse(response.date)) / 1000);
      add('clock', Math.abs(skew) <= 60 ? 'ok' : 'warn', `local clock is ${skew} s off the WeCom API's Date header${Math.abs(skew) > 60 ? ': callbacks may be rejected as stale; sync the clock (NTP)' : ''}`);
    }
  } catch (error) {
    add('wecomApi.baseUrl', 'fail', `${config.wecomApi.baseUrl} unreachable (${describeNetworkError(error)}): check DNS, the firewall and WeCom's trusted IP list`);
  }

  for (const target of resolveTargets(config)) {
    const name = `targets.${target.name}`;
    if (!target.enabledInConfig) {
      add(name, 'warn', 'disabled in the configuration');
      continue;
    }
    if (target.format === 'json' && !target.secret) add(`${name}.secret`, 'warn', 'no secret: deliveries are not signed (receivers cannot verify them)');
    try {
      const origin = new URL(target.url).origin;
      const response = await probe(origin, options.timeoutMs);
      add(name, 'ok', `${origin} answers (HTTP ${response.status}); format ${target.format}, ${target.rateLimit.count}/${target.rateLimit.intervalMs} ms`);
    } catch (error) {
      add(name, 'fail', `${new URL(target.url).origin} unreachable (${describeNetworkError(error)})`);
    }
  }
  return checks;
}

/** `wecom-relay doctor`: validates the config and probes what it points at; exit 1 on any failure. */
export function registerDoctorCommand(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description('check the configuration, key lengths, the store, the WeCom API base, each target and the clock')
    .option('-c, --config <file>', 'configuration file')
    .option('--timeout <ms>', 'per-probe timeout', '5000')
    .option('--json', 'print the findings as JSON')
    .action(async (opts: { config?: string; timeout: string; json?: boolean }) => {
      let config: Config;
      try {
        config = (await loadCommandConfig(context, opts.config)).config;
      } catch (error) {
        if (error instanceof ConfigError && opts.json) {
          writeLine(context.stdout, JSON.stringify({ ok: false, checks: error.issues.map((i) => ({ name: i.path || 'config', status: 'fail', detail: i.message })) }));
          throw new CommandExit(EXIT.usage, '');
        }
        throw error;
      }
      const checks = await runDoctor(config, { timeoutMs: Number(opts.timeout) || 5000, now: Date.now });
      const ok = checks.every((c) => c.status !== 'fail');
      if (opts.json) writeLine(context.stdout, JSON.stringify({ ok, checks }));
      else {
        for (const c of checks) writeLine(context.stdout, `${{ ok: '✓', warn: '!', fail: '✗' }[c.status]} ${c.name}: ${c.detail}`);
        writeLine(context.stdout, ok ? 'doctor: no failures' : 'doctor: some checks failed');
      }
      if (!ok) throw new CommandExit(EXIT.failure, '');
    });
}
