import type { EventEnvelope } from '../../src/events/envelope.js';
import type { ExternalContact, FollowUser } from '../../src/wecom-api/corp-api-types.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import { corpCall, type EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome, invalidEvent } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const API = 'externalcontact/get';

/** Stops paging if WeCom keeps answering cursors (500 follow users a page: 100,000 followers). */
const MAX_PAGES = 200;

/**
 * `enrichment` of an `external_contact.*` event: the contact and every follow_user, or, once the relation
 * is gone (84061, e.g. after `del_external_contact`), `externalContact: null, followUser: [], relation:
 * 'gone'`. Fields third-party apps may not read (avatar, gender, unionid, remark mobiles …) are simply
 * absent: that is normal, not an error.
 */
export interface ExternalContactEnrichment {
  readonly externalContact: ExternalContact | null;
  readonly followUser: FollowUser[];
  readonly relation?: 'gone';
}

/**
 * Enriches an `external_contact.*` event with `externalcontact/get` (doc 92114), following `next_cursor`
 * through every follow_user page; each page is its own call, so a token refresh or a retry repeats only
 * that page. Deletion events are enriched too: the contact often stays visible through other members.
 *
 * 84061 → `done` with `relation: 'gone'` and a `relation_gone` error; a permission error on a later page
 * → `done` with the pages read so far; see `classifyFailure` for the rest.
 */
export async function enrichExternalContact(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  const externalUserId = rawField(event, 'ExternalUserID');
  if (externalUserId === null) return invalidEvent('ExternalUserID', API);

  let externalContact: ExternalContact | null = null;
  const followUser: FollowUser[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await corpCall(deps, corpId, API, signal, (token, options) =>
        deps.api.getExternalContact(token, externalUserId, cursor, options));
      externalContact ??= answer.external_contact ?? null;
      followUser.push(...(answer.follow_user ?? []));
      cursor = answer.next_cursor;
      if (!cursor || seen.has(cursor)) break;
      seen.add(cursor);
    }
  } catch (error) {
    const failure = classifyFailure(error, API, signal);
    if (failure.error.code === 'relation_gone') {
      const gone: ExternalContactEnrichment = { externalContact: null, followUser: [], relation: 'gone' };
      deps.logger.info({ eventId: event.id, type: event.type, corpId }, 'external contact relation gone (84061): forwarded without details');
      return { kind: 'done', enrichment: { ...gone }, error: failure.error };
    }
    const partial = externalContact === null ? null : enrichment(externalContact, followUser);
    return failureOutcome(failure, partial);
  }
  return doneOutcome(externalContact === null ? null : enrichment(externalContact, followUser));
}

function enrichment(externalContact: ExternalContact, followUser: FollowUser[]): Record<string, unknown> {
  const result: ExternalContactEnrichment = { externalContact, followUser };
  return { ...result };
}
