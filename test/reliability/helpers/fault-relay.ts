import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { configSecrets } from '../../../daemon/commands/config-secrets.js';
import { validateConfig } from '../../../daemon/config.js';
import type { Config, ConfigInput } from '../../../daemon/config-schema.js';
import { createLogger } from '../../../daemon/logger.js';
import { DEFAULT_CORP_IDS } from '../../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi } from '../../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay, type RelayMode, type RunningRelay } from '../../../daemon/run-relay.js';
import { sealCallback, type SealedCallback } from '../../../src/crypto/seal-callback.js';
import { eventId } from '../../../src/events/event-id.js';
import { sampleCallback } from '../../../src/events/samples.js';
import type { DeliveryRecord, Store } from '../../../src/store/store.js';
import type { CallbackFields } from '../../../src/xml/fields.js';
import { buildXml } from '../../../src/xml/build-xml.js';
import { generateSuiteKeys } from '../../helpers/keys.js';
import { appCorpKey } from '../../../src/store/app-corp-key.js';
import { namespaces } from '../../../src/store/namespaces.js';

/** The suite of the seeds. */
export const SUITE_ID = 'ww917724cb573d8629';
/** The mock's built-in corp. */
export const CORP_ID = DEFAULT_CORP_IDS.corpId;

/** The one thing the helpers need from a tap test. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Options of {@link startFaultRelay}: the parts of the config a fault test varies. */
export interface FaultRelayOptions {
  /** A fresh directory (`t.testdir()`) for the SQLite file. */
  readonly dir: string;
  readonly targets: NonNullable<ConfigInput['targets']>;
  /** @default false (delivery faults need no WeCom API) */
  readonly enrich?: ConfigInput['enrich'];
  /** @default 'start' */
  readonly mode?: RelayMode;
  /** Use this store instead of opening the file (a tighter busy timeout, say). The caller closes it. */
  readonly store?: Store;
  readonly wecomApi?: { readonly timeoutMs?: number };
  readonly admin?: ConfigInput['admin'];
  readonly security?: ConfigInput['security'];
  readonly daemon?: ConfigInput['daemon'];
  readonly receiver?: Partial<NonNullable<ConfigInput['receiver']>>;
}

/** One callback as WeCom would POST it, kept so it can be sent again byte for byte (a WeCom retry). */
export interface SealedRequest {
  readonly kind: string;
  readonly eventId: string;
  readonly path: string;
  readonly sealed: SealedCallback;
  readonly plaintext: string;
}

