import type { AppKind } from '../apps/app.js';
import type { CallbackFields } from '../xml/fields.js';

/**
 * Which of the suite's two callback URLs (or the install redirect) a callback arrived on; `sync` for the
 * synthetic callbacks of a reconciliation run (SPEC §12).
 */
export type Endpoint = 'data' | 'command' | 'install' | 'sync';

/** Where an event came from. Every id is a string. */
export interface EventSource {
  readonly endpoint: Endpoint;
  /** The callback's `SuiteId`, else the app's id (= {@link EventSource.appId} for every app's own callbacks). */
  readonly suiteId: string;
  // The three app fields are on every event `normalize` makes (and required by the JSON Schema); they are
  // optional in this type only so events built by hand before SPEC §10 (fixtures, stored history) still type-check.
  /** The id of the app (SPEC §10) the callback came to: the one whose Token signed it. */
  readonly appId?: string;
  /** That app's name (`apps[i].name`; default its id). */
  readonly app?: string;
  /** That app's kind. */
  readonly appKind?: AppKind;
  /** The authorizing corp, when the callback names one (AuthCorpId, or ToUserName on the data URL). */
  readonly corpId: string | null;
  readonly agentId: string | null;
}

/**
 * The normalized event: a Standard Webhooks compatible envelope (SPEC §7). `type` is dotted lower snake
 * case; `data` holds the event's fields in camelCase with secrets removed; `raw` holds every decrypted
 * field (as strings) except secrets.
 */
export interface EventEnvelope<TType extends string = string, TData = Record<string, unknown>> {
  /** `evt_` + a stable hash of (suite id, receiveid, plaintext): equal across WeCom retries. */
  readonly id: string;
  readonly type: TType;
  /** The event's own time (TimeStamp / CreateTime), ISO 8601; receivedAt when the callback has none. */
  readonly timestamp: string;
  /** When the receiver stored the callback, ISO 8601 with milliseconds. */
  readonly receivedAt: string;
  readonly source: EventSource;
  readonly data: TData;
  /** Follow-up WeCom API results, filled by the daemon; null until then or when enrichment is off. */
  readonly enrichment: Record<string, unknown> | null;
  /** Why enrichment is partial or missing (`{ code, errcode?, message }`), or null. */
  readonly enrichmentError: EnrichmentError | null;
  readonly raw: CallbackFields;
}

/** Why an event's enrichment is partial or missing. Forwarded, never a delivery failure. */
export interface EnrichmentError {
  /** `wecom_api` (an errcode), `relation_gone` (84061), `timeout`, `not_authorized`, `no_suite_ticket`, `invalid_event` (the callback lacks an id the API needs), `network`. */
  readonly code: string;
  readonly errcode?: number;
  readonly message: string;
  /** The API path that failed, without query string. */
  readonly api?: string;
}
