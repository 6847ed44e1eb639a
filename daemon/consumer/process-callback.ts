import { WecomApiError, WecomRelayError } from '../../src/errors.js';
import type { EnrichmentError, EventEnvelope } from '../../src/events/envelope.js';
import { normalize, type EventApp } from '../../src/events/normalize.js';
import type { Logger } from '../../src/logger.js';
import type { CallbackRecord } from '../../src/store/store.js';
import { classifyErrcode } from '../../src/wecom-api/errcode.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';
import { routeEvent } from '../delivery/route-event.js';
import type { TargetConfig } from '../delivery/target.js';
import { backoffMs } from '../../src/backoff.js';

/** The result of enriching one event. `retry` asks for another try later (a transient WeCom failure). */
export type EnrichOutcome =
  | { readonly kind: 'done'; readonly enrichment: Record<string, unknown> | null; readonly error: EnrichmentError | null }
  | { readonly kind: 'retry'; readonly error: EnrichmentError };

/** Enriches one event with follow-up WeCom API calls. */
export type Enricher = (event: EventEnvelope, signal: AbortSignal) => Promise<EnrichOutcome>;

/** What {@link processCallback} needs. */
export interface ProcessContext {
  /** The one suite's ids (without `providers`): a suite_ticket naming another suite is not saved. */
  readonly suiteIds: readonly string[];
  /** The deployment's apps (`config.apps`): the callback's app is the one whose id is its stored `suiteId`. */
  readonly apps?: readonly EventApp[];
  /** Null when the daemon runs without the suite secret: credentials are then not managed. Ignored with `providers`. */
  readonly tokens: TokenProvider | null;
  /**
   * Several apps (SPEC §10): the provider of the callback's app, by its stored `suiteId` (the app the
   * receiver identified by signature). Given, it replaces `tokens` and `suiteIds`: each callback's
   * credential step (suite_ticket, create_auth, change_auth, cancel_auth, reset_permanent_code) runs on its
   * own app's provider; an app without one (no secret, or unknown) is forwarded unmanaged.
   */
  readonly providers?: { get(appId: string): TokenProvider | undefined };
  /** Null when enrichment is off. Ignored with `enrichers`. */
  readonly enrich: Enricher | null;
  /** One enricher per app id (each on its app's provider, by its kind); an app missing here is not enriched. */
  readonly enrichers?: ReadonlyMap<string, Enricher>;
  readonly targets: readonly TargetConfig[];
  readonly logger: Logger;
  readonly now: () => number;
  /** Enrichment never holds an event back longer than this after it was received. */
  readonly maxEnrichDelayMs: number;
  /**
   * One enrichment attempt may take at most this long (then it is deferred and tried again), so a
   * processing attempt always ends well within the callback's lease.
   * @default 30000
   */
  readonly maxAttemptMs?: number;
  /** Reconciliation's snapshot step, run after normalize (daemon/sync/update-snapshots.ts); absent = off. */
  readonly updateSnapshots?: (event: EventEnvelope) => Promise<void>;
}

/** Either finish the callback (store the event, fan out) or try again later. */
export type ProcessOutcome =
  | { readonly kind: 'complete'; readonly event: EventEnvelope; readonly targets: string[] }
  | { readonly kind: 'defer'; readonly delayMs: number; readonly error: string };

/** Backoff for re-processing: 1 s, 2 s, 4 s … capped at 60 s. */
export function deferDelayMs(attempts: number): number {
  return backoffMs(attempts - 1, { baseMs: 1000, maxMs: 60_000, maxStep: 6 });
}

function apiError(error: unknown, fallbackApi?: string): EnrichmentError {
  if (error instanceof WecomApiError) {
    const cls = classifyErrcode(error.errcode);
    return { code: cls === 'relation_gone' ? 'relation_gone' : 'wecom_api', errcode: error.errcode, message: error.errmsg, api: error.path };
  }
  if (error instanceof WecomRelayError) {
    const code = error.code === 'ERR_WECOM_CORP_NOT_AUTHORIZED' ? 'not_authorized' : error.code === 'ERR_WECOM_NO_SUITE_TICKET' ? 'no_suite_ticket' : 'network';
    return { code, message: error.message, ...(fallbackApi ? { api: fallbackApi } : {}) };
  }
  return { code: 'network', message: error instanceof Error ? error.message : String(error) };
}

