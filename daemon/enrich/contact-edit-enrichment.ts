import type { EventEnvelope } from '../../src/events/envelope.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import type { EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const CONVERT_API = 'batch/userid_to_openuserid';

/**
 * `enrichment` of an event of a `contact_edit` app (通讯录编辑授权, doc 96078): the authorization may call
 * only the ID, ID-conversion and member/department management APIs ("其他未列举的接口均不能调用"), so the
 * relay never calls `user/get`, `department/get` or any `externalcontact/*` API for it and says so here.
 * Normal, not an error (`enrichmentError` stays null).
 */
export interface ContactEditEnrichment {
  /** Why nothing was fetched, e.g. `contact_edit: user/get not allowed`. */
  readonly skipped: string;
  /** contact.user.* only: the member's open_userid (the callback's `OpenUserID`, else `batch/userid_to_openuserid`, cached), or null. */
  readonly openUserId?: string | null;
}

/** The API each family would call, named in `skipped`. */
function forbiddenApi(type: string): string {
  if (type.startsWith('contact.user.')) return 'user/get';
  if (type.startsWith('contact.department.')) return 'department/get';
  if (type.startsWith('external_chat.')) return 'externalcontact/groupchat/get';
  if (type.startsWith('external_tag.')) return 'externalcontact/get_corp_tag_list';
  return 'externalcontact/get';
}

/**
 * Enriches an event of a `contact_edit` app with what its authorization allows. Member events
 * (`contact.user.*`, which carry only UserID / OpenUserID / Department) get the open_userid: the callback's
 * own `OpenUserID` when present, else the batched `batch/userid_to_openuserid` cache (allowed: ID转换接口);
 * on delete only a cached one. Every other enriched type gets `{ skipped }` and no call at all.
 */
export async function enrichContactEdit(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  const skipped = `contact_edit: ${forbiddenApi(event.type)} not allowed`;
  if (!event.type.startsWith('contact.user.')) return doneOutcome({ skipped } satisfies ContactEditEnrichment);
  const userId = rawField(event, 'UserID');
  const pushed = rawField(event, 'OpenUserID');
  if (pushed !== null && pushed !== '') return doneOutcome({ skipped, openUserId: pushed } satisfies ContactEditEnrichment);
  if (userId === null) return doneOutcome({ skipped, openUserId: null } satisfies ContactEditEnrichment);
  if (event.type === 'contact.user.deleted') {
    return doneOutcome({ skipped, openUserId: (await deps.openUserIds.peek(corpId, userId)) ?? null } satisfies ContactEditEnrichment);
  }
  try {
    const currentId = rawField(event, 'NewUserID') ?? userId;
    return doneOutcome({ skipped, openUserId: await deps.openUserIds.lookup(corpId, currentId) } satisfies ContactEditEnrichment);
  } catch (error) {
    return failureOutcome(classifyFailure(error, CONVERT_API, signal), { skipped, openUserId: null } satisfies ContactEditEnrichment);
  }
}
