import type { EventEnvelope } from '../../src/events/envelope.js';
import type { WecomUser } from '../../src/wecom-api/corp-api-types.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import { corpCall, withoutStatus, type EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome, invalidEvent, worstFailure, type Failure } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const API = 'user/get';
const CONVERT_API = 'batch/userid_to_openuserid';

/** `enrichment` of a `contact.user.*` event. */
export interface ContactUserEnrichment {
  /** `user/get`'s answer; null when it failed (e.g. 60011, outside the app's visible range) or on delete. */
  readonly user: WecomUser | null;
  /**
   * The provider-scoped id of the member (batch/userid_to_openuserid, cached), else `user/get`'s
   * `open_userid`; null when WeCom calls the id invalid or nothing is known.
   */
  readonly openUserId: string | null;
  /**
   * True when WeCom withheld the member's details, as it does for third-party apps (seed
   * user-list-detail.md: "第三方不可获取，调用时返回userid以代替name"): `name` is absent or equals the
   * userid. Normal, not an error; show the name with the 通讯录展示组件 instead. Absent when `user` is null.
   */
  readonly limited?: boolean;
}

/**
 * Enriches a `contact.user.*` event (change_contact create_user / update_user / delete_user):
 *
 * - created / updated — `user/get` (doc 90332) for the member (`NewUserID` when the update renamed it,
 *   else `UserID`) and, in parallel, the open_userid of that same id through the batched
 *   {@link EnrichDeps.openUserIds} cache (so concurrent events share one conversion call). A 60011 on
 *   `user/get` forwards what did succeed (`openUserId`) with a `wecom_api` error.
 * - deleted — no `user/get` (the member is gone) and no conversion call (a deleted id would count as a
 *   bad id against the corp's daily budget): only a cached open_userid, if any.
 */
export async function enrichContactUser(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  const userId = rawField(event, 'UserID');
  if (userId === null) return invalidEvent('UserID', API);

  if (event.type === 'contact.user.deleted') {
    const openUserId = await deps.openUserIds.peek(corpId, userId);
    if (openUserId === undefined) return doneOutcome(null);
    const deleted: ContactUserEnrichment = { user: null, openUserId };
    return doneOutcome({ ...deleted });
  }

  const currentId = rawField(event, 'NewUserID') ?? userId;
  const [user, converted] = await Promise.allSettled([
    corpCall(deps, corpId, API, signal, (token, options) => deps.api.getUser(token, currentId, options)),
    signal.aborted ? Promise.reject(new Error('aborted')) : deps.openUserIds.lookup(corpId, currentId),
  ]);

  const failures: (Failure | undefined)[] = [
    user.status === 'rejected' ? classifyFailure(user.reason, API, signal) : undefined,
    converted.status === 'rejected' ? classifyFailure(converted.reason, CONVERT_API, signal) : undefined,
  ];
  const member = user.status === 'fulfilled' ? (withoutStatus(user.value) as WecomUser) : null;
  const openUserId = (converted.status === 'fulfilled' ? converted.value : null) ?? nonEmpty(member?.open_userid);
  const enrichment: ContactUserEnrichment = member === null
    ? { user: null, openUserId }
    : { user: member, openUserId, limited: isLimited(member, [userId, currentId]) };

  const failure = worstFailure(failures);
  if (failure) {
    deps.logger.debug({ eventId: event.id, corpId, code: failure.error.code, errcode: failure.error.errcode, api: failure.error.api }, 'member enrichment incomplete');
    return failureOutcome(failure, member === null && openUserId === null ? null : { ...enrichment });
  }
  return doneOutcome({ ...enrichment });
}

/** Third-party apps get the userid (plain or open) as the name, and no name at all in some set-ups. */
function isLimited(user: WecomUser, callbackIds: readonly string[]): boolean {
  return typeof user.name !== 'string' || user.name === '' || user.name === user.userid || callbackIds.includes(user.name);
}

function nonEmpty(value: string | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
