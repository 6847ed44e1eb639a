import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnRelay } from '../../helpers/cli-fixture.js';
import type { RunningCli } from '../../helpers/spawn-cli.js';
import { configSecrets } from '../../../daemon/commands/config-secrets.js';
import { validateConfig } from '../../../daemon/config.js';
import type { Config, ConfigInput } from '../../../daemon/config-schema.js';
import { resolveTargets } from '../../../daemon/delivery/resolve-targets.js';
import { routeEvent } from '../../../daemon/delivery/route-event.js';
import { createLogger } from '../../../daemon/logger.js';
import { DEFAULT_CORP_IDS } from '../../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi, type StartMockWecomApiOptions } from '../../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay, type RelayMode, type RunningRelay } from '../../../daemon/run-relay.js';
import { sealCallback, type SealedCallback } from '../../../src/crypto/seal-callback.js';
import { eventId } from '../../../src/events/event-id.js';
import { sampleCallback } from '../../../src/events/samples.js';
import { createStore } from '../../../src/store/create-store.js';
import type { DeliveryRecord, Store } from '../../../src/store/store.js';
import { appCorpKey } from '../../../src/store/app-corp-key.js';
import { namespaces } from '../../../src/store/namespaces.js';
import type { CallbackFields } from '../../../src/xml/fields.js';
import { buildXml } from '../../../src/xml/build-xml.js';
import { generateSuiteKeys } from '../../helpers/keys.js';
import type { Teardown } from './recording-target.js';

export type { Teardown };

/** The suite the relay tests run as (the one of the seeds). */
export const SUITE_ID = 'ww917724cb573d8629';
/** The mock's built-in corp: the one every sample callback is about. */
export const CORP_ID = DEFAULT_CORP_IDS.corpId;

type TargetInput = NonNullable<ConfigInput['targets']>[number];

/** Options of {@link startTestRelay}: the parts of the config a test varies. */
export interface TestRelayOptions {
  /** A fresh directory for the SQLite store (`t.testdir()`). */
  readonly dir: string;
  readonly targets: readonly TargetInput[];
  /** @default 'start' */
  readonly mode?: RelayMode;
  /** @default false (most tests need no WeCom API calls beyond credentials) */
  readonly enrich?: ConfigInput['enrich'];
  /** The relay's clock (also the time samples are sealed at). @default Date.now */
  readonly now?: () => number;
  /** Use this store instead of opening the file (a tighter busy timeout, say). The caller closes it. */
  readonly store?: Store;
  /** Extra `daemon:` settings (pollIntervalMs is 50 and retentionDays 0 unless given). */
  readonly daemon?: ConfigInput['daemon'];
  readonly wecomApi?: { readonly timeoutMs?: number };
  readonly admin?: ConfigInput['admin'];
  readonly security?: ConfigInput['security'];
  readonly receiver?: Partial<NonNullable<ConfigInput['receiver']>>;
  /** Options of the mock WeCom API beyond the suite. */
  readonly mock?: Partial<StartMockWecomApiOptions>;
  /**
   * Several apps (SPEC §10) instead of the one suite: the config gets `apps:` (each with its own fresh
   * secret, Token and key; the first is the mock's default suite), the mock serves them all. `seal`,
   * `send` and `install` then take `{ app: name }` (default: the first app).
   */
  readonly apps?: readonly TestAppInput[];
  /** The store URL (a Redis URL with a unique key prefix, say) instead of a SQLite file in `dir`. */
  readonly storeUrl?: string;
  /** The credential gateway (`gateway:`); its URL is `relay.gateway.url`. */
  readonly gateway?: ConfigInput['gateway'];
  /** Reconciliation triggers; off unless given, so a test sees only the events it causes. */
  readonly sync?: ConfigInput['sync'];
}

/**
 * Options of {@link spawnTestRelay}: as {@link TestRelayOptions}, without what cannot cross a process
 * (an injected clock or store, `mode`: it is always `start`).
 */
export type SpawnedTestRelayOptions = Omit<TestRelayOptions, 'now' | 'store' | 'mode'>;

