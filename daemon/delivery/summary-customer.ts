import type { EventFields } from './summary-fields.js';
import { actionOf, type EventDescription, type FamilyDescriber } from './summary-description.js';

/**
 * Summaries of the 企业客户 (customer contact) families: `external_contact.*`, `external_chat.*` and
 * `external_tag.*`. Names come from enrichment (`externalcontact/get`, `groupchat/get`,
 * `get_corp_tag_list`) when present, else the ids from the callback.
 */
export const describeCustomerEvent: FamilyDescriber = (event, fields, locale) => {
  const zh = locale === 'zh-CN';
  if (event.type.startsWith('external_contact.')) return describeContact(actionOf(event.type), fields, zh);
  if (event.type.startsWith('external_chat.')) return describeChat(actionOf(event.type), fields, zh);
  if (event.type.startsWith('external_tag.')) return describeTag(actionOf(event.type), fields, zh);
  return null;
};

function describeContact(action: string, f: EventFields, zh: boolean): EventDescription | null {
  const user = f.value('userId') ?? '?';
  const contact = f.enriched(['externalContact', 'name']) ?? f.value('externalUserId') ?? '?';
  const phrases: Record<string, [zhTitle: string, zhLine: string, enTitle: string, enLine: string]> = {
    added: ['添加客户', `成员 ${user} 添加了客户 ${contact}`, 'External contact added', `${user} added external contact ${contact}`],
    edited: ['编辑客户', `成员 ${user} 编辑了客户 ${contact}`, 'External contact edited', `${user} edited external contact ${contact}`],
    half_added: ['客户添加成员', `客户 ${contact} 添加了成员 ${user}，待成员通过`, 'External contact added a member',
      `${contact} added ${user}, awaiting ${user}'s acceptance`],
    deleted: ['删除客户', `成员 ${user} 删除了客户 ${contact}`, 'External contact deleted', `${user} deleted external contact ${contact}`],
    follow_user_deleted: ['客户删除成员', `客户 ${contact} 删除了成员 ${user}`, 'External contact removed a member',
      `External contact ${contact} deleted ${user}`],
    transfer_failed: ['客户接替失败', `客户 ${contact} 接替给成员 ${user} 失败`, 'External contact transfer failed',
      `Transferring external contact ${contact} to ${user} failed`],
    msg_audit_approved: ['客户同意会话存档', `客户 ${contact} 同意了与成员 ${user} 的会话存档`, 'Message archiving approved',
      `External contact ${contact} approved message archiving with ${user}`],
  };
  const phrase = phrases[action];
  if (phrase === undefined) return null;
  const details = [zh ? phrase[1] : phrase[3]];
  const reason = f.value('failReason');
  if (reason !== null) details.push(zh ? `原因：${FAIL_REASONS[reason]?.[0] ?? reason}` : `Reason: ${FAIL_REASONS[reason]?.[1] ?? reason}`);
  const source = f.value('source');
  if (source === 'DELETE_BY_TRANSFER') details.push(zh ? '因在职继承由被转接成员自动删除' : 'Deleted automatically by a contact transfer');
  const state = f.value('state');
  if (state !== null) details.push(zh ? `渠道参数：${state}` : `State: ${state}`);
  return { title: zh ? phrase[0] : phrase[2], details };
}

/** transfer_fail `FailReason` values (seed: 客户接替失败事件). */
const FAIL_REASONS: Record<string, [string, string]> = {
  customer_refused: ['客户拒绝', 'the customer refused'],
  customer_limit_exceed: ['接替成员的客户数达到上限', "the new member's customer limit was reached"],
};

