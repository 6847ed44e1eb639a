import t from 'tap';
import { routeEvent } from '../../daemon/delivery/route-event.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const CORP = 'wxf8b4f85f3a794e77';
const event = (type: string, corpId: string | null = CORP) =>
  makeEvent({ type, source: { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', corpId, agentId: null } });

t.test('routeEvent: an event goes to every target whose globs and corps match, in target order', async (t) => {
  const targets = [
    makeTarget({ name: 'all' }),
    makeTarget({ name: 'contacts', events: ['external_contact.*'] }),
    makeTarget({ name: 'org', events: ['contact.*'] }),
    makeTarget({ name: 'this-corp', corpIds: [CORP] }),
    makeTarget({ name: 'other-corp', corpIds: ['wxother'] }),
    makeTarget({ name: 'tickets', events: ['suite.ticket'] }),
    makeTarget({ name: 'exact', events: ['external_contact.added', 'auth.*'] }),
  ];
  const table: ReadonlyArray<[string, ReturnType<typeof event>, string[]]> = [
    ['a customer event', event('external_contact.added'), ['all', 'contacts', 'this-corp', 'exact']],
    ['another customer event', event('external_contact.deleted'), ['all', 'contacts', 'this-corp']],
    ['an org event', event('contact.user.created'), ['all', 'org', 'this-corp']],
    ['an auth event', event('auth.created'), ['all', 'this-corp', 'exact']],
    ['suite.ticket only where named, never through *', event('suite.ticket', null), ['tickets']],
    ['an event of another corp', event('external_contact.added', 'wxother'), ['all', 'contacts', 'other-corp', 'exact']],
    ['an event without a corp skips corp-bound targets', event('unknown.thing', null), ['all']],
  ];
  for (const [name, e, want] of table) t.same(routeEvent(e, targets), want, name);
});

t.test('routeEvent: no targets, no routes; a glob that matches nothing routes nowhere', async (t) => {
  t.same(routeEvent(event('external_contact.added'), []), [], 'no targets');
  t.same(routeEvent(event('external_contact.added'), [makeTarget({ name: 'x', events: ['contact.*'] })]), [], 'no match');
});
