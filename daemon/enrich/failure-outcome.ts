import { WecomApiError, WecomRelayError } from '../../src/errors.js';
import type { EnrichmentError } from '../../src/events/envelope.js';
import { classifyErrcode } from '../../src/wecom-api/errcode.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';

/** What a failed enrichment call means: try the event again later, or forward it with the error. */
export interface Failure {
  readonly retry: boolean;
  readonly error: EnrichmentError;
}

/**
 * Classifies an enrichment call's failure (SPEC §8, `reference/wecom-protocol.md` §2.6):
 *
 * - retry — -1 / 45009 / 45033 (`transient`), a token still rejected after the provider's one refresh
 *   (40014/42001, 40082/42009), 40085 or no suite_ticket yet (the next push fixes it), network / HTTP
 *   failures, an aborted call, and anything unexpected (e.g. a busy store);
 * - forward with `relation_gone` — 84061: the external contact relation no longer exists;
 * - forward with `not_authorized` — 40084 / 301007 / 2000002 (the corp is gone; the token provider has
 *   marked it) or no stored permanent code;
 * - forward with `wecom_api` — everything else: 60011 / 48002 (visibility and scope, normal for third-party
 *   apps), 60020 and the other config codes, unknown errcodes. Retrying would only spend the error budget.
 *
 * Messages carry WeCom's errmsg or the client's path-only message: never a token or a query string.
 */
export function classifyFailure(error: unknown, api: string, signal?: AbortSignal): Failure {
  if (error instanceof WecomApiError) {
    const base = { errcode: error.errcode, message: error.errmsg || error.message, api: error.path };
    switch (classifyErrcode(error.errcode)) {
      case 'transient':
      case 'corp_token_invalid':
      case 'suite_token_invalid':
      case 'no_ticket':
        return { retry: true, error: { code: 'wecom_api', ...base } };
      case 'relation_gone':
        return { retry: false, error: { code: 'relation_gone', ...base } };
      case 'corp_gone':
        return { retry: false, error: { code: 'not_authorized', ...base } };
      default:
        return { retry: false, error: { code: 'wecom_api', ...base } };
    }
  }
  if (signal?.aborted) return { retry: true, error: { code: 'timeout', message: `${api}: enrichment was aborted`, api } };
  if (error instanceof WecomRelayError) {
    switch (error.code) {
      case 'ERR_WECOM_CORP_NOT_AUTHORIZED':
        return { retry: false, error: { code: 'not_authorized', message: error.message, api } };
      case 'ERR_WECOM_NO_SUITE_TICKET':
        return { retry: true, error: { code: 'no_suite_ticket', message: error.message, api } };
      default:
        return { retry: true, error: { code: 'network', message: error.message, api } };
    }
  }
  return { retry: true, error: { code: 'network', message: `${api}: ${error instanceof Error ? error.message : String(error)}`, api } };
}

/** The outcome for a failure: `retry`, or `done` with the enrichment gathered so far and the error. */
export function failureOutcome(failure: Failure, partial: Record<string, unknown> | null): EnrichOutcome {
  return failure.retry ? { kind: 'retry', error: failure.error } : { kind: 'done', enrichment: partial, error: failure.error };
}

/** The first failure that asks for a retry, else the first one; undefined when there is none. */
export function worstFailure(failures: readonly (Failure | undefined)[]): Failure | undefined {
  const present = failures.filter((failure): failure is Failure => failure !== undefined);
  return present.find((failure) => failure.retry) ?? present[0];
}

/** `done`, with no error. */
export function doneOutcome(enrichment: Record<string, unknown> | null): EnrichOutcome {
  return { kind: 'done', enrichment, error: null };
}

/**
 * `done` with an `invalid_event` error: the callback lacks an id the API call needs (a WeCom change or a
 * hand-made callback). Forwarded as is; retrying cannot help.
 */
export function invalidEvent(field: string, api: string): EnrichOutcome {
  return { kind: 'done', enrichment: null, error: { code: 'invalid_event', message: `the callback carries no ${field}, so ${api} was not called`, api } };
}