function describeChat(action: string, f: EventFields, zh: boolean): EventDescription | null {
  const chat = f.enriched(['groupChat', 'name'], ['externalChat', 'name'], ['chat', 'name']) ?? f.value('chatId') ?? '?';
  const members = f.enrichedCount(['groupChat', 'memberList'], ['externalChat', 'memberList'], ['chat', 'memberList']);
  const details: string[] = [];
  let title: string;
  if (action === 'created') {
    title = zh ? '客户群创建' : 'Customer group created';
    details.push(zh ? `客户群「${chat}」已创建` : `Customer group "${chat}" was created`);
  } else if (action === 'dismissed') {
    title = zh ? '客户群解散' : 'Customer group dismissed';
    details.push(zh ? `客户群「${chat}」已解散` : `Customer group "${chat}" was dismissed`);
  } else if (action === 'updated') {
    title = zh ? '客户群变更' : 'Customer group updated';
    details.push(chatUpdateLine(chat, f, zh));
  } else {
    return null;
  }
  if (members !== null) details.push(zh ? `当前成员数：${members}` : `Members now: ${members}`);
  if (f.enriched(['memberVersion']) === 'gap') {
    details.push(zh ? '成员版本不连续，成员列表以最新查询为准' : 'Member version gap: the member list comes from a fresh fetch');
  }
  return { title, details };
}

function chatUpdateLine(chat: string, f: EventFields, zh: boolean): string {
  const count = f.value('memChangeCnt');
  switch (f.value('updateDetail')) {
    case 'add_member': {
      const scene = f.value('joinScene');
      const how = scene === '0' ? (zh ? '（成员邀请）' : ' (invited by a member)')
        : scene === '3' ? (zh ? '（扫描群二维码）' : ' (scanned the group QR code)') : '';
      return zh ? `客户群「${chat}」有 ${count ?? '?'} 名成员入群${how}` : `${count ?? '?'} member(s) joined "${chat}"${how}`;
    }
    case 'del_member': {
      const scene = f.value('quitScene');
      const how = scene === '0' ? (zh ? '（自己退群）' : ' (left)')
        : scene === '1' ? (zh ? '（被群主或管理员移出）' : ' (removed by the owner or an admin)') : '';
      return zh ? `客户群「${chat}」有 ${count ?? '?'} 名成员退群${how}` : `${count ?? '?'} member(s) left "${chat}"${how}`;
    }
    case 'change_owner':
      return zh ? `客户群「${chat}」群主已变更` : `The owner of "${chat}" changed`;
    case 'change_name':
      return zh ? `客户群已改名为「${chat}」` : `The group was renamed to "${chat}"`;
    case 'change_notice':
      return zh ? `客户群「${chat}」群公告已变更` : `The notice of "${chat}" changed`;
    default: {
      const detail = f.value('updateDetail');
      return zh ? `客户群「${chat}」已变更${detail === null ? '' : `（${detail}）`}` : `"${chat}" changed${detail === null ? '' : ` (${detail})`}`;
    }
  }
}

function describeTag(action: string, f: EventFields, zh: boolean): EventDescription | null {
  const id = f.value('id');
  const label = (id === null ? null : f.enrichedNameById(id)) ?? id ?? '?';
  const group = f.value('tagType') === 'tag_group';
  const kind = zh ? (group ? '标签组' : '标签') : group ? 'tag group' : 'tag';
  const verbs: Record<string, [string, string]> = {
    created: ['创建', 'created'],
    updated: ['变更', 'updated'],
    deleted: ['删除', 'deleted'],
  };
  const details: string[] = [];
  let title: string;
  const verb = verbs[action];
  if (action === 'shuffled') {
    title = zh ? '客户标签重排' : 'Customer tags reordered';
    details.push(zh ? '企业客户标签已重新排序' : 'The corp customer tags were reordered');
  } else if (verb !== undefined) {
    title = zh ? `客户${kind}${verb[0]}` : `Customer ${kind} ${verb[1]}`;
    details.push(zh ? `企业客户${kind}「${label}」已${verb[0]}` : `Customer ${kind} "${label}" was ${verb[1]}`);
  } else {
    return null;
  }
  const strategy = f.value('strategyId');
  if (strategy !== null) details.push(zh ? `规则组：${strategy}` : `Strategy: ${strategy}`);
  return { title, details };
}
