import { corpNameOf } from './summary-corp-name.js';
import { actionOf, type EventDescription, type FamilyDescriber } from './summary-description.js';
import type { EventFields } from './summary-fields.js';

/**
 * Summaries of the organization families: `contact.user.*`, `contact.department.*`, `contact.tag.*`
 * (通讯录变更) and the suite lifecycle `auth.*` (授权变更).
 */
export const describeOrganizationEvent: FamilyDescriber = (event, fields, locale) => {
  const zh = locale === 'zh-CN';
  const action = actionOf(event.type);
  if (event.type.startsWith('contact.user.')) return describeUser(actionOf(action), fields, zh);
  if (event.type.startsWith('contact.department.')) return describeDepartment(actionOf(action), fields, zh);
  if (event.type.startsWith('contact.tag.')) return describeTag(actionOf(action), fields, zh);
  if (event.type.startsWith('auth.')) {
    // create_auth names no corp until the daemon has exchanged the auth code (then enrichment does).
    const corp = corpNameOf(fields) ?? event.source.corpId ?? fields.value('authCorpId');
    return describeAuth(action, corp, fields, zh);
  }
  return null;
};

/** A label followed by a space, unless it ends in a full-width bracket (Chinese needs no space there). */
function spaced(label: string): string {
  return label.endsWith('）') ? label : `${label} `;
}

/** `[zh title, zh verb, en title, en verb]` per action of the contact families. */
type Phrases = Record<string, [string, string, string, string]>;

const USER_PHRASES: Phrases = {
  created: ['新增成员', '已加入通讯录', 'Member created', 'was added to the directory'],
  updated: ['成员变更', '的信息已更新', 'Member updated', 'was updated'],
  deleted: ['删除成员', '已从通讯录删除', 'Member deleted', 'was removed from the directory'],
};

function describeUser(action: string, f: EventFields, zh: boolean): EventDescription | null {
  const phrase = USER_PHRASES[action];
  if (phrase === undefined) return null;
  const userId = f.value('userId') ?? '?';
  const name = f.value('name') ?? f.enriched(['user', 'name']);
  const label = name === null || name === userId ? userId : zh ? `${name}（${userId}）` : `${name} (${userId})`;
  const details = [zh ? `成员 ${spaced(label)}${phrase[1]}` : `Member ${label} ${phrase[3]}`];
  const newUserId = f.value('newUserId');
  if (newUserId !== null) details.push(zh ? `账号已改为 ${newUserId}` : `User ID changed to ${newUserId}`);
  const departments = f.value('department');
  if (departments !== null) details.push(zh ? `所在部门：${departments}` : `Departments: ${departments}`);
  return { title: zh ? phrase[0] : phrase[2], details };
}

const DEPARTMENT_PHRASES: Phrases = {
  created: ['新建部门', '已创建', 'Department created', 'was created'],
  updated: ['部门变更', '已更新', 'Department updated', 'was updated'],
  deleted: ['删除部门', '已删除', 'Department deleted', 'was deleted'],
};

function describeDepartment(action: string, f: EventFields, zh: boolean): EventDescription | null {
  const phrase = DEPARTMENT_PHRASES[action];
  if (phrase === undefined) return null;
  const id = f.value('id') ?? '?';
  const name = f.value('name') ?? f.enriched(['department', 'name']);
  const label = name === null ? `ID ${id}` : zh ? `${name}（ID ${id}）` : `${name} (ID ${id})`;
  const details = [zh ? `部门 ${spaced(label)}${phrase[1]}` : `Department ${label} ${phrase[3]}`];
  const parent = f.value('parentId');
  if (parent !== null) details.push(zh ? `上级部门 ID：${parent}` : `Parent department ID: ${parent}`);
  return { title: zh ? phrase[0] : phrase[2], details };
}

function describeTag(action: string, f: EventFields, zh: boolean): EventDescription | null {
  if (action !== 'updated') return null;
  const id = f.value('tagId') ?? '?';
  const name = f.enriched(['tag', 'tagName'], ['tag', 'name']);
  const label = name === null ? id : zh ? `${name}（${id}）` : `${name} (${id})`;
  const details = [zh ? `标签 ${spaced(label)}的成员已变更` : `Members of tag ${label} changed`];
  const changes: [field: string, zh: string, en: string][] = [
    ['addUserItems', '新增成员', 'Members added'],
    ['delUserItems', '移除成员', 'Members removed'],
    ['addPartyItems', '新增部门', 'Departments added'],
    ['delPartyItems', '移除部门', 'Departments removed'],
  ];
  for (const [field, zhLabel, enLabel] of changes) {
    const items = f.value(field);
    if (items !== null) details.push(zh ? `${zhLabel}：${items}` : `${enLabel}: ${items}`);
  }
  return { title: zh ? '标签成员变更' : 'Tag members changed', details };
}

const AUTH_PHRASES: Phrases = {
  created: ['企业授权安装', '安装（授权）了应用', 'App installed', 'installed the app'],
  changed: ['企业变更授权', '变更了应用授权', 'Authorization changed', 'changed the app authorization'],
  cancelled: ['企业取消授权', '取消了应用授权', 'App uninstalled', 'cancelled the app authorization'],
  permanent_code_reset: ['永久授权码重置', '重置了永久授权码', 'Permanent code reset', 'had its permanent code reset'],
};

function describeAuth(action: string, corp: string | null, f: EventFields, zh: boolean): EventDescription | null {
  const phrase = AUTH_PHRASES[action];
  if (phrase === undefined) return null;
  const who = zh ? (corp === null ? '有企业' : `企业 ${corp} `) : corp === null ? 'A corp ' : `${corp} `;
  const details = [zh ? `${who}${phrase[1]}` : `${who}${phrase[3]}`];
  const admin = f.enriched(['authUserInfo', 'name'], ['authUserInfo', 'userid']);
  if (admin !== null) details.push(zh ? `授权管理员：${admin}` : `Authorized by: ${admin}`);
  const agent = f.enriched(['authInfo', 'agent', '0', 'name']);
  if (agent !== null) details.push(zh ? `应用：${agent}` : `App: ${agent}`);
  const state = f.value('state');
  if (state !== null) details.push(zh ? `渠道参数：${state}` : `State: ${state}`);
  return { title: zh ? phrase[0] : phrase[2], details };
}
