import type { AppKind } from '../../src/apps/app.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { Enricher, EnrichOutcome } from '../consumer/process-callback.js';
import { enrichContactDepartment } from './contact-department.js';
import { enrichContactEdit } from './contact-edit-enrichment.js';
import { enrichContactUser } from './contact-user.js';
import type { EnrichDeps } from './corp-call.js';
import { enrichExternalChat } from './external-chat.js';
import { enrichExternalContact } from './external-contact.js';
import { enrichExternalTag } from './external-tag.js';
import { classifyFailure, failureOutcome } from './failure-outcome.js';
import { OpenUserIdCache } from './open-user-id-cache.js';

/** Options of {@link createEnricher}. */
export interface CreateEnricherOptions {
  /** The WeCom API (a `SuiteApi`). */
  readonly api: EnrichDeps['api'];
  /**
   * The kind of the app whose events this enricher serves (one enricher per app, on that app's
   * `TokenProvider`). A `contact_edit` app calls only what its authorization allows: no `user/get`,
   * `department/get` or `externalcontact/*`; member events get their open_userid and every enriched type
   * an `enrichment.skipped` saying what was not called. @default 'suite'
   */
  readonly kind?: AppKind;
  /** The credentials (a `TokenProvider`): corp tokens, refreshed once on 40014/42001. */
  readonly tokens: EnrichDeps['tokens'];
  /** Keeps chat member versions (ns `chat_mem_ver`) and open_userid conversions (ns `open_userid`). */
  readonly store: EnrichDeps['store'];
  /** @default a logger that discards everything */
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called once per enrichment HTTP call with the API path and its errcode (0 = success; -2 = no answer). */
  readonly onApiCall?: (api: string, errcode: number) => void;
  /** Conversions of one corp requested within this window share one `batch/userid_to_openuserid` call. @default 20 */
  readonly openUserIdWindowMs?: number;
}

type FamilyEnricher = (event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps) => Promise<EnrichOutcome>;

interface Family {
  /** The family's main API, named in errors that are not an API's own (a store failure). */
  readonly api: string;
  readonly enrich: FamilyEnricher;
}

const EXTERNAL_CONTACT: Family = { api: 'externalcontact/get', enrich: enrichExternalContact };
const EXTERNAL_CHAT: Family = { api: 'externalcontact/groupchat/get', enrich: enrichExternalChat };
const EXTERNAL_TAG: Family = { api: 'externalcontact/get_corp_tag_list', enrich: enrichExternalTag };
const CONTACT_USER: Family = { api: 'user/get', enrich: enrichContactUser };
const CONTACT_DEPARTMENT: Family = { api: 'department/get', enrich: enrichContactDepartment };

/** Which family enriches each event type (SPEC §7–8). Every other type is forwarded as is. */
const FAMILIES: Readonly<Record<string, Family>> = {
  'external_contact.added': EXTERNAL_CONTACT,
  'external_contact.edited': EXTERNAL_CONTACT,
  'external_contact.half_added': EXTERNAL_CONTACT,
  'external_contact.deleted': EXTERNAL_CONTACT,
  'external_contact.follow_user_deleted': EXTERNAL_CONTACT,
  'external_contact.transfer_failed': EXTERNAL_CONTACT,
  'external_contact.msg_audit_approved': EXTERNAL_CONTACT,
  'external_chat.created': EXTERNAL_CHAT,
  'external_chat.updated': EXTERNAL_CHAT,
  'external_chat.dismissed': EXTERNAL_CHAT,
  'external_tag.created': EXTERNAL_TAG,
  'external_tag.updated': EXTERNAL_TAG,
  'external_tag.deleted': EXTERNAL_TAG,
  'external_tag.shuffled': EXTERNAL_TAG,
  'contact.user.created': CONTACT_USER,
  'contact.user.updated': CONTACT_USER,
  'contact.user.deleted': CONTACT_USER,
  'contact.department.created': CONTACT_DEPARTMENT,
  'contact.department.updated': CONTACT_DEPARTMENT,
  'contact.department.deleted': CONTACT_DEPARTMENT,
};

/** A `contact_edit` app: every family goes through {@link enrichContactEdit} (allowed APIs only). */
const CONTACT_EDIT: Family = { api: 'batch/userid_to_openuserid', enrich: enrichContactEdit };

/** The event types {@link createEnricher} enriches; every other type gets `enrichment: null, error: null`. */
export const ENRICHED_TYPES: readonly string[] = Object.freeze(Object.keys(FAMILIES));

const NOTHING: EnrichOutcome = Object.freeze({ kind: 'done', enrichment: null, error: null });

