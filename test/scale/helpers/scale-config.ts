import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSuiteKeys } from '../../helpers/keys.js';

/** The suite the scale tests run as. */
export const SUITE_ID = 'ww917724cb573d8629';

/** Options of {@link writeScaleConfig}. */
export interface ScaleConfigOptions {
  /** Where the file goes (`t.testdir()`). */
  readonly dir: string;
  /** `redis://…?prefix=…`: every process of one test shares it. */
  readonly store: string;
  /** The recording target's URL. */
  readonly targetUrl: string;
  readonly rateLimit: { readonly count: number; readonly intervalMs: number };
  readonly concurrency: number;
  /** The target's timeout; with `daemon.leaseMs` it sets how long a killed daemon's deliveries stay leased. @default 2000 */
  readonly timeoutMs?: number;
  /** `daemon.leaseMs`. @default 5000 */
  readonly leaseMs?: number;
}

/** A written config file and the suite credentials in it (the test seals callbacks with them). */
export interface ScaleConfig {
  readonly path: string;
  readonly suiteId: string;
  readonly keys: { readonly token: string; readonly encodingAESKey: string };
}

/**
 * Writes the one config file every receiver and daemon of a test runs with — as in production, where
 * `serve` and `daemon` share a file with `store: redis://…`: receiver on 127.0.0.1 port 0, admin off,
 * no suite secret (so no WeCom API: the daemons forward without enrichment), a 50 ms poll, one JSON target.
 */
export function writeScaleConfig(options: ScaleConfigOptions): ScaleConfig {
  const keys = generateSuiteKeys();
  const config = {
    suite: { id: SUITE_ID, token: keys.token, encodingAESKey: keys.encodingAESKey },
    receiver: { host: '127.0.0.1', port: 0 },
    store: options.store,
    enrich: false,
    admin: { enabled: false },
    daemon: { pollIntervalMs: 50, leaseMs: options.leaseMs ?? 5000, shutdownTimeoutMs: 2000 },
    log: { level: 'info' },
    targets: [{
      name: 'hook',
      url: options.targetUrl,
      format: 'json',
      rateLimit: options.rateLimit,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs ?? 2000,
      retrySchedule: [0, 1, 2, 5],
    }],
  };
  const path = join(options.dir, 'relay.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, suiteId: SUITE_ID, keys };
}
