import t from 'tap';
import { changeFields, snapshotEditOf } from '../../daemon/sync/sync-ids.js';
import { syncEventId } from '../../daemon/sync/sync-event-id.js';
import { eventTypeOf } from '../../src/events/event-type-of.js';

t.test('each difference becomes the callback type of SPEC §12', async (t) => {
  const cases: Array<[Parameters<typeof changeFields>, string]> = [
    [['contacts', 'u:zhangsan', 'created', 'suite'], 'contact.user.created'],
    [['contacts', 'u:zhangsan', 'deleted', 'suite'], 'contact.user.deleted'],
    [['contacts', 'd:5', 'created', 'suite'], 'contact.department.created'],
    [['contacts', 'd:5', 'deleted', 'suite'], 'contact.department.deleted'],
    [['external_contacts', 'lisi:wmX', 'created', 'suite'], 'external_contact.added'],
    [['external_contacts', 'lisi:wmX', 'deleted', 'suite'], 'external_contact.deleted'],
    [['groupchats', 'wrC', 'created', 'suite'], 'external_chat.created'],
    [['groupchats', 'wrC', 'deleted', 'suite'], 'external_chat.dismissed'],
    [['tags', 't:etT', 'created', 'suite'], 'external_tag.created'],
    [['tags', 'g:etG', 'deleted', 'suite'], 'external_tag.deleted'],
  ];
  for (const [args, type] of cases) t.equal(eventTypeOf(changeFields(...args)), type, `${args.join(' ')} → ${type}`);
  t.same(changeFields('contacts', 'u:woOPEN', 'created', 'contact_edit'), { InfoType: 'change_contact', ChangeType: 'create_user', OpenUserID: 'woOPEN' });
  t.same(changeFields('external_contacts', 'lisi:wmX', 'created', 'suite'), { InfoType: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'lisi', ExternalUserID: 'wmX' });
});

t.test('a pushed callback edits the snapshot it concerns, and the round trip matches', async (t) => {
  t.same(snapshotEditOf('contact.user.created', { UserID: 'a' }, 'suite'), { scope: 'contacts', add: ['u:a'], remove: [] });
  t.same(snapshotEditOf('contact.user.deleted', { UserID: 'a', OpenUserID: 'woA' }, 'contact_edit'), { scope: 'contacts', add: [], remove: ['u:woA'] });
  t.same(snapshotEditOf('contact.user.updated', { UserID: 'a', NewUserID: 'b' }, 'suite'), { scope: 'contacts', add: ['u:b'], remove: ['u:a'] });
  t.same(snapshotEditOf('external_contact.follow_user_deleted', { UserID: 'a', ExternalUserID: 'wm' }, 'suite'), { scope: 'external_contacts', add: [], remove: ['a:wm'] });
  t.same(snapshotEditOf('external_tag.created', { Id: 'g1', TagType: 'tag_group' }, 'suite'), { scope: 'tags', add: ['g:g1'], remove: [] });
  t.equal(snapshotEditOf('external_chat.updated', { ChatId: 'c' }, 'suite'), undefined, 'an update changes no id');
  t.equal(snapshotEditOf('contact.user.created', {}, 'suite'), undefined, 'no id, no edit');
  // Every change the run emits, processed as a callback, edits the snapshot with the same id back.
  for (const [scope, id] of [['contacts', 'u:x'], ['contacts', 'd:3'], ['external_contacts', 'u1:wm1'], ['groupchats', 'wr1'], ['tags', 't:et1'], ['tags', 'g:et2']] as const) {
    const fields = changeFields(scope, id, 'created', 'suite');
    t.same(snapshotEditOf(eventTypeOf(fields), fields, 'suite')?.add, [id], `${scope} ${id}`);
  }
});

t.test('synthetic ids are stable for their parts and differ otherwise', async (t) => {
  t.equal(syncEventId('app', 'corp', 'contacts', 'u:a', 'created', 1), syncEventId('app', 'corp', 'contacts', 'u:a', 'created', 1));
  t.not(syncEventId('app', 'corp', 'contacts', 'u:a', 'created', 1), syncEventId('app', 'corp', 'contacts', 'u:a', 'created', 2));
  t.match(syncEventId('x'), /^evt_[0-9a-f]{32}$/);
});
