import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Got } from 'got';
import type { DeliveryResponse } from './classify-response.js';
import type { OutgoingRequest } from './formats/formatter.js';
import { SSRF_BLOCKED_CODE, type SsrfGuard } from './ssrf-guard.js';

/**
 * What came back from one attempt: a response or why there was none (the {@link DeliveryResponse} the
 * verdict is judged on), or the SSRF guard's refusal, which never reached the network.
 */
export type SendResult = DeliveryResponse | BlockedResult;

/** Nothing was sent: the SSRF guard refused the target's address. Permanent (the delivery goes dead). */
export interface BlockedResult {
  readonly error: 'blocked';
  readonly message: string;
}

/** True when the SSRF guard refused the attempt. */
export function isBlocked(result: SendResult): result is BlockedResult {
  return 'error' in result && result.error === 'blocked';
}

/** Options of {@link createHttpSender}. */
export interface HttpSenderOptions {
  /** Sockets per target origin. @default 64 */
  readonly maxSockets?: number;
  /**
   * Refuse private, loopback, link-local and metadata addresses (config `security.blockPrivateTargets`).
   * IP-literal URLs are checked before sending; host names are checked on the address DNS resolved to,
   * at connect time, so a name re-pointed at 127.0.0.1 is refused too. @default undefined (no guard)
   */
  readonly guard?: SsrfGuard;
}

/** Sends one formatted request. Injected so tests and benches can swap the transport. */
export type Sender = (request: OutgoingRequest, timeoutMs: number) => Promise<SendResult>;

/**
 * The production sender on got: one POST, no retries of its own (the delivery worker owns retries), no
 * redirects (a 3xx is a failure, as Standard Webhooks asks), keep-alive sockets, a hard timeout.
 */
export function createHttpSender(options: HttpSenderOptions = {}): Sender & { close(): void } {
  const { guard } = options;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agent = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const client: Got = got.extend({
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    agent,
    decompress: true,
    ...(guard ? { dnsLookup: guard.lookup } : {}),
  });
  const send = (async (request: OutgoingRequest, timeoutMs: number): Promise<SendResult> => {
    const refused = guard?.checkUrl(request.url) ?? null;
    if (refused !== null) return { error: 'blocked', message: refused };
    try {
      const response = await client.post(request.url, {
        headers: request.headers,
        body: request.body,
        timeout: { request: timeoutMs },
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      const code = (error as { code?: string }).code;
      const name = (error as { name?: string }).name;
      if (code === SSRF_BLOCKED_CODE) return { error: 'blocked', message: (error as Error).message };
      const timedOut = code === 'ETIMEDOUT' || name === 'TimeoutError';
      return { error: timedOut ? 'timeout' : 'network', message: `${code ?? name ?? 'error'}: ${(error as Error).message}` };
    }
  }) as Sender & { close(): void };
  send.close = () => {
    agent.http.destroy();
    agent.https.destroy();
  };
  return send;
}
