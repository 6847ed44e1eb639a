import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../../src/apps/app.js';
import type { Logger } from '../../src/logger.js';
import type { WecomApiClient } from '../../src/wecom-api/client.js';
import type { CredentialStore } from '../../src/wecom-api/credential-records.js';
import { classifyErrcode } from '../../src/wecom-api/errcode.js';
import type { TokenProviders } from '../../src/wecom-api/token-providers.js';
import type { RelayMetrics } from '../admin/metrics.js';
import type { GatewayConfig } from './gateway-config.js';
import { GatewayKeys } from './gateway-keys.js';
import { handleGatewayRequest, type GatewayCallFacts } from './handle-gateway-request.js';
import { JsapiTickets } from './jsapi-tickets.js';

/** Inputs of {@link startGateway}: the process's one WeCom client and token providers, so pacing and token caches are shared. */
export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly apps: readonly AppConfig[];
  readonly providers: Pick<TokenProviders, 'get'>;
  /** The process's WeCom client: gateway calls queue on its per-corp queues with enrichment's. */
  readonly api: Pick<WecomApiClient, 'forward' | 'call'>;
  readonly store: CredentialStore;
  readonly logger: Logger;
  /**
   * Where the audit lines go; `logger` by default. Their fields are fixed and never hold a secret, so the
   * daemon passes a child of its logger without the wildcard key redaction, which cost 7 % of a proxied
   * call's CPU (the configured secrets are still scrubbed from every line).
   */
  readonly audit?: Logger;
  readonly metrics?: Pick<RelayMetrics, 'gatewayRequests' | 'gatewayDuration'>;
  readonly now: () => number;
}

/** A listening gateway. */
export interface RunningGateway {
  /** e.g. `http://127.0.0.1:9465`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The metrics class of a call: `ok`, the WeCom errcode's class (`transient`, `no_permission` …), or the gateway's code in lower case. */
export function outcomeClass(facts: Pick<GatewayCallFacts, 'errcode' | 'code'>): string {
  if (facts.code !== undefined) return facts.code.replace(/^ERR_(GATEWAY_)?/, '').toLowerCase();
  if (facts.errcode === undefined) return 'passthrough';
  return classifyErrcode(facts.errcode);
}

/**
 * Starts the credential gateway's own HTTP listener (SPEC §11). Every call ends with one audit line at
 * info — `{gateway: {key, app, corp, method, path, status, errcode, code, attempts, ms}}`, never a token,
 * a key, a query or a body — and one count and latency sample per key, app and outcome class (apps and
 * keys only as configured, so a caller cannot grow the label set).
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger, metrics } = options;
  const audit = options.audit ?? logger;
  const deps = {
    keys: new GatewayKeys(config.keys, options.apps),
    apps: options.apps,
    providers: options.providers,
    api: options.api,
    tickets: new JsapiTickets({ store: options.store, api: options.api, now: options.now, logger }),
    now: options.now,
  };
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const facts: GatewayCallFacts = { key: undefined, app: undefined, corp: undefined, path: undefined, errcode: undefined, code: undefined, attempts: undefined };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const ms = Math.round((performance.now() - started) * 100) / 100;
      const cls = outcomeClass(facts);
      const labels = { key: facts.key ?? '-', app: facts.app ?? '-', class: cls };
      metrics?.gatewayRequests.inc(labels);
      metrics?.gatewayDuration.observe(labels, ms / 1000);
      audit.info({ gateway: { key: facts.key ?? null, app: facts.app ?? null, corp: facts.corp ?? null, method: req.method, path: facts.path ?? null, status: res.statusCode, errcode: facts.errcode ?? null, code: facts.code ?? null, attempts: facts.attempts ?? null, ms } }, 'gateway call');
    };
    res.once('finish', finish);
    res.once('close', finish);
    void handleGatewayRequest(req, res, deps, facts);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    }),
  };
}
