import t from 'tap';
import { defineNamespace, namespaces } from '../../src/store/namespaces.js';
import { either, literal, nullable, number, object, optional, string } from '../../src/store/value-shape.js';

const corp = {
  corpId: 'wwcorp', permanentCode: 'p', corpName: 'Acme', authCorpInfo: { corpid: 'wwcorp' }, authInfo: null, authUserInfo: null,
  dealerCorpInfo: null, state: 'active', authorizedAt: 1, updatedAt: 2,
};

/** One value each namespace must accept, and one it must refuse. */
const samples: ReadonlyArray<[keyof typeof namespaces, unknown, unknown]> = [
  ['suiteTicket', { ticket: 't', timestamp: 1 }, { ticket: 't', timestamp: '1' }],
  ['suiteToken', { token: 't', expiresAt: 2, fetchedAt: 1 }, { token: 't', expiresAt: 2 }],
  ['corpToken', { token: 't', expiresAt: 2, fetchedAt: 1 }, 'a bare token'],
  ['corp', corp, { ...corp, state: 'paused' }],
  ['installState', { suiteId: 'ww', issuedAt: 1 }, { suiteId: 1, issuedAt: 1 }],
  ['openUserId', 'woAbC', { invalid: false }],
  ['chatMemberVersion', 'v1', 1],
  ['target', { disabled: true, reason: null, changedAt: 1 }, { disabled: 'yes', reason: null, changedAt: 1 }],
  ['reply', { reply: { type: 'text', content: 'hi' }, xml: '<xml/>', repliedAt: 1 }, { reply: { type: 'text', content: 'hi' }, xml: 1, repliedAt: 1 }],
  ['doctor', { at: 1 }, {}],
  ['jsapiTicket', { token: 't', expiresAt: 2, fetchedAt: 1 }, { ticket: 't', expiresAt: 2, fetchedAt: 1 }],
  ['syncState', { generation: 1, total: 3, startedAt: 1, completedAt: 2 }, { generation: '1', total: 3, startedAt: 1, completedAt: 2 }],
  ['syncRun', { runId: 'r', startedAt: 1, baseGeneration: null, phase: 'list', position: {}, pages: 0, ids: 0 }, { runId: 'r', startedAt: 1, baseGeneration: null, phase: 'paging', position: {}, pages: 0, ids: 0 }],
];

t.test('every namespace of the relay checks the shape of its values', async (t) => {
  const names = new Set<string>();
  for (const [key, good, bad] of samples) {
    const ns = namespaces[key];
    names.add(ns.name);
    t.equal(ns.check(good, ns.name), good, `${ns.name} accepts its value as it is`);
    t.throws(() => ns.check(bad, ns.name), TypeError, `${ns.name} refuses another shape`);
  }
  t.equal(names.size, Object.keys(namespaces).length, 'every declared namespace has its own name and a sample here');
  t.same(namespaces.openUserId.check({ invalid: true }, 'v'), { invalid: true }, 'a negative open_userid entry is accepted');
});

t.test('checks name the path of what is wrong and keep extra keys', async (t) => {
  const check = object<{ readonly a: { readonly b: number | null }; readonly c?: string }>({ a: object({ b: nullable(number) }), c: optional(string) });
  t.throws(() => check({ a: { b: 'x' } }, 'value'), { message: /^Expected `value\.a\.b` to be a finite number/ }, 'the nested path is named');
  const extra = { a: { b: null }, later: 'added by a newer version' };
  t.equal(check(extra, 'value'), extra, 'extra keys survive (checks never convert)');
  t.throws(() => literal('x', 'y')('z', 'v'), { message: /one of "x", "y"/ }, 'literals list the allowed values');
  t.throws(() => either(string, number, 'a string or a number')(null, 'v'), { message: /a string or a number/ }, 'either names both');
});

t.test('defineNamespace refuses an empty name or a missing check', async (t) => {
  t.throws(() => defineNamespace('', string), TypeError, 'an empty name');
  t.throws(() => defineNamespace('x', undefined as never), TypeError, 'no check');
  t.ok(Object.isFrozen(defineNamespace('x', string)), 'a declared namespace is frozen');
});