/**
 * Builds the daemon's {@link Enricher}: one family per event kind (SPEC §8, "Enrichment"), dispatched by
 * `event.type` for the corp in `event.source.corpId`.
 *
 * | types | WeCom API | `enrichment` |
 * | --- | --- | --- |
 * | `external_contact.*` | `externalcontact/get`, every cursor page | `{ externalContact, followUser }`; 84061 → `{ externalContact: null, followUser: [], relation: 'gone' }` |
 * | `external_chat.*` | `externalcontact/groupchat/get` (need_name 1); none on dismiss | `{ groupChat, memberVersion }` |
 * | `external_tag.*` | `externalcontact/get_corp_tag_list`; none on delete | `{ tagGroups, scope }` |
 * | `contact.user.*` | `user/get` + batched `batch/userid_to_openuserid`; none on delete | `{ user, openUserId, limited }` |
 * | `contact.department.*` | `department/get`; none on delete | `{ department, limited }` |
 * | anything else | none | `null` |
 *
 * For a `contact_edit` app (`kind`): `contact.user.*` → the callback's `OpenUserID`, else
 * `batch/userid_to_openuserid` → `{ skipped: 'contact_edit: user/get not allowed', openUserId }`; every
 * other type above → `{ skipped: 'contact_edit: <api> not allowed' }`, no call (doc 96078).
 *
 * It returns explicit outcomes and does not throw: transient failures (-1, 45009, 45033, network, no
 * suite_ticket yet, an aborted call) → `retry`; third-party limits (60011, 48002, missing fields, name
 * returned as the id) and config codes → `done` with what was gathered and a `wecom_api` error; 84061 →
 * `relation_gone`; a gone or unauthorized corp → `not_authorized`; a callback without the needed id →
 * `invalid_event`. `signal` stops the work between calls and aborts the call in flight.
 *
 * @throws {TypeError} when an option is missing or of the wrong type
 */
export function createEnricher(options: CreateEnricherOptions): Enricher {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\` (${typeof options})`);
  expectMethod('api', options.api, 'getExternalContact');
  expectMethod('tokens', options.tokens, 'withCorpToken');
  expectMethod('store', options.store, 'getKv');
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError(`Expected \`now\` to be a function, got \`${String(options.now)}\` (${typeof options.now})`);
  if (options.onApiCall !== undefined && typeof options.onApiCall !== 'function') throw new TypeError(`Expected \`onApiCall\` to be a function, got \`${String(options.onApiCall)}\` (${typeof options.onApiCall})`);

  if (options.kind !== undefined && !['suite', 'customized', 'contact_edit'].includes(options.kind)) {
    throw new TypeError(`Expected \`kind\` to be one of suite, customized, contact_edit, got \`${String(options.kind)}\` (${typeof options.kind})`);
  }
  const contactEdit = options.kind === 'contact_edit';
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const openUserIds = new OpenUserIdCache({
    api: options.api, tokens: options.tokens, store: options.store, logger, now, onApiCall: options.onApiCall,
    ...(options.openUserIdWindowMs === undefined ? {} : { windowMs: options.openUserIdWindowMs }),
  });
  const deps: EnrichDeps = { api: options.api, tokens: options.tokens, store: options.store, logger, now, onApiCall: options.onApiCall, openUserIds };

  return async (event, signal) => {
    const known = FAMILIES[event.type];
    if (!known) return NOTHING;
    const family = contactEdit ? CONTACT_EDIT : known;
    const corpId = event.source.corpId;
    if (corpId === null || corpId === '') {
      return { kind: 'done', enrichment: null, error: { code: 'not_authorized', message: `${event.type}: the callback names no corp, so ${family.api} cannot be called`, api: family.api } };
    }
    try {
      const outcome = await family.enrich(event, corpId, signal, deps);
      if (outcome.kind === 'retry' || outcome.error) {
        logger.debug({ eventId: event.id, type: event.type, corpId, outcome: outcome.kind, code: outcome.error?.code, errcode: outcome.error?.errcode }, 'enrichment finished with an error');
      }
      return outcome;
    } catch (error) {
      // Only non-API failures get here (e.g. the store): the family maps its API errors itself.
      const failure = classifyFailure(error, family.api, signal);
      logger.warn({ eventId: event.id, type: event.type, corpId, code: failure.error.code }, 'enrichment failed outside an API call');
      return failureOutcome(failure, null);
    }
  };
}

function expectMethod(name: string, value: unknown, method: string): void {
  if (typeof value !== 'object' || value === null || typeof (value as Record<string, unknown>)[method] !== 'function') {
    throw new TypeError(`Expected \`${name}\` to have a \`${method}\` method, got \`${String(value)}\` (${typeof value})`);
  }
}
