import type { AppKind } from '../../src/apps/app.js';
import type { CallbackFields } from '../../src/xml/fields.js';
import type { SyncScope } from './sync-scope.js';

/** An id present now and absent from the snapshot, or the reverse. */
export type SyncChange = 'created' | 'deleted';

/**
 * How one scope's ids are written in its snapshot (one string per id, so a set compares them):
 *
 * | scope | snapshot id |
 * | --- | --- |
 * | contacts | `u:<userid>` (open_userid for the contact-edit authorization), `d:<department id>` |
 * | external_contacts | `<follow userid>:<external_userid>` |
 * | groupchats | `<chat_id>` |
 * | tags | `g:<group_id>`, `t:<tag_id>` |
 *
 * and, for one difference, the WeCom-shaped fields of the callback WeCom would have sent (SPEC §12's
 * event types), so the synthetic event is normalized and enriched like a pushed one.
 */
export function changeFields(scope: SyncScope, id: string, change: SyncChange, kind: AppKind): CallbackFields {
  const created = change === 'created';
  switch (scope) {
    case 'contacts':
      if (id.startsWith('d:')) return { InfoType: 'change_contact', ChangeType: created ? 'create_party' : 'delete_party', Id: id.slice(2) };
      // The contact-edit authorization lists open_userids (user/list_id); its callbacks carry them as OpenUserID.
      return { InfoType: 'change_contact', ChangeType: created ? 'create_user' : 'delete_user', ...(kind === 'contact_edit' ? { OpenUserID: id.slice(2) } : { UserID: id.slice(2) }) };
    case 'external_contacts': {
      const at = id.indexOf(':');
      return {
        InfoType: 'change_external_contact', ChangeType: created ? 'add_external_contact' : 'del_external_contact',
        UserID: id.slice(0, at), ExternalUserID: id.slice(at + 1),
      };
    }
    case 'groupchats':
      return { InfoType: 'change_external_chat', ChangeType: created ? 'create' : 'dismiss', ChatId: id };
    case 'tags':
      return { InfoType: 'change_external_tag', ChangeType: created ? 'create' : 'delete', Id: id.slice(2), TagType: id.startsWith('g:') ? 'tag_group' : 'tag' };
  }
}

/** One snapshot edit a processed callback implies. */
export interface SnapshotEdit {
  readonly scope: SyncScope;
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

function text(fields: CallbackFields, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * What a callback WeCom did send changes in the snapshots (SPEC §12: "Callbacks update the snapshot as
 * they arrive"), so a later sync reports only what WeCom never told: `contact.user.created` adds its id,
 * `.deleted` removes it, and so on. Undefined for every other event. `raw` is the event's raw fields.
 */
export function snapshotEditOf(type: string, raw: CallbackFields, kind: AppKind): SnapshotEdit | undefined {
  const userId = kind === 'contact_edit' ? text(raw, 'OpenUserID') || text(raw, 'UserID') : text(raw, 'UserID');
  const one = (scope: SyncScope, id: string, adds: boolean): SnapshotEdit | undefined =>
    id === '' || id.endsWith(':') ? undefined : { scope, add: adds ? [id] : [], remove: adds ? [] : [id] };
  switch (type) {
    case 'contact.user.created': return one('contacts', `u:${userId}`, true);
    case 'contact.user.deleted': return one('contacts', `u:${userId}`, false);
    case 'contact.user.updated': {
      const renamed = text(raw, 'NewUserID');
      if (renamed === '' || userId === '' || kind === 'contact_edit') return undefined;
      return { scope: 'contacts', add: [`u:${renamed}`], remove: [`u:${userId}`] };
    }
    case 'contact.department.created': return one('contacts', `d:${text(raw, 'Id')}`, true);
    case 'contact.department.deleted': return one('contacts', `d:${text(raw, 'Id')}`, false);
    case 'external_contact.added':
    case 'external_contact.half_added':
      return text(raw, 'ExternalUserID') === '' ? undefined : one('external_contacts', `${text(raw, 'UserID')}:${text(raw, 'ExternalUserID')}`, true);
    case 'external_contact.deleted':
    case 'external_contact.follow_user_deleted':
      return text(raw, 'ExternalUserID') === '' ? undefined : one('external_contacts', `${text(raw, 'UserID')}:${text(raw, 'ExternalUserID')}`, false);
    case 'external_chat.created': return one('groupchats', text(raw, 'ChatId'), true);
    case 'external_chat.dismissed': return one('groupchats', text(raw, 'ChatId'), false);
    case 'external_tag.created':
    case 'external_tag.deleted': {
      const id = text(raw, 'Id');
      if (id === '') return undefined;
      return one('tags', `${text(raw, 'TagType') === 'tag_group' ? 'g' : 't'}:${id}`, type === 'external_tag.created');
    }
    default:
      return undefined;
  }
}
