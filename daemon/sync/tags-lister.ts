import type { ListerContext, ListPosition, ListedPage } from './scope-lister.js';

/** `tags`: `get_corp_tag_list` without ids (every live group and tag; no paging). Ids: `g:<group_id>`, `t:<tag_id>`. */
export async function* listTags(context: ListerContext, _from: ListPosition): AsyncGenerator<ListedPage> {
  const answer = await context.withToken((token) => context.api.corpTagList(token, { corpId: context.corpId, signal: context.signal }));
  const ids: string[] = [];
  for (const group of answer.tag_group ?? []) {
    if ((group as { deleted?: boolean }).deleted === true) continue;
    ids.push(`g:${group.group_id}`);
    for (const tag of group.tag ?? []) if ((tag as { deleted?: boolean }).deleted !== true) ids.push(`t:${tag.id}`);
  }
  yield { ids, position: { phase: 'done' }, calls: 1 };
}
