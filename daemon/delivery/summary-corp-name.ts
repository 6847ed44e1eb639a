import type { EventFields } from './summary-fields.js';

/**
 * The authorizing corp's name when enrichment or the event carries it (`auth_corp_info.corp_name` from
 * `get_permanent_code` / `get_auth_info`, or a corp record the daemon attached), else null.
 */
export function corpNameOf(fields: EventFields): string | null {
  return (
    fields.enriched(['authCorpInfo', 'corpName'], ['corp', 'corpName'], ['corp', 'name'], ['corpInfo', 'corpName'], ['corpName']) ??
    fields.value('corpName', 'authCorpName')
  );
}
