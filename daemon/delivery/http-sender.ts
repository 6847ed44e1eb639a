import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Got } from 'got';
import type { OutgoingRequest } from './formats/formatter.js';

/** What came back from one attempt: a response, or why there was none. */
export type SendResult =
  | { readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: string }
  | { readonly error: 'timeout' | 'network'; readonly message: string };

/** Sends one formatted request. Injected so tests and benches can swap the transport. */
export type Sender = (request: OutgoingRequest, timeoutMs: number) => Promise<SendResult>;

/**
 * The production sender on got: one POST, no retries of its own (the delivery worker owns retries), no
 * redirects (a 3xx is a failure, as Standard Webhooks asks), keep-alive sockets, a hard timeout.
 */
export function createHttpSender(options: { readonly maxSockets?: number } = {}): Sender & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agent = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  const client: Got = got.extend({
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    agent,
    decompress: true,
  });
  const send = (async (request: OutgoingRequest, timeoutMs: number): Promise<SendResult> => {
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
