import type { FamilyDescriber } from './summary-description.js';

/**
 * The ids a generic summary quotes, in order, when present: only *known* identifier fields, so an
 * unknown event type (which may carry anything) never has arbitrary fields copied into a chat message.
 */
const KEY_FIELDS: readonly [name: string, zh: string, en: string][] = [
  ['userId', '成员', 'Member'],
  ['externalUserId', '客户', 'External contact'],
  ['chatId', '群', 'Chat'],
  ['fromUserName', '发送者', 'From'],
  ['tagId', '标签', 'Tag'],
  ['jobId', '任务', 'Job'],
  ['infoType', 'InfoType', 'InfoType'],
  ['changeType', 'ChangeType', 'ChangeType'],
];

/**
 * The fallback for every type no family describer knows (`suite.*`, new WeCom events, …): names the type
 * and the key ids. Never returns null.
 */
export const describeGenericEvent: FamilyDescriber = (event, fields, locale) => {
  const zh = locale === 'zh-CN';
  const type = event.type.length > 120 ? `${event.type.slice(0, 119)}…` : event.type;
  const details = [zh ? `收到事件 ${type}` : `Received event ${type}`];
  for (const [name, zhLabel, enLabel] of KEY_FIELDS) {
    const value = fields.value(name);
    if (value !== null) details.push(zh ? `${zhLabel}：${value}` : `${enLabel}: ${value}`);
  }
  return { title: zh ? `事件 ${type}` : `Event ${type}`, details };
};