/**
 * The relay as `wecom-relay start --config <file>` in a child process (dist/daemon/cli.js, so `npm run
 * build` first), on the same mock WeCom API and store as {@link startTestRelay}: `store` is the test's own
 * connection to it, `logs` the child's raw stdout and stderr lines (what an operator sees), `delivered`
 * the deliveries the store says are delivered.
 */
export interface SpawnedTestRelay extends Omit<TestRelay, 'relay' | 'rateSlots'> {
  readonly cli: RunningCli;
  /** The configuration file the child runs on (for further CLI commands: `corps list --config …`). */
  readonly file: string;
}

/** One app of {@link TestRelayOptions.apps}: what the config's `apps[i]` has besides its credentials. */
export interface TestAppInput {
  readonly name: string;
  readonly kind: 'suite' | 'customized' | 'contact_edit';
  readonly id: string;
  readonly dataPath?: string;
  readonly commandPath?: string;
  /** Extra `apps[i]` settings (`install`, …). */
  readonly extra?: Record<string, unknown>;
}

/** One app of the test relay, with its credentials (secret, Token, key) and resolved paths. */
export interface TestApp extends TestAppInput {
  readonly secret: string;
  readonly token: string;
  readonly encodingAESKey: string;
}

/** One callback as WeCom would POST it, kept so it can be sent again byte for byte (a WeCom retry). */
export interface SealedRequest {
  readonly kind: string;
  readonly eventId: string;
  readonly path: string;
  readonly sealed: SealedCallback;
  /** The exact decrypted plaintext, as the receiver stores it. */
  readonly plaintext: string;
  readonly fields: CallbackFields;
}

/** What the receiver answered. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** What one {@link TestRelay.send} POSTed and how the receiver answered (`status` is `answer.status`). */
export interface SentCallback extends SealedRequest {
  readonly status: number;
  readonly answer: Answer;
}

/** Where every event ended, from the store. */
export interface Accounting {
  /** Events sent and acked (the ones the relay owes a delivery). */
  readonly events: number;
  readonly delivered: number;
  /** Dead deliveries, each with its recorded reason. */
  readonly dead: number;
  /** Acked events not (yet) delivered or dead: must be 0. */
  readonly lost: number;
  /** Per event id: its deliveries. */
  readonly deliveries: ReadonlyMap<string, readonly DeliveryRecord[]>;
  /** Why each event counts as lost, for assertion messages. */
  readonly problems: readonly string[];
}

/**
 * The one in-process relay harness of the e2e and reliability tests: receiver + daemon on a SQLite file
 * against a mock WeCom API, wired like `wecom-relay start`, with helpers to seal, send and account.
 */
export interface TestRelay {
  /** The configuration as written (what a config file would hold). */
  readonly input: ConfigInput;
  readonly config: Config;
  readonly mock: StartedMockWecomApi;
  readonly relay: RunningRelay;
  readonly store: Store;
  /** The receiver's base URL; '' in `daemon` mode. */
  readonly url: string;
  readonly suiteSecret: string;
  readonly keys: { readonly token: string; readonly encodingAESKey: string };
  /** Every log line the relay wrote (level debug), raw JSON text. */
  readonly logs: string[];
  /** Every delivery that ended delivered, in order (the daemon's `onDelivered`). */
  readonly delivered: DeliveryRecord[];
  /**
   * Every rate slot the relay took (`takeRateSlot` answered ok, or each slot `takeRateSlots` granted): the
   * relay-side time of each send reservation, on the relay's clock. The store is the real one; this only
   * watches the calls (not when the caller passed its own `store`).
   */
  readonly rateSlots: Array<{ readonly key: string; readonly at: number }>;
  /** Every app with its credentials (one `suite` app, {@link SUITE_ID}, without `apps`). */
  readonly apps: readonly TestApp[];
  /** Seals a sample callback of `kind` (distinct per `seq`, fields overridden by `fields`) without sending it, as `app` (a name). */
  seal(kind: string, options?: { readonly seq?: number; readonly fields?: CallbackFields; readonly timestamp?: string; readonly app?: string }): SealedRequest;
  /** POSTs a sealed callback exactly as sealed. */
  post(request: SealedRequest): Promise<Answer>;
  /** seal + post. */
  send(kind: string, options?: { readonly seq?: number; readonly fields?: CallbackFields; readonly app?: string }): Promise<SentCallback>;
  /**
   * Pushes a suite_ticket and a create_auth carrying a ticket and an auth code the mock issued; `ok` once
   * both were acked, the corp is authorized, and `auth.created` was delivered where a target takes it.
   */
  install(timeoutMs?: number, options?: { readonly app?: string }): Promise<{ readonly ticket: string; readonly authCode: string; readonly ok: boolean }>;
  /**
   * Resolves true once `check` (sync or async) holds. Re-checked after every log line and delivery (on the
   * next turn, so the write that logged has landed), and every 200 ms as a backstop; false after `timeoutMs`.
   */
  until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean>;
  /** Waits until every event in `eventIds` is delivered or dead (or `timeoutMs` passes) and accounts for them. */
  settle(eventIds: readonly string[], timeoutMs: number): Promise<Accounting>;
  /** Stops the relay (receiver first, then the daemon drains). Idempotent; also run by teardown. */
  stop(): Promise<void>;
}

