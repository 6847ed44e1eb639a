import type { EventDescription, FamilyDescriber } from './summary-description.js';

const SCOPE_NAMES: Readonly<Record<string, [string, string]>> = {
  contacts: ['通讯录', 'contacts'],
  external_contacts: ['客户', 'customers'],
  groupchats: ['客户群', 'customer groups'],
  tags: ['客户标签', 'customer tags'],
};

/** A non-negative integer of the report, else 0 (the report is the relay's own, but a summary never trusts shapes). */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

function scopeName(scope: string, zh: boolean): string {
  const names = SCOPE_NAMES[scope];
  return names === undefined ? scope.replace(/[^a-z_]/g, '').slice(0, 20) : names[zh ? 0 : 1];
}

/**
 * Summaries of reconciliation reports (SPEC §12): `sync.completed` — one line per scope with its total and
 * what was added and removed — and `sync.failed` — the scope and its errcode. Built from the known report
 * fields only.
 */
export const describeSyncEvent: FamilyDescriber = (event, _fields, locale) => {
  const zh = locale === 'zh-CN';
  if (event.type === 'sync.completed') {
    const scopes = event.data['scopes'];
    const details: string[] = [];
    if (scopes !== null && typeof scopes === 'object') {
      for (const [scope, raw] of Object.entries(scopes as Record<string, Record<string, unknown>>).slice(0, 8)) {
        const name = scopeName(scope, zh);
        const total = count(raw?.['total']);
        if (raw?.['baseline'] === true) details.push(zh ? `${name}：共 ${total}（首次对账，建立基线）` : `${name}: ${total} in total (first sync: baseline)`);
        else details.push(zh ? `${name}：共 ${total}，新增 ${count(raw?.['added'])}，移除 ${count(raw?.['removed'])}` : `${name}: ${total} in total, ${count(raw?.['added'])} added, ${count(raw?.['removed'])} removed`);
      }
    }
    const description: EventDescription = { title: zh ? '对账完成' : 'Reconciliation completed', details };
    return description;
  }
  if (event.type === 'sync.failed') {
    const scope = typeof event.data['scope'] === 'string' ? scopeName(event.data['scope'], zh) : '?';
    const errcode = typeof event.data['errcode'] === 'number' ? ` errcode ${event.data['errcode']}` : '';
    return {
      title: zh ? '对账失败' : 'Reconciliation failed',
      details: [zh ? `${scope}：对账失败${errcode}，保留上次快照，未报告删除` : `${scope}: failed${errcode}; the last snapshot is kept, no deletion reported`],
    };
  }
  return null;
};
