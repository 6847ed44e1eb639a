import type { MockCorpSeed, MockExternalContactSeed, MockGroupChatSeed, MockTagGroupSeed } from './mock-corp-seed.js';

/**
 * A change to a mock corp's data made "through the API" — so WeCom sends no callback for it — for
 * reconciliation tests and the demo (`POST /__mock/corp_data`). Every list is optional; unknown ids to
 * remove are ignored; adding an id that exists replaces it.
 */
export interface MockCorpChange {
  readonly addUsers?: ReadonlyArray<{ readonly userid: string; readonly name?: string; readonly department?: readonly number[] }>;
  readonly removeUsers?: readonly string[];
  readonly addDepartments?: ReadonlyArray<{ readonly id: number; readonly parentid?: number; readonly name?: string }>;
  readonly removeDepartments?: readonly number[];
  /** Customer relations (one follower adds one customer); the customer is created when new. */
  readonly addPairs?: ReadonlyArray<{ readonly userid: string; readonly external_userid: string; readonly name?: string }>;
  readonly removePairs?: ReadonlyArray<{ readonly userid: string; readonly external_userid: string }>;
  readonly addChats?: ReadonlyArray<{ readonly chat_id: string; readonly owner: string; readonly name?: string }>;
  /** Dismissed chats leave the list. */
  readonly dismissChats?: readonly string[];
  /** Corp tags; the group is created when new. */
  readonly addTags?: ReadonlyArray<{ readonly id: string; readonly group_id: string; readonly name?: string; readonly group_name?: string }>;
  /** Tag ids or tag-group ids (a group goes with its tags). */
  readonly removeTags?: readonly string[];
}

const T = 1_700_000_000;

/** The corp's seed with `change` applied (a new object: the per-seed indexes of the list routes rebuild). */
export function applyCorpChange(seed: MockCorpSeed, change: MockCorpChange): MockCorpSeed {
  if (typeof change !== 'object' || change === null) throw new TypeError(`Expected \`change\` to be an object, got \`${String(change)}\` (${typeof change})`);
  const drop = <T>(list: readonly T[], key: (item: T) => string | number, ids: ReadonlyArray<string | number>): T[] => {
    const gone = new Set(ids);
    return list.filter((item) => !gone.has(key(item)));
  };
  let users = [...seed.users];
  if (change.addUsers) {
    users = drop(users, (u) => u.userid, change.addUsers.map((u) => u.userid));
    users.push(...change.addUsers.map((u) => ({ userid: u.userid, name: u.name ?? u.userid, department: u.department ?? [1], status: 1 as const })));
  }
  if (change.removeUsers) users = drop(users, (u) => u.userid, change.removeUsers);

  let departments = [...seed.departments];
  if (change.addDepartments) {
    departments = drop(departments, (d) => d.id, change.addDepartments.map((d) => d.id));
    departments.push(...change.addDepartments.map((d) => ({ id: d.id, name: d.name ?? `部门${d.id}`, parentid: d.parentid ?? 1, order: 0 })));
  }
  if (change.removeDepartments) departments = drop(departments, (d) => d.id, change.removeDepartments);

  let contacts: MockExternalContactSeed[] = [...seed.externalContacts];
  for (const pair of change.addPairs ?? []) {
    const follow = { userid: pair.userid, createtime: T, add_way: 1, remark: '', description: '', oper_userid: pair.userid };
    const at = contacts.findIndex((c) => c.external_userid === pair.external_userid);
    if (at < 0) contacts.push({ external_userid: pair.external_userid, name: pair.name ?? pair.external_userid, type: 1, follow_user: [follow] });
    else contacts[at] = { ...contacts[at]!, follow_user: [...contacts[at]!.follow_user.filter((f) => f.userid !== pair.userid), follow] };
  }
  for (const pair of change.removePairs ?? []) {
    contacts = contacts
      .map((c) => (c.external_userid === pair.external_userid ? { ...c, follow_user: c.follow_user.filter((f) => f.userid !== pair.userid) } : c))
      .filter((c) => c.follow_user.length > 0);
  }

  let chats: MockGroupChatSeed[] = [...seed.groupChats];
  if (change.addChats) {
    chats = drop(chats, (c) => c.chat_id, change.addChats.map((c) => c.chat_id));
    chats.push(...change.addChats.map((c) => ({
      chat_id: c.chat_id, name: c.name ?? c.chat_id, owner: c.owner, create_time: T, member_version: '1',
      member_list: [{ userid: c.owner, type: 1 as const, join_time: T, join_scene: 1 as const }],
    })));
  }
  if (change.dismissChats) chats = drop(chats, (c) => c.chat_id, change.dismissChats);

  let groups: MockTagGroupSeed[] = [...seed.tagGroups];
  for (const tag of change.addTags ?? []) {
    const at = groups.findIndex((g) => g.group_id === tag.group_id);
    const entry = { id: tag.id, name: tag.name ?? tag.id, create_time: T, order: 0 };
    if (at < 0) groups.push({ group_id: tag.group_id, group_name: tag.group_name ?? tag.group_id, create_time: T, order: 0, tag: [entry] });
    else groups[at] = { ...groups[at]!, tag: [...groups[at]!.tag.filter((t) => t.id !== tag.id), entry] };
  }
  if (change.removeTags) {
    const gone = new Set(change.removeTags);
    groups = groups.filter((g) => !gone.has(g.group_id)).map((g) => ({ ...g, tag: g.tag.filter((t) => !gone.has(t.id)) }));
  }
  return { ...seed, users, departments, externalContacts: contacts, groupChats: chats, tagGroups: groups };
}

