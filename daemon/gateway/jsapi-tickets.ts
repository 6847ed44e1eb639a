import { setTimeout as delay } from 'node:timers/promises';
import { WecomRelayError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { namespaces, type StoredToken } from '../../src/store/namespaces.js';
import type { WecomApiClient } from '../../src/wecom-api/client.js';
import type { CredentialStore } from '../../src/wecom-api/credential-records.js';
import { SharedTokenCache } from '../../src/wecom-api/shared-token-cache.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';

/** The two JS-SDK tickets: the corp's (`wx.config`) and the app's (`wx.agentConfig`). */
export type JsapiTicketKind = 'corp' | 'agent_config';

/** Inputs of {@link JsapiTickets}. */
export interface JsapiTicketsOptions {
  readonly store: CredentialStore;
  readonly api: Pick<WecomApiClient, 'call'>;
  readonly now: () => number;
  readonly logger: Logger;
  /** @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The JS-SDK tickets of each (app, corp), fetched with the corp's access_token (`get_jsapi_ticket`, and
 * `ticket/get?type=agent_config`; doc 96909), cached in memory and in the store (namespace `jsapi_ticket`)
 * until expiry (refreshed at 80 % of `expires_in`), one fetch per ticket across every process sharing the
 * store (the token cache's store lock). WeCom allows 400 fetches an hour per corp and 100 per app: cached,
 * a deployment makes about one every 1.6 hours per ticket.
 */
export class JsapiTickets {
  readonly #api: Pick<WecomApiClient, 'call'>;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #cache: SharedTokenCache;

  constructor(options: JsapiTicketsOptions) {
    this.#api = options.api;
    this.#now = options.now;
    this.#logger = options.logger;
    this.#cache = new SharedTokenCache({
      store: options.store, now: options.now, logger: options.logger,
      marginMs: 600_000, lockTtlMs: 30_000, lockWaitMs: 30_000, failureCooldownMs: 10_000, max: 10_000,
      sleep: options.sleep ?? ((ms) => delay(ms)),
    });
  }

  /** The ticket of `kind` for the corp, through `tokens` (the app's provider: 40014/42001 refreshed once). */
  get(tokens: Pick<TokenProvider, 'withCorpToken' | 'appId'>, corpId: string, kind: JsapiTicketKind): Promise<StoredToken> {
    return this.#cache.get(namespaces.jsapiTicket, `${tokens.appId}:${corpId}:${kind}`, async () => {
      const fetchedAt = this.#now();
      const path = kind === 'corp' ? 'get_jsapi_ticket' : 'ticket/get';
      const answer = await tokens.withCorpToken(corpId, (token) => this.#api.call<{ ticket?: unknown; expires_in?: unknown }>('GET', path, {
        query: kind === 'corp' ? { access_token: token } : { access_token: token, type: 'agent_config' },
        idempotent: true, rateKey: corpId,
      }));
      if (typeof answer.ticket !== 'string' || answer.ticket === '' || typeof answer.expires_in !== 'number' || !(answer.expires_in > 0)) {
        throw new WecomRelayError('ERR_WECOM_API_HTTP', { message: `${path}: answer lacks ticket or expires_in` });
      }
      this.#logger.info({ appId: tokens.appId, corpId, kind, expiresIn: answer.expires_in }, 'jsapi ticket fetched');
      return { token: answer.ticket, fetchedAt, expiresAt: fetchedAt + answer.expires_in * 1000 };
    });
  }
}
