import type { EventEnvelope } from '../../src/events/envelope.js';
import type { CorpTagGroup } from '../../src/wecom-api/corp-api-types.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import { corpCall, type EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const API = 'externalcontact/get_corp_tag_list';

/** `enrichment` of an `external_tag.*` event: the tag groups `get_corp_tag_list` answered. */
export interface ExternalTagEnrichment {
  readonly tagGroups: CorpTagGroup[];
  /** `filtered`: only the created / updated tag or group; `full`: every tag group of the corp. */
  readonly scope: 'filtered' | 'full';
}

/**
 * Enriches an `external_tag.*` event with `externalcontact/get_corp_tag_list` (doc 92117):
 *
 * - `created` / `updated` — filtered by the event's `Id`: `tag_id` when `TagType` is `tag`, `group_id` when
 *   it is `tag_group` (the answer is the group(s) holding it). Without a usable `Id`/`TagType`: the full list.
 * - `shuffled` — the FULL list, unfiltered: a reorder changes the `order` of most tags, and the seed asks
 *   to "尽快全量同步标签的order值" (an `Id` only hints at which group moved).
 * - `deleted` — no call, `enrichment: null`: the tag is gone (and a deleted group's tags go with it
 *   without their own callbacks), so there is nothing to describe, and a full list per deletion would
 *   spend the corp's call budget on data the consumer did not ask for. Consumers that mirror tags resync on
 *   the next `shuffled`/`updated`.
 */
export async function enrichExternalTag(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  if (event.type === 'external_tag.deleted') return doneOutcome(null);

  let tagIds: string[] | undefined;
  let groupIds: string[] | undefined;
  if (event.type !== 'external_tag.shuffled') {
    const id = rawField(event, 'Id');
    const tagType = rawField(event, 'TagType');
    if (id !== null && tagType === 'tag') tagIds = [id];
    else if (id !== null && tagType === 'tag_group') groupIds = [id];
  }
  const scope = tagIds || groupIds ? 'filtered' : 'full';

  try {
    const answer = await corpCall(deps, corpId, API, signal, (token, options) => deps.api.getCorpTagList(token, tagIds, groupIds, options));
    const enrichment: ExternalTagEnrichment = { tagGroups: answer.tag_group ?? [], scope };
    return doneOutcome({ ...enrichment });
  } catch (error) {
    return failureOutcome(classifyFailure(error, API, signal), null);
  }
}