/** Sizes of a generated corp (for the reconciliation bench and large-corp tests). */
export interface LargeCorpOptions {
  readonly corpId: string;
  readonly corpName?: string;
  readonly members: number;
  /** @default max(1, members / 1000) */
  readonly departments?: number;
  /** Customer relations, spread over the members. @default 0 */
  readonly pairs?: number;
  /** @default 0 */
  readonly chats?: number;
  /** @default 0 */
  readonly tags?: number;
}

/** A generated corp: members `u000001…` in departments 2…, customers `wm…` followed round-robin. */
export function largeCorpSeed(options: LargeCorpOptions): MockCorpSeed {
  const { corpId, members } = options;
  if (!Number.isInteger(members) || members < 1) throw new TypeError(`Expected \`members\` to be a positive integer, got \`${String(members)}\` (${typeof members})`);
  const departmentCount = options.departments ?? Math.max(1, Math.ceil(members / 1000));
  const pad = (n: number): string => String(n).padStart(6, '0');
  const departments = [{ id: 1, name: 'root', parentid: 0, order: 0 }];
  for (let d = 0; d < departmentCount; d++) departments.push({ id: d + 2, name: `d${d + 2}`, parentid: 1, order: d });
  const users = Array.from({ length: members }, (_, i) => ({ userid: `u${pad(i + 1)}`, name: `u${pad(i + 1)}`, department: [2 + (i % departmentCount)], status: 1 as const }));
  const externalContacts = Array.from({ length: options.pairs ?? 0 }, (_, i) => ({
    external_userid: `wm${pad(i + 1)}`, name: `c${i + 1}`, type: 1 as const,
    follow_user: [{ userid: users[i % members]!.userid, createtime: T, add_way: 1 }],
  }));
  const groupChats = Array.from({ length: options.chats ?? 0 }, (_, i) => ({
    chat_id: `wr${pad(i + 1)}`, name: `chat${i + 1}`, owner: users[i % members]!.userid, create_time: T, member_version: '1', member_list: [],
  }));
  const tagGroups = (options.tags ?? 0) > 0
    ? [{ group_id: 'etGROUP', group_name: 'g', create_time: T, order: 0, tag: Array.from({ length: options.tags ?? 0 }, (_, i) => ({ id: `et${pad(i + 1)}`, name: `t${i + 1}`, create_time: T, order: i })) }]
    : [];
  return { corpId, corpName: options.corpName ?? `large ${corpId}`, adminUserid: users[0]!.userid, users, departments, externalContacts, groupChats, tagGroups };
}