function isTransient(error: unknown): boolean {
  if (error instanceof WecomApiError) return classifyErrcode(error.errcode) === 'transient';
  if (error instanceof WecomRelayError) return error.code === 'ERR_WECOM_API_HTTP' || error.code === 'ERR_WECOM_NO_SUITE_TICKET';
  return true;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Turns one stored callback into its event and its deliveries. Credential effects come first: a
 * suite_ticket is saved (newer-wins; never forwarded), an AuthCode is exchanged at once for the permanent
 * code (it is single-use and lives 10 minutes), a cancelled corp loses its secrets. Then the event is
 * enriched within the time bound and routed to the matching targets.
 */
export async function processCallback(callback: CallbackRecord, context: ProcessContext): Promise<ProcessOutcome> {
  const { logger, now } = context;
  const appId = callback.suiteId;
  const tokens = context.providers ? (context.providers.get(appId) ?? null) : context.tokens;
  const enrich = context.enrichers ? (context.enrichers.get(appId) ?? null) : context.enrich;
  let event = normalize(callback, context.apps?.find((app) => app.id === callback.suiteId));
  await context.updateSnapshots?.(event);
  const fields = callback.fields;
  const age = now() - callback.receivedAt;
  let enrichment: Record<string, unknown> | null = null;
  let enrichmentError: EnrichmentError | null = null;

  if (tokens) {
    try {
      switch (event.type) {
        case 'suite.ticket': {
          const ticket = str(fields.SuiteTicket);
          const suite = str(fields.SuiteId);
          // With several apps the ticket is the identified app's own: one naming another app is not saved.
          const known = context.providers ? suite === null || suite === appId : suite === null || context.suiteIds.includes(suite);
          if (!ticket || !known) {
            logger.warn({ eventId: event.id, suiteId: suite, appId }, 'suite_ticket for another suite or without a ticket: not saved');
          } else {
            const saved = await tokens.saveSuiteTicket(ticket, Number(str(fields.TimeStamp) ?? '0'));
            logger.info({ eventId: event.id, appId, saved }, saved ? 'suite_ticket saved' : 'older suite_ticket ignored (newer-wins)');
          }
          break;
        }
        case 'auth.created':
        case 'auth.permanent_code_reset': {
          const authCode = str(fields.AuthCode);
          if (!authCode) {
            enrichmentError = { code: 'invalid_event', message: 'the callback carries no AuthCode to exchange' };
            break;
          }
          const auth = await tokens.exchangeAuthCode(authCode);
          enrichment = { corp: publicCorpInfo(auth) };
          event = { ...event, source: { ...event.source, corpId: auth.corpId } };
          logger.info({ eventId: event.id, appId, corpId: auth.corpId }, 'authorization exchanged for a permanent code');
          break;
        }
        case 'auth.changed': {
          if (event.source.corpId) enrichment = { corp: publicCorpInfo(await tokens.refreshAuthInfo(event.source.corpId)) };
          break;
        }
        case 'auth.cancelled': {
          if (event.source.corpId) await tokens.revokeCorp(event.source.corpId);
          logger.info({ eventId: event.id, appId, corpId: event.source.corpId }, 'authorization cancelled: corp secrets deleted');
          break;
        }
        default:
          break;
      }
    } catch (error) {
      // An AuthCode lives 10 minutes: transient failures are retried within that life, then reported.
      if (isTransient(error) && age < Math.min(context.maxEnrichDelayMs, 9 * 60_000)) {
        return { kind: 'defer', delayMs: deferDelayMs(callback.attempts), error: describe(error) };
      }
      enrichmentError = apiError(error);
      logger.warn({ eventId: event.id, appId, type: event.type, enrichmentError }, 'credential step failed; forwarding with enrichmentError');
    }
  }

  if (!tokens && context.providers && event.type === 'suite.ticket') {
    logger.warn({ eventId: event.id, appId }, 'suite_ticket for an app this relay does not manage (unknown, or no secret): ignored');
  }

  if (enrich && enrichment === null && enrichmentError === null && event.type !== 'suite.ticket') {
    // Measured now, not at the start: the credential step above may have taken a while.
    const remaining = context.maxEnrichDelayMs - (now() - callback.receivedAt);
    if (remaining <= 0) {
      enrichmentError = { code: 'timeout', message: 'enrichment did not finish within the bound; forwarded without it' };
    } else {
      const outcome = await enrichWithin(enrich, event, Math.min(remaining, context.maxAttemptMs ?? 30_000));
      if (outcome.kind === 'retry') {
        // The age after this attempt (which may have run up to the bound): deferring past the bound would
        // hold the event back longer than enrich.maxDelaySeconds.
        if (now() - callback.receivedAt + deferDelayMs(callback.attempts) < context.maxEnrichDelayMs) {
          return { kind: 'defer', delayMs: deferDelayMs(callback.attempts), error: outcome.error.message };
        }
        enrichmentError = outcome.error;
      } else {
        enrichment = outcome.enrichment;
        enrichmentError = outcome.error;
      }
    }
  }

  const finished: EventEnvelope = { ...event, enrichment, enrichmentError };
  return { kind: 'complete', event: finished, targets: routeEvent(finished, context.targets) };
}

async function enrichWithin(enrich: Enricher, event: EventEnvelope, timeoutMs: number): Promise<EnrichOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<EnrichOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ kind: 'retry', error: { code: 'timeout', message: `enrichment took longer than ${timeoutMs} ms` } });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      enrich(event, controller.signal).catch((error: unknown): EnrichOutcome =>
        isTransient(error) ? { kind: 'retry', error: apiError(error) } : { kind: 'done', enrichment: null, error: apiError(error) }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof WecomApiError) return `${error.path}: errcode ${error.errcode}`;
  if (error instanceof WecomRelayError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The corp's authorization info without any secret (no permanent code, no token). */
function publicCorpInfo(auth: { corpId: string; corpName?: string | null; authInfo?: unknown; authCorpInfo?: unknown; authUserInfo?: unknown }): Record<string, unknown> {
  return {
    corpId: auth.corpId,
    corpName: auth.corpName ?? null,
    authCorpInfo: auth.authCorpInfo ?? null,
    authInfo: auth.authInfo ?? null,
    authUserInfo: auth.authUserInfo ?? null,
  };
}
