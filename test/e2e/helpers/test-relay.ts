import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { configSecrets } from '../../../daemon/commands/config-secrets.js';
import { validateConfig } from '../../../daemon/config.js';
import type { Config, ConfigInput } from '../../../daemon/config-schema.js';
import { createLogger } from '../../../daemon/logger.js';
import { DEFAULT_CORP_IDS } from '../../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi, type StartMockWecomApiOptions } from '../../../daemon/mock-api/start-mock-wecom-api.js';
import { runRelay, type RelayMode, type RunningRelay } from '../../../daemon/run-relay.js';
import { sealCallback } from '../../../src/crypto/seal-callback.js';
import { sampleCallback } from '../../../src/events/samples.js';
import { createStore } from '../../../src/store/create-store.js';
import type { DeliveryRecord, Store } from '../../../src/store/store.js';
import type { CallbackFields } from '../../../src/xml/fields.js';
import { buildXml } from '../../../src/xml/build-xml.js';
import { generateSuiteKeys } from '../../helpers/keys.js';
import { createCondition } from './condition.js';
import type { Teardown } from './recording-target.js';

/** The suite the e2e tests run as (the one of the seeds). */
export const SUITE_ID = 'ww917724cb573d8629';
/** The mock's built-in corp: the one every sample callback is about. */
export const CORP_ID = DEFAULT_CORP_IDS.corpId;

type TargetInput = NonNullable<ConfigInput['targets']>[number];

/** Options of {@link startTestRelay}. */
export interface TestRelayOptions {
  /** A fresh directory for the SQLite store (`t.testdir()`). */
  readonly dir: string;
  readonly targets: readonly TargetInput[];
  /** @default 'start' */
  readonly mode?: RelayMode;
  /** @default true */
  readonly enrich?: boolean;
  /** The relay's clock. @default Date.now */
  readonly now?: () => number;
  /** Extra `daemon:` settings (pollIntervalMs is 50 unless given). */
  readonly daemon?: ConfigInput['daemon'];
  /** Options of the mock WeCom API beyond the suite. */
  readonly mock?: Partial<StartMockWecomApiOptions>;
}

/** What one {@link TestRelay.send} POSTed and how the receiver answered. */
export interface SentCallback {
  readonly kind: string;
  readonly status: number;
  readonly answer: string;
  readonly fields: CallbackFields;
  /** The exact decrypted plaintext, as the receiver stores it. */
  readonly plaintext: string;
}

/** A relay (receiver + daemon on a SQLite file) against a mock WeCom API, wired like `wecom-relay start`. */
export interface TestRelay {
  /** The configuration as written (what a config file would hold). */
  readonly input: ConfigInput;
  readonly config: Config;
  readonly mock: StartedMockWecomApi;
  readonly relay: RunningRelay;
  readonly store: Store;
  /** The receiver's base URL; absent in `daemon` mode. */
  readonly url: string;
  readonly suiteSecret: string;
  readonly keys: { readonly token: string; readonly encodingAESKey: string };
  /** Every log line the relay wrote (level debug), raw JSON text. */
  readonly logs: string[];
  /** Every delivery that ended delivered, in order (the daemon's `onDelivered`). */
  readonly delivered: DeliveryRecord[];
  /**
   * Every rate slot the relay took (`Store.takeRateSlot` answered ok): the relay-side time of each send
   * reservation, on the relay's clock. The store is the real one; this only watches the calls.
   */
  readonly rateSlots: Array<{ readonly key: string; readonly at: number }>;
  /** Resolves true once `check()` holds, re-checked after every delivery and log line; false after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Seals a sample callback of `kind` (fields overridden by `fields`) like WeCom and POSTs it to the receiver. */
  send(kind: string, options?: { readonly fields?: CallbackFields; readonly seq?: number }): Promise<SentCallback>;
  /**
   * Pushes a suite_ticket and a create_auth carrying a ticket and an auth code the mock issued, and waits
   * until `auth.created` is delivered somewhere (a target must take `auth.*`).
   */
  install(timeoutMs?: number): Promise<{ readonly ticket: string; readonly authCode: string; readonly ok: boolean }>;
  /** Stops the relay (receiver first, then the daemon drains). Idempotent; also run by teardown. */
  stop(): Promise<void>;
}

