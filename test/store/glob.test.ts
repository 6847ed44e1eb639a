import t from 'tap';
import { matchesAny, matchesGlob, toSqliteGlob } from '../../src/store/glob.js';

const cases: ReadonlyArray<readonly [type: string, pattern: string, matches: boolean]> = [
  ['external_contact.add', 'external_contact.add', true],
  ['external_contact.add', 'external_contact.del', false],
  ['external_contact.add', 'external_contact.*', true],
  ['external_contact.tag.update', 'external_contact.*', true],
  ['external_contact', 'external_contact.*', false],
  ['external_contactx.add', 'external_contact.*', false],
  ['external_chat.update', 'external_*', true],
  ['anything.at.all', '*', true],
  ['', '*', true],
  ['', '', true],
  ['a', '', false],
  ['auth.created', '*.created', true],
  ['auth.created.x', '*.created', false],
  ['contact.user.create', 'contact.*.create', true],
  ['contact.user.update', 'contact.*.create', false],
  ['abcabc', 'a*c*c', true],
  ['abc', 'a*b*c', true],
  ['ac', 'a*b*c', false],
  ['aXbXc', 'a**c', true],
  ['ab', 'a*b*b', false],
  ['suite.ticket', 'suite.?icket', false],
  ['suite.?icket', 'suite.?icket', true],
  ['Suite.ticket', 'suite.*', false],
];

t.test('matchesGlob: * matches any run of characters, everything else is literal', async (t) => {
  for (const [type, pattern, matches] of cases) {
    t.equal(matchesGlob(type, pattern), matches, `${JSON.stringify(type)} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(pattern)}`);
  }
});

t.test('matchesAny matches when one pattern does', async (t) => {
  t.equal(matchesAny('external_chat.update', ['external_contact.*', 'external_chat.*']), true, 'the second pattern matches');
  t.equal(matchesAny('suite.ticket', ['external_contact.*', 'auth.*']), false, 'no pattern matches');
  t.equal(matchesAny('suite.ticket', []), false, 'an empty list matches nothing');
});

t.test('toSqliteGlob keeps ? and [ literal', async (t) => {
  t.equal(toSqliteGlob('external_contact.*'), 'external_contact.*', 'the * wildcard is kept');
  t.equal(toSqliteGlob('a?b[c]'), 'a[?]b[[]c]', '? and [ are wrapped in a one-character class');
});