/** What the receiver answered. */
export interface Answer {
  readonly status: number;
  readonly body: string;
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

/** A relay wired like `wecom-relay start`, on a mock WeCom API, with helpers to seal, send and account. */
export interface FaultRelay {
  readonly config: Config;
  readonly mock: StartedMockWecomApi;
  readonly relay: RunningRelay;
  readonly store: Store;
  readonly url: string;
  readonly keys: { readonly token: string; readonly encodingAESKey: string };
  /** Every log line (debug level), raw JSON. */
  readonly logs: string[];
  /** Seals a sample callback of `kind` (distinct per `seq`) without sending it. */
  seal(kind: string, options?: { readonly seq?: number; readonly fields?: CallbackFields; readonly timestamp?: string }): SealedRequest;
  /** POSTs a sealed callback exactly as sealed. */
  post(request: SealedRequest): Promise<Answer>;
  /** seal + post. */
  send(kind: string, options?: { readonly seq?: number; readonly fields?: CallbackFields }): Promise<SealedRequest & { readonly answer: Answer }>;
  /** Pushes a suite_ticket and a create_auth with values the mock issued; resolves once the corp is authorized. */
  install(timeoutMs?: number): Promise<boolean>;
  /**
   * Resolves true once the async `check` holds. Re-checked after every log line and delivery (on the next
   * turn, so the write that logged has landed), and every 200 ms as a backstop; false after `timeoutMs`.
   */
  until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
  /** Waits until every event in `eventIds` is delivered or dead (or `timeoutMs` passes) and accounts for them. */
  settle(eventIds: readonly string[], timeoutMs: number): Promise<Accounting>;
  stop(): Promise<void>;
}

/** Starts the mock WeCom API and a relay on it; `t.teardown` stops both. */
export async function startFaultRelay(t: Teardown, options: FaultRelayOptions): Promise<FaultRelay> {
  const suiteSecret = randomBytes(24).toString('hex');
  const keys = generateSuiteKeys();
  const mock = await startMockWecomApi({ suiteId: SUITE_ID, suiteSecret });
  t.teardown(() => mock.close());
  const input: ConfigInput = {
    suite: { id: SUITE_ID, secret: suiteSecret, ...keys },
    receiver: { host: '127.0.0.1', port: 0, maxClockSkewSeconds: 3600, ...options.receiver },
    store: `sqlite:${join(options.dir, 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url, ...options.wecomApi },
    enrich: options.enrich ?? false,
    admin: options.admin ?? { enabled: false },
    daemon: { pollIntervalMs: 50, retentionDays: 0, ...options.daemon },
    log: { level: 'debug' },
    targets: options.targets,
    ...(options.security ? { security: options.security } : {}),
  };
  const config = validateConfig(input, {});
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const changed = () => setImmediate(() => { for (const w of [...waiters]) w(); });
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
  const relay = await runRelay({
    config, mode: options.mode ?? 'start', logger, onDelivered: changed,
    ...(options.store ? { store: options.store } : {}),
  });
  t.teardown(() => relay.stop());
  const url = relay.receiver?.url ?? '';

  // One event time for the relay's life: samples vary theirs by `seq` seconds back from it, so two seqs
  // sealed a second apart can never produce the same plaintext (and so the same event id).
  const eventTime = new Date();
  const seal: FaultRelay['seal'] = (kind, sealOptions = {}) => {
    const sample = sampleCallback(kind, { suiteId: SUITE_ID, corpId: CORP_ID, now: eventTime, seq: sealOptions.seq ?? 0 });
    const plaintext = buildXml({ ...sample.fields, ...sealOptions.fields });
    const receiveId = sample.endpoint === 'data' ? CORP_ID : SUITE_ID;
    const sealed = sealCallback({ ...keys, receiveId, plaintext, ...(sealOptions.timestamp ? { timestamp: sealOptions.timestamp } : {}) });
    const path = sample.endpoint === 'data' ? config.receiver.dataPath : config.receiver.commandPath;
    return { kind, eventId: eventId(SUITE_ID, receiveId, plaintext), path, sealed, plaintext };
  };
  const post: FaultRelay['post'] = async (request) => {
    const response = await fetch(`${url}${request.path}?${new URLSearchParams(request.sealed.query).toString()}`, {
      method: 'POST', headers: { 'content-type': 'text/xml' }, body: request.sealed.body,
    });
    return { status: response.status, body: await response.text() };
  };

  const until: FaultRelay['until'] = (check, timeoutMs) => new Promise((resolve) => {
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
      check().then((ok) => {
        running = false;
        if (ok) finish(true);
        else if (again) {
          again = false;
          recheck();
        }
      }, () => { running = false; });
    };
    const timer = setTimeout(() => { void check().then(finish, () => finish(false)); }, timeoutMs);
    const backstop = setInterval(recheck, 200);
    waiters.add(recheck);
    recheck();
  });

  const account = async (eventIds: readonly string[]): Promise<Accounting> => {
    const deliveries = new Map<string, DeliveryRecord[]>();
    const problems: string[] = [];
    let delivered = 0;
    let dead = 0;
    for (const id of eventIds) {
      const callback = await relay.store.getCallback(id);
      const list = await relay.store.listDeliveries({ eventId: id, limit: 1000 });
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
        if (d.state === 'delivered') delivered += 1;
        else if (d.state === 'dead' && d.lastError) dead += 1;
        else problems.push(`${d.id}: ${d.state} after ${d.attempts} attempts (${d.lastError ?? 'no error'})`);
      }
    }
    return { events: eventIds.length, delivered, dead, lost: problems.length, deliveries, problems };
  };

  return {
    config, mock, relay, store: relay.store, url, keys, logs,
    seal,
    post,
    async send(kind, sendOptions = {}) {
      const request = seal(kind, sendOptions);
      return { ...request, answer: await post(request) };
    },
    async install(timeoutMs = 10_000) {
      const { ticket, timestamp } = mock.issueSuiteTicket();
      const { authCode } = mock.issueAuthCode();
      const first = await post(seal('suite_ticket', { fields: { SuiteTicket: ticket, TimeStamp: String(timestamp) } }));
      const second = await post(seal('create_auth', { fields: { AuthCode: authCode } }));
      if (first.status !== 200 || second.status !== 200) return false;
      return until(async () => (await relay.store.getKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID)))?.value.state === 'active', timeoutMs);
    },
    until,
    async settle(eventIds, timeoutMs) {
      await until(async () => (await account(eventIds)).lost === 0, timeoutMs);
      return account(eventIds);
    },
    stop: () => relay.stop(),
  };
}