/** Delivered events of `type`. */
export function deliveredOfType(relay: TestRelay, type: string): DeliveryRecord[] {
  return relay.delivered.filter((d) => d.event.type === type);
}

/** Starts a mock WeCom API and a relay on it; `t.teardown` stops both. */
export async function startTestRelay(t: Teardown, options: TestRelayOptions): Promise<TestRelay> {
  const suiteSecret = randomBytes(24).toString('hex');
  const keys = generateSuiteKeys();
  const mock = await startMockWecomApi({ suiteId: SUITE_ID, suiteSecret, ...options.mock });
  t.teardown(() => mock.close());
  const input: ConfigInput = {
    suite: { id: SUITE_ID, secret: suiteSecret, ...keys },
    receiver: { host: '127.0.0.1', port: 0, maxClockSkewSeconds: 3600 },
    store: `sqlite:${join(options.dir, 'wecom-relay.db')}`,
    wecomApi: { baseUrl: mock.url },
    enrich: options.enrich ?? true,
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50, retentionDays: 0, ...options.daemon },
    log: { level: 'debug' },
    targets: [...options.targets],
  };
  const config = validateConfig(input, {});
  const logs: string[] = [];
  const delivered: DeliveryRecord[] = [];
  const condition = createCondition();
  // Wired like `wecom-relay start` (run-commands.ts): the config's secret values are scrubbed from lines.
  const logger = createLogger({
    level: config.log.level,
    secrets: configSecrets(config),
    destination: {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line !== '') logs.push(line);
        condition.changed();
      },
    },
  });
  const rateSlots: Array<{ key: string; at: number }> = [];
  const store = watchRateSlots(await createStore(config.store), rateSlots);
  t.teardown(() => store.close()); // after relay.stop (teardowns run last-in first-out)
  const relay = await runRelay({
    config, mode: options.mode ?? 'start', logger, store,
    ...(options.now ? { now: options.now } : {}),
    onDelivered: (delivery) => {
      delivered.push(delivery);
      condition.changed();
    },
  });
  t.teardown(() => relay.stop());
  const now = options.now ?? Date.now;
  const url = relay.receiver?.url ?? '';

  const send: TestRelay['send'] = async (kind, sendOptions = {}) => {
    const sample = sampleCallback(kind, { suiteId: SUITE_ID, corpId: CORP_ID, now: new Date(now()), seq: sendOptions.seq ?? 0 });
    const fields = { ...sample.fields, ...sendOptions.fields };
    const plaintext = buildXml(fields);
    // WeCom seals command callbacks for the suite id, data callbacks for the authorizing corp.
    const receiveId = sample.endpoint === 'data' ? CORP_ID : SUITE_ID;
    const sealed = sealCallback({ token: keys.token, encodingAESKey: keys.encodingAESKey, receiveId, plaintext });
    const path = sample.endpoint === 'data' ? config.receiver.dataPath : config.receiver.commandPath;
    const response = await fetch(`${url}${path}?${new URLSearchParams(sealed.query).toString()}`, {
      method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body,
    });
    return { kind, status: response.status, answer: await response.text(), fields, plaintext };
  };

  const testRelay: TestRelay = {
    input, config, mock, relay, store: relay.store, url, suiteSecret, keys, logs, delivered, rateSlots,
    until: (check, timeoutMs) => condition.until(check, timeoutMs),
    send,
    async install(timeoutMs = 10_000) {
      const { ticket, timestamp } = mock.issueSuiteTicket();
      const { authCode } = mock.issueAuthCode();
      const ticketSent = await send('suite_ticket', { fields: { SuiteTicket: ticket, TimeStamp: String(timestamp) } });
      const authSent = await send('create_auth', { fields: { AuthCode: authCode } });
      const ok = ticketSent.status === 200 && authSent.status === 200 &&
        await condition.until(() => delivered.some((d) => d.event.type === 'auth.created'), timeoutMs);
      return { ticket, authCode, ok };
    },
    stop: () => relay.stop(),
  };
  return testRelay;
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