/** Delivered events of `type`. */
export function deliveredOfType(relay: TestRelay, type: string): DeliveryRecord[] {
  return relay.delivered.filter((d) => d.event.type === type);
}

/** Starts a mock WeCom API and a relay on it; `t.teardown` stops both. */
export async function startTestRelay(t: Teardown, options: TestRelayOptions): Promise<TestRelay> {
  return await startHarness(t, options, false) as TestRelay;
}

/** Starts a mock WeCom API and `wecom-relay start` spawned on it; `t.teardown` stops both. */
export async function spawnTestRelay(t: Teardown, options: SpawnedTestRelayOptions): Promise<SpawnedTestRelay> {
  return await startHarness(t, options, true) as SpawnedTestRelay;
}

async function startHarness(t: Teardown, options: TestRelayOptions, spawned: boolean): Promise<TestRelay | SpawnedTestRelay> {
  const suiteSecret = randomBytes(24).toString('hex');
  const keys = generateSuiteKeys();
  const apps: TestApp[] = options.apps
    ? options.apps.map((app, i) => ({ ...app, ...(i === 0 ? { secret: suiteSecret, ...keys } : { secret: randomBytes(24).toString('hex'), ...generateSuiteKeys() }) }))
    : [{ name: SUITE_ID, kind: 'suite', id: SUITE_ID, secret: suiteSecret, ...keys }];
  const firstApp = apps[0]!;
  const mock = await startMockWecomApi({
    suiteId: firstApp.id, suiteSecret,
    ...(apps.length > 1 ? { apps: apps.slice(1).map(({ id, secret, kind }) => ({ id, secret, kind })) } : {}),
    ...options.mock,
  });
  t.teardown(() => mock.close());
  const input: ConfigInput = {
    ...(options.apps
      ? { apps: apps.map(({ name, kind, id, secret, token, encodingAESKey, dataPath, commandPath, extra }) => ({
        name, kind, id, secret, token, encodingAESKey,
        ...(dataPath ? { dataPath } : {}), ...(commandPath ? { commandPath } : {}), ...extra,
      })) as NonNullable<ConfigInput['apps']> }
      : { suite: { id: SUITE_ID, secret: suiteSecret, ...keys } }),
    receiver: { host: '127.0.0.1', port: 0, maxClockSkewSeconds: 3600, ...options.receiver },
    store: options.storeUrl ?? `sqlite:${join(options.dir, 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url, ...options.wecomApi },
    enrich: options.enrich ?? false,
    admin: options.admin ?? { enabled: false },
    daemon: { pollIntervalMs: 50, retentionDays: 0, ...options.daemon },
    log: { level: 'debug' },
    targets: [...options.targets],
    sync: options.sync ?? { onInstall: false, intervalHours: 0 },
    ...(options.security ? { security: options.security } : {}),
    ...(options.gateway ? { gateway: options.gateway } : {}),
  };
  const config = validateConfig(input, {});
  const logs: string[] = [];
  const delivered: DeliveryRecord[] = [];
  const waiters = new Set<() => void>();
  const changed = () => setImmediate(() => { for (const w of [...waiters]) w(); });
  // Wired like `wecom-relay start` (run-commands.ts): the config's secret values are scrubbed from lines.
  const logger = createLogger({
    level: config.log.level,
    secrets: configSecrets(config),
    destination: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line !== '') logs.push(line);
        changed();
      },
    },
  });
  const rateSlots: Array<{ key: string; at: number }> = [];
  let store = options.store;
  if (store === undefined) {
    const opened = watchRateSlots(await createStore(config.store), rateSlots);
    t.teardown(() => opened.close()); // after relay.stop (teardowns run last-in first-out)
    store = opened;
  }
  let relay: RunningRelay | null = null;
  let cli: RunningCli | null = null;
  const file = join(options.dir, 'wecom-relay.json');
  let url: string;
  if (spawned) {
    writeFileSync(file, JSON.stringify(input));
    const started = await spawnRelay(t, 'start', file);
    cli = started.cli;
    const child = cli;
    let seen = 0;
    const read = () => {
      const lines = child.output().split('\n');
      for (; seen < lines.length - 1; seen++) if (lines[seen] !== '') logs.push(lines[seen]!);
      changed();
    };
    child.child.stdout!.on('data', read);
    child.child.stderr!.on('data', read);
    read();
    url = started.url ?? '';
  } else {
    const running = await runRelay({
      config, mode: options.mode ?? 'start', logger, store,
      ...(options.now ? { now: options.now } : {}),
      onDelivered: (delivery) => {
        delivered.push(delivery);
        changed();
      },
    });
    relay = running;
    t.teardown(() => running.stop());
    url = running.receiver?.url ?? '';
  }
  const theStore = store;
  const stopRelay = async () => {
    if (relay) await relay.stop();
    else await cli?.stop('SIGTERM');
  };

  // Without an injected clock, one event time for the relay's life: samples vary theirs by `seq` seconds
  // back from it, so two seqs sealed a second apart can never produce the same plaintext (the same id).
  const eventTime = new Date();
  const appNamed = (name: string | undefined): TestApp => {
    const app = name === undefined ? firstApp : apps.find((candidate) => candidate.name === name);
    if (!app) throw new TypeError(`no test app named ${String(name)}`);
    return app;
  };
  const seal: TestRelay['seal'] = (kind, sealOptions = {}) => {
    const now = options.now ? new Date(options.now()) : eventTime;
    const app = appNamed(sealOptions.app);
    const resolved = config.apps.find((candidate) => candidate.id === app.id)!;
    const sample = sampleCallback(kind, { suiteId: app.id, corpId: CORP_ID, now, seq: sealOptions.seq ?? 0 });
    const fields = { ...sample.fields, ...sealOptions.fields };
    const plaintext = buildXml(fields);
    // WeCom seals command callbacks for the suite id, data callbacks for the authorizing corp.
    const receiveId = sample.endpoint === 'data' ? CORP_ID : app.id;
    const sealed = sealCallback({ token: app.token, encodingAESKey: app.encodingAESKey, receiveId, plaintext, ...(sealOptions.timestamp ? { timestamp: sealOptions.timestamp } : {}) });
    const path = sample.endpoint === 'data' ? (resolved.dataPath ?? config.receiver.dataPath) : resolved.commandPath;
    return { kind, eventId: eventId(app.id, receiveId, plaintext), path, sealed, plaintext, fields };
  };
  const post: TestRelay['post'] = async (request) => {
    const response = await fetch(`${url}${request.path}?${new URLSearchParams(request.sealed.query).toString()}`, {
      method: 'POST', headers: { 'content-type': 'text/xml' }, body: request.sealed.body,
    });
    return { status: response.status, body: await response.text() };
  };
  const send: TestRelay['send'] = async (kind, sendOptions = {}) => {
    const request = seal(kind, sendOptions);
    const answer = await post(request);
    return { ...request, status: answer.status, answer };
  };

  const until: TestRelay['until'] = (check, timeoutMs) => new Promise((resolve) => {
    const test = async () => { try { return await check(); } catch { return false; } };
    let running = false;
    let again = false;
    let done = false;
    const finish = (result: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(backstop);
      waiters.delete(recheck);
      resolve(result);
    };
    const recheck = () => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      void test().then((ok) => {
        running = false;
        if (ok) finish(true);
        else if (again) {
          again = false;
          recheck();
        }
      });
    };
    const timer = setTimeout(() => { void test().then(finish); }, timeoutMs);
    const backstop = setInterval(recheck, 200);
    waiters.add(recheck);
    recheck();
  });

  const account = async (eventIds: readonly string[]): Promise<Accounting> => {
    const deliveries = new Map<string, DeliveryRecord[]>();
    const problems: string[] = [];
    let deliveredCount = 0;
    let dead = 0;
    for (const id of eventIds) {
      const callback = await theStore.getCallback(id);
      const list = await theStore.listDeliveries({ eventId: id, limit: 1000 });
      deliveries.set(id, list);
      if (!callback) {
        problems.push(`${id}: acked but not in the store`);
        continue;
      }
      if (callback.state !== 'done') {
        problems.push(`${id}: callback still ${callback.state} (${callback.lastError ?? 'no error'})`);
        continue;
      }
      if (list.length === 0) problems.push(`${id}: processed but routed to no target`);
      for (const d of list) {
        if (d.state === 'delivered') deliveredCount += 1;
        else if (d.state === 'dead' && d.lastError) dead += 1;
        else problems.push(`${d.id}: ${d.state} after ${d.attempts} attempts (${d.lastError ?? 'no error'})`);
      }
    }
    return { events: eventIds.length, delivered: deliveredCount, dead, lost: problems.length, deliveries, problems };
  };

  // Whether some target takes auth.created (then install waits for its delivery too).
  const authRouted = routeEvent({ type: 'auth.created', source: { endpoint: 'command', suiteId: SUITE_ID, corpId: CORP_ID, agentId: null } },
    resolveTargets(config).filter((target) => target.enabledInConfig)).length > 0;

  return {
    input, config, mock, store: theStore, url, suiteSecret, keys, logs, delivered, apps,
    ...(spawned ? { cli: cli!, file } : { relay: relay!, rateSlots }),
    seal,
    post,
    send,
    async install(timeoutMs = 10_000, installOptions = {}) {
      const app = appNamed(installOptions.app);
      const { ticket, timestamp } = mock.issueSuiteTicket(app.id);
      const { authCode } = mock.issueAuthCode(undefined, { appId: app.id });
      const first = await post(seal('suite_ticket', { app: app.name, fields: { SuiteTicket: ticket, TimeStamp: String(timestamp) } }));
      const second = await post(seal('create_auth', { app: app.name, fields: { AuthCode: authCode } }));
      const ok = first.status === 200 && second.status === 200 && await until(async () =>
        (await theStore.getKv(namespaces.corp, appCorpKey(app.id, CORP_ID)))?.value.state === 'active'
        && (!authRouted || (spawned
          ? (await theStore.listDeliveries({ limit: 1000 })).some((d) => d.state === 'delivered' && d.event.type === 'auth.created' && d.event.source.suiteId === app.id)
          : delivered.some((d) => d.event.type === 'auth.created' && d.event.source.suiteId === app.id))), timeoutMs);
      return { ticket, authCode, ok };
    },
    until,
    async settle(eventIds, timeoutMs) {
      await until(async () => (await account(eventIds)).lost === 0, timeoutMs);
      return account(eventIds);
    },
    stop: stopRelay,
  };
}

/**
 * The store with `takeRateSlot` watched: every slot granted is appended to `slots`. A Proxy rather than a
 * subclass or a spread, because the SQLite store keeps its state in private (#) fields.
 */
function watchRateSlots(store: Store, slots: Array<{ key: string; at: number }>): Store {
  const takeRateSlot: Store['takeRateSlot'] = async (key, limit, now) => {
    const slot = await store.takeRateSlot(key, limit, now);
    if (slot.ok) slots.push({ key, at: now });
    return slot;
  };
  const takeRateSlots: Store['takeRateSlots'] = async (key, limit, wanted, now) => {
    const answer = await store.takeRateSlots(key, limit, wanted, now);
    for (let i = 0; i < answer.granted; i++) slots.push({ key, at: now });
    return answer;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'takeRateSlot') return takeRateSlot;
      if (property === 'takeRateSlots') return takeRateSlots;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
